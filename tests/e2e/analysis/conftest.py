"""Analysis e2e fixtures: the fake Groq server on loopback with the stage's Groq secret pointing
at it, the stage's database (for fixture transcripts and checks), and events onto the bus."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from typing import Any
from uuid import UUID

import psycopg
import pytest

from fakes.groq.server import FakeGroqServer
from scripts import localenv
from shared.dal.db import conninfo_for
from shared.events import EventEnvelope
from shared.settings import DatabaseSettings


def groq_secret_name() -> str:
    return f"interview-platform/{localenv.STAGE}/groq"


def write_groq_secret(value: dict[str, Any]) -> None:
    secrets = localenv.client("secretsmanager")
    name = groq_secret_name()
    try:
        secrets.put_secret_value(SecretId=name, SecretString=json.dumps(value))
    except secrets.exceptions.ResourceNotFoundException:
        secrets.create_secret(Name=name, SecretString=json.dumps(value))


@pytest.fixture(scope="session")
def fake_groq() -> Iterator[FakeGroqServer]:
    """The fake, and the stage's secret naming it (a dummy key); afterwards no key (offline)."""
    with FakeGroqServer() as server:
        # Locally the functions read the secret on every call (GROQ_CACHE_S=0): no wait.
        write_groq_secret({"api_key": "fake-key-not-groq", "base_url": server.base_url})
        yield server
    write_groq_secret({"api_key": None, "base_url": None})


@pytest.fixture
def groq(fake_groq: FakeGroqServer) -> Iterator[FakeGroqServer]:
    fake_groq.reset()
    # Again for each test: a test with a fake of its own empties the secret when it ends.
    write_groq_secret({"api_key": "fake-key-not-groq", "base_url": fake_groq.base_url})
    yield fake_groq
    fake_groq.reset()


@pytest.fixture(scope="session")
def db() -> Iterator[psycopg.Connection[Any]]:
    settings = DatabaseSettings(name=localenv.DB_NAME, secret_arn=None)
    with psycopg.connect(conninfo_for(settings), autocommit=True) as conn:
        yield conn


@pytest.fixture(scope="session")
def publish(outputs: dict[str, str]) -> Callable[[list[EventEnvelope]], None]:
    """Put envelopes onto the platform's bus, as the outbox relay does."""
    events = localenv.client("events")
    bus = outputs["EventBusName"]

    def put(envelopes: list[EventEnvelope]) -> None:
        for start in range(0, len(envelopes), 10):
            batch = envelopes[start : start + 10]
            answer = events.put_events(
                Entries=[
                    {
                        "EventBusName": bus,
                        "Source": e.source,
                        "DetailType": e.event_type,
                        "Detail": json.dumps(e.to_detail()),
                    }
                    for e in batch
                ]
            )
            assert answer["FailedEntryCount"] == 0, answer

    return put


def analysis_row(db: psycopg.Connection[Any], invitation_id: UUID) -> dict[str, Any] | None:
    row = db.execute(
        "SELECT id, status, reason, attempt, engine, overall, recommendation, latency_ms,"
        " completed_at, started_at FROM analysis.analyses WHERE invitation_id = %s",
        (invitation_id,),
    ).fetchone()
    if row is None:
        return None
    keys = (
        "id",
        "status",
        "reason",
        "attempt",
        "engine",
        "overall",
        "recommendation",
        "latency_ms",
        "completed_at",
        "started_at",
    )
    return dict(zip(keys, row, strict=True))


def wait_for(
    check: Callable[[], Any], deadline_s: float, what: str, interval_s: float = 0.5
) -> Any:
    """Poll ``check`` until it returns something truthy, within a deadline."""
    deadline = time.monotonic() + deadline_s
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {deadline_s:.0f} s waiting for {what}")
        time.sleep(interval_s)  # poll interval within the deadline
