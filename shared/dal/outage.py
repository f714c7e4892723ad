"""Which exceptions mean "PostgreSQL is not answering", decided once for every caller.

Imports neither psycopg nor its pool: an exception can only be one of theirs if they are loaded,
so the HTTP edge of a function that never touches the database pays nothing for the check.
"""

from __future__ import annotations

import sys

from shared.errors import DependencyUnavailable


def is_database_outage(exc: BaseException) -> bool:
    """True for a connection that could not be made, was lost, or timed out waiting in the
    pool (``PoolTimeout`` is an ``OperationalError``); also a serialization failure or a
    cancelled statement, which a retry also fixes. Never a constraint or a programming error."""
    psycopg = sys.modules.get("psycopg")
    if psycopg is None:
        return False
    return isinstance(exc, (psycopg.OperationalError, psycopg.InterfaceError))


def as_dependency_error(exc: BaseException) -> DependencyUnavailable | None:
    """The domain error for a database outage (the cause stays chained for the logs)."""
    if isinstance(exc, DependencyUnavailable):
        return exc
    if not is_database_outage(exc):
        return None
    error = DependencyUnavailable()
    error.__cause__ = exc
    return error
