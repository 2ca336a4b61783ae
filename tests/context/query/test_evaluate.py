"""Evaluating q on entities, following the semantics of GS CIM 009 clause 4.9 term by term."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from smartcity.context.query import evaluate, parse_q

CORE = "https://uri.etsi.org/ngsi-ld/"


def holds(query: str, entity: dict[str, Any], **options: Any) -> bool:
    return evaluate(parse_q(query), entity, **options)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ('no2>40;airQualityLevel=="moderate"', True),
        ('no2>40;airQualityLevel=="good"', False),
        ("no2>100", False),
        ("no2==69", True),
        ("no2==60..70", True),
        ("no2!=60..70", False),
        ('no2>"40"', False),  # number against string: different data types never order
        ('no2!="high"', True),  # ... and are always unequal
        ('no2.unitCode=="GQ"', True),
        ("no2.unitCode", True),
        ("no2.observedAt", False),
        ('address[addressLocality]=="Madrid"', True),
        ("address[postalCode]", False),
        ("refPointOfInterest==urn:ngsi-ld:PointOfInterest:28079004-Pza.deEspanya", True),
        ('refPointOfInterest=="urn:ngsi-ld:PointOfInterest:28079004-Pza.deEspanya"', True),
        ('refPointOfInterest>"urn:a"', False),  # Relationships only take == and !=
        ('refPointOfInterest~=".*"', False),
        ("dateObserved>=2016-03-15T00:00:00Z", True),  # "…T11:00:00" without offset is UTC
        ("dateObserved==2016-03-15T11:00:00Z", True),
        ("dateObserved==2016-03-15T00:00:00Z..2016-03-15T10:59:59Z", False),
        ("dateObserved==2016-03-01T00:00:00Z..2016-03-31T00:00:00Z", True),
        ("dateObserved==2016-03-15", False),  # a Date is not a DateTime
        ("relativeHumidity==0.5..0.6", True),
        ("temperature==12.2", True),
        ('typeOfLocation~="^out"', True),
        ('typeOfLocation!~="^out"', False),
        ('source~="(?i)MADRID"', True),
        ("no2~=6", False),  # patterns only match strings
        ("no2!~=6", False),
        ("pm4", True),
        ("!pm25", True),
        ("!pm4", False),
        ("pm25>0|co>=500", True),
        ("(pm25>0|co>500);no2>40", False),
    ],
)
def test_air_quality_observed(air_quality, query, expected):
    assert holds(query, air_quality) is expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("dateLastLampChange<2017-01-01T00:00:00Z", True),  # a typed {"@type": "DateTime"} value
        ('dateLastLampChange=="2016-07-08T08:02:21.753Z"', True),
        ("observationDateTime==2021-01-11T10:21:02Z", True),  # +05:30 is the same instant
        ("observationDateTime>2021-01-11T10:30:00Z", False),
        ('municipalityInfo.deviceInfo[deviceModel.brandName]=="abc"', True),
        ("municipalityInfo[wardNum]==4", True),
        ('municipalityInfo[wardNum]=="4"', False),
        ('powerState=="off";status=="ok"', True),
        ("feederPillarNum==70", False),  # the value is the string "70"
        ('feederPillarNum=="70"', True),
        ("feederPillarNum!=70", True),
        ('circuit~="^C-[0-9]+-A"', True),
        ("lanternHeight>=10;lanternHeight<=10", True),
        ("refStreetlightGroup!=urn:ngsi-ld:StreetlightGroup:streetlightgroup:G345", False),
        ("refStreetlightGroup!=urn:ngsi-ld:StreetlightGroup:other", True),
    ],
)
def test_streetlight(streetlight, query, expected):
    assert holds(query, streetlight) is expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ('category=="onStreet"', True),  # included in the array value
        ('category!="onStreet"', False),  # "is not included in the target value"
        ('category!="offStreet"', True),
        ('category=="offStreet","onStreet"', True),
        ('category!="offStreet","onStreet"', False),
        ("status.observedAt>=2018-09-21T00:00:00Z", True),
        ("status.observedAt==2018-09-21T12:00:00Z", True),
        ('status.parkingPermit=="yes"', True),
        ("status.parkingPermit.observedAt", False),
        ('name~="^A-1"', True),
        ("refParkingSite==urn:ngsi-ld:ParkingSite:santander:daoiz_velarde_1_5", True),
    ],
)
def test_parking_spot(parking_spot, query, expected):
    assert holds(query, parking_spot) is expected


MULTI = {
    "id": "urn:ngsi-ld:WeatherObserved:renmin-square",
    "type": "WeatherObserved",
    "temperature": [
        {"type": "Property", "value": 20, "datasetId": "urn:ngsi-ld:Dataset:raw"},
        {
            "type": "Property",
            "value": 30,
            "datasetId": "urn:ngsi-ld:Dataset:calibrated",
            "observedAt": "2024-07-01T06:00:00Z",
        },
    ],
}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("temperature==30", True),  # any instance (clause 4.9: "any Value of such instances")
        ("temperature>25", True),
        ("temperature<10", False),
        ("temperature!=20", True),  # the calibrated instance differs
        ("temperature!=20,30", False),
        ('temperature.datasetId=="urn:ngsi-ld:Dataset:calibrated"', True),
        ("temperature.datasetId==urn:ngsi-ld:Dataset:raw", True),
        ('temperature.datasetId=="urn:ngsi-ld:Dataset:other"', False),
        ("temperature.observedAt>=2024-07-01T00:00:00Z", True),
        (f"temperature.{CORE}datasetId==urn:ngsi-ld:Dataset:raw", True),
    ],
)
def test_multi_attribute_instances_match_when_any_instance_does(query, expected):
    assert holds(query, MULTI) is expected


LANGUAGE = {
    "id": "urn:ngsi-ld:PointOfInterest:renmin-square",
    "type": "PointOfInterest",
    "name": {
        "type": "LanguageProperty",
        "languageMap": {"zh-Hans": "人民广场", "en": "People's Square"},
    },
    "color": {
        "type": "LanguageProperty",
        "languageMap": {"fr": ["chat", "rouge"], "en": ["red", "cat"], "de": ["rote", "Katze"]},
    },
}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ('name=="人民广场"', True),  # no language: any value of the languageMap
        ('name[*]=="人民广场"', True),
        ('name[en]=="People\'s Square"', True),
        ('name[en]=="人民广场"', False),
        ('name[*]!="People\'s Square"', False),  # "no matching value in any of the values"
        ('name[en]!="Bund"', True),
        ("name[zh-Hans]", True),
        ("name[fr]", False),
        ('name[fr]!="x"', False),  # the target element does not exist
        ('name~="广场$"', True),
        ('color[en]=="red"', True),  # an element of the array held for the language
        ('color[en]!="red"', False),
        ('color[de]=="red"', False),
        ('color[en]=="black","cat"', True),
    ],
)
def test_language_property(query, expected):
    assert holds(query, LANGUAGE) is expected


COMPOUND = {
    "id": "urn:ngsi-ld:ParticulateMeasurement:345",
    "type": "ParticulateMeasurement",
    "address": {"type": "Property", "value": {"city": "Berlin", "street": "Ulrich Strasse"}},
    "sensor": {
        "type": "Property",
        "value": 40,
        "rawdata": {
            "type": "Property",
            "value": {"airquality": {"particulate": 40, "PM20": 85}},
        },
    },
    "parkingTickets": {
        "type": "JsonProperty",
        "json": {"id": "85a6cc52-0589-45f9", "value": "Overstay 60 minutes"},
    },
    "exits": {"type": "Property", "value": [{"name": "A"}, {"name": "B", "gates": 2}]},
}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ('address[city]=="Berlin"', True),  # clause 4.9 EXAMPLE 9
        ('address[postcode]=="Berlin"', False),  # undefined member: non-existent target
        ('address[postcode]!="Berlin"', False),
        ("address[city]", True),
        ("address[postcode]", False),
        ("!address[postcode]", True),
        ("sensor.rawdata[airquality.particulate]==40", True),  # EXAMPLE 10
        ("sensor.rawdata[airquality.particulate]>40", False),
        ("sensor.rawdata[airquality.missing.deeper]", False),
        ('parkingTickets[value]=="Overstay 60 minutes"', True),  # EXAMPLE 11, JsonProperty
        ('address=="Berlin"', False),  # an object is not a string
        ('exits[name]=="B"', True),  # members of objects inside an array
        ("exits[gates]==2", True),
    ],
)
def test_compound_values(query, expected):
    assert holds(query, COMPOUND) is expected


TYPED = {
    "id": "urn:ngsi-ld:Event:1",
    "type": "Event",
    "day": {"type": "Property", "value": {"@type": "Date", "@value": "2024-05-01"}},
    "opens": {"type": "Property", "value": {"@type": "Time", "@value": "08:30:00Z"}},
    "plainDay": {"type": "Property", "value": "2024-05-01"},
    "almostFull": {"type": "Property", "value": False},
    "createdAt": "2024-04-01T00:00:00Z",
}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("day==2024-01-01..2024-12-31", True),
        ("day!=2024-01-01..2024-12-31", False),
        ("day>2024-05-01", False),
        ("day>=2024-05-01", True),
        ("plainDay==2024-05-01", True),
        ('plainDay=="2024-05-01"', True),
        ("opens<09:00:00Z", True),
        ("opens==08:00:00Z..09:00:00Z", True),
        ("opens==16:30:00+08:00", True),
        ("almostFull==false", True),
        ("almostFull!=true", True),
        ("almostFull==0", False),  # a boolean is not a number
        ("createdAt>=2024-01-01T00:00:00Z", True),  # the entity's own system timestamp
    ],
)
def test_temporal_and_boolean_values(query, expected):
    assert holds(query, TYPED) is expected


RELATED = {
    "id": "urn:ngsi-ld:Building:1",
    "type": "Building",
    "owner": {"type": "Relationship", "object": "urn:ngsi-ld:Person:1"},
    "devices": {"type": "Relationship", "object": ["urn:ngsi-ld:Device:1", "urn:ngsi-ld:Device:2"]},
    "floors": {
        "type": "ListRelationship",
        "objectList": [{"object": "urn:ngsi-ld:Floor:1"}, {"object": "urn:ngsi-ld:Floor:2"}],
    },
    "category": {"type": "VocabProperty", "vocab": "commercial"},
}
LINKED = {
    "urn:ngsi-ld:Person:1": {
        "id": "urn:ngsi-ld:Person:1",
        "type": "Person",
        "name": {"type": "Property", "value": "Li Lei"},
    },
    "urn:ngsi-ld:Device:2": {
        "id": "urn:ngsi-ld:Device:2",
        "type": ["Device", "Sensor"],
        "humidity": {"type": "Property", "value": 40},
    },
}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("owner==urn:ngsi-ld:Person:1", True),
        ('owner=="urn:ngsi-ld:Person:1"', True),
        ("owner==urn:ngsi-ld:Person:2,urn:ngsi-ld:Person:1", True),
        ("owner!=urn:ngsi-ld:Person:1", False),
        ("owner!=urn:ngsi-ld:Person:2", True),
        ('owner>="urn"', False),
        ("devices==urn:ngsi-ld:Device:2", True),  # an object array includes the value
        ("devices!=urn:ngsi-ld:Device:2", False),
        ("floors==urn:ngsi-ld:Floor:2", True),  # ListRelationship objects
        ("category==commercial", True),  # VocabProperty
        ('category=="commercial"', True),
        ('owner{name}=="Li Lei"', True),  # EXAMPLE 13, linked entity
        ('owner{Person:name}=="Li Lei"', True),  # EXAMPLE 14, with a type hint
        ('owner{Vehicle:name}=="Li Lei"', False),
        ("devices{Sensor:humidity}==40", True),
        ("devices{humidity}>50", False),
        ("floors{name}", False),  # the floors are unknown to the resolver
    ],
)
def test_relationships_and_linked_entities(query, expected):
    assert holds(query, RELATED, resolve_entity=LINKED.get) is expected


def test_linked_terms_find_nothing_without_a_resolver():
    assert holds('owner{name}=="Li Lei"', RELATED) is False
    assert holds("!owner{name}", RELATED) is True


def test_expand_values_makes_a_term_match_the_expanded_vocab():
    entity = {
        "id": "urn:x",
        "type": "Building",
        "category": {"type": "VocabProperty", "vocab": "https://example.org/commercial"},
    }
    node = parse_q("category==commercial")
    assert evaluate(node, entity) is False
    expanded = node.expand_values(lambda term: "https://example.org/" + term, {"category"})
    assert evaluate(expanded, entity) is True


EXPANDED = {
    "@id": "urn:ngsi-ld:AirQualityObserved:1",
    "@type": ["https://smartdatamodels.org/dataModel.Environment/AirQualityObserved"],
    "https://smartdatamodels.org/dataModel.Environment/no2": [
        {
            "@type": [CORE + "Property"],
            CORE + "hasValue": [{"@value": 69}],
            CORE + "observedAt": [{"@type": CORE + "DateTime", "@value": "2016-03-15T11:00:00Z"}],
            CORE + "unitCode": [{"@value": "GQ"}],
        }
    ],
    "https://smartdatamodels.org/dataModel.Environment/refPointOfInterest": [
        {"@type": [CORE + "Relationship"], CORE + "hasObject": [{"@id": "urn:ngsi-ld:POI:1"}]}
    ],
    "https://example.org/readings": [
        {
            "@type": [CORE + "ListProperty"],
            CORE + "hasValueList": [{"@list": [{"@value": 3}, {"@value": 5}]}],
        }
    ],
    CORE + "createdAt": [{"@type": CORE + "DateTime", "@value": "2016-03-15T11:05:00Z"}],
    "https://schema.org/name": [
        {
            "@type": [CORE + "LanguageProperty"],
            CORE + "hasLanguageMap": [
                {"@value": "人民广场", "@language": "zh"},
                {"@value": "People's Square", "@language": "en"},
            ],
        }
    ],
}
TERMS = {
    "no2": "https://smartdatamodels.org/dataModel.Environment/no2",
    "refPointOfInterest": "https://smartdatamodels.org/dataModel.Environment/refPointOfInterest",
    "name": "https://schema.org/name",
    "readings": "https://example.org/readings",
    "createdAt": CORE + "createdAt",
    "observedAt": CORE + "observedAt",
    "unitCode": CORE + "unitCode",
}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("no2>40", True),
        ("no2.observedAt>=2016-03-15T00:00:00Z", True),
        ('no2.unitCode=="GQ"', True),
        ("refPointOfInterest==urn:ngsi-ld:POI:1", True),
        ("refPointOfInterest>1", False),
        ('name[en]=="People\'s Square"', True),
        ('name[en]=="人民广场"', False),
        ("readings==5", True),
        ("readings>5", False),
        ("createdAt>2016-03-15T11:00:00Z", True),
    ],
)
def test_expanded_entities_match_queries_expanded_with_the_same_context(query, expected):
    node = parse_q(query).map_attributes(lambda term: TERMS.get(term, term))
    assert evaluate(node, EXPANDED) is expected


DELETED = {
    "id": "urn:x",
    "type": "Thing",
    "gone": {"type": "Property", "value": "urn:ngsi-ld:null"},
    "goneRel": {"type": "Relationship", "object": "urn:ngsi-ld:null"},
    "level": {"type": "Property", "value": 3, "deletedAt": "2024-06-01T00:00:00Z"},
}


def test_deleted_attributes_do_not_exist():
    assert holds("gone", DELETED) is False
    assert holds("goneRel", DELETED) is False
    assert holds("!gone;!goneRel", DELETED) is True


def test_an_instance_deleted_after_now_still_counts():
    before = datetime(2024, 5, 1, tzinfo=UTC)
    after = datetime(2024, 7, 1, tzinfo=UTC)
    assert holds("level==3", DELETED, now=before) is True
    assert holds("level==3", DELETED, now=after) is False
    assert holds("level==3", DELETED) is False


def test_missing_attributes_never_match_any_operator():
    entity = {"id": "urn:x", "type": "Thing"}
    for query in ("a", "a==1", "a!=1", "a>1", 'a~="x"', 'a!~="x"', "a==1..2", "a!=1..2"):
        assert holds(query, entity) is False
    assert holds("!a", entity) is True
