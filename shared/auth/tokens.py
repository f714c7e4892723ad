"""Access tokens: issue (RS256, our newest key) and verify (pinned algorithm, every claim).

A token from another configured OIDC issuer is verified against that issuer's JWKS.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

import jwt
from jwt import PyJWKClient

from shared.auth.errors import AuthenticationError
from shared.auth.keys import KeyRing

ALGORITHM = "RS256"
_REQUIRED_CLAIMS = ["exp", "nbf", "iat", "iss", "aud", "sub"]


class RingSource(Protocol):
    def ring(self, *, refresh: bool = False) -> KeyRing: ...


@dataclass(frozen=True, slots=True)
class Claims:
    subject: str
    issuer: str
    role: str | None
    token_id: str | None
    expires_at: datetime
    # When the token was issued (None when it does not say: another issuer's may not).
    issued_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class IssuedToken:
    token: str
    expires_in: int


def issue_access_token(
    ring: KeyRing,
    *,
    subject: str,
    role: str,
    issuer: str,
    audience: str,
    ttl_s: int,
    now: datetime | None = None,
) -> IssuedToken:
    issued = now or datetime.now(UTC)
    key = ring.current
    payload = {
        "iss": issuer,
        "aud": audience,
        "sub": subject,
        "role": role,
        "iat": issued,
        "nbf": issued,
        "exp": issued + timedelta(seconds=ttl_s),
        "jti": uuid.uuid4().hex,
    }
    token = jwt.encode(payload, key.private_key, algorithm=ALGORITHM, headers={"kid": key.kid})
    return IssuedToken(token, ttl_s)


def new_refresh_token() -> tuple[str, bytes]:
    """An opaque refresh token (256 random bits) and the hash we store instead of it."""
    token = secrets.token_urlsafe(32)
    return token, hash_refresh_token(token)


def hash_refresh_token(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


class TokenVerifier:
    """Verifies bearer tokens from us (our key ring) or from another configured OIDC issuer."""

    def __init__(
        self,
        keys: RingSource,
        *,
        issuer: str,
        audience: str,
        leeway_s: int = 5,
        extra_issuers: Mapping[str, str] | None = None,
        jwks_client_factory: Callable[[str], PyJWKClient] | None = None,
    ) -> None:
        self._keys = keys
        self._issuer = issuer
        self._audience = audience
        self._leeway = leeway_s
        self._extra = dict(extra_issuers or {})
        self._jwks_factory = jwks_client_factory or (
            lambda url: PyJWKClient(url, cache_keys=True, lifespan=300, timeout=5)
        )
        self._jwks_clients: dict[str, PyJWKClient] = {}
        self._lock = threading.Lock()

    def verify(self, token: str) -> Claims:
        try:
            header = jwt.get_unverified_header(token)
            unverified = jwt.decode(token, options={"verify_signature": False})
        except jwt.PyJWTError as exc:
            raise AuthenticationError from exc
        # The algorithm is pinned: "none", HS256 (with our public key as secret) never pass.
        if header.get("alg") != ALGORITHM:
            raise AuthenticationError
        issuer = unverified.get("iss")
        kid = header.get("kid")
        if not isinstance(kid, str) or not isinstance(issuer, str):
            raise AuthenticationError
        key = self._key_for(issuer, kid)
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key,
                algorithms=[ALGORITHM],
                audience=self._audience,
                issuer=issuer,
                leeway=self._leeway,
                options={"require": _REQUIRED_CLAIMS},
            )
        except jwt.PyJWTError as exc:
            raise AuthenticationError from exc
        role = claims.get("role")
        return Claims(
            subject=str(claims["sub"]),
            issuer=issuer,
            role=role if isinstance(role, str) else None,
            token_id=claims.get("jti"),
            expires_at=datetime.fromtimestamp(int(claims["exp"]), UTC),
            issued_at=_issued_at(claims.get("iat")),
        )

    def _key_for(self, issuer: str, kid: str) -> Any:
        if issuer == self._issuer:
            found = self._keys.ring().find(kid)
            if found is None:
                # A key rotated in after our cache was filled: look once more, then give up.
                found = self._keys.ring(refresh=True).find(kid)
            if found is None:
                raise AuthenticationError
            return found.public_key
        url = self._extra.get(issuer)
        if url is None:
            raise AuthenticationError
        try:
            return self._jwks_client(url).get_signing_key(kid).key
        except jwt.PyJWTError as exc:
            raise AuthenticationError from exc

    def _jwks_client(self, url: str) -> PyJWKClient:
        with self._lock:
            client = self._jwks_clients.get(url)
            if client is None:
                client = self._jwks_clients[url] = self._jwks_factory(url)
            return client


def _issued_at(value: object) -> datetime | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(int(value), UTC)
    return None
