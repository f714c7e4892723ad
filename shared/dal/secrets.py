"""A JSON secret from Secrets Manager, cached for a while, and one client per distinct value.

The one mechanism behind Groq's and Stripe's keys: the secret is read again after ``cache_s``
(so a changed key counts without a redeploy), parsed into its model, and a client is built only
when the value changed; a secret not found, or empty, parses as the model's defaults. The
values never reach a log.
"""

from __future__ import annotations

import json
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable

from botocore.exceptions import ClientError
from pydantic import BaseModel

from shared.dal.aws import secrets_client


def read_secret(name: str) -> str | None:
    """The secret's string, or None when there is no such secret."""
    try:
        value = secrets_client().get_secret_value(SecretId=name).get("SecretString")
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "ResourceNotFoundException":
            return None
        raise
    return value


class CachedSecretSource[S: BaseModel, C](ABC):
    """Reads the secret, caches it for ``cache_s`` and builds one client per distinct value."""

    def __init__(
        self,
        name: str | None,
        cache_s: float,
        *,
        read: Callable[[str], str | None] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._name = name
        self._cache_s = cache_s
        self._read = read or read_secret
        self._clock = clock
        self._lock = threading.Lock()
        self._secret: S | None = None
        self._loaded_at = 0.0
        self._client: C | None = None
        self._client_for: S | None = None

    @abstractmethod
    def _parse(self, document: dict[str, object] | None) -> S:
        """The secret's model (None: no secret, or an empty one)."""

    @abstractmethod
    def _enabled(self, secret: S) -> bool:
        """Whether the secret holds what a client needs."""

    @abstractmethod
    def _build(self, secret: S) -> C:
        """A client for this value of the secret."""

    def secret(self) -> S:
        with self._lock:
            stale = self._clock() - self._loaded_at > self._cache_s
            if self._secret is None or stale:
                raw = self._read(self._name) if self._name else None
                self._secret = self._parse(json.loads(raw) if raw else None)
                self._loaded_at = self._clock()
            return self._secret

    def client(self) -> C | None:
        """The client, or None when the secret does not enable one."""
        secret = self.secret()
        if not self._enabled(secret):
            return None
        with self._lock:
            if self._client is None or self._client_for != secret:
                self._client = self._build(secret)
                self._client_for = secret
            return self._client
