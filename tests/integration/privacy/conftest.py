"""Privacy integration fixtures: the media tests' database, bucket and pipeline (an erasure is
tested on media the real pipeline made), and the erasure's dependencies wired to them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
import pytest

from shared.privacy.erasure import ErasureDeps
from tests.integration.media.conftest import (  # noqa: F401 - fixtures
    conn,
    conninfo,
    fake_groq,
    make_deps,
    media_bucket,
)


@pytest.fixture
def erasure_deps(conninfo: str, s3: Any, media_bucket: str) -> Callable[..., ErasureDeps]:  # noqa: F811
    def build(s3_client: Any = None) -> ErasureDeps:
        @contextmanager
        def transaction() -> Iterator[psycopg.Connection[Any]]:
            with psycopg.connect(conninfo) as connection, connection.transaction():
                yield connection

        client = s3_client or s3
        return ErasureDeps(
            transact=transaction,
            s3=lambda: client,
            media_bucket=media_bucket,
            reports_bucket=media_bucket,
        )

    return build
