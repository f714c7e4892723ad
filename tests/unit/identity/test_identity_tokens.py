"""Token verification: only our RS256 tokens (or a configured issuer's) with every claim right."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization

from shared.auth.errors import AuthenticationError
from shared.auth.keys import KeyRing, SigningKey, new_stored_key
from shared.auth.tokens import TokenVerifier, issue_access_token

ISSUER = "https://auth.test"
AUDIENCE = "api.test"


def _signing_key() -> SigningKey:
    stored = new_stored_key(2048)
    key = serialization.load_pem_private_key(stored.private_pem.encode(), password=None)
    return SigningKey(stored.kid, key)  # type: ignore[arg-type]


class StaticRing:
    """A key source over a fixed ring (what SecretsKeyStore returns, without the secret)."""

    def __init__(self, ring: KeyRing) -> None:
        self._ring = ring

    def ring(self, *, refresh: bool = False) -> KeyRing:
        return self._ring


@pytest.fixture(scope="module")
def ring() -> KeyRing:
    return KeyRing((_signing_key(),))


@pytest.fixture
def verifier(ring: KeyRing) -> TokenVerifier:
    return TokenVerifier(StaticRing(ring), issuer=ISSUER, audience=AUDIENCE, leeway_s=0)


def _claims(**overrides: Any) -> dict[str, Any]:
    now = datetime.now(UTC)
    claims: dict[str, Any] = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": "7d4f0c36-0b7e-4a57-9a4e-0a9a6f1e2b11",
        "role": "hr",
        "iat": now,
        "nbf": now,
        "exp": now + timedelta(minutes=15),
    }
    claims.update(overrides)
    return claims


def _sign(key: SigningKey, claims: dict[str, Any], kid: str | None = None) -> str:
    return jwt.encode(claims, key.private_key, algorithm="RS256", headers={"kid": kid or key.kid})


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _raw_token(header: dict[str, Any], claims: dict[str, Any], signature: bytes) -> str:
    payload = {k: int(v.timestamp()) if isinstance(v, datetime) else v for k, v in claims.items()}
    return ".".join(
        [_b64(json.dumps(header).encode()), _b64(json.dumps(payload).encode()), _b64(signature)]
    )


def test_a_token_we_issued_verifies_with_its_subject_and_role(
    ring: KeyRing, verifier: TokenVerifier
) -> None:
    issued = issue_access_token(
        ring, subject="u-1", role="candidate", issuer=ISSUER, audience=AUDIENCE, ttl_s=900
    )

    claims = verifier.verify(issued.token)

    assert claims.subject == "u-1"
    assert claims.role == "candidate"
    assert jwt.get_unverified_header(issued.token)["kid"] == ring.current.kid


@pytest.mark.parametrize(
    ("case", "overrides"),
    [
        ("expired", {"exp": datetime.now(UTC) - timedelta(seconds=5)}),
        ("not yet valid", {"nbf": datetime.now(UTC) + timedelta(days=1)}),
        ("wrong issuer", {"iss": "https://evil.test"}),
        ("wrong audience", {"aud": "another-api"}),
        ("no subject", {"sub": None}),
    ],
)
def test_a_token_with_a_wrong_claim_is_refused(
    ring: KeyRing, verifier: TokenVerifier, case: str, overrides: dict[str, Any]
) -> None:
    claims = {k: v for k, v in _claims(**overrides).items() if v is not None}
    token = _sign(ring.current, claims)

    with pytest.raises(AuthenticationError):
        verifier.verify(token)


def test_alg_none_is_refused(ring: KeyRing, verifier: TokenVerifier) -> None:
    token = _raw_token({"alg": "none", "typ": "JWT", "kid": ring.current.kid}, _claims(), b"")

    with pytest.raises(AuthenticationError):
        verifier.verify(token)


def test_hs256_signed_with_our_public_key_is_refused(
    ring: KeyRing, verifier: TokenVerifier
) -> None:
    public_pem = ring.current.public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    header = {"alg": "HS256", "typ": "JWT", "kid": ring.current.kid}
    unsigned = _raw_token(header, _claims(), b"").rsplit(".", 1)[0]
    signature = hmac.new(public_pem, unsigned.encode(), hashlib.sha256).digest()

    with pytest.raises(AuthenticationError):
        verifier.verify(f"{unsigned}.{_b64(signature)}")


def test_an_unknown_kid_is_refused(ring: KeyRing, verifier: TokenVerifier) -> None:
    token = _sign(ring.current, _claims(), kid="not-a-kid-we-have")

    with pytest.raises(AuthenticationError):
        verifier.verify(token)


def test_a_key_we_do_not_hold_is_refused_even_with_our_kid(
    ring: KeyRing, verifier: TokenVerifier
) -> None:
    stranger = _signing_key()

    with pytest.raises(AuthenticationError):
        verifier.verify(_sign(stranger, _claims(), kid=ring.current.kid))


def test_a_tampered_payload_is_refused(ring: KeyRing, verifier: TokenVerifier) -> None:
    header, _, signature = _sign(ring.current, _claims()).split(".")
    forged_claims = _claims(role="admin")
    forged = _raw_token({}, forged_claims, b"").split(".")[1]

    with pytest.raises(AuthenticationError):
        verifier.verify(f"{header}.{forged}.{signature}")


@pytest.mark.parametrize("garbage", ["", "abc", "a.b.c", "Bearer x.y.z"])
def test_garbage_is_refused(verifier: TokenVerifier, garbage: str) -> None:
    with pytest.raises(AuthenticationError):
        verifier.verify(garbage)


def test_tokens_signed_before_a_rotation_still_verify(ring: KeyRing) -> None:
    old = ring.current
    rotated = KeyRing((old, _signing_key()))
    verifier = TokenVerifier(StaticRing(rotated), issuer=ISSUER, audience=AUDIENCE)

    assert verifier.verify(_sign(old, _claims())).subject == _claims()["sub"]
    new_token = issue_access_token(
        rotated, subject="u-2", role="hr", issuer=ISSUER, audience=AUDIENCE, ttl_s=60
    )
    assert jwt.get_unverified_header(new_token.token)["kid"] == rotated.current.kid
    assert {k["kid"] for k in rotated.jwks()["keys"]} == {old.kid, rotated.current.kid}


# ---- another OIDC issuer, verified through its JWKS URL (a real HTTP server) ----------------
@pytest.fixture
def external_issuer() -> Iterator[tuple[str, SigningKey]]:
    key = _signing_key()
    body = json.dumps(KeyRing((key,)).jwks()).encode()

    class Jwks(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            return

    server = HTTPServer(("127.0.0.1", 0), Jwks)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/jwks.json", key
    finally:
        server.shutdown()
        thread.join(timeout=5)


def test_a_configured_oidc_issuer_is_verified_by_its_jwks(
    ring: KeyRing, external_issuer: tuple[str, SigningKey]
) -> None:
    url, key = external_issuer
    other = "https://cognito.test/pool"
    verifier = TokenVerifier(
        StaticRing(ring), issuer=ISSUER, audience=AUDIENCE, extra_issuers={other: url}
    )

    claims = verifier.verify(_sign(key, _claims(iss=other)))

    assert claims.issuer == other
    with pytest.raises(AuthenticationError):
        verifier.verify(_sign(key, _claims(iss="https://unconfigured.test")))
    with pytest.raises(AuthenticationError):
        verifier.verify(_sign(_signing_key(), _claims(iss=other), kid=key.kid))


def test_the_default_leeway_is_small_and_a_setting() -> None:
    # Given the platform's settings: clock skew tolerated 5 s (documented in the README)
    from shared.auth.settings import AuthSettings

    assert AuthSettings().leeway_s == 5
    assert AuthSettings(leeway_s=0).leeway_s == 0
    with pytest.raises(ValueError, match="less than or equal to 60"):
        AuthSettings(leeway_s=120)


def test_an_access_token_expired_ten_seconds_ago_is_refused_by_default(ring: KeyRing) -> None:
    from shared.auth.settings import AuthSettings

    # Given a verifier with the default leeway, and a token expired 10 s ago
    default = TokenVerifier(
        StaticRing(ring), issuer=ISSUER, audience=AUDIENCE, leeway_s=AuthSettings().leeway_s
    )
    now = datetime.now(UTC)
    key = ring.current
    stale = _sign(key, _claims(iat=now - timedelta(minutes=16), exp=now - timedelta(seconds=10)))
    within = _sign(key, _claims(iat=now - timedelta(minutes=15), exp=now - timedelta(seconds=2)))

    # When it is verified / Then it is refused, while one within the 5 s leeway still passes
    with pytest.raises(AuthenticationError):
        default.verify(stale)
    assert default.verify(within).subject
