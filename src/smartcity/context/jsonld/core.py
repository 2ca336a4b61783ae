"""The NGSI-LD core @context (GS CIM 009 v1.8, Annex B), built in so it never needs the network."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

CORE_CONTEXT_URL = "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.8.jsonld"
DEFAULT_VOCAB = "https://uri.etsi.org/ngsi-ld/default-context/"
NGSI_LD_NS = "https://uri.etsi.org/ngsi-ld/"

_CORE_FILE = "ngsi-ld-core-context-v1.8.jsonld"
_CORE_NAMES = ("", "-v1.6", "-v1.7", "-v1.8")
# Every published name of the core context, over https and http, answers with the built-in copy.
CORE_CONTEXT_URLS = frozenset(
    f"{scheme}://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context{suffix}.jsonld"
    for scheme in ("https", "http")
    for suffix in _CORE_NAMES
)


def is_core_url(url: str) -> bool:
    """True when `url` names the NGSI-LD core context (any supported version)."""
    return url in CORE_CONTEXT_URLS


@cache
def core_document() -> dict[str, Any]:
    """The core context document as published: `{"@context": {...}}` (do not mutate)."""
    text = resources.files(__package__).joinpath("data", _CORE_FILE).read_text("utf-8")
    return json.loads(text)


def core_local_context() -> dict[str, Any]:
    """The core context's term map, the value of its `@context` member (do not mutate)."""
    return core_document()["@context"]
