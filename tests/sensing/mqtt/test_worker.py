"""The ingestion worker against Mosquitto and the embedded broker, on both databases: readings
in, what NGSI-LD then shows, redelivery, bad payloads in a batch, a shared stream."""

from __future__ import annotations

from datetime import timedelta

import orjson
import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from smartcity.sensing.mqtt.address import parse_broker_url
from smartcity.sensing.mqtt.worker import IngestWorker
from tests.conftest import make_user
from tests.sensing.mqtt.helpers import (
    AIR,
    count_distinct_history,
    count_history,
    count_receipts,
    dead_letters,
    forget_session,
    iso,
    publisher,
    readings_of,
    running_worker,
    stream,
    wait_until,
    worker_config,
)


def test_published_readings_are_stored_as_history_and_current_state(
    platform, broker, own_city, client, auth_headers
):
    now = platform.clock.now()
    first, second = now - timedelta(minutes=20), now - timedelta(minutes=10)
    device = own_city.stations[0]
    config = worker_config(broker, own_city)
    with running_worker(platform, config) as worker, publisher(broker.publisher_url) as pub:
        pub.publish(
            [
                (own_city.topic(device), orjson.dumps({"pm25": 30, "observedAt": iso(first)})),
                (
                    own_city.topic(device, "AirQualityObserved"),
                    orjson.dumps(
                        {"pm25": {"type": "Property", "value": 40, "observedAt": iso(second)}}
                    ),
                ),
            ]
        )
        wait_until(lambda: worker.value("smartcity_mqtt_readings_stored") == 2, "2 readings")
        # acknowledged just after the commit that counts them as stored
        acked = "smartcity_mqtt_messages_acknowledged"
        wait_until(lambda: worker.value(acked) == 2, "both messages acknowledged")
    forget_session(config)
    make_user(platform, "admin", own_city.slug)
    headers = auth_headers("admin", own_city.slug)
    entity_id = f"urn:ngsi-ld:AirQualityObserved:{device}"
    current = client.get(f"/ngsi-ld/v1/entities/{entity_id}", headers=headers)
    assert current.status_code == 200, current.text
    assert current.json()["pm25"]["value"] == 40
    temporal = client.get(
        f"/ngsi-ld/v1/temporal/entities/{entity_id}",
        params={"attrs": "pm25", "timerel": "after", "timeAt": iso(first - timedelta(hours=1))},
        headers=headers,
    )
    assert temporal.status_code == 200, temporal.text
    assert [(i["value"], i["observedAt"]) for i in temporal.json()["pm25"]] == [
        (30, iso(first)),
        (40, iso(second)),
    ]


def test_a_message_delivered_twice_is_stored_once(platform, broker, own_city):
    start = platform.clock.now() - timedelta(days=2)
    messages = stream(own_city, start, 30, observations=2)
    config = worker_config(broker, own_city)
    with running_worker(platform, config) as worker, publisher(broker.publisher_url) as pub:
        pub.publish(messages)
        pub.publish(messages[::-1])  # the same readings again, as a redelivery brings them
        expected = readings_of(messages)
        wait_until(
            lambda: worker.value("smartcity_mqtt_messages_acknowledged") == 2 * len(messages),
            "every message acknowledged",
        )
        assert worker.value("smartcity_mqtt_readings_stored") == expected
        assert worker.value("smartcity_mqtt_readings_duplicate") == expected
    forget_session(config)
    assert count_history(platform, own_city.tenant_id) == expected
    assert count_receipts(platform, own_city.tenant_id) == expected


def test_unacknowledged_messages_are_delivered_again_to_the_restarted_worker(
    platform, mosquitto, own_city
):
    """A worker that received messages but never committed them (it died): the broker keeps
    them in the session and delivers them again when the worker comes back."""
    start = platform.clock.now() - timedelta(days=2)
    messages = stream(own_city, start, 40, observations=3)
    config = worker_config(mosquitto, own_city)
    doomed = IngestWorker(platform, config)
    doomed.start()  # connected and subscribed, but nothing stores or acknowledges
    with publisher(mosquitto.publisher_url) as pub:
        pub.publish(messages)
    wait_until(lambda: doomed.metrics.value("smartcity_mqtt_messages_received") == 40, "delivery")
    doomed._client._sock_close()  # the process dies: no DISCONNECT, no acknowledgement
    doomed._client.loop_stop()
    assert count_history(platform, own_city.tenant_id) == 0
    with running_worker(platform, config) as worker:
        wait_until(
            lambda: worker.value("smartcity_mqtt_readings_stored") == readings_of(messages),
            "the redelivered readings",
        )
    forget_session(config)
    assert count_distinct_history(platform, own_city.tenant_id) == readings_of(messages)
    assert count_history(platform, own_city.tenant_id) == readings_of(messages)


def test_messages_published_while_the_worker_is_away_wait_for_it(platform, broker, own_city):
    start = platform.clock.now() - timedelta(days=2)
    before, during = stream(own_city, start, 20)[:10], stream(own_city, start, 20)[10:]
    config = worker_config(broker, own_city)
    with publisher(broker.publisher_url) as pub:
        with running_worker(platform, config) as worker:
            pub.publish(before)
            wait_until(lambda: worker.value("smartcity_mqtt_messages_acknowledged") == 10, "10")
        pub.publish(during)  # the worker is stopped; its session keeps these
    with running_worker(platform, config) as worker:
        wait_until(
            lambda: worker.value("smartcity_mqtt_readings_stored") == readings_of(during),
            "the readings sent while away",
        )
    forget_session(config)
    assert count_history(platform, own_city.tenant_id) == readings_of(before + during)


