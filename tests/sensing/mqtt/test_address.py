"""Broker URLs and the worker's configuration from settings."""

from __future__ import annotations

import pytest

from smartcity.core.settings import load_settings
from smartcity.sensing.mqtt.address import parse_broker_url
from smartcity.sensing.mqtt.worker import WorkerConfig


def test_a_broker_url_gives_host_port_login_and_tls():
    plain = parse_broker_url("mqtt://ingest:p%40ss@broker.local")
    assert (plain.host, plain.port, plain.username, plain.password, plain.tls) == (
        "broker.local",
        1883,
        "ingest",
        "p@ss",
        False,
    )
    assert plain.url() == "mqtt://ingest:***@broker.local:1883"
    secure = parse_broker_url("mqtts://10.0.0.5")
    assert (secure.port, secure.tls, secure.username) == (8883, True, None)


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("http://broker:1883", "must start with mqtt://"),
        ("mqtt://", "names no host"),
        ("mqtt://broker:99999", "bad port"),
    ],
)
def test_a_bad_broker_url_says_what_is_wrong(url, says):
    with pytest.raises(ValueError, match=says):
        parse_broker_url(url)


def test_the_worker_config_takes_settings_and_command_line_choices(tmp_path):
    settings = load_settings(
        data_dir=tmp_path,
        mqtt_url="mqtt://127.0.0.1:1883",
        mqtt_share_group="ingest",
        mqtt_batch_messages=300,
        mqtt_batch_window_ms=50,
    )
    config = WorkerConfig.from_settings(settings)
    assert config.subscription == "$share/ingest/city/+/+/+/attrs"
    assert (config.batch_messages, config.batch_window, config.protocol) == (300, 0.05, "5")
    chosen = WorkerConfig.from_settings(settings, share_group="", client_id="w2", batch_messages=9)
    assert (chosen.subscription, chosen.client_id, chosen.batch_messages) == (
        "city/+/+/+/attrs",
        "w2",
        9,
    )


def test_without_a_broker_url_the_worker_config_says_so(tmp_path):
    with pytest.raises(ValueError, match="SMARTCITY_MQTT_URL"):
        WorkerConfig.from_settings(load_settings(data_dir=tmp_path))
