"""Password hashing and the strength rule."""

from __future__ import annotations

import pytest

from smartcity.security.passwords import (
    check_strength,
    generate_password,
    hash_password,
    verify_password,
)


def test_generated_passwords_always_pass_the_strength_rule():
    for _ in range(300):
        check_strength(generate_password())


@pytest.mark.parametrize("weak", ["short-1", "onlyletterslong", "1234567890123"])
def test_weak_passwords_are_refused(weak):
    with pytest.raises(ValueError):
        check_strength(weak)


def test_hashes_verify_only_the_right_password_and_never_raise():
    stored = hash_password("correct-horse-42")
    assert stored.startswith("$argon2id$")
    assert verify_password(stored, "correct-horse-42")
    assert not verify_password(stored, "wrong-horse-42")
    assert not verify_password("not-a-hash", "correct-horse-42")
    assert not verify_password(None, "correct-horse-42")
