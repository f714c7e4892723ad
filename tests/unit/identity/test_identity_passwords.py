"""Password policy and argon2id hashing."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher

from shared.identity.models import RegisterRequest
from shared.identity.passwords import hash_password, hasher_for, policy_violations, verify_password
from shared.identity.settings import Argon2Settings

# Cheap parameters keep the unit suite fast; production uses the defaults (tested below).
FAST = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1)


@pytest.mark.parametrize(
    "password",
    ["short1", "onlyletterspassword", "123456789012345", "password1234", "alice-secret-1"],
)
def test_weak_passwords_violate_the_policy(password: str) -> None:
    assert policy_violations(password, "alice@example.com")


def test_a_good_password_passes() -> None:
    assert policy_violations("correct horse 42 battery", "alice@example.com") == []


def test_register_request_names_the_password_field() -> None:
    with pytest.raises(ValueError, match="at least 12 characters"):
        RegisterRequest(email="a@example.com", password="short1")


def test_hash_is_argon2id_and_verifies() -> None:
    stored = hash_password("correct horse 42 battery", FAST)

    assert stored.startswith("$argon2id$")
    assert verify_password(stored, "correct horse 42 battery", FAST)
    assert not verify_password(stored, "correct horse 42 batterY", FAST)


def test_an_unknown_user_is_never_verified() -> None:
    assert not verify_password(None, "a dummy password nobody has 0", FAST)
    assert not verify_password("not a hash", "whatever", FAST)


def test_default_parameters_are_rfc9106_second_recommendation() -> None:
    hasher = hasher_for(Argon2Settings())

    assert (hasher.time_cost, hasher.memory_cost, hasher.parallelism) == (3, 64 * 1024, 4)
    assert hasher.hash("x").startswith("$argon2id$v=19$m=65536,t=3,p=4$")
