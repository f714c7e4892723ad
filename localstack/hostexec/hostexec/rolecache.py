"""Assumed-role client factories reused, not made again for every call (installed by the launcher,
``python -m hostexec.s3guard``).

LocalStack's services call ``connect_to.with_assumed_role(...)`` each time they act for a role:
every Step Functions task (``asl/utils/boto_client.py``), EventBridge target and event source
mapping. Each call is an STS ``AssumeRole`` and new credentials, so the botocore client that
``get_client`` would have cached is built again (a client costs tens of milliseconds; the cache
of them only grows). Measured here: a Step Functions ``lambda:invoke`` task took ~300 ms around a
handler that ran 5-25 ms, while the same function invoked directly answered in 50-70 ms.

Here the factory one call returned is reused by the next with the same arguments for
``TTL_S``: the same credentials, hence the same cached client. LocalStack's assumed-role
credentials do not expire and IAM is not enforced in its community edition, so nothing a caller
can observe changes but the time. ``HOSTEXEC_ROLE_CACHE=0`` turns it off.
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
        self._entries: dict[Key, tuple[float, Any]] = {}
        self.made = 0

    def get(self, key: Key, make: Callable[[], Any]) -> Any:
        now = self._clock()
        with self._lock:
            found = self._entries.get(key)
            if found is not None and now - found[0] < self._ttl_s:
                return found[1]
        value = make()  # outside the lock: an AssumeRole goes through LocalStack's own gateway
        with self._lock:
            self.made += 1
            self._entries[key] = (now, value)
            # Few distinct roles exist; drop what has expired so the map never grows for good.
            for stale in [k for k, (at, _) in self._entries.items() if now - at >= self._ttl_s]:
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


CACHE = RoleCache()


def install() -> None:
    if os.environ.get("HOSTEXEC_ROLE_CACHE", "1") == "0":
        LOG.warning("hostexec: assumed-role cache disabled (HOSTEXEC_ROLE_CACHE=0)")
        return
    from localstack.aws.connect import ClientFactory

    original = ClientFactory.with_assumed_role
    if getattr(original, "__hostexec_cached__", False):
        return

    def with_assumed_role(self: Any, **kwargs: Any) -> Any:
        return CACHE.get(key_of(self, kwargs), lambda: original(self, **kwargs))

    with_assumed_role.__hostexec_cached__ = True  # type: ignore[attr-defined]
    with_assumed_role.__doc__ = original.__doc__
    ClientFactory.with_assumed_role = with_assumed_role  # type: ignore[method-assign]
