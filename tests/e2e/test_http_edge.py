"""The HTTP edge through API Gateway on LocalStack, as a browser and a hostile client send it
(issue 13: findings 9, 11, 12, 13, 15)."""

from __future__ import annotations

import uuid

import httpx
import pytest

from scripts import localenv
from tests.e2e.identity_actors import PROBLEM, Actor, make_hr_with_company

# The deployed functions' origin (PLATFORM_FRONTEND_ORIGIN): the web app's (stack output WebUrl).
ORIGIN = localenv.web_origin()
OTHER_ORIGIN = "https://evil.example.com"


@pytest.fixture(scope="module")
def hr(api: httpx.Client) -> Actor:
    return make_hr_with_company(api, "edge-hr")


def _template(suffix: str = "") -> dict[str, object]:
    return {"title": f"Edge {suffix}", "description": "d", "settings": {"language": "en"}}


def _assert_cors(response: httpx.Response) -> None:
    assert response.headers.get("access-control-allow-origin") == ORIGIN, response.headers
    assert "origin" in response.headers.get("vary", "").lower()
    exposed = response.headers.get("access-control-expose-headers", "").lower()
    assert {"etag", "location", "retry-after"} <= {h.strip() for h in exposed.split(",")}


def test_a_browser_on_our_origin_reads_every_kind_of_answer(api: httpx.Client, hr: Actor) -> None:
    browser = {"Origin": ORIGIN}
    answers = {
        "public 200": api.get("v1/health", headers=browser),
        "created 201": api.post("v1/templates", json=_template(), headers=hr.headers() | browser),
        "401 problem": api.get("v1/me", headers=browser),
        "404 problem": api.get(f"v1/templates/{uuid.uuid4()}", headers=hr.headers() | browser),
        "422 problem": api.post("v1/templates", json={}, headers=hr.headers() | browser),
        "unknown route 404": api.get("v1/no-such-route", headers=browser),
        "405": api.delete("v1/health", headers=browser),
    }

    assert [r.status_code for r in answers.values()] == [200, 201, 401, 404, 422, 404, 405]
    for name, response in answers.items():
        _assert_cors(response)
        if response.status_code >= 400:
            assert response.headers["content-type"] == PROBLEM, name


def test_another_origin_gets_no_allow_origin(api: httpx.Client, hr: Actor) -> None:
    for response in (
        api.get("v1/health", headers={"Origin": OTHER_ORIGIN}),
        api.get("v1/me", headers={"Origin": OTHER_ORIGIN}),
        api.get("v1/templates", headers=hr.headers() | {"Origin": OTHER_ORIGIN}),
        api.get("v1/no-such-route", headers={"Origin": OTHER_ORIGIN}),
    ):
        assert "access-control-allow-origin" not in response.headers
        assert "origin" in response.headers.get("vary", "").lower()


def test_the_preflight_and_the_actual_request_agree(api: httpx.Client, hr: Actor) -> None:
    preflight = api.options(
        "v1/templates",
        headers={
            "Origin": ORIGIN,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization,content-type,idempotency-key",
        },
    )
    actual = api.post(
        "v1/templates",
        json=_template("preflighted"),
        headers=hr.headers() | {"Origin": ORIGIN, "Idempotency-Key": str(uuid.uuid4())},
    )

    assert preflight.status_code == 204
    assert preflight.headers["access-control-allow-origin"] == ORIGIN
    assert actual.status_code == 201
    _assert_cors(actual)


@pytest.mark.parametrize(
    "key",
    [b"", b"k" * 256, b"two words", b"tab\tkey", "caf\u00e9".encode(), b"\x7f"],
    ids=["empty", "too-long", "space", "control", "non-ascii", "del"],
)
@pytest.mark.parametrize(
    "route", ["v1/templates", "duplicate", "questions"], ids=["create", "duplicate", "question"]
)
def test_an_unusable_idempotency_key_is_400_problem(
    api: httpx.Client, hr: Actor, key: bytes, route: str, template_id: str
) -> None:
    path, body = {
        "v1/templates": ("v1/templates", _template("key")),
        "duplicate": (f"v1/templates/{template_id}/duplicate", None),
        "questions": (
            f"v1/templates/{template_id}/questions",
            {"type": "text", "text": "Why?", "time_limit_s": 60},
        ),
    }[route]
    headers = [(k.encode(), v.encode()) for k, v in hr.headers().items()]
    headers += [(b"Idempotency-Key", key), (b"Origin", ORIGIN.encode())]

    response = api.post(path, json=body, headers=headers)

    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["type"].endswith("/invalid-idempotency-key")
    _assert_cors(response)


@pytest.fixture(scope="module")
def template_id(api: httpx.Client, hr: Actor) -> str:
    response = api.post("v1/templates", json=_template("draft"), headers=hr.headers())
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("v1/templates", {**_template(), "title": "a\u0000b"}, "body.title"),
        ("v1/templates", {**_template(), "description": "\u0000"}, "body.description"),
        ("v1/companies", {"name": "Acme\u0000"}, "body.name"),
        ("v1/me/profile", {"first_name": "A\u0000"}, "body.first_name"),
    ],
)
def test_a_nul_in_a_string_is_422_naming_the_field(
    api: httpx.Client, hr: Actor, path: str, body: dict[str, object], field: str
) -> None:
    method = "PATCH" if path == "v1/me/profile" else "POST"

    response = api.request(method, path, json=body, headers=hr.headers())

    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == PROBLEM
    assert field in [e["field"] for e in response.json()["errors"]]


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("v1/auth/login", {"email": "a\u0000@example.com", "password": "x" * 12}),
        ("v1/auth/register", {"email": "a@example.com\u0000", "password": "x" * 12}),
    ],
)
def test_a_nul_in_an_anonymous_body_is_422(
    api: httpx.Client, path: str, body: dict[str, object]
) -> None:
    response = api.post(path, json=body)

    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["field"] == "body.email"


def test_a_nul_in_the_query_is_422(api: httpx.Client, hr: Actor) -> None:
    response = api.get("v1/templates", params={"cursor": "a\x00b"}, headers=hr.headers())

    assert response.status_code == 422, response.text
    assert "query.cursor" in [e["field"] for e in response.json()["errors"]]


def test_json_bodies_are_parsed_strictly(api: httpx.Client, hr: Actor, template_id: str) -> None:
    as_string = api.post(
        f"v1/templates/{template_id}/questions",
        json={"type": "text", "text": "Why?", "time_limit_s": "60"},
        headers=hr.headers(),
    )
    bool_as_string = api.post(
        "v1/templates",
        json={**_template("strict"), "settings": {"language": "en", "retakes_allowed": "true"}},
        headers=hr.headers(),
    )

    assert as_string.status_code == 422, as_string.text
    assert "body.time_limit_s" in [e["field"] for e in as_string.json()["errors"]]
    assert bool_as_string.status_code == 422, bool_as_string.text
    assert "body.settings.retakes_allowed" in [e["field"] for e in bool_as_string.json()["errors"]]


def test_health_says_unreachable_never_why(api: httpx.Client) -> None:
    response = api.get("v1/health")

    for check in response.json()["checks"].values():
        assert check["detail"] in (None, "unreachable")
