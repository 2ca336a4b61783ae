"""JSON-LD @context handling for the NGSI-LD broker: resolve contexts once, then map names cheaply.

``ContextResolver.resolve`` turns an ``@context`` value (a URL, an inline object, or a list of
both, from the body of ``application/ld+json`` or from the ``Link`` header of
``application/json``, see ``parse_link_header``) into an immutable ``ActiveContext``. The NGSI-LD
core context (GS CIM 009 v1.8, Annex B) is built in and answers to its v1.6, v1.7, v1.8 and
unversioned URLs without network; it is always applied last, and being ``@protected`` its terms
cannot be redefined by a context that comes after it. Remote contexts are fetched only from
allowed hosts, size- and time-limited, and cached (LRU + TTL) along with every resolved context.

**Stored form** ("compact against core"), what ``ActiveContext.expand_entity`` returns and what
the storage layer keeps:

- every *name* a client chooses -- attribute and sub-attribute names, entity types, attribute
  types, and the values of ``vocab``/``objectType`` -- is stored as its full expanded IRI
  (``https://smartdatamodels.org/dataModel.Environment/NO2``), unknown terms under the default
  vocabulary (``https://uri.etsi.org/ngsi-ld/default-context/foo``);
- except when that IRI is a term of the core context, which is stored as the core term
  (``location``, ``observationSpace``, ``description``, ``Property``, ``Relationship``);
  so a stored name without a colon is always a core term, and one with a colon is an IRI;
- NGSI-LD members keep their short names and values as sent: ``id``, ``type``, ``scope``,
  ``createdAt``, ``modifiedAt``, ``deletedAt`` on the entity; ``value``, ``object``,
  ``objectList``, ``valueList``, ``languageMap``, ``json``, ``vocab``, ``observedAt``,
  ``datasetId``, ``unitCode``, ``instanceId``, ``lang`` and the ``previous*`` members on
  attributes; ``@context`` is dropped;
- the content of ``value``/``valueList``/``json``/``languageMap`` (including keys of JSON
  object values and GeoJSON) is opaque: it is not expanded.

``ActiveContext.compact_entity`` is the inverse against the requesting client's context, and
``stored_name``/``present_name`` map single names (for ``attrs``, ``type`` and ``q`` parameters).
"""

from smartcity.context.jsonld.active import ActiveContext
from smartcity.context.jsonld.core import (
    CORE_CONTEXT_URL,
    CORE_CONTEXT_URLS,
    DEFAULT_VOCAB,
    NGSI_LD_NS,
    core_document,
    is_core_url,
)
from smartcity.context.jsonld.entity import ATTRIBUTE_MEMBERS, ENTITY_MEMBERS, VOCAB_MEMBERS
from smartcity.context.jsonld.errors import (
    ContextError,
    ContextNotAvailable,
    InvalidContext,
    InvalidLinkHeader,
)
from smartcity.context.jsonld.link import CONTEXT_REL, JSONLD_TYPE, link_header, parse_link_header
from smartcity.context.jsonld.resolver import ContextResolver, ContextValue, parse_allowed_hosts
from smartcity.context.jsonld.terms import TermDefinition

__all__ = [
    "ATTRIBUTE_MEMBERS",
    "CONTEXT_REL",
    "CORE_CONTEXT_URL",
    "CORE_CONTEXT_URLS",
    "DEFAULT_VOCAB",
    "ENTITY_MEMBERS",
    "JSONLD_TYPE",
    "NGSI_LD_NS",
    "VOCAB_MEMBERS",
    "ActiveContext",
    "ContextError",
    "ContextNotAvailable",
    "ContextResolver",
    "ContextValue",
    "InvalidContext",
    "InvalidLinkHeader",
    "TermDefinition",
    "core_document",
    "is_core_url",
    "link_header",
    "parse_allowed_hosts",
    "parse_link_header",
]
