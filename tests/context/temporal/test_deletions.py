"""Deletion records: what the history keeps when attribute instances are deleted, as
`timeproperty=deletedAt` shows it in the temporal and the simplified representations."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from smartcity.context.temporal import deletions
from smartcity.security.models import Tenant
from tests.context.temporal.conftest import TEMPORAL, Ngsi

ENTITY = TEMPORAL + "/urn:ngsi-ld:Vehicle:A"
DEFAULT = "https://uri.etsi.org/ngsi-ld/default-context/"
AT = datetime(2026, 1, 5, 2, 0, tzinfo=UTC)
NULL = "urn:ngsi-ld:null"


def test_a_deletion_record_holds_the_null_of_its_attribute_type() -> None:
    language = {"type": "LanguageProperty", "languageMap": {"fr": "voiture"}, "datasetId": "x:1"}
    assert deletions.deletion_record(language, AT) == {
        "type": "LanguageProperty",
        "languageMap": {"@none": NULL},
        "deletedAt": "2026-01-05T02:00:00Z",
        "datasetId": "x:1",
    }
    relationship = {"type": "Relationship", "object": "urn:ngsi-ld:OffStreetParking:1"}
    assert deletions.deletion_record(relationship, AT)["object"] == NULL


def _delete(platform: Any, name: str, instance: dict[str, Any]) -> None:
    with platform.db.session() as session:
        tenant = session.scalar(select(Tenant.id).where(Tenant.slug == "shanghai"))
        deletions.record_deletions(
            session, tenant, "urn:ngsi-ld:Vehicle:A", DEFAULT + name, [instance], AT
        )
        session.commit()


def test_recorded_deletions_read_by_deleted_at(ngsi: Ngsi, created: Any, platform: Any) -> None:
    _delete(platform, "fuelLevel", {"type": "Property", "value": 40})
    _delete(platform, "isParkedIn", {"type": "Relationship", "object": "urn:ngsi-ld:P:1"})
    normalized = ngsi.get(ENTITY, params={"timeproperty": "deletedAt"}).json()
    assert [(i["value"], i["deletedAt"]) for i in normalized["fuelLevel"]] == [
        (NULL, "2026-01-05T02:00:00Z")
    ]
    assert normalized["isParkedIn"][0]["object"] == NULL
    assert "observedAt" not in normalized["fuelLevel"][0]
    assert "speed" not in normalized
    simplified = ngsi.get(
        ENTITY, params={"timeproperty": "deletedAt", "options": "temporalValues"}
    ).json()
    assert simplified["fuelLevel"]["values"] == [[NULL, "2026-01-05T02:00:00Z"]]
    assert simplified["isParkedIn"]["objects"] == [[NULL, "2026-01-05T02:00:00Z"]]


def test_deletion_records_stay_out_of_the_observed_evolution(
    ngsi: Ngsi, created: Any, platform: Any
) -> None:
    _delete(platform, "fuelLevel", {"type": "Property", "value": 40})
    observed = ngsi.get(ENTITY).json()
    assert NULL not in str(observed)
    assert len(observed["fuelLevel"]) == 3
