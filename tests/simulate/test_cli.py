"""`smartcity simulate` through typer's test runner, against Mosquitto."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from smartcity.simulate.cli import simulate_app
from tests.conftest import SECRET
from tests.simulate.conftest import unique_slug, wait_until

runner = CliRunner()


def sent_count(output: str) -> int:
    found = re.search(r"sent ([\d,]+) messages", output)
    assert found, output
    return int(found.group(1).replace(",", ""))


def test_a_run_without_registering_publishes_for_its_duration(mosquitto, subscribe):
    tenant = unique_slug()
    sub = subscribe(mosquitto, f"city/{tenant}/#")
    result = runner.invoke(
        simulate_app,
        [
            "--mqtt-url",
            mosquitto,
            "--tenant",
            tenant,
            "--no-register",
            "--scale",
            "street",
            "--speed",
            "3600",
            "--rate",
            "100",
            "--duration",
            "1",
            "--seed",
            "7",
        ],
    )
    assert result.exit_code == 0, result.output
    sent = sent_count(result.output)
    assert 0 < sent <= 100 * 2 + 5
    wait_until(lambda: sub.count() == sent, "every message at the subscriber")


def test_a_run_registers_the_fleet_first_and_again_finds_it_there(
    mosquitto, subscribe, platform, streets_tenant, database_url, tmp_path, monkeypatch
):
    monkeypatch.setenv("SMARTCITY_DATABASE_URL", database_url)
    monkeypatch.setenv("SMARTCITY_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("SMARTCITY_SECRET_KEY", SECRET)
    sub = subscribe(mosquitto, f"city/{streets_tenant}/#")
    args = [
        "--mqtt-url",
        mosquitto,
        "--tenant",
        streets_tenant,
        "--scale",
        "street",
        "--speed",
        "600",
        "--duration",
        "1",
    ]
    first = runner.invoke(simulate_app, args)
    assert first.exit_code == 0, first.output
    created = int(re.search(r"fleet: ([\d,]+) devices registered", first.output).group(1))
    assert created > 100 and ", 0 already there" in first.output
    again = runner.invoke(simulate_app, args)
    assert again.exit_code == 0, again.output
    assert f"fleet: 0 devices registered, {created:,} already there" in again.output
    total = sent_count(first.output) + sent_count(again.output)
    wait_until(lambda: sub.count() == total, "every message at the subscriber")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--mqtt-url", "http://127.0.0.1"], "must start with mqtt://"),
        (["--mqtt-url", "mqtt://127.0.0.1:1883", "--scale", "county"], "county"),
        (["--mqtt-url", "mqtt://127.0.0.1:1883", "--rate", "0"], "rate"),
        (["--mqtt-url", "mqtt://127.0.0.1:1", "--no-register", "--duration", "1"], "refused"),
    ],
)
def test_bad_options_fail_with_one_readable_line(args, message):
    result = runner.invoke(simulate_app, args)
    assert result.exit_code != 0
    assert message in result.output.lower()
    assert "Traceback" not in result.output
