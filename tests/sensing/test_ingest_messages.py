"""MQTT messages handed to the core as (topic, payload bytes): topics, payloads, dead letters,
and 10,000 malformed payloads mixed into valid ones."""

from __future__ import annotations

import random
from datetime import timedelta

import orjson
import pytest
from sqlalchemy import func, select

from smartcity.context.models import AttributeInstance
from smartcity.sensing.ingest.messages import ingest_messages, parse_topic
from smartcity.sensing.ingest.models import DeadLetter
from tests.sensing.ingest_fixtures import iso, register_fleet


@pytest.fixture
def fleet(platform, admin):
    return register_fleet(platform, admin)


def topic(device_id, kind="air_quality_station", tenant="shanghai"):
    return f"city/{tenant}/{kind}/{device_id}/attrs"


def test_topics_name_tenant_type_and_device():
    assert parse_topic("city/shanghai/AirQualityObserved/AQ-1/attrs") == (
        "shanghai",
        "AirQualityObserved",
        "AQ-1",
    )
    assert parse_topic("city/shanghai/air_quality_station/AQ-1/attrs")[2] == "AQ-1"
    for bad in ("city/shanghai/toaster/AQ-1/attrs", "city/shanghai/AQ-1/attrs", "x/a/b/c/attrs"):
        assert parse_topic(bad) is None


def test_a_message_batch_stores_good_payloads_and_dead_letters_the_rest(platform, fleet):
    now = platform.clock.now()
    messages = [
        (topic("DEV-00"), orjson.dumps({"pm25": 30, "observedAt": iso(now)})),
        (
            topic("DEV-00"),
            orjson.dumps([{"pm25": 31, "observedAt": iso(now - timedelta(minutes=1))}]),
        ),
        (topic("DEV-00"), b"\x00\x01 not json"),
        (topic("DEV-00", tenant="atlantis"), b'{"pm25": 1}'),
        (topic("DEV-00"), b'{"pm25": {"type": "Property", "value": 5, "observedAt": "soon"}}'),
        (topic("DEV-00"), b'{"device_id": "DEV-01", "pH": 7}'),
        (topic("GHOST"), b'{"pm25": 1}'),
    ]
    outcome = ingest_messages(platform, messages, now)
    assert outcome.stored == 2
    assert sorted(outcome.reasons().items()) == [
        ("bad_time", 1),
        ("bad_topic", 1),
        ("foreign_device", 1),
        ("unknown_device", 1),
        ("unparseable", 1),
    ]
    with platform.db.session() as s:
        letters = {d.reason: d for d in s.scalars(select(DeadLetter))}
    assert letters["bad_topic"].tenant_id is None
    assert letters["bad_topic"].route == topic("DEV-00", tenant="atlantis")
    assert (
        letters["unparseable"].route == topic("DEV-00")
        and letters["unparseable"].transport == "mqtt"
    )
    assert letters["unparseable"].payload.startswith("\\x00\x01 not json")  # NUL escaped


def test_a_redelivered_message_batch_is_stored_once(platform, fleet):
    now = platform.clock.now()
    batch = [
        (topic("DEV-00"), orjson.dumps({"pm25": n, "observedAt": iso(now - timedelta(seconds=n))}))
        for n in range(50)
    ]
    first = ingest_messages(platform, batch, now)
    again = ingest_messages(platform, batch[10:] + batch[:10], now)
    assert (first.stored, again.stored, again.duplicates) == (50, 0, 50)


def test_a_payload_is_capped_in_its_dead_letter(platform, fleet):
    huge = b'{"pm25": "' + b"x" * 100_000 + b'"}'
    ingest_messages(platform, [(topic("DEV-00"), huge)], platform.clock.now())
    with platform.db.session() as s:
        letter = s.scalars(select(DeadLetter)).one()
    assert letter.reason == "schema_violation"
    assert letter.payload_size == len(huge) and len(letter.payload.encode()) <= 4096


def _malformed(rng, n, now):
    """Every way a payload can be bad, in turn."""
    kinds = [
        lambda: (topic("DEV-00"), b"{broken"),
        lambda: (topic("DEV-00"), b'{"pm25": NaN}'),
        lambda: (topic("DEV-00"), b'{"pm25": -5}'),
        lambda: (topic("DEV-00"), b'{"banana": 5}'),
        lambda: (topic("GHOST"), b'{"pm25": 5}'),
        lambda: (
            topic("DEV-00"),
            orjson.dumps({"pm25": 5, "observedAt": iso(now + timedelta(days=1))}),
        ),
        lambda: (topic("DEV-00"), b"[]"),
        lambda: (topic("DEV-00"), b'"just a string"'),
        lambda: ("city/nowhere/x/y/attrs", b'{"pm25": 5}'),
        lambda: (topic("DEV-00"), bytes(rng.getrandbits(8) for _ in range(20)) + b"\xff"),
    ]
    return [kinds[i % len(kinds)]() for i in range(n)]


def test_ten_thousand_malformed_payloads_mixed_into_valid_ones(platform, fleet):
    rng = random.Random(4)
    now = platform.clock.now()
    valid = [
        (
            topic("DEV-00"),
            orjson.dumps(
                {"pm25": n % 500, "no2": 7, "observedAt": iso(now - timedelta(seconds=n))}
            ),
        )
        for n in range(2_000)
    ]
    bad = _malformed(rng, 10_000, now)
    stream = valid + bad
    rng.shuffle(stream)
    stored = letters = 0
    for start in range(0, len(stream), 1_000):
        outcome = ingest_messages(platform, stream[start : start + 1_000], now)
        stored += outcome.stored
        letters += len(outcome.letters)
    assert (stored, letters) == (4_000, 10_000)
    with platform.db.session() as s:
        assert s.scalar(select(func.count()).select_from(DeadLetter)) == 10_000
        by_reason = dict(
            s.execute(select(DeadLetter.reason, func.count()).group_by(DeadLetter.reason)).all()
        )
        history = s.scalar(
            select(func.count())
            .select_from(AttributeInstance)
            .where(AttributeInstance.entity_id == "urn:ngsi-ld:AirQualityObserved:DEV-00")
        )
    assert history == 4_000 + 2  # and its location and refDevice, written at its creation
    assert by_reason == {
        "unparseable": 2_000,
        "not_finite": 1_000,
        "schema_violation": 1_000,
        "unknown_attribute": 1_000,
        "unknown_device": 1_000,
        "future_time": 1_000,
        "invalid_payload": 2_000,
        "bad_topic": 1_000,
    }
