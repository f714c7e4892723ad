"""The HTTP edge answers every error as RFC 9457 problem+json, never with internals."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query
from fastapi.testclient import TestClient

from shared.errors import ConflictError, NotFoundError
from shared.http.app import CORRELATION_HEADER, create_app

PROBLEM = "application/problem+json"


def _client() -> TestClient:
    app = create_app("test")

    @app.get("/v1/things/{thing_id}")
    def get_thing(thing_id: str) -> dict[str, str]:
        if thing_id == "missing":
            raise NotFoundError("thing missing does not exist")
        if thing_id == "taken":
            raise ConflictError("thing taken is being edited")
        if thing_id == "crash":
            raise RuntimeError("SELECT secret FROM users -- internal detail")
        return {"id": thing_id}

    @app.get("/v1/search")
    def search(limit: Annotated[int, Query(ge=1, le=100)]) -> dict[str, int]:
        return {"limit": limit}

    return TestClient(app, raise_server_exceptions=False)


def test_unknown_route_is_404_problem() -> None:
    response = _client().get("/v1/nowhere")

    assert response.status_code == 404
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    assert body["status"] == 404
    assert body["title"] == "Not Found"
    assert body["type"].endswith("/not-found")
    assert "/v1/nowhere" in body["detail"]


def test_validation_error_is_422_naming_the_field() -> None:
    response = _client().get("/v1/search", params={"limit": "1000"})

    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    assert body["type"].endswith("/validation-failed")
    assert [e["field"] for e in body["errors"]] == ["query.limit"]


def test_domain_errors_map_to_their_status() -> None:
    client = _client()

    missing = client.get("/v1/things/missing")
    taken = client.get("/v1/things/taken")

    assert (missing.status_code, missing.json()["detail"]) == (404, "thing missing does not exist")
    assert (taken.status_code, taken.json()["type"].rsplit("/", 1)[1]) == (409, "conflict")


def test_unexpected_error_is_500_without_internals() -> None:
    response = _client().get("/v1/things/crash")

    assert response.status_code == 500
    assert response.headers["content-type"] == PROBLEM
    assert "SELECT" not in response.text
    assert "Traceback" not in response.text


def test_correlation_id_is_echoed_or_created() -> None:
    client = _client()

    given = client.get("/v1/things/a", headers={CORRELATION_HEADER: "abc-123"})
    made = client.get("/v1/things/a")
    oversized = client.get("/v1/things/a", headers={CORRELATION_HEADER: "x" * 500})

    assert given.headers[CORRELATION_HEADER] == "abc-123"
    assert len(made.headers[CORRELATION_HEADER]) == 36
    assert oversized.headers[CORRELATION_HEADER] != "x" * 500
