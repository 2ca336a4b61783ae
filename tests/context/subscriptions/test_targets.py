"""The request-forgery guard: which endpoints notifications may reach."""

from __future__ import annotations

import pytest

from smartcity.context.subscriptions.targets import RefusedTarget, literal_refusal, resolve

REFUSED = {
    "loopback": "http://127.0.0.1:8080/x",
    "loopback v6": "http://[::1]/x",
    "private": "http://192.168.1.20/x",
    "carrier-grade NAT": "http://100.64.0.1/x",
    "link-local metadata": "http://169.254.169.254/latest/meta-data",
    "multicast": "http://224.0.0.1/x",
    "unspecified": "http://0.0.0.0/x",
    "v4-mapped v6": "http://[::ffff:10.0.0.1]/x",
    "unique local v6": "http://[fd00::1]/x",
    "mqtt private": "mqtt://10.0.0.5:1883/topic",
}


@pytest.mark.parametrize("uri", REFUSED.values(), ids=REFUSED.keys())
def test_a_literal_non_public_address_is_refused_unless_allowed(uri):
    assert literal_refusal(uri, allow_private=False)
    assert literal_refusal(uri, allow_private=True) is None


@pytest.mark.parametrize("uri", ["http://93.184.215.14/x", "https://notify.example.org/x"])
def test_public_addresses_and_host_names_pass_the_literal_check(uri):
    assert literal_refusal(uri, allow_private=False) is None


def test_a_host_name_resolving_to_loopback_is_refused_at_delivery():
    with pytest.raises(RefusedTarget, match="loopback"):
        resolve("http://localhost:8080/notify", allow_private=False)


def test_with_private_targets_allowed_loopback_resolves_to_its_address():
    target = resolve("http://localhost:8080/notify", allow_private=True)
    assert target.address in ("127.0.0.1", "::1") and target.port == 8080


def test_an_unresolvable_host_is_refused_with_the_reason():
    with pytest.raises(RefusedTarget, match="cannot resolve"):
        resolve("http://no-such-host.invalid/notify", allow_private=True)
