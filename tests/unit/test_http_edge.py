"""The HTTP edge (shared/http/edge.py), for every route of every app: CORS on every answer, the
Idempotency-Key's shape, NUL bytes refused, JSON bodies parsed strictly (issue 13)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

import pytest
from fastapi import Header, Query
from fastapi.testclient import TestClient
from pydantic import BaseModel, Field

from shared.http.app import create_app

PROBLEM = "application/problem+json"
ORIGIN = "https://app.example.com"


class Thing(BaseModel):
    title: str = Field(max_length=200)
    seconds: int = Field(ge=1, le=600)
    public: bool = False
    kind: Literal["a", "b"] = "a"
    owner: uuid.UUID | None = None
    due: datetime | None = None
    tags: list[str] = []


def _client() -> TestClient:
    app = create_app("test", frontend_origin=ORIGIN)

    @app.post("/v1/things", status_code=201)
    def create_thing(
        body: Thing, idempotency_key: Annotated[str | None, Header(max_length=255)] = None
    ) -> dict[str, object]:
        return {"title": body.title, "key": idempotency_key}

    @app.get("/v1/things/{name}")
    def get_thing(name: str, q: Annotated[str, Query()] = "", limit: int = 10) -> dict[str, object]:
        if name == "crash":
            raise RuntimeError("internal detail")
        return {"name": name, "q": q, "limit": limit}

    return TestClient(app, raise_server_exceptions=False)


_BODY = {"title": "t", "seconds": 60}


# ---- CORS (finding 12) -----------------------------------------------------------------
@pytest.mark.parametrize(
    ("method", "path", "json", "status"),
    [
        ("GET", "/v1/things/x", None, 200),
        ("POST", "/v1/things", _BODY, 201),
        ("POST", "/v1/things", {"title": "t"}, 422),
        ("GET", "/v1/nowhere", None, 404),
        ("GET", "/v1/things/crash", None, 500),
    ],
)
def test_every_answer_carries_cors_for_our_origin(
    method: str, path: str, json: object, status: int
) -> None:
    response = _client().request(method, path, json=json, headers={"Origin": ORIGIN})

    assert response.status_code == status
    assert response.headers["access-control-allow-origin"] == ORIGIN
    assert "origin" in response.headers["vary"].lower()
    exposed = response.headers["access-control-expose-headers"].lower()
    for name in ("etag", "location", "retry-after", "x-correlation-id"):
        assert name in exposed


@pytest.mark.parametrize("origin", ["https://evil.example.com", None])
def test_another_origin_gets_no_allow_origin(origin: str | None) -> None:
    headers = {"Origin": origin} if origin else {}

    response = _client().get("/v1/things/x", headers=headers)

    assert response.status_code == 200
    assert "access-control-allow-origin" not in response.headers
    assert response.headers["vary"] == "Origin"


# ---- Idempotency-Key (finding 11) ---------------------------------------------------------
@pytest.mark.parametrize(
    "key",
    ["", "a" * 256, "has space", "tab\tkey", "caf\u00e9".encode(), b"nul\x7fdel"],
)
def test_an_unusable_idempotency_key_is_400_problem(key: str | bytes) -> None:
    response = _client().post(
        "/v1/things", json=_BODY, headers={"Idempotency-Key": key, "Origin": ORIGIN}
    )

    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["type"].endswith("/invalid-idempotency-key")
    assert "Idempotency-Key" in response.json()["detail"]
    assert response.headers["access-control-allow-origin"] == ORIGIN


@pytest.mark.parametrize("key", [str(uuid.uuid4()), "k", "a" * 255, "order-42:retry~1"])
def test_a_well_formed_idempotency_key_passes(key: str) -> None:
    response = _client().post("/v1/things", json=_BODY, headers={"Idempotency-Key": key})

    assert response.status_code == 201
    assert response.json()["key"] == key


# ---- NUL bytes (finding 13) ---------------------------------------------------------------
@pytest.mark.parametrize(
    ("json", "field"),
    [
        ({"title": "a\u0000b", "seconds": 60}, "body.title"),
        ({"title": "t", "seconds": 60, "tags": ["ok", "\u0000"]}, "body.tags.1"),
    ],
)
def test_a_nul_in_a_body_string_is_422_naming_the_field(json: object, field: str) -> None:
    response = _client().post("/v1/things", json=json)

    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    assert [e["field"] for e in response.json()["errors"]] == [field]


def test_a_nul_in_the_query_or_path_is_422_naming_it() -> None:
    client = _client()

    in_query = client.get("/v1/things/x", params={"q": "a\x00"})
    in_path = client.get("/v1/things/a%00b")

    assert in_query.status_code == 422
    assert [e["field"] for e in in_query.json()["errors"]] == ["query.q"]
    assert in_path.status_code == 422
    assert [e["field"] for e in in_path.json()["errors"]] == ["path.name"]


def test_an_escaped_backslash_u0000_is_text_not_a_nul() -> None:
    response = _client().post("/v1/things", json={"title": "\\u0000", "seconds": 60})

    assert response.status_code == 201
    assert response.json()["title"] == "\\u0000"


# ---- strict JSON bodies (finding 15) -------------------------------------------------------
@pytest.mark.parametrize(
    ("json", "field"),
    [
        ({"title": "t", "seconds": "60"}, "body.seconds"),
        ({"title": "t", "seconds": 60, "public": "true"}, "body.public"),
        ({"title": "t", "seconds": 60, "public": 1}, "body.public"),
        ({"title": 5, "seconds": 60}, "body.title"),
        ({"title": "t", "seconds": 60.5}, "body.seconds"),
    ],
)
def test_a_json_body_is_parsed_strictly(json: object, field: str) -> None:
    response = _client().post("/v1/things", json=json)

    assert response.status_code == 422, response.text
    assert field in [e["field"] for e in response.json()["errors"]]


def test_strict_bodies_still_take_json_forms_of_uuids_dates_and_enums() -> None:
    body = {
        **_BODY,
        "kind": "b",
        "owner": str(uuid.uuid4()),
        "due": "2030-01-01T10:00:00Z",
        "public": True,
    }

    response = _client().post("/v1/things", json=body)

    assert response.status_code == 201, response.text


def test_query_parameters_stay_lax_where_strings_are_natural() -> None:
    response = _client().get("/v1/things/x", params={"limit": "5"})

    assert response.status_code == 200
    assert response.json()["limit"] == 5
