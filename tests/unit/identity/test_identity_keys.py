"""The signing key ring in Secrets Manager (moto speaks the Secrets Manager API)."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import timedelta
from typing import Any

import boto3
import pytest
from moto import mock_aws

from shared.auth.keys import KeyRing, SecretsKeyStore

NAME = "interview-platform/test/jwt-signing-key"


@pytest.fixture
def secrets() -> Iterator[Any]:
    with mock_aws():
        yield boto3.client("secretsmanager", region_name="us-east-1")


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_ring_is_created_on_first_use_and_then_reused(secrets: Any) -> None:
    first = SecretsKeyStore(secrets, NAME).ring()

    second = SecretsKeyStore(secrets, NAME).ring()

    assert [k.kid for k in first.keys] == [k.kid for k in second.keys]
    assert len(first.keys) == 1
    assert secrets.describe_secret(SecretId=NAME)["Name"] == NAME


def test_concurrent_first_uses_agree_on_one_key(secrets: Any) -> None:
    stores = [SecretsKeyStore(secrets, NAME) for _ in range(4)]

    with ThreadPoolExecutor(max_workers=4) as pool:
        kids = set(pool.map(lambda store: store.ring().current.kid, stores))

    assert len(kids) == 1


def test_rotation_adds_a_new_kid_and_keeps_the_previous_one(secrets: Any) -> None:
    store = SecretsKeyStore(secrets, NAME, cache_s=0)
    old = store.ring().current.kid

    new = store.rotate()

    ring = store.ring()
    assert ring.current.kid == new != old
    assert [k["kid"] for k in ring.jwks()["keys"]] == [new, old]
    store.rotate()
    store.rotate()
    assert old not in {k.kid for k in store.ring().keys}


def test_other_processes_see_a_rotation_after_their_cache_expires(secrets: Any) -> None:
    clock = Clock()
    reader = SecretsKeyStore(secrets, NAME, cache_s=300, clock=clock)
    before = reader.ring().current.kid

    new = SecretsKeyStore(secrets, NAME).rotate()

    assert [k.kid for k in reader.ring().keys] == [before]
    clock.now += 301
    assert [k.kid for k in reader.ring().keys] == [before, new]


def test_jwks_publishes_only_public_parts(secrets: Any) -> None:
    jwks = SecretsKeyStore(secrets, NAME).ring().jwks()

    (key,) = jwks["keys"]
    assert set(key) == {"kty", "use", "alg", "kid", "n", "e"}
    assert key["alg"] == "RS256"


def test_a_rotated_in_key_signs_only_after_every_cache_knows_it(secrets: Any) -> None:
    # Given a ring read by functions that cache it for 300 s
    store = SecretsKeyStore(secrets, NAME, cache_s=300)
    old = store.ring().current.kid

    # When a key is rotated in
    new = store.rotate()

    # Then JWKS lists it at once, but tokens are still signed with the previous key
    ring = store.ring()
    assert new in {k["kid"] for k in ring.jwks()["keys"]}
    assert ring.current.kid == old
    aged = [replace(k, created_at=k.created_at - timedelta(seconds=301)) for k in ring.keys]
    assert KeyRing(tuple(aged), 300).current.kid == new


def test_quick_rotations_never_drop_the_key_that_signs(secrets: Any) -> None:
    store = SecretsKeyStore(secrets, NAME, cache_s=300)
    signing = store.ring().current.kid

    store.rotate()
    store.rotate()

    ring = store.ring()
    assert ring.current.kid == signing
    assert len(ring.keys) == 3
