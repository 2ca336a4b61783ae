"""DCAT output parses back as RDF with the catalogue's triples."""

from __future__ import annotations

from rdflib import Graph, Literal, URIRef, namespace

from smartcity.opendata import dcat

SITE = "http://testserver"


class V:
    """The vocabularies (kept off the module, where pytest's collection would probe them)."""

    DCAT, DCTERMS, FOAF = namespace.DCAT, namespace.DCTERMS, namespace.FOAF
    RDF, XSD, HYDRA, VCARD = namespace.RDF, namespace.XSD, dcat.HYDRA, dcat.VCARD


def parse(response, fmt):
    assert response.status_code == 200, response.text
    graph = Graph()
    graph.parse(data=response.text, format=fmt)
    return graph


def test_the_catalog_lists_public_datasets_in_both_syntaxes(client, catalogue):
    jsonld = parse(client.get("/catalog.jsonld"), "json-ld")
    ttl = parse(client.get("/catalog.ttl"), "turtle")
    assert client.get("/catalog.ttl").headers["content-type"].startswith("text/turtle")
    for graph in (jsonld, ttl):
        catalog = URIRef(f"{SITE}/catalog")
        assert (catalog, V.RDF.type, V.DCAT.Catalog) in graph
        datasets = set(graph.objects(catalog, V.DCAT.dataset))
        titles = {str(graph.value(d, V.DCTERMS.identifier)) for d in datasets}
        assert len(datasets) == 3 and len(titles) == 3
        assert len(set(graph.subjects(V.RDF.type, V.DCAT.Dataset))) == 3
    assert len(jsonld) == len(ttl)


def test_a_dataset_carries_its_dcat_ap_metadata(client, catalogue, call):
    pkg = call("package_show", {"id": "air-quality-hourly"}).json()["result"]
    graph = parse(client.get(f"/dataset/{pkg['id']}.ttl"), "turtle")
    node = URIRef(f"{SITE}/dataset/{pkg['id']}")
    assert (node, V.RDF.type, V.DCAT.Dataset) in graph
    assert (node, V.DCTERMS.title, Literal("air-quality-hourly 数据", lang="zh")) in graph
    assert (node, V.DCTERMS.title, Literal("air-quality-hourly data", lang="en")) in graph
    assert (node, V.DCTERMS.description, Literal("About air-quality-hourly", lang="en")) in graph
    assert {str(k) for k in graph.objects(node, V.DCAT.keyword)} == {"air", "pm25"}
    theme = URIRef("http://publications.europa.eu/resource/authority/data-theme/ENVI")
    assert (node, V.DCAT.theme, theme) in graph
    freq = URIRef("http://publications.europa.eu/resource/authority/frequency/HOURLY")
    assert (node, V.DCTERMS.accrualPeriodicity, freq) in graph
    assert (
        node,
        V.DCTERMS.license,
        URIRef("https://creativecommons.org/licenses/by/4.0/"),
    ) in graph
    publisher = graph.value(node, V.DCTERMS.publisher)
    assert (publisher, V.RDF.type, V.FOAF.Organization) in graph
    assert (publisher, V.FOAF.name, Literal("Ecology and Environment Bureau", lang="en")) in graph
    places = {
        str(graph.value(p, V.DCTERMS.identifier)) for p in graph.objects(node, V.DCTERMS.spatial)
    }
    assert places == {"310101", "310104"}
    period = graph.value(node, V.DCTERMS.temporal)
    assert graph.value(period, V.DCAT.startDate) == Literal("2026-01-01", datatype=V.XSD.date)
    contact = graph.value(node, V.DCAT.contactPoint)
    assert (contact, V.RDF.type, V.VCARD.Organization) in graph
    assert graph.value(contact, V.VCARD.fn) == Literal("市生态环境局信息中心")
    assert graph.value(contact, V.VCARD.hasEmail) == URIRef("mailto:opendata@sthj.example.gov.cn")
    distribution = graph.value(node, V.DCAT.distribution)
    assert (distribution, V.RDF.type, V.DCAT.Distribution) in graph
    assert graph.value(distribution, V.DCTERMS.format) == Literal("CSV")
    assert graph.value(distribution, V.DCAT.accessURL) == URIRef("https://example.org/aq.csv")
    same = parse(client.get("/dataset/air-quality-hourly.jsonld"), "json-ld")
    assert len(same) == len(graph)


def test_the_catalog_is_paged(client, catalogue):
    for i in range(100):
        catalogue.create(
            {
                "name": f"bulk-{i:03d}",
                "title": f"批量 {i}",
                "owner_org": "transport",
                "private": False,
            }
        )
    first = parse(client.get("/catalog.ttl"), "turtle")
    second = parse(client.get("/catalog.ttl?page=2"), "turtle")
    catalog = URIRef(f"{SITE}/catalog")
    assert len(set(first.objects(catalog, V.DCAT.dataset))) == 100
    assert len(set(second.objects(catalog, V.DCAT.dataset))) == 3
    paging = URIRef(f"{SITE}/catalog.ttl?page=1")
    assert first.value(paging, V.HYDRA.totalItems).toPython() == 103
    assert str(first.value(paging, V.HYDRA.nextPage)).endswith("page=2")
    assert client.get("/catalog.ttl?page=3").status_code == 404
    bad = client.get("/catalog.jsonld?page=zero")
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "page"


def test_private_and_unknown_datasets_are_not_published(client, catalogue):
    assert client.get("/dataset/draft-emissions.ttl").status_code == 403
    missing = client.get("/dataset/nothing.jsonld")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
