"""The payloads of the ETSI suite's data/entities folder, re-expressed: Buildings and Vehicles in
the suite's @context (application/ld+json) or in the default context (application/json)."""

from __future__ import annotations

from typing import Any

from tests.context.conformance.conftest import SUITE_CONTEXT, SUITE_NS, SUITE_TERMS

LD = "application/ld+json"
JSON = "application/json"
GEO = "application/geo+json"


def ld(entity: dict[str, Any]) -> dict[str, Any]:
    """The entity with the suite's @context in the body, as its .jsonld files carry it."""
    return {**entity, "@context": [SUITE_CONTEXT]}


def prop(value: Any, **members: Any) -> dict[str, Any]:
    return {"type": "Property", "value": value, **members}


def rel(target: str, **members: Any) -> dict[str, Any]:
    return {"type": "Relationship", "object": target, **members}


def point(lon: float, lat: float) -> dict[str, Any]:
    return {"type": "GeoProperty", "value": {"type": "Point", "coordinates": [lon, lat]}}


def building(entity_id: str, **attrs: Any) -> dict[str, Any]:
    return {"id": entity_id, "type": "Building", **attrs}


def simple_attributes(entity_id: str) -> dict[str, Any]:
    """building-simple-attributes."""
    return building(
        entity_id,
        name=prop("Eiffel Tower"),
        subCategory=prop("tourism"),
        airQualityLevel=prop(4, unitCode="C62", observedAt="2020-09-09T16:40:00.000Z"),
        almostFull=prop(False),
    )


def relationship_of_property(entity_id: str) -> dict[str, Any]:
    """building-relationship-of-property: a Relationship inside airQualityLevel."""
    entity = simple_attributes(entity_id)
    entity["airQualityLevel"] = prop(
        4,
        unitCode="C62",
        observedAt="2020-09-09T16:40:00.000Z",
        hasWeatherObserved=rel("urn:ngsi-ld:Sensor:43a1af27-4aa7-44fe-bee9-fe76d56978a4"),
    )
    return entity


def location_attribute(entity_id: str) -> dict[str, Any]:
    """building-location-attribute."""
    return building(
        entity_id,
        name=prop("Eiffel Tower"),
        subCategory=prop("tourism"),
        location=point(13.3986, 52.5547),
    )


SQUARE = [[[100.12, 0.23], [101.12, 0.23], [101.12, 1.23], [100.12, 1.23], [100.12, 0.23]]]


def vehicle(entity_id: str, **attrs: Any) -> dict[str, Any]:
    return {"id": entity_id, "type": "Vehicle", **attrs}


def simple_vehicle(entity_id: str) -> dict[str, Any]:
    """vehicle-simple-attributes."""
    parked = rel(
        "urn:ngsi-ld:OffStreetParking:Downtown1",
        observedAt="2017-07-29T12:00:04Z",
        providedBy=rel("urn:ngsi-ld:Person:Bob"),
    )
    return vehicle(entity_id, brandName=prop("Mercedes"), isParked=parked)


def simple_parking(entity_id: str) -> dict[str, Any]:
    """parking-simple-attributes."""
    spots = prop(
        121,
        observedAt="2017-07-29T12:05:02Z",
        reliability=prop(0.7),
        providedBy=rel("urn:ngsi-ld:Camera:C1"),
    )
    return {
        "id": entity_id,
        "type": "OffStreetParking",
        "name": prop("Downtown One"),
        "availableSpotNumber": spots,
        "totalSpotNumber": prop(200),
        "location": point(-8.5, 41.2),
    }


def second_building(entity_id: str) -> dict[str, Any]:
    """building-simple-attributes-second: Pisa Tower, level 6, almost full."""
    return building(
        entity_id,
        name=prop("Pisa Tower"),
        subCategory=prop("tourism"),
        airQualityLevel=prop(6, unitCode="C62", observedAt="2020-10-10T16:40:00.000Z"),
        almostFull=prop(True),
    )


def third_building(entity_id: str) -> dict[str, Any]:
    """building-simple-attributes-third: Pisa Tower, level 7, located in Pisa."""
    return building(
        entity_id,
        name=prop("Pisa Tower"),
        subCategory=prop("sightseeing"),
        airQualityLevel=prop(7, unitCode="C62", observedAt="2023-10-10T16:40:00.000Z"),
        almostFull=prop(False),
        locatedIn=rel("urn:ngsi-ld:City:Pisa"),
    )


_MEMBERS = {"id", "type", "value", "object", "observedAt", "unitCode", "datasetId", "languageMap"}


def expanded(entity: dict[str, Any]) -> dict[str, Any]:
    """The entity as answered without the suite's context: its terms as full IRIs."""
    out: dict[str, Any] = {}
    for key, value in entity.items():
        if key == "@context":
            continue
        if key == "type" and "id" in entity:
            types = value if isinstance(value, list) else [value]
            named = [SUITE_NS + t if t in SUITE_TERMS else t for t in types]
            out[key] = named if isinstance(value, list) else named[0]
        elif key in _MEMBERS:
            out[key] = value
        else:
            name = SUITE_NS + key if key in SUITE_TERMS else key
            out[name] = expanded(value) if isinstance(value, dict) else value
    return out


def sourced(value: Any, source: str, **members: Any) -> dict[str, Any]:
    """A speed instance with its `source` sub-property."""
    return prop(value, source=prop(source), **members)


PARKED = rel(
    "urn:ngsi-ld:OffStreetParking:Downtown1",
    observedAt="2017-07-29T12:00:04Z",
    providedBy=rel("urn:ngsi-ld:Person:Bob"),
)


def speeding_vehicle(entity_id: str) -> dict[str, Any]:
    """vehicle-speed-two-datasetid: two speed instances, both with a datasetId."""
    speed = [
        sourced(55, "Speedometer", datasetId="urn:ngsi-ld:Property:speedometer"),
        sourced(54.5, "GPS", datasetId="urn:ngsi-ld:Property:gpsBxyz123-speed"),
    ]
    return vehicle(entity_id, brandName=prop("Mercedes"), isParked=PARKED, speed=speed)


def two_dataset_vehicle(entity_id: str) -> dict[str, Any]:
    """vehicle-two-datasetid-attributes: a default speed and a GPS one; isParked with datasetId."""
    parked = {**PARKED, "datasetId": "urn:ngsi-ld:Relationship:parked12345"}
    speed = [
        sourced(55, "Speedometer"),
        sourced(54.5, "GPS", datasetId="urn:ngsi-ld:Property:gpsBxyz123-speed"),
    ]
    return vehicle(entity_id, brandName=prop("Mercedes"), isParked=parked, speed=speed)
