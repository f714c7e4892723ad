"""PostgreSQL not answering is a 503 with Retry-After, within a couple of seconds, decided once
in the kernel (issue 13, finding 7); a workflow step sees it as ``DependencyUnavailable``."""

from __future__ import annotations

import socket
import threading
import time
import uuid
from collections.abc import Iterator

import psycopg
import pytest
from fastapi.testclient import TestClient
from psycopg_pool import PoolTimeout

from shared.dal import db
from shared.dal.outage import as_dependency_error, is_database_outage
from shared.errors import DependencyUnavailable
from shared.http.app import create_app
from shared.settings import DatabaseSettings, get_database_settings

PROBLEM = "application/problem+json"


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def database_down(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The process's settings point at a port where nothing listens (PostgreSQL stopped)."""
    monkeypatch.setenv("DB_HOST", "127.0.0.1")
    monkeypatch.setenv("DB_PORT", str(_closed_port()))
    monkeypatch.delenv("DB_SECRET_ARN", raising=False)
    get_database_settings.cache_clear()
    db.get_pool.cache_clear()
    try:
        yield
    finally:
        if db.get_pool.cache_info().currsize:
            db.get_pool().close()
        db.get_pool.cache_clear()
        get_database_settings.cache_clear()


def test_the_connect_timeout_is_short_enough_for_a_quick_503() -> None:
    settings = DatabaseSettings()
    assert settings.connect_timeout_s <= 2
    assert settings.pool_reconnect_timeout_s <= 5


def test_connection_failures_and_pool_timeouts_are_outages_and_constraints_are_not() -> None:
    assert is_database_outage(psycopg.OperationalError("connection refused"))
    assert is_database_outage(PoolTimeout("couldn't get a connection after 2.00 sec"))
    assert is_database_outage(psycopg.InterfaceError("the connection is closed"))
    assert not is_database_outage(psycopg.errors.UniqueViolation("duplicate key"))
    assert not is_database_outage(ValueError("bad"))
    mapped = as_dependency_error(psycopg.OperationalError("at 10.0.0.5:5432"))
    assert isinstance(mapped, DependencyUnavailable)
    assert "10.0.0.5" not in mapped.detail
    # The class name is the error a state machine's retry policy names.
    assert type(mapped).__name__ == "DependencyUnavailable"


def test_a_transaction_fails_fast_as_dependency_unavailable_when_postgres_is_down(
    database_down: None,
) -> None:
    # Given PostgreSQL is not listening
    started = time.monotonic()
    # When a use case opens its transaction
    with pytest.raises(DependencyUnavailable) as raised, db.transaction() as conn:
        conn.execute("SELECT 1")
    # Then it fails as the retryable domain error within about the connect timeout
    assert time.monotonic() - started < 4
    assert isinstance(raised.value.__cause__, psycopg.OperationalError)


def test_a_route_answers_503_problem_with_retry_after_when_postgres_is_down(
    database_down: None,
) -> None:
    app = create_app("test")

    @app.get("/v1/things")
    def things() -> dict[str, int]:
        with db.transaction() as conn:
            conn.execute("SELECT 1")
        return {"n": 1}

    @app.get("/v1/raw")
    def raw() -> dict[str, int]:
        # A connection taken from the pool directly, not through transaction().
        with db.get_pool().connection() as conn:
            conn.execute("SELECT 1")
        return {"n": 1}

    client = TestClient(app, raise_server_exceptions=False)
    for path in ("/v1/things", "/v1/raw"):
        started = time.monotonic()
        response = client.get(path)
        elapsed = time.monotonic() - started

        assert response.status_code == 503, path
        assert response.headers["content-type"] == PROBLEM
        assert int(response.headers["retry-after"]) > 0
        body = response.json()
        assert body["status"] == 503
        assert body["type"].endswith("/dependency-unavailable")
        assert "127.0.0.1" not in response.text
        assert "port" not in response.text.lower()
        # Within the pool timeout (2 s) and some scheduling slack on a loaded machine.
        assert elapsed < 5, path


class _SilentEventBridge:
    """A TCP server that accepts connections and never answers (a hung endpoint)."""

    def __init__(self) -> None:
        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(16)
        self.port = int(self._sock.getsockname()[1])
        self._held: list[socket.socket] = []
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            self._held.append(conn)

    def close(self) -> None:
        self._sock.close()
        for conn in self._held:
            conn.close()


def test_publishing_after_commit_is_one_brief_try(monkeypatch: pytest.MonkeyPatch) -> None:
    from shared.events import clients
    from shared.events.factory import new_event
    from shared.models.events.media import MediaFailed

    # Given EventBridge accepts the connection and never answers
    server = _SilentEventBridge()
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{server.port}")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("EVENT_BUS_NAME", "test-bus")
    clients.after_commit_publisher.cache_clear()
    from shared.events.settings import get_events_settings

    get_events_settings.cache_clear()
    event = new_event(
        "media.failed",
        MediaFailed(
            media_id=uuid.uuid4(),
            upload_id=uuid.uuid4(),
            invitation_id=uuid.uuid4(),
            question_id=uuid.uuid4(),
            failed_step="validating",
            reason="x",
        ),
        source="media",
        correlation_id="c",
        tenant_id=uuid.uuid4(),
    )
    try:
        publisher = clients.after_commit_publisher()  # created once per process, not timed
        started = time.monotonic()
        # When a producer publishes right after its commit
        result = publisher.publish([event])
        elapsed = time.monotonic() - started
    finally:
        clients.after_commit_publisher.cache_clear()
        get_events_settings.cache_clear()
        server.close()
    # Then it gives up within a few seconds (the relay publishes it later), far inside a
    # 15 s Lambda timeout: one attempt, no botocore retries
    assert event.event_id in result.failed
    assert elapsed < 4
