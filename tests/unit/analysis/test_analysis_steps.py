"""A dependency that does not answer becomes the workflow's retryable DependencyUnavailable."""

from __future__ import annotations

import pytest
from botocore.exceptions import ReadTimeoutError
from psycopg_pool import PoolTimeout

from shared.analysis.errors import DependencyUnavailable, GroqServerError
from shared.analysis.steps import run_step


def _raise(exc: Exception) -> None:
    raise exc


def test_aws_and_database_timeouts_become_dependency_unavailable() -> None:
    with pytest.raises(DependencyUnavailable, match="ReadTimeoutError"):
        run_step(lambda: _raise(ReadTimeoutError(endpoint_url="http://127.0.0.1:4566/")))
    with pytest.raises(DependencyUnavailable, match="PoolTimeout"):
        run_step(lambda: _raise(PoolTimeout("no connection in 5 s")))


def test_our_own_errors_and_results_pass_through() -> None:
    with pytest.raises(GroqServerError):
        run_step(lambda: _raise(GroqServerError("Groq answered 502")))
    assert run_step(lambda: 42) == 42
