"""The Smart Data Models readings are mapped onto: which attributes each model knows, in which
unit, and a check of a value against the model's JSON Schema (offline, validators cached).

The schemas are the models' own (`data/smart-data-models/`, CC BY 4.0). A reading's value is
checked against the schema of its attribute. Simple numeric, boolean and enumerated-string
schemas (nearly all of them) are compiled into a plain Python check that says what jsonschema
says, faster; the rest go through a cached jsonschema validator.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import orjson
from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match
from referencing import Registry, Resource

from smartcity.sensing.device_types import DEVICE_TYPES, DeviceKind

MODELS = (
    "AirQualityObserved",
    "WaterQualityObserved",
    "NoiseLevelObserved",
    "Streetlight",
    "TrafficFlowObserved",
    "ParkingSpot",
    "DeviceMeasurement",
)
SHARED = {
    "https://smart-data-models.github.io/data-models/common-schema.json": "common-schema.json",
    "https://raw.githubusercontent.com/smart-data-models/dataModel.Environment/master/"
    "Environment-schema.json": "Environment-schema.json",
}
# Members every model has that describe the entity, not something a sensor measures.
NOT_MEASURED = frozenset(
    {
        "id",
        "type",
        "location",
        "address",
        "name",
        "description",
        "alternateName",
        "dataProvider",
        "dateCreated",
        "dateModified",
        "seeAlso",
        "source",
        "owner",
        "areaServed",
        "dateObserved",
        "dateObservedFrom",
        "dateObservedTo",
        "observationDateTime",
        "timeInstant",
    }
)
# UN/CEFACT common codes (NGSI-LD `unitCode`) of the attributes city sensors report most; the
# models' examples use the same codes (GQ for NO2, GP for CO).
UNIT_CODES: dict[str, str] = {
    **dict.fromkeys(
        ("pm1", "pm4", "pm10", "pm25", "no", "no2", "nox", "so2", "o3", "c6h6", "sh2", "tsp"),
        "GQ",  # µg/m³
    ),
    "co": "GP",  # mg/m³
    "co2": "59",  # ppm
    "temperature": "CEL",
    "relativeHumidity": "C62",  # one (a fraction 0–1)
    "pressure": "A97",  # hPa
    "windSpeed": "MTS",
    "windDirection": "DD",  # degree
    "precipitation": "LTR",  # litres per m²
    "LAeq": "2N",  # dB
    "LAmax": "2N",
    "LAS": "2N",
    "LAeq_d": "2N",
    "pH": "C62",
    "turbidity": "NTU",  # nephelometric turbidity unit (not UN/CEFACT; the models' own usage)
    "conductivity": "H61",  # µS/cm
    "O2": "M1",  # mg/l
    "NH4": "M1",
    "NO3": "M1",
    "PO4": "M1",
    "flow": "MQH",  # m³/h
    "intensity": "E50",  # vehicles (units)
    "occupancy": "C62",
    "averageVehicleSpeed": "KMH",
    "averageVehicleLength": "MTR",
    "averageGapDistance": "MTR",
    "averageHeadwayTime": "SEC",
    "powerConsumption": "WTT",
    "voltage": "VLT",
    "current": "AMP",
    "illuminanceLevel": "C62",
}

Check = Callable[[Any], str | None]  # a value → why it breaks the schema, or None


@dataclass(frozen=True)
class AttributeSpec:
    """One attribute a model knows: its schema, its unit, and the compiled check."""

    name: str
    schema: dict[str, Any]
    unit_code: str | None
    check: Check


def _data() -> Any:
    return resources.files("smartcity.sensing.ingest") / "data" / "smart-data-models"


def _load(path: Any) -> dict[str, Any]:
    return orjson.loads(path.read_bytes())


@cache
def registry() -> Registry:
    """Every schema by its URL, from the files beside this module: no network, ever."""
    folder = _data()
    resources_: list[tuple[str, Resource]] = []
    for url, name in SHARED.items():
        resources_.append((url, Resource.from_contents(_load(folder / "_shared" / name))))
    for model in MODELS:
        schema = _load(folder / model / "schema.json")
        resources_.append((schema["$id"], Resource.from_contents(schema)))
    return Registry().with_resources(resources_)


@cache
def model_schema(model: str) -> dict[str, Any]:
    if model not in MODELS:
        raise KeyError(model)
    return _load(_data() / model / "schema.json")


def _own_properties(schema: dict[str, Any]) -> dict[str, Any]:
    """The properties a model declares itself (in its allOf parts and at the top)."""
    found: dict[str, Any] = {}
    for part in schema.get("allOf", []):
        found.update(part.get("properties", {}))
    found.update(schema.get("properties", {}))
    return found


def _measured(name: str, schema: dict[str, Any]) -> bool:
    described = str(schema.get("description", ""))
    return name not in NOT_MEASURED and not described.startswith("Relationship")


@cache
def validator(model: str) -> Draft202012Validator:
    return Draft202012Validator(model_schema(model), registry=registry())


_SIMPLE_KEYS = frozenset(
    {"type", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "enum", "description"}
)


_NUMBERS = (int, float)  # a tuple: `int | float` would build a union object on every call


def is_number(value: Any) -> bool:
    return isinstance(value, _NUMBERS) and not isinstance(value, bool)


def _compiled(schema: dict[str, Any]) -> Check | None:
    """A plain-Python check for the simple schemas, or None when jsonschema must decide."""
    if set(schema) == {"anyOf"}:
        return _any_of([_compiled(s) for s in schema["anyOf"]])
    kind = schema.get("type")
    if not set(schema) <= _SIMPLE_KEYS or kind not in ("number", "integer", "boolean", "string"):
        return None
    enum = schema.get("enum")
    if enum is not None and (kind != "string" or not all(isinstance(e, str) for e in enum)):
        return None
    bounds = [
        (schema.get("minimum"), lambda v, b: v >= b, "less than the minimum"),
        (schema.get("maximum"), lambda v, b: v <= b, "greater than the maximum"),
        (schema.get("exclusiveMinimum"), lambda v, b: v > b, "not above the exclusive minimum"),
        (schema.get("exclusiveMaximum"), lambda v, b: v < b, "not below the exclusive maximum"),
    ]
    bounds = [b for b in bounds if b[0] is not None]

    def check(value: Any) -> str | None:
        if kind == "boolean":
            return None if isinstance(value, bool) else f"{value!r} is not of type 'boolean'"
        if kind == "string":
            if not isinstance(value, str):
                return f"{value!r} is not of type 'string'"
            if enum is not None and value not in enum:
                return f"{value!r} is not one of {enum!r}"
            return None
        if not is_number(value) or (
            kind == "integer" and not (isinstance(value, int) or float(value).is_integer())
        ):
            return f"{value!r} is not of type {kind!r}"
        for bound, holds, words in bounds:
            if not holds(value, bound):
                return f"{value!r} is {words} {bound!r}"
        return None

    return check


def _any_of(checks: list[Check | None]) -> Check | None:
    if not checks or any(c is None for c in checks):
        return None
    alternatives = [c for c in checks if c is not None]

    def check(value: Any) -> str | None:
        problems = [c(value) for c in alternatives]
        return None if None in problems else f"{value!r} is not valid under any of the schemas"

    return check


def _general(model: str, schema: dict[str, Any]) -> Check:
    evolved = validator(model).evolve(schema=schema)

    def check(value: Any) -> str | None:
        error = best_match(evolved.iter_errors(value))
        return None if error is None else error.message

    return check


def compile_check(model: str, schema: dict[str, Any]) -> Check:
    return _compiled(schema) or _general(model, schema)


def _spec(model: str, name: str, schema: dict[str, Any]) -> AttributeSpec:
    return AttributeSpec(name, schema, UNIT_CODES.get(name), compile_check(model, schema))


@cache
def attributes(model: str) -> dict[str, AttributeSpec]:
    """The attributes a device may report for an entity of `model`, by name."""
    own = _own_properties(model_schema(model))
    return {n: _spec(model, n, s) for n, s in own.items() if _measured(n, s)}


@cache
def kind_attributes(kind: DeviceKind) -> dict[str, AttributeSpec]:
    """What a kind of device may report: its model's attributes, and for the kinds feeding a
    generic DeviceMeasurement, its controlled properties by name, each a number (checked as the
    model's `numValue`), a text (`textValue`) or a boolean."""
    model = DEVICE_TYPES[kind].sdm_type
    known = dict(attributes(model))
    if model == "DeviceMeasurement":
        own = _own_properties(model_schema(model))
        either = {"anyOf": [own["numValue"], own["textValue"], {"type": "boolean"}]}
        for name in DEVICE_TYPES[kind].controlled:
            known[name] = AttributeSpec(name, either, UNIT_CODES.get(name), _general(model, either))
    return known


def plain(value: Any) -> Any:
    """The JSON value a schema sees: an NGSI-LD typed value ({"@type": "DateTime", "@value": …})
    is checked by its @value."""
    if isinstance(value, dict) and "@value" in value:
        return value["@value"]
    return value


def finite(value: Any) -> bool:
    """False for NaN and ±Infinity (also inside lists and objects): no sensor measures them."""
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, list):
        return all(finite(v) for v in value)
    if isinstance(value, dict):
        return all(finite(v) for v in value.values())
    return True
