"""The signing keys: an RSA key ring kept in one Secrets Manager secret.

The secret holds ``{"keys": [{"kid", "private_pem", "created_at"}, ...]}``, oldest first. JWKS
publishes every key still in the ring (current and previous), so tokens signed before a rotation
verify until they expire. A rotated-in key signs only once it is older than every cache of the
ring (``activate_after_s``): by then every function and every JWKS reader already knows it.
The ring is created on first use; two functions racing to create it both end up reading the one
that won.
"""

from __future__ import annotations

import base64
import json
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from botocore.exceptions import ClientError
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from pydantic import BaseModel, Field

if TYPE_CHECKING:
    from mypy_boto3_secretsmanager import SecretsManagerClient

# Previous keys stay published this long after a rotation: longer than any access token lives.
KEEP_KEYS = 2
# An unknown kid may re-read the ring, but not more often than this (no secret reads on demand).
MIN_REFRESH_S = 10.0
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class StoredKey(BaseModel):
    kid: str = Field(min_length=8, max_length=64)
    private_pem: str = Field(min_length=100)
    created_at: datetime


class StoredRing(BaseModel):
    keys: list[StoredKey] = Field(min_length=1)


@dataclass(frozen=True, slots=True)
class SigningKey:
    kid: str
    private_key: rsa.RSAPrivateKey
    created_at: datetime = _EPOCH

    @property
    def public_key(self) -> rsa.RSAPublicKey:
        return self.private_key.public_key()

    def jwk(self) -> dict[str, str]:
        numbers = self.public_key.public_numbers()
        return {
            "kty": "RSA",
            "use": "sig",
            "alg": "RS256",
            "kid": self.kid,
            "n": _b64uint(numbers.n),
            "e": _b64uint(numbers.e),
        }


@dataclass(frozen=True, slots=True)
class KeyRing:
    keys: tuple[SigningKey, ...]
    activate_after_s: float = 0.0

    @property
    def current(self) -> SigningKey:
        """The newest key that is old enough to sign (the first key signs at once)."""
        ready = datetime.now(UTC) - timedelta(seconds=self.activate_after_s)
        active = [k for k in self.keys if k.created_at <= ready]
        return active[-1] if active else self.keys[0]

    def find(self, kid: str) -> SigningKey | None:
        return next((k for k in self.keys if k.kid == kid), None)

    def jwks(self) -> dict[str, list[dict[str, str]]]:
        return {"keys": [k.jwk() for k in reversed(self.keys)]}


def _b64uint(value: int) -> str:
    raw = value.to_bytes((value.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def new_stored_key(bits: int) -> StoredKey:
    private = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    return StoredKey(kid=uuid.uuid4().hex, private_pem=pem, created_at=datetime.now(UTC))


def _load(ring: StoredRing, activate_after_s: float = 0.0) -> KeyRing:
    loaded = []
    for stored in ring.keys:
        key = serialization.load_pem_private_key(stored.private_pem.encode(), password=None)
        if not isinstance(key, rsa.RSAPrivateKey):
            raise ValueError(f"key {stored.kid} is not an RSA key")
        loaded.append(SigningKey(stored.kid, key, stored.created_at))
    return KeyRing(tuple(loaded), activate_after_s)


def _error_code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


class SecretsKeyStore:
    """Reads (and on first use creates) the key ring in Secrets Manager, caching it briefly."""

    def __init__(
        self,
        client: SecretsManagerClient,
        secret_name: str,
        *,
        bits: int = 2048,
        cache_s: float = 300.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client = client
        self._name = secret_name
        self._bits = bits
        self._cache_s = cache_s
        self._clock = clock
        self._lock = threading.Lock()
        self._ring: KeyRing | None = None
        self._loaded_at = 0.0

    def ring(self, *, refresh: bool = False) -> KeyRing:
        with self._lock:
            age = self._clock() - self._loaded_at
            refresh = refresh and age >= MIN_REFRESH_S
            if self._ring is None or age > self._cache_s or refresh:
                self._ring = _load(self._read_or_create(), self._cache_s)
                self._loaded_at = self._clock()
            return self._ring

    def rotate(self) -> str:
        """Add a new newest key (kept with the previous one); return its kid. It signs once
        every cache has seen it (after ``cache_s``)."""
        with self._lock:
            stored = self._read_or_create()
            signing = _load(stored, self._cache_s).current.kid
            keys = [*stored.keys, new_stored_key(self._bits)]
            fresh = keys[-1]
            # Keep the last KEEP_KEYS, but never the key that signs now nor the one before it
            # (tokens it signed may still be live), even after two quick rotations.
            position = next(i for i, k in enumerate(keys) if k.kid == signing)
            ring = StoredRing(keys=keys[max(0, min(position - 1, len(keys) - KEEP_KEYS)) :])
            self._client.put_secret_value(SecretId=self._name, SecretString=ring.model_dump_json())
            self._ring = _load(ring, self._cache_s)
            self._loaded_at = self._clock()
            return fresh.kid

    def _read(self) -> StoredRing | None:
        try:
            raw = self._client.get_secret_value(SecretId=self._name)["SecretString"]
        except ClientError as exc:
            if _error_code(exc) == "ResourceNotFoundException":
                return None
            raise
        return StoredRing.model_validate(json.loads(raw))

    def _read_or_create(self) -> StoredRing:
        existing = self._read()
        if existing is not None:
            return existing
        ring = StoredRing(keys=[new_stored_key(self._bits)])
        try:
            self._client.create_secret(
                Name=self._name,
                SecretString=ring.model_dump_json(),
                Description="JWT signing keys (RS256) of the interview platform",
            )
        except ClientError as exc:
            # Another function created it first: theirs is the one everybody uses.
            if _error_code(exc) != "ResourceExistsException":
                raise
            existing = self._read()
            if existing is None:
                raise
            return existing
        # Whatever is stored is the ring everybody uses: read it back rather than trusting that
        # our create was the only one.
        return self._read() or ring
