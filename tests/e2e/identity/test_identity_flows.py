"""Identity flows through API Gateway: tokens, rotation, logout, rate limit, policy, avatars."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization

from scripts import localenv
from tests.e2e.identity_actors import (
    PASSWORD,
    PROBLEM,
    Actor,
    actors_fixture,  # noqa: F401 - provides the `actors` fixture
    fresh_email,
    make_user,
    register,
)

AUDIENCE = "interview-platform-api"
ISSUER = "https://auth.interview-platform.dev"


@pytest.fixture(scope="module")
def signing_key(api: httpx.Client, outputs: dict[str, str]) -> tuple[str, Any]:
    """The private key the platform signs with now, read from LocalStack's Secrets Manager."""
    kid = jwt.get_unverified_header(make_user(api, "kid", None).access_token)["kid"]
    secrets = localenv.client("secretsmanager")
    raw = secrets.get_secret_value(SecretId=outputs["IdentityKeySecretName"])["SecretString"]
    (stored,) = [k for k in json.loads(raw)["keys"] if k["kid"] == kid]
    key = serialization.load_pem_private_key(stored["private_pem"].encode(), password=None)
    return kid, key


def _claims(user_id: str, **overrides: Any) -> dict[str, Any]:
    now = datetime.now(UTC)
    claims = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": user_id,
        "role": "candidate",
        "iat": now,
        "nbf": now,
        "exp": now + timedelta(minutes=5),
    }
    claims.update(overrides)
    return claims


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def test_a_token_signed_with_our_key_is_accepted(
    api: httpx.Client, actors: dict[str, Actor], signing_key: tuple[str, Any]
) -> None:
    kid, key = signing_key
    token = jwt.encode(_claims(actors["candidate"].user_id), key, "RS256", headers={"kid": kid})

    response = api.get("v1/me", headers={"Authorization": f"Bearer {token}"})

    assert response.status_code == 200, response.text
    assert response.json()["id"] == actors["candidate"].user_id


@pytest.mark.parametrize(
    "case", ["expired", "not-yet-valid", "wrong-issuer", "wrong-audience", "alg-none", "kid"]
)
def test_bad_tokens_are_401_through_the_gateway(
    api: httpx.Client, actors: dict[str, Actor], signing_key: tuple[str, Any], case: str
) -> None:
    kid, key = signing_key
    user_id = actors["candidate"].user_id
    now = datetime.now(UTC)
    overrides = {
        "expired": {"exp": now - timedelta(minutes=2), "iat": now - timedelta(minutes=20)},
        "not-yet-valid": {"nbf": now + timedelta(minutes=5)},
        "wrong-issuer": {"iss": "https://evil.example"},
        "wrong-audience": {"aud": "another-api"},
    }.get(case, {})
    if case == "alg-none":
        payload = {**_claims(user_id), "iat": int(now.timestamp()), "nbf": int(now.timestamp())}
        payload["exp"] = int((now + timedelta(minutes=5)).timestamp())
        header = {"alg": "none", "typ": "JWT", "kid": kid}
        token = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(payload).encode())}."
    else:
        token = jwt.encode(
            _claims(user_id, **overrides),
            key,
            "RS256",
            headers={"kid": "unknown-kid-123" if case == "kid" else kid},
        )

    response = api.get("v1/me", headers={"Authorization": f"Bearer {token}"})

    assert response.status_code == 401
    assert response.headers["content-type"].startswith(PROBLEM)
    assert response.headers["www-authenticate"].startswith("Bearer")


def test_reusing_a_rotated_refresh_token_revokes_the_family(api: httpx.Client) -> None:
    # Given a session refreshed once
    user = make_user(api, "rotate", None)
    first = user.refresh_token
    rotated = api.post("v1/auth/refresh", json={"refresh_token": first})
    assert rotated.status_code == 200, rotated.text
    newest = rotated.json()["refresh_token"]
    assert newest != first

    # When the spent token is presented again
    reuse = api.post("v1/auth/refresh", json={"refresh_token": first})

    # Then it is refused, and so is the newest token of the family
    assert reuse.status_code == 401
    assert api.post("v1/auth/refresh", json={"refresh_token": newest}).status_code == 401


