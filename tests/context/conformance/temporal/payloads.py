"""The suite's temporal payloads (data/temporalEntities/*.jsonld) as Python data."""

from __future__ import annotations

from typing import Any

from tests.context.conformance.conftest import SUITE_CONTEXT


def prop(value: Any, observed_at: str, **members: Any) -> dict[str, Any]:
    return {"type": "Property", "value": value, "observedAt": observed_at, **members}


def series(*points: tuple[Any, str], **members: Any) -> list[dict[str, Any]]:
    """Property instances from (value, observedAt) pairs."""
    return [prop(value, at, **members) for value, at in points]


def vehicle(**attributes: Any) -> dict[str, Any]:
    return {"id": "urn:ngsi-ld:Vehicle:randomUUID", "type": "Vehicle", **attributes}


def ld(document: dict[str, Any]) -> dict[str, Any]:
    return {**document, "@context": [SUITE_CONTEXT]}


SPEED_2020_08 = [(120, "2020-08-01T12:03:00Z"), (80, "2020-08-01T12:05:00Z")]
SPEED_2020_08 += [(100, "2020-08-01T12:07:00Z")]
FUEL_2020_08 = [(67, "2020-08-01T12:03:00Z"), (53, "2020-08-01T13:05:00Z")]
FUEL_2020_08 += [(40, "2020-08-01T14:07:00Z")]
# 2020-08-vehicle-temporal-representation.jsonld
VEHICLE_2020_08 = ld(vehicle(speed=series(*SPEED_2020_08), fuelLevel=series(*FUEL_2020_08)))

SPEED_MANY = [(85, "2020-08-01T12:25:00Z"), (105, "2020-08-01T12:27:00Z")]
SPEED_MANY += [(120, "2020-08-01T12:29:00Z"), (125, "2020-08-01T12:31:00Z")]
SPEED_MANY += [(130, "2020-08-01T12:35:00Z")]
FUEL_MANY = [(35, "2020-08-01T20:05:00Z"), (31, "2020-08-01T20:07:00Z")]
FUEL_MANY += [(28, "2020-08-01T21:03:00Z"), (24, "2020-08-01T21:05:00Z")]
FUEL_MANY += [(19, "2020-08-01T22:07:00Z")]
# 2020-08-vehicle-temporal-representation-multiple-instances.jsonld
VEHICLE_MANY = ld(vehicle(speed=series(*SPEED_MANY), fuelLevel=series(*FUEL_MANY)))

STREETS = [
    ({"fr": "Grand Place", "nl": "Grote Markt"}, "2020-08-01T12:03:00Z"),
    ({"fr": "Grand Place", "nl": "Grote Markt", "es": "Gran Mercado"}, "2020-08-01T12:05:00Z"),
    (
        {"fr": "Grand Marché", "nl": "Grote Markt", "es": "Gran Lugar", "it": "Grande Mercato"},
        "2020-08-01T12:07:00Z",
    ),
]
# vehicle-language-property-temporal-representation.jsonld
VEHICLE_STREETS = ld(
    vehicle(
        street=[
            {"type": "LanguageProperty", "languageMap": names, "observedAt": at}
            for names, at in STREETS
        ]
    )
)
JSON_SPEEDS = [({"value": v}, at) for v, at in SPEED_2020_08]
# vehicle-json-property-temporal-representation.jsonld
VEHICLE_JSON = ld(
    vehicle(speed=[{"type": "JsonProperty", "json": j, "observedAt": at} for j, at in JSON_SPEEDS])
)
VOCABS = [("monument", "2020-08-01T12:03:00Z"), ("sightseeing", "2020-08-01T12:05:00Z")]
VOCABS += [(["monument", "sightseeing"], "2020-08-01T12:07:00Z")]
# vehicle-vocab-property-temporal-representation.jsonld
VEHICLE_VOCAB = ld(
    vehicle(
        vocabProperty=[{"type": "VocabProperty", "vocab": v, "observedAt": at} for v, at in VOCABS]
    )
)
# vehicle-temporal-representation-different-attributes-types.jsonld
VEHICLE_KINDS = ld(
    vehicle(
        isParkedIn=[
            {
                "type": "Relationship",
                "object": "urn:ngsi-ld:OffStreetParking:Commerce",
                "observedAt": "2024-12-01T12:00:00Z",
            },
            {
                "type": "Relationship",
                "object": "urn:ngsi-ld:OffStreetParking:Graslin",
                "observedAt": "2024-12-05T12:00:00Z",
            },
        ],
        name=[
            {
                "type": "LanguageProperty",
                "languageMap": {"fr": "Ma voiture", "en": "My vehicle"},
                "observedAt": "2024-12-01T12:00:00Z",
            },
            {
                "type": "LanguageProperty",
                "languageMap": {"fr": "Ma jolie voiture", "en": "My pretty vehicle"},
                "observedAt": "2024-12-05T12:00:00Z",
            },
        ],
        fuelLevel=series((67, "2020-08-01T12:03:00Z"), (53, "2020-08-01T13:05:00Z")),
    )
)

SEPTEMBER = "2020-09-01T"
FUEL_DATASET = "urn:ngsi-ld:Vehicle:12345-fuel"
# vehicle-create-temporal-representation.jsonld
VEHICLE_CREATE = ld(
    vehicle(
        speed=series((120, SEPTEMBER + "12:03:00Z"), (80, SEPTEMBER + "12:05:00Z")),
        fuelLevel=[
            *series((67, SEPTEMBER + "12:03:00Z"), (53, SEPTEMBER + "13:05:00Z")),
            prop(40, SEPTEMBER + "14:07:00Z", datasetId=FUEL_DATASET),
        ],
    )
)
SPEED_2020_09 = [(120, SEPTEMBER + "12:03:00Z"), (80, SEPTEMBER + "12:05:00Z")]
SPEED_2020_09 += [(100, SEPTEMBER + "12:07:00Z")]
FUEL_2020_09 = [(67, SEPTEMBER + "12:03:00Z"), (53, SEPTEMBER + "13:05:00Z")]
FUEL_2020_09 += [(40, SEPTEMBER + "14:07:00Z")]
# vehicle-create-temporal-representation-without-context.jsonld
VEHICLE_CREATE_PLAIN = vehicle(speed=series(*SPEED_2020_09), fuelLevel=series(*FUEL_2020_09))
# vehicle-temporal-representation-update.jsonld
VEHICLE_UPDATE = ld(
    vehicle(
        speed=series((121, SEPTEMBER + "12:03:00Z"), *SPEED_2020_09[1:]),
        fuelLevel=series(*FUEL_2020_09),
    )
)
# 2020-09-vehicle-temporal-representation.jsonld
VEHICLE_2020_09 = ld(vehicle(speed=series(*SPEED_2020_09), fuelLevel=series(*FUEL_2020_09)))
BUS_SPEED = [(45, "2020-08-01T12:03:00Z"), (25, "2020-08-01T12:05:00Z")]
BUS_SPEED += [(67, "2020-08-01T12:07:00Z")]
BUS_FUEL = [(210, "2020-08-01T12:03:00Z"), (145, "2020-08-01T13:05:00Z")]
BUS_FUEL += [(124, "2020-08-01T14:07:00Z")]
# 2020-08-bus-temporal-representation.jsonld
BUS_2020_08 = ld(
    {
        "id": "urn:ngsi-ld:Bus:randomUUID",
        "type": "Bus",
        "speed": series(*BUS_SPEED),
        "fuelLevel": series(*BUS_FUEL),
    }
)
