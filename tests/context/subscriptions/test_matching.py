"""Matching entity changes against compiled subscriptions, on EntityChange objects directly."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from smartcity.context.events import EntityChange
from smartcity.context.search import parse_types
from smartcity.context.subscriptions.matching import Rule, Selector, attribute_events, match

AT = datetime(2026, 1, 5, 1, 0, tzinfo=UTC)
NULL = "urn:ngsi-ld:null"
NAME_EN = {"type": "Property", "value": "Eiffel Tower"}
NAME_FR = {"type": "Property", "value": "Tour Eiffel", "datasetId": "urn:ngsi-ld:Dataset:fr"}
PLACE = {"type": "Relationship", "object": "urn:ngsi-ld:City:Paris"}


def rule(**overrides: Any) -> Rule:
    values: dict[str, Any] = {
        "pk": 1,
        "selectors": (Selector(None, None, parse_types("Building")),),
        "watched": None,
        "triggers": frozenset({"attributeCreated", "attributeUpdated"}),
        "q": None,
        "geo": None,
        "datasets": None,
        "expires_at": None,
        "show_changes": False,
        "sys_attrs": False,
    }
    return Rule(**(values | overrides))


def building(**attrs: Any) -> dict[str, Any]:
    return {"id": "urn:ngsi-ld:Building:1", "type": "Building", **attrs}


def change(kind: str, before: Any, after: Any, *names: str) -> EntityChange:
    return EntityChange(1, "urn:ngsi-ld:Building:1", kind, before, after, frozenset(names), AT)


def fire(r: Rule, c: EntityChange) -> Any:
    return match(r, c, attribute_events(c), now=AT)


def test_deleting_one_dataset_instance_shows_it_as_null_among_the_others():
    before = building(name=[NAME_EN, NAME_FR])
    after = building(name=NAME_EN)
    fired = fire(
        rule(triggers=frozenset({"attributeDeleted"})), change("updated", before, after, "name")
    )
    assert fired.trigger == "attributeDeleted"
    assert fired.entity["name"] == [
        NAME_EN,
        {"type": "Property", "datasetId": "urn:ngsi-ld:Dataset:fr", "value": NULL},
    ]


def test_an_untouched_instance_of_a_written_attribute_is_not_an_update():
    before = building(name=[NAME_EN, NAME_FR])
    after = building(name=[NAME_EN, {**NAME_FR, "value": "La Tour"}])
    events = attribute_events(change("updated", before, after, "name"))
    assert [(e.dataset, e.trigger) for e in events] == [
        ("urn:ngsi-ld:Dataset:fr", "attributeUpdated")
    ]


def test_show_changes_on_entity_deletion_keeps_each_previous_value():
    before = building(name=NAME_EN, locatedAt=PLACE)
    r = rule(triggers=frozenset({"attributeDeleted"}), show_changes=True)
    fired = fire(r, change("deleted", before, None, "name", "locatedAt"))
    assert fired.entity == {
        "id": "urn:ngsi-ld:Building:1",
        "type": "Building",
        "deletedAt": "2026-01-05T01:00:00.000Z",
        "name": {"type": "Property", "previousValue": "Eiffel Tower", "value": NULL},
        "locatedAt": {
            "type": "Relationship",
            "previousObject": "urn:ngsi-ld:City:Paris",
            "object": NULL,
        },
    }


def test_an_entity_trigger_wins_over_attribute_triggers():
    r = rule(triggers=frozenset({"entityCreated", "attributeCreated"}))
    assert fire(r, change("created", None, building(name=NAME_EN))).trigger == "entityCreated"


def test_entity_updated_with_watched_attributes_needs_a_watched_write():
    r = rule(triggers=frozenset({"entityUpdated"}), watched=frozenset({"name"}))
    before, after = building(name=NAME_EN, locatedAt=PLACE), building(name=NAME_EN)
    assert fire(r, change("updated", before, after, "locatedAt")) is None
    assert fire(r, change("updated", before, after, "name")).trigger == "entityUpdated"


def test_a_type_change_alone_creates_no_attribute_events():
    before, after = (
        building(name=NAME_EN),
        {**building(name=NAME_EN), "type": ["Building", "Tower"]},
    )
    assert attribute_events(change("updated", before, after)) == []


def test_an_expired_rule_or_another_type_matches_nothing():
    created = change("created", None, building(name=NAME_EN))
    assert fire(rule(expires_at=AT), created) is None
    assert fire(rule(selectors=(Selector(None, None, parse_types("Tower")),)), created) is None