def test_bad_payloads_become_dead_letters_and_the_good_ones_of_the_batch_are_stored(
    platform, broker, own_city
):
    now = platform.clock.now()
    device = own_city.stations[0]
    topic = own_city.topic(device)
    good = [
        (topic, orjson.dumps({"observedAt": iso(now - timedelta(minutes=m)), **AIR}))
        for m in range(1, 6)
    ]
    bad = [
        (topic, b"\x00 not json"),
        (topic, b'{"pm25": NaN, "observedAt": "2026-01-05T00:00:00Z"}'),
        (topic, orjson.dumps({"pm25": 10, "observedAt": iso(now + timedelta(days=1))})),
        (topic, orjson.dumps({"toaster": 1, "observedAt": iso(now)})),
        (own_city.topic("GHOST-1"), orjson.dumps({"pm25": 1})),
        (own_city.topic(device, "toaster"), orjson.dumps({"pm25": 1})),
        (topic, orjson.dumps({"pm25": -5, "observedAt": iso(now)})),
    ]
    config = worker_config(broker, own_city, batch_window=0.5)
    with running_worker(platform, config) as worker, publisher(broker.publisher_url) as pub:
        pub.publish(good[:2] + bad + good[2:])
        wait_until(lambda: worker.value("smartcity_mqtt_messages_acknowledged") == 12, "12 acks")
        assert worker.value("smartcity_mqtt_readings_stored") == 5 * len(AIR)
        assert worker.value("smartcity_mqtt_dead_letters", reason="not_finite") == 1
    forget_session(config)
    assert count_history(platform, own_city.tenant_id) == 5 * len(AIR)
    letters = dead_letters(platform, own_city.tenant_id) + [
        d for d in dead_letters(platform) if d.route == own_city.topic(device, "toaster")
    ]
    assert sorted(d.reason for d in letters) == sorted(
        [
            "bad_topic",
            "future_time",
            "not_finite",
            "schema_violation",
            "unknown_attribute",
            "unknown_device",
            "unparseable",
        ]
    )
    assert all(d.transport == "mqtt" and d.message for d in letters)


def test_two_workers_in_a_share_group_split_the_stream_without_loss_or_doubles(
    platform, mosquitto, own_city
):
    start = platform.clock.now() - timedelta(days=2)
    messages = stream(own_city, start, 400, observations=2)
    group = f"g{own_city.slug}"
    one = worker_config(mosquitto, own_city, share_group=group)
    two = worker_config(mosquitto, own_city, share_group=group)
    with (
        running_worker(platform, one) as first,
        running_worker(platform, two) as second,
        publisher(mosquitto.publisher_url) as pub,
    ):
        pub.publish(messages)
        acked = "smartcity_mqtt_messages_acknowledged"
        wait_until(lambda: first.value(acked) + second.value(acked) == 400, "400 acknowledged")
        received = [w.value("smartcity_mqtt_messages_received") for w in (first, second)]
    forget_session(one)
    forget_session(two)
    assert sum(received) == 400 and min(received) > 0, received
    assert count_history(platform, own_city.tenant_id) == readings_of(messages)
    assert count_distinct_history(platform, own_city.tenant_id) == readings_of(messages)


def test_the_embedded_broker_refuses_logins_it_does_not_know(platform, embedded):
    address = parse_broker_url(embedded.worker_url)
    answers = []
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="intruder")
    client.on_connect = lambda *a: answers.append(a[3])
    client.username_pw_set("smartcity-ingest", "not-the-password")
    client.connect(address.host, address.port)
    client.loop_start()
    wait_until(lambda: bool(answers), "the broker's answer")
    client.loop_stop()
    assert answers[0].is_failure


def test_a_payload_that_breaks_the_core_is_a_dead_letter_and_the_worker_goes_on(
    platform, mosquitto, own_city
):
    """Found here: a time zone that pushes a date below year 1 made the core raise; the worker
    stores the batch message by message and keeps that one as a dead letter."""
    now = platform.clock.now()
    topic = own_city.topic(own_city.stations[0])
    breaking = b'{"pm25": 5, "observedAt": "0001-01-01T00:00:00+14:00"}'
    good = [
        (topic, orjson.dumps({"pm25": m, "observedAt": iso(now - timedelta(minutes=m))}))
        for m in range(1, 4)
    ]
    config = worker_config(mosquitto, own_city, batch_window=0.5)
    with running_worker(platform, config) as worker, publisher(mosquitto.publisher_url) as pub:
        pub.publish([good[0], (topic, breaking), *good[1:]])
        wait_until(lambda: worker.value("smartcity_mqtt_messages_acknowledged") == 4, "4 acks")
        pub.publish([(topic, orjson.dumps({"pm25": 9, "observedAt": iso(now)}))])
        wait_until(lambda: worker.value("smartcity_mqtt_readings_stored") == 4, "the next one")
    forget_session(config)
    letters = dead_letters(platform)
    assert [d.payload for d in letters if d.route == topic] == [breaking.decode()]
