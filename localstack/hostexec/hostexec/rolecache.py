"""Assumed-role factories and internal clients reused, not made again for every call (installed
by the launcher, ``python -m hostexec.s3guard``).

LocalStack's services call ``connect_to.with_assumed_role(...)`` each time they act for a role:
every Step Functions task (``asl/utils/boto_client.py``), EventBridge target and event source
mapping. Each call is an STS ``AssumeRole`` and new credentials; and ``InternalClientFactory
.get_client`` merges the caller's botocore ``Config`` into a new one on every call, so its
``lru_cache`` of clients (keyed by that config's identity) never hits: a new client each time
(tens of milliseconds of botocore setup). Measured here: a Step Functions ``lambda:invoke`` task
took ~160-300 ms around a handler that ran 5-25 ms, while the same function invoked directly
answered in 50-70 ms.

Here both are memoised for ``TTL_S``: the factory by ``with_assumed_role``'s arguments, the
client by ``get_client``'s (the caller's config by identity, held by the entry so that its id
cannot be reused). LocalStack's assumed-role credentials do not expire, IAM is not enforced in
its community edition, and botocore clients are safe to share between threads (LocalStack meant
to share them), so nothing a caller can observe changes but the time. ``HOSTEXEC_ROLE_CACHE=0``
turns it off.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from typing import Any

LOG = logging.getLogger(__name__)
TTL_S = 600.0

Key = tuple[Any, ...]


class RoleCache:
    """What ``with_assumed_role`` returned, by its arguments, for ``ttl_s``."""

    def __init__(self, ttl_s: float = TTL_S, clock: Callable[[], float] = time.monotonic) -> None:
        self._ttl_s = ttl_s
        self._clock = clock
        self._lock = threading.Lock()
        self._entries: dict[Key, tuple[float, Any, object]] = {}
        self.made = 0

    def get(self, key: Key, make: Callable[[], Any], pinned: object = None) -> Any:
        """The value made for ``key`` within the TTL, else ``make()``'s. ``pinned``: what the
        key names by ``id()``, kept alive with the entry."""
        now = self._clock()
        with self._lock:
            found = self._entries.get(key)
            if found is not None and now - found[0] < self._ttl_s:
                return found[1]
        value = make()  # outside the lock: an AssumeRole goes through LocalStack's own gateway
        with self._lock:
            self.made += 1
            self._entries[key] = (now, value, pinned)
            # Few distinct roles exist; drop what has expired so the map never grows for good.
            for stale in [k for k, (at, *_) in self._entries.items() if now - at >= self._ttl_s]:
                del self._entries[stale]
        return value


def key_of(factory: object, kwargs: dict[str, Any]) -> Key:
    """The arguments that decide the factory: the role, the principal, the session name, the
    region, the endpoint and the botocore config (by identity: callers pass module constants)."""
    return (
        id(factory),
        kwargs.get("role_arn"),
        str(kwargs.get("service_principal")),
        kwargs.get("session_name"),
        kwargs.get("region_name"),
        kwargs.get("endpoint_url"),
        id(kwargs.get("config")),
    )


def client_key_of(factory: object, kwargs: dict[str, Any]) -> Key:
    """``get_client``'s arguments: the service, region, credentials, endpoint and config."""
    return (
        id(factory),
        kwargs.get("service_name"),
        kwargs.get("region_name"),
        kwargs.get("aws_access_key_id"),
        kwargs.get("aws_secret_access_key"),
        kwargs.get("aws_session_token"),
        kwargs.get("endpoint_url"),
        id(kwargs.get("config")),
    )


CACHE = RoleCache()
CLIENTS = RoleCache()


def install() -> None:
    if os.environ.get("HOSTEXEC_ROLE_CACHE", "1") == "0":
        LOG.warning("hostexec: assumed-role cache disabled (HOSTEXEC_ROLE_CACHE=0)")
        return
    from localstack.aws.connect import ClientFactory, InternalClientFactory

    original = ClientFactory.with_assumed_role
    if getattr(original, "__hostexec_cached__", False):
        return

    def with_assumed_role(self: Any, **kwargs: Any) -> Any:
        return CACHE.get(key_of(self, kwargs), lambda: original(self, **kwargs))

    original_get_client = InternalClientFactory.get_client

    def get_client(self: Any, service_name: str, *args: Any, **kwargs: Any) -> Any:
        if args:  # positional region, credentials...: as LocalStack would, uncached
            return original_get_client(self, service_name, *args, **kwargs)
        kwargs["service_name"] = service_name
        return CLIENTS.get(
            client_key_of(self, kwargs),
            lambda: original_get_client(self, **kwargs),
            pinned=kwargs.get("config"),
        )

    patched: list[tuple[Callable[..., Any], Callable[..., Any]]] = [
        (with_assumed_role, original),
        (get_client, original_get_client),
    ]
    for wrapper, was in patched:
        setattr(wrapper, "__hostexec_cached__", True)  # noqa: B010 - a marker on a function
        wrapper.__doc__ = was.__doc__
    setattr(ClientFactory, "with_assumed_role", with_assumed_role)  # noqa: B010
    setattr(InternalClientFactory, "get_client", get_client)  # noqa: B010
