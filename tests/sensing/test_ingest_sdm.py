"""The Smart Data Models catalogue: attributes and units per model, offline schemas, and the
compiled checks saying exactly what jsonschema says."""

from __future__ import annotations

from importlib import resources

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from smartcity.sensing.device_types import DEVICE_TYPES, DeviceKind
from smartcity.sensing.ingest import sdm


def test_every_model_of_the_device_kinds_is_in_the_catalogue_with_its_attributes():
    assert {t.sdm_type for t in DEVICE_TYPES.values()} == set(sdm.MODELS)
    assert {"pm25", "no2", "o3", "temperature"} <= set(sdm.attributes("AirQualityObserved"))
    assert {"pH", "turbidity", "O2"} <= set(sdm.attributes("WaterQualityObserved"))
    assert {"LAeq", "LAmax"} <= set(sdm.attributes("NoiseLevelObserved"))
    assert {"intensity", "averageVehicleSpeed"} <= set(sdm.attributes("TrafficFlowObserved"))
    assert "status" in sdm.attributes("ParkingSpot")
    assert "powerState" in sdm.attributes("Streetlight")
    # entity members and relationships are not readings
    assert not {"id", "location", "dateObserved", "refDevice"} & set(
        sdm.attributes("AirQualityObserved")
    )


def test_units_are_un_cefact_codes_as_the_models_examples_use():
    air = sdm.attributes("AirQualityObserved")
    assert (air["no2"].unit_code, air["co"].unit_code, air["temperature"].unit_code) == (
        "GQ",
        "GP",
        "CEL",
    )
    assert sdm.attributes("NoiseLevelObserved")["LAeq"].unit_code == "2N"


def test_generic_kinds_report_their_controlled_properties():
    pipe = sdm.kind_attributes(DeviceKind.PIPE_PRESSURE_SENSOR)
    assert pipe["pressure"].check(3.2) is None and pipe["pressure"].check({"a": 1}) is not None
    smoke = sdm.kind_attributes(DeviceKind.SMOKE_DETECTOR)
    assert smoke["smoke"].check(True) is None


def test_the_registry_resolves_the_shared_schemas_offline():
    level = sdm.kind_attributes(DeviceKind.AIR_QUALITY_STATION)["airQualityLevel"]
    assert level.check("moderate") is None  # defined in Environment-schema.json, by URL
    assert level.check(3) is not None


# Defects of the published example (facts, checked): tsp 73.3 where the schema asks an integer,
# windDirection 186 where it allows -180..180. They must be reported, not hidden.
DEFECTS = {("AirQualityObserved", "tsp"), ("AirQualityObserved", "windDirection")}


def _examples():
    folder = resources.files("smartcity.sensing.ingest") / "data" / "smart-data-models"
    for model in sdm.MODELS:
        example = orjson.loads((folder / model / "example-normalized.jsonld").read_bytes())
        known = sdm.attributes(model)
        for name, attribute in example.items():
            measured = name in known and isinstance(attribute, dict) and "value" in attribute
            if measured and (model, name) not in DEFECTS:
                yield model, name, sdm.plain(attribute["value"])


@pytest.mark.parametrize(("model", "name", "value"), list(_examples()))
def test_the_models_own_example_values_pass_their_check(model, name, value):
    assert sdm.attributes(model)[name].check(value) is None


def test_the_known_defects_of_the_air_quality_example_are_reported():
    air = sdm.attributes("AirQualityObserved")
    assert "integer" in air["tsp"].check(73.3)
    assert "maximum" in air["windDirection"].check(186)


values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**6), max_value=10**6),
    st.floats(allow_nan=False, allow_infinity=False, min_value=-1e6, max_value=1e6),
    st.sampled_from(["on", "off", "free", "occupied", "moderate", "indoor", "", "x"]),
    st.lists(st.integers(), max_size=2),
)
SPECS = [(m, s) for m in sdm.MODELS for s in sdm.attributes(m).values()] + [
    ("DeviceMeasurement", s) for s in sdm.kind_attributes(DeviceKind.SMOKE_DETECTOR).values()
]


@settings(max_examples=300, deadline=None)
@given(index=st.integers(min_value=0, max_value=len(SPECS) - 1), value=values)
def test_compiled_checks_agree_with_jsonschema(index, value):
    _model, spec = SPECS[index]
    reference = Draft202012Validator(spec.schema, registry=sdm.registry())
    assert (spec.check(value) is None) == reference.is_valid(value), (spec.name, value)


def test_nan_and_infinity_are_not_finite_anywhere_in_a_value():
    assert not sdm.finite(float("nan")) and not sdm.finite([1.0, float("inf")])
    assert not sdm.finite({"a": float("-inf")}) and sdm.finite({"a": [1, 2.5]})
