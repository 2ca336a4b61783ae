"""The catalogue as DCAT-AP RDF (rdflib): the catalog, its datasets and their distributions.

URIs are the platform's own pages: <site>/catalog, <site>/dataset/<id>,
<site>/dataset/<id>/resource/<id>, <site>/organization/<id>. Titles and descriptions carry
language tags (zh, en); themes, frequencies and licences are the authority URIs DCAT-AP names.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, RDF, XSD

from smartcity.opendata.vocab import FORMATS, LICENCES

VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
LOCN = Namespace("http://www.w3.org/ns/locn#")
GSP = Namespace("http://www.opengis.net/ont/geosparql#")
MEDIA_TYPE_BASE = "https://www.iana.org/assignments/media-types/"
_MEDIA = {label: media for label, media in FORMATS.values()}


def new_graph() -> Graph:
    graph = Graph()
    for prefix, ns in (("dcat", DCAT), ("dct", DCTERMS), ("foaf", FOAF), ("vcard", VCARD),
                       ("hydra", HYDRA), ("locn", LOCN), ("gsp", GSP), ("owl", OWL)):  # fmt: skip
        graph.bind(prefix, ns)
    return graph


def _texts(graph: Graph, node: URIRef, predicate: URIRef, zh: str, en: str) -> None:
    if zh:
        graph.add((node, predicate, Literal(zh, lang="zh")))
    if en:
        graph.add((node, predicate, Literal(en, lang="en")))


def _time(value: datetime) -> Literal:
    return Literal(value.isoformat(), datatype=XSD.dateTime)


def dataset_uri(site: str, package: dict[str, Any]) -> URIRef:
    return URIRef(f"{site}/dataset/{package['id']}")


def add_dataset(
    graph: Graph, site: str, package: dict[str, Any], created: datetime, modified: datetime
) -> URIRef:
    """One package dict (see package.py) as a dcat:Dataset with its distributions."""
    node = dataset_uri(site, package)
    extras = {e["key"]: e["value"] for e in package["extras"]}
    graph.add((node, RDF.type, DCAT.Dataset))
    graph.add((node, DCTERMS.identifier, Literal(package["id"])))
    _texts(graph, node, DCTERMS.title, package["title"], package["title_translated"]["en"])
    _texts(graph, node, DCTERMS.description, package["notes"], package["notes_translated"]["en"])
    graph.add((node, DCTERMS.issued, _time(created)))
    graph.add((node, DCTERMS.modified, _time(modified)))
    if package["version"]:
        graph.add((node, OWL.versionInfo, Literal(package["version"])))
    for tag in package["tags"]:
        graph.add((node, DCAT.keyword, Literal(tag["name"])))
    for theme in json.loads(extras.get("theme", "[]")):
        graph.add((node, DCAT.theme, URIRef(theme)))
    _publisher(graph, site, node, package["organization"])
    licence = LICENCES.get(package["license_id"])
    if licence:
        graph.add((node, DCTERMS.license, URIRef(licence.url)))
    if "frequency" in extras:
        graph.add((node, DCTERMS.accrualPeriodicity, URIRef(extras["frequency"])))
    if extras.get("landing_page"):
        graph.add((node, DCAT.landingPage, URIRef(extras["landing_page"])))
    _spatial(graph, node, extras)
    _temporal(graph, node, extras)
    _contact(graph, node, extras)
    for resource in package["resources"]:
        _distribution(graph, site, node, package, resource, licence.url if licence else None)
    return node


def _publisher(graph: Graph, site: str, node: URIRef, org: dict[str, Any]) -> None:
    publisher = URIRef(f"{site}/organization/{org['id']}")
    graph.add((node, DCTERMS.publisher, publisher))
    graph.add((publisher, RDF.type, FOAF.Organization))
    _texts(graph, publisher, FOAF.name, org["title"], org["title_translated"]["en"])


def _spatial(graph: Graph, node: URIRef, extras: dict[str, str]) -> None:
    for code in filter(None, extras.get("spatial_districts", "").split(",")):
        place = BNode()
        graph.add((node, DCTERMS.spatial, place))
        graph.add((place, RDF.type, DCTERMS.Location))
        graph.add((place, DCTERMS.identifier, Literal(code)))
    if "spatial" in extras:
        ring = json.loads(extras["spatial"])["coordinates"][0]
        wkt = "POLYGON((" + ", ".join(f"{x} {y}" for x, y in ring) + "))"
        place = BNode()
        graph.add((node, DCTERMS.spatial, place))
        graph.add((place, RDF.type, DCTERMS.Location))
        graph.add((place, DCAT.bbox, Literal(wkt, datatype=GSP.wktLiteral)))


def _temporal(graph: Graph, node: URIRef, extras: dict[str, str]) -> None:
    if "temporal_start" not in extras and "temporal_end" not in extras:
        return
    period = BNode()
    graph.add((node, DCTERMS.temporal, period))
    graph.add((period, RDF.type, DCTERMS.PeriodOfTime))
    if "temporal_start" in extras:
        graph.add((period, DCAT.startDate, Literal(extras["temporal_start"], datatype=XSD.date)))
    if "temporal_end" in extras:
        graph.add((period, DCAT.endDate, Literal(extras["temporal_end"], datatype=XSD.date)))


def _contact(graph: Graph, node: URIRef, extras: dict[str, str]) -> None:
    if not any(k in extras for k in ("contact_name", "contact_email", "contact_url")):
        return
    contact = BNode()
    graph.add((node, DCAT.contactPoint, contact))
    graph.add((contact, RDF.type, VCARD.Organization))
    if "contact_name" in extras:
        graph.add((contact, VCARD.fn, Literal(extras["contact_name"])))
    if "contact_email" in extras:
        graph.add((contact, VCARD.hasEmail, URIRef(f"mailto:{extras['contact_email']}")))
    if "contact_url" in extras:
        graph.add((contact, VCARD.hasURL, URIRef(extras["contact_url"])))


def _distribution(
    graph: Graph,
    site: str,
    dataset: URIRef,
    package: dict[str, Any],
    resource: dict[str, Any],
    licence: str | None,
) -> None:
    node = URIRef(f"{site}/dataset/{package['id']}/resource/{resource['id']}")
    graph.add((dataset, DCAT.distribution, node))
    graph.add((node, RDF.type, DCAT.Distribution))
    graph.add((node, DCTERMS.identifier, Literal(resource["id"])))
    if resource["name"]:
        graph.add((node, DCTERMS.title, Literal(resource["name"])))
    if resource["description"]:
        graph.add((node, DCTERMS.description, Literal(resource["description"])))
    graph.add((node, DCTERMS.format, Literal(resource["format"])))
    if resource["format"] in _MEDIA:
        graph.add((node, DCAT.mediaType, URIRef(MEDIA_TYPE_BASE + _MEDIA[resource["format"]])))
    if resource["url"]:
        graph.add((node, DCAT.accessURL, URIRef(resource["url"])))
        graph.add((node, DCAT.downloadURL, URIRef(resource["url"])))
    if resource["size"] is not None:
        graph.add((node, DCAT.byteSize, Literal(resource["size"], datatype=XSD.nonNegativeInteger)))
    if licence:
        graph.add((node, DCTERMS.license, URIRef(licence)))


def catalog_graph(
    site: str,
    packages: Sequence[tuple[dict[str, Any], datetime, datetime]],
    *,
    page: int,
    per_page: int,
    total: int,
    page_url: str,
) -> Graph:
    """A page of the catalogue: the dcat:Catalog, its datasets, and hydra paging links."""
    graph = new_graph()
    catalog = URIRef(f"{site}/catalog")
    graph.add((catalog, RDF.type, DCAT.Catalog))
    _texts(graph, catalog, DCTERMS.title, "政府数据服务网", "Government data service")
    _texts(
        graph, catalog, DCTERMS.description, "城市开放数据目录", "The city's open data catalogue"
    )
    graph.add((catalog, FOAF.homepage, URIRef(site + "/")))
    for package, created, modified in packages:
        graph.add((catalog, DCAT.dataset, add_dataset(graph, site, package, created, modified)))
    last = max(1, -(-total // per_page))
    paging = URIRef(f"{page_url}?page={page}")
    graph.add((paging, RDF.type, HYDRA.PagedCollection))
    graph.add((paging, HYDRA.totalItems, Literal(total, datatype=XSD.integer)))
    graph.add((paging, HYDRA.itemsPerPage, Literal(per_page, datatype=XSD.integer)))
    graph.add((paging, HYDRA.firstPage, Literal(f"{page_url}?page=1")))
    graph.add((paging, HYDRA.lastPage, Literal(f"{page_url}?page={last}")))
    if page < last:
        graph.add((paging, HYDRA.nextPage, Literal(f"{page_url}?page={page + 1}")))
    if page > 1:
        graph.add((paging, HYDRA.previousPage, Literal(f"{page_url}?page={page - 1}")))
    return graph


def dataset_graph(
    site: str, package: dict[str, Any], created: datetime, modified: datetime
) -> Graph:
    graph = new_graph()
    add_dataset(graph, site, package, created, modified)
    return graph