def test_logout_revokes_the_refresh_token(api: httpx.Client) -> None:
    user = make_user(api, "logout", None)

    out = api.post(
        "v1/auth/logout", json={"refresh_token": user.refresh_token}, headers=user.headers()
    )

    assert out.status_code == 204
    refreshed = api.post("v1/auth/refresh", json={"refresh_token": user.refresh_token})
    assert refreshed.status_code == 401


def test_the_sixth_failed_login_is_429_with_retry_after(api: httpx.Client) -> None:
    # Given an account and five failed logins (the per-account limit)
    email = fresh_email("limited")
    register(api, email)
    for _ in range(5):
        failed = api.post("v1/auth/login", json={"email": email, "password": "wrong pass 123"})
        assert failed.status_code == 401

    # When the sixth arrives, even with the right password
    limited = api.post("v1/auth/login", json={"email": email, "password": PASSWORD})

    # Then it is refused with problem+json and a Retry-After
    assert limited.status_code == 429
    assert limited.headers["content-type"].startswith(PROBLEM)
    assert 1 <= int(limited.headers["retry-after"]) <= 15 * 60 + 1
    assert limited.json()["status"] == 429


def test_unknown_email_and_wrong_password_answer_alike(api: httpx.Client) -> None:
    email = fresh_email("known")
    register(api, email)

    wrong = api.post("v1/auth/login", json={"email": email, "password": "wrong pass 123"})
    unknown = api.post(
        "v1/auth/login", json={"email": fresh_email("nobody"), "password": "wrong pass 123"}
    )

    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()
    # Same timing class: both ran one argon2id verification (a cold start is excluded by
    # the earlier calls); allow generous jitter for a shared machine.
    assert unknown.elapsed.total_seconds() > wrong.elapsed.total_seconds() / 4


@pytest.mark.parametrize(
    ("password", "message"),
    [("short1", "at least 12"), ("onlyletterslongenough", "letter and one digit")],
)
def test_password_policy_violations_are_422_naming_the_field(
    api: httpx.Client, password: str, message: str
) -> None:
    response = api.post(
        "v1/auth/register", json={"email": fresh_email("weak"), "password": password}
    )

    assert response.status_code == 422
    errors = response.json()["errors"]
    assert any(e["field"] == "body.password" and message in e["message"] for e in errors)


def test_register_with_an_idempotency_key_replays_and_conflicts(api: httpx.Client) -> None:
    key = str(uuid.uuid4())
    body = {"email": fresh_email("idem"), "password": PASSWORD}

    first = api.post("v1/auth/register", json=body, headers={"Idempotency-Key": key})
    again = api.post("v1/auth/register", json=body, headers={"Idempotency-Key": key})
    other = api.post(
        "v1/auth/register",
        json={**body, "email": fresh_email("idem")},
        headers={"Idempotency-Key": key},
    )

    assert first.status_code == again.status_code == 202
    assert first.json() == again.json()
    assert other.status_code == 409


def test_a_role_is_selected_once(api: httpx.Client) -> None:
    user = make_user(api, "pending", None)

    chosen = api.post("v1/me/role", json={"role": "candidate"}, headers=user.headers())
    again = api.post("v1/me/role", json={"role": "hr"}, headers=user.headers())
    admin_role = api.post("v1/me/role", json={"role": "admin"}, headers=user.headers())

    assert chosen.status_code == 200
    assert chosen.json()["role"] == "candidate"
    assert again.status_code == 409
    assert admin_role.status_code == 422


# ---- avatars: S3's POST policy refuses, the confirm call checks the bytes ------------------
def _upload(api: httpx.Client, user: Actor, content_type: str) -> dict[str, Any]:
    response = api.post("v1/me/avatar", json={"content_type": content_type}, headers=user.headers())
    assert response.status_code == 200, response.text
    upload: dict[str, Any] = response.json()
    return upload


