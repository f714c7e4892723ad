"""Running a workflow step: a dependency that did not answer becomes an error the state
machine retries by name (``DependencyUnavailable``), not an anonymous failure."""

from __future__ import annotations

from collections.abc import Callable

import psycopg
from botocore.exceptions import (
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    ReadTimeoutError,
)
from psycopg_pool import PoolTimeout

from shared.analysis.errors import DependencyUnavailable

_TRANSIENT = (
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    ReadTimeoutError,
    PoolTimeout,
    psycopg.OperationalError,
)


def run_step[T](step: Callable[[], T]) -> T:
    try:
        return step()
    except _TRANSIENT as exc:
        raise DependencyUnavailable(f"{type(exc).__name__}: {exc}"[:1000]) from exc
