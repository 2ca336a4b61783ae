"""Reading instances back: an answer over the instance limit is cut at one instant, earliest
first, or newest first with lastN (clause 6.3.10 temporal pagination)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from smartcity.context.temporal import history
from smartcity.context.temporal import service as temporal
from smartcity.context.temporal.params import Window

DEFAULT = "https://uri.etsi.org/ngsi-ld/default-context/"
HEAD = {"id": "urn:ngsi-ld:Vehicle:A", "type": DEFAULT + "Vehicle"}


def series(*minutes: int) -> list[dict[str, Any]]:
    return [
        {"type": "Property", "value": m, "observedAt": f"2020-01-01T01:{m:02d}:00Z"}
        for m in minutes
    ]


def _stored(session: Session, tenant_id: int, clock: Any) -> None:
    instances = {DEFAULT + "speed": series(1, 2, 3, 4), DEFAULT + "fuelLevel": series(5, 6)}
    temporal.upsert_temporal_entity(session, tenant_id, HEAD, instances, clock.now())


def _values(read: history.History, name: str) -> list[Any]:
    return [i["value"] for i in read.instances[HEAD["id"]].get(DEFAULT + name, [])]


def test_an_answer_over_the_limit_keeps_the_earliest_instances(
    session: Session, tenant_id: int, clock: Any
) -> None:
    _stored(session, tenant_id, clock)
    read = history.read(session, tenant_id, [HEAD["id"]], None, Window(), limit=3)
    assert read.cut is not None and read.cut.minute == 4
    assert _values(read, "speed") == [1, 2, 3]
    assert _values(read, "fuelLevel") == []


def test_last_n_over_the_limit_keeps_the_newest_instances(
    session: Session, tenant_id: int, clock: Any
) -> None:
    _stored(session, tenant_id, clock)
    read = history.read(session, tenant_id, [HEAD["id"]], None, Window(), last_n=4, limit=3)
    assert read.cut is not None and read.cut.minute == 3
    assert _values(read, "fuelLevel") == [5, 6]
    assert _values(read, "speed") == [4]


def test_an_answer_within_the_limit_is_whole(session: Session, tenant_id: int, clock: Any) -> None:
    _stored(session, tenant_id, clock)
    read = history.read(session, tenant_id, [HEAD["id"]], None, Window())
    assert read.cut is None
    assert len(_values(read, "speed")) == 4