def _post_file(upload: dict[str, Any], data: bytes, content_type: str) -> httpx.Response:
    fields = {**upload["fields"], "Content-Type": content_type}
    return httpx.post(
        upload["url"], data=fields, files={"file": ("avatar", data, content_type)}, timeout=30
    )


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_avatar_png_uploads_and_confirms(api: httpx.Client) -> None:
    user = make_user(api, "avatar", "candidate")
    upload = _upload(api, user, "image/png")

    stored = _post_file(upload, PNG, "image/png")
    confirmed = api.post(
        "v1/me/avatar/confirm", json={"key": upload["key"]}, headers=user.headers()
    )

    assert stored.status_code in {200, 201, 204}, stored.text
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["profile"]["avatar_key"] == upload["key"]


def test_s3_refuses_an_avatar_with_another_content_type(api: httpx.Client) -> None:
    user = make_user(api, "avatar-type", "candidate")
    upload = _upload(api, user, "image/png")

    response = _post_file(upload, PNG, "text/plain")

    assert response.status_code == 403, response.text


def test_s3_refuses_an_avatar_over_5_mb(api: httpx.Client) -> None:
    user = make_user(api, "avatar-big", "candidate")
    upload = _upload(api, user, "image/png")

    response = _post_file(upload, PNG + b"\x00" * (5 * 1024 * 1024), "image/png")

    assert response.status_code == 400, response.text
    assert "EntityTooLarge" in response.text


def test_confirm_rejects_a_text_file_named_png(api: httpx.Client) -> None:
    user = make_user(api, "avatar-fake", "candidate")
    upload = _upload(api, user, "image/png")
    assert _post_file(upload, b"just some text, not an image", "image/png").status_code < 300

    confirmed = api.post(
        "v1/me/avatar/confirm", json={"key": upload["key"]}, headers=user.headers()
    )

    assert confirmed.status_code == 422
    assert confirmed.headers["content-type"].startswith(PROBLEM)


def test_jwks_lists_the_key_tokens_are_signed_with(api: httpx.Client) -> None:
    user = make_user(api, "jwks", None)

    keys = api.get(".well-known/jwks.json").json()["keys"]

    kid = jwt.get_unverified_header(user.access_token)["kid"]
    assert kid in {k["kid"] for k in keys}
    assert all(k["alg"] == "RS256" and "d" not in k for k in keys)


def test_key_rotation_keeps_issued_tokens_valid(
    api: httpx.Client, outputs: dict[str, str], lambda_client: Any
) -> None:
    # Given a signed-in user
    user = make_user(api, "rotation", None)
    before = jwt.get_unverified_header(user.access_token)["kid"]

    # When ops rotate the signing key
    result = lambda_client.invoke(FunctionName=outputs["IdentityRotateKeyFunctionName"])
    assert "FunctionError" not in result, result["Payload"].read()
    rotated = json.loads(result["Payload"].read())

    # Then the ring holds the new key and the previous one, and issued tokens still work
    assert rotated["kids"][-1] == rotated["kid"] != before
    assert before in rotated["kids"]
    assert api.get("v1/me", headers=user.headers()).status_code == 200


def test_registering_a_taken_email_answers_like_a_new_one(api: httpx.Client) -> None:
    # Given an account
    taken = fresh_email("taken")
    register(api, taken)

    # When someone signs up with that email (another password), and with a new one
    again = api.post("v1/auth/register", json={"email": taken, "password": "another pass 77"})
    fresh = api.post("v1/auth/register", json={"email": fresh_email("new"), "password": PASSWORD})

    # Then both answers are the same but for the email: nothing says the first one exists
    assert again.status_code == fresh.status_code == 202
    assert {**again.json(), "email": ""} == {**fresh.json(), "email": ""}
    assert set(again.headers) == set(fresh.headers)
    assert again.headers["content-type"] == fresh.headers["content-type"]
    # And the existing account is untouched: its own password still works, the new one does not
    kept = api.post("v1/auth/login", json={"email": taken, "password": PASSWORD})
    hijack = api.post("v1/auth/login", json={"email": taken, "password": "another pass 77"})
    assert kept.status_code == 200
    assert hijack.status_code == 401
