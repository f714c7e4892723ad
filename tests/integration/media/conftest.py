"""Media integration fixtures: a migrated throwaway database, a versioned bucket on LocalStack,
the pipeline's dependencies wired to both, and the fake Groq server."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
import pytest

from fakes.groq import FakeGroqServer
from shared.dal.db import conninfo_for
from shared.dal.migrator import migrate
from shared.groq.config import GroqConfigSource, GroqSettings
from shared.media import dal
from shared.media.ffmpeg import Ffmpeg
from shared.media.pipeline import Deps
from shared.media.settings import MediaSettings
from shared.media.transcribe import transcriber_for
from shared.settings import DatabaseSettings


@pytest.fixture
def conninfo(database_settings: DatabaseSettings) -> str:
    info = conninfo_for(database_settings)
    migrate(info)
    return info


@pytest.fixture
def conn(conninfo: str) -> Iterator[psycopg.Connection[Any]]:
    with psycopg.connect(conninfo, autocommit=True) as connection:
        yield connection


@pytest.fixture
def media_bucket(s3: Any) -> Iterator[str]:
    name = f"itest-media-{uuid.uuid4().hex[:10]}"
    s3.create_bucket(Bucket=name)
    s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    try:
        yield name
    finally:
        dal.delete_prefixes(name, [""], s3)
        s3.delete_bucket(Bucket=name)


@pytest.fixture
def fake_groq() -> Iterator[FakeGroqServer]:
    with FakeGroqServer() as server:
        yield server


def groq_client(fake: FakeGroqServer, timeout_s: float = 5.0) -> Any:
    secret = f'{{"api_key": "test-key", "base_url": "{fake.base_url}"}}'
    source = GroqConfigSource(
        GroqSettings(secret_name="fake", timeout_s=timeout_s), read=lambda _: secret
    )
    return source.client()


@pytest.fixture
def make_deps(conninfo: str, s3: Any) -> Callable[..., Deps]:
    def build(fake: FakeGroqServer | None = None, settings: MediaSettings | None = None) -> Deps:
        media_settings = settings or MediaSettings(x264_preset="ultrafast")

        @contextmanager
        def transaction() -> Iterator[psycopg.Connection[Any]]:
            with psycopg.connect(conninfo) as connection, connection.transaction():
                yield connection

        client = groq_client(fake) if fake is not None else None
        return Deps(
            transaction=transaction,
            settings=media_settings,
            ffmpeg=Ffmpeg(threads=2, timeout_s=120),
            s3=s3,
            transcriber=lambda: transcriber_for(client, media_settings),
        )

    return build


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    return tmp_path
