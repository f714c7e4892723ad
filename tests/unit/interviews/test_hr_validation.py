"""Every field limit of HR's routes answers 422 problem+json naming the field (no database: the
request is refused before the use case runs)."""

from __future__ import annotations

import importlib
import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient

PROBLEM = "application/problem+json"
T = str(uuid.uuid4())
Q = str(uuid.uuid4())
I = str(uuid.uuid4())  # noqa: E741 - an invitation id
A = str(uuid.uuid4())


def _client(module: str) -> TestClient:
    app = importlib.import_module(f"functions.interviews.{module}.handler").app
    return TestClient(app, raise_server_exceptions=False)


def _question(**overrides: Any) -> dict[str, Any]:
    return {"type": "text", "text": "Tell us about a hard bug.", **overrides}


def _mc(options: Any) -> dict[str, Any]:
    return _question(type="multiple_choice", options=options)


_OPTION = {"text": "Yes", "correct": True}
_INVITE = {"template_id": T, "candidate_name": "Grace", "candidate_email": "grace@example.com"}

CASES: list[tuple[str, str, str, Any, str]] = [
    # templates
    ("create_template", "POST", "/v1/templates", {"title": ""}, "body.title"),
    ("create_template", "POST", "/v1/templates", {"title": "x" * 201}, "body.title"),
    ("create_template", "POST", "/v1/templates", {}, "body.title"),
    (
        "create_template",
        "POST",
        "/v1/templates",
        {"title": "T", "description": "d" * 1001},
        "body.description",
    ),
    (
        "create_template",
        "POST",
        "/v1/templates",
        {"title": "T", "settings": {"language": "english"}},
        "body.settings.language",
    ),
    (
        "create_template",
        "POST",
        "/v1/templates",
        {"title": "T", "settings": {"think_time_default_s": 601}},
        "body.settings.think_time_default_s",
    ),
    (
        "create_template",
        "POST",
        "/v1/templates",
        {"title": "T", "settings": {"total_time_limit_s": 59}},
        "body.settings.total_time_limit_s",
    ),
    (
        "create_template",
        "POST",
        "/v1/templates",
        {"title": "T", "scoring_weights": {"relevance": 0.9}},
        "body.scoring_weights",
    ),
    ("create_template", "POST", "/v1/templates", {"title": "T", "extra": 1}, "body.extra"),
    ("read_templates", "GET", "/v1/templates?limit=0", None, "query.limit"),
    ("read_templates", "GET", "/v1/templates?limit=101", None, "query.limit"),
    ("read_templates", "GET", "/v1/templates?status=deleted", None, "query.status"),
    ("read_templates", "GET", "/v1/templates?cursor=" + "c" * 201, None, "query.cursor"),
    ("read_templates", "GET", "/v1/templates/not-a-uuid", None, "path.template_id"),
    ("manage_template", "PATCH", f"/v1/templates/{T}", {"title": "New"}, "body.version"),
    (
        "manage_template",
        "PATCH",
        f"/v1/templates/{T}",
        {"version": 0, "title": "N"},
        "body.version",
    ),
    ("manage_template", "PATCH", f"/v1/templates/{T}", {"version": 1}, "body"),
    (
        "manage_template",
        "PATCH",
        f"/v1/templates/{T}",
        {"version": 1, "title": "t" * 201},
        "body.title",
    ),
    # questions
    (
        "manage_questions",
        "POST",
        f"/v1/templates/{T}/questions",
        _question(text="short"),
        "body.text",
    ),
    (
        "manage_questions",
        "POST",
        f"/v1/templates/{T}/questions",
        _question(text="q" * 501),
        "body.text",
    ),
    (
        "manage_questions",
        "POST",
        f"/v1/templates/{T}/questions",
        _question(type="essay"),
        "body.type",
    ),
    (
        "manage_questions",
        "POST",
        f"/v1/templates/{T}/questions",
        _question(time_limit_s=29),
        "body.time_limit_s",
    ),
    (
        "manage_questions",
        "POST",
        f"/v1/templates/{T}/questions",
        _question(time_limit_s=601),
        "body.time_limit_s",
    ),
    (
        "manage_questions",
        "POST",
        f"/v1/templates/{T}/questions",
        _question(think_time_s=-1),
        "body.think_time_s",
    ),
    (
        "manage_questions",
        "POST",
        f"/v1/templates/{T}/questions",
        _question(max_retakes=11),
        "body.max_retakes",
    ),
    (
        "manage_questions",
        "POST",
        f"/v1/templates/{T}/questions",
        _question(hints=["h"] * 6),
        "body.hints",
    ),
    (
        "manage_questions",
        "POST",
        f"/v1/templates/{T}/questions",
        _question(rubric="r" * 2001),
        "body.rubric",
    ),
    ("manage_questions", "POST", f"/v1/templates/{T}/questions", _mc([_OPTION]), "body.options"),
    (
        "manage_questions",
        "POST",
        f"/v1/templates/{T}/questions",
        _mc([_OPTION] * 11),
        "body.options",
    ),
    (
        "manage_questions",
        "POST",
        f"/v1/templates/{T}/questions",
        _mc([{"text": "a"}, {"text": "b"}]),
        "body.options",
    ),
    ("manage_questions", "POST", f"/v1/templates/{T}/questions", _mc(None), "body.options"),
    (
        "manage_questions",
        "POST",
        f"/v1/templates/{T}/questions",
        _question(options=[_OPTION, _OPTION]),
        "body.options",
    ),
    (
        "manage_questions",
        "POST",
        f"/v1/templates/{T}/questions",
        _mc([{"text": "", "correct": True}, _OPTION]),
        "body.options.0.text",
    ),
    (
        "manage_questions",
        "PATCH",
        f"/v1/templates/{T}/questions/{Q}",
        {"text": "tiny"},
        "body.text",
    ),
    ("manage_questions", "PATCH", f"/v1/templates/{T}/questions/{Q}", {}, "body"),
    (
        "manage_questions",
        "PATCH",
        f"/v1/templates/{T}/questions/{Q}",
        {"required": None},
        "body",
    ),
    (
        "manage_questions",
        "PUT",
        f"/v1/templates/{T}/questions/order",
        {"question_ids": [Q, Q]},
        "body.question_ids",
    ),
    (
        "manage_questions",
        "PUT",
        f"/v1/templates/{T}/questions/order",
        {"question_ids": []},
        "body.question_ids",
    ),
    (
        "manage_questions",
        "PUT",
        f"/v1/templates/{T}/questions/order",
        {"question_ids": ["x"]},
        "body.question_ids.0",
    ),
    # invitations
    (
        "create_invitation",
        "POST",
        "/v1/invitations",
        {**_INVITE, "candidate_name": ""},
        "body.candidate_name",
    ),
    (
        "create_invitation",
        "POST",
        "/v1/invitations",
        {**_INVITE, "candidate_name": "n" * 201},
        "body.candidate_name",
    ),
    (
        "create_invitation",
        "POST",
        "/v1/invitations",
        {**_INVITE, "candidate_email": "nope"},
        "body.candidate_email",
    ),
    (
        "create_invitation",
        "POST",
        "/v1/invitations",
        {**_INVITE, "candidate_email": "a@b.c" + "c" * 250},
        "body.candidate_email",
    ),
    (
        "create_invitation",
        "POST",
        "/v1/invitations",
        {**_INVITE, "expires_in_days": 0},
        "body.expires_in_days",
    ),
    (
        "create_invitation",
        "POST",
        "/v1/invitations",
        {**_INVITE, "expires_in_days": 31},
        "body.expires_in_days",
    ),
    (
        "create_invitation",
        "POST",
        "/v1/invitations",
        {**_INVITE, "template_id": "t"},
        "body.template_id",
    ),
    (
        "bulk_invitations",
        "POST",
        "/v1/invitations/bulk",
        {"template_id": T, "candidates": []},
        "body.candidates",
    ),
    (
        "bulk_invitations",
        "POST",
        "/v1/invitations/bulk",
        {"template_id": T, "candidates": [{"candidate_name": "x"}] * 101},
        "body.candidates",
    ),
    ("list_invitations", "GET", "/v1/invitations?limit=101", None, "query.limit"),
    ("list_invitations", "GET", "/v1/invitations?status=lost", None, "query.status"),
    ("list_invitations", "GET", "/v1/invitations?template_id=x", None, "query.template_id"),
    ("get_invitation", "GET", "/v1/invitations/123", None, "path.invitation_id"),
    ("invitation_lifecycle", "POST", f"/v1/invitations/{I}/extend", {"days": 0}, "body.days"),
    ("invitation_lifecycle", "POST", f"/v1/invitations/{I}/extend", {"days": 31}, "body.days"),
    ("invitation_lifecycle", "POST", f"/v1/invitations/{I}/extend", {}, "body.days"),
    # review
    (
        "review_answer",
        "PUT",
        f"/v1/invitations/{I}/answers/{A}/review",
        {"rating": 0},
        "body.rating",
    ),
    (
        "review_answer",
        "PUT",
        f"/v1/invitations/{I}/answers/{A}/review",
        {"rating": 6},
        "body.rating",
    ),
    (
        "review_answer",
        "PUT",
        f"/v1/invitations/{I}/answers/{A}/review",
        {"rating": "5"},
        "body.rating",
    ),
    (
        "review_answer",
        "PUT",
        f"/v1/invitations/{I}/answers/{A}/review",
        {"rating": 3, "comment": "c" * 2001},
        "body.comment",
    ),
    (
        "decide_invitation",
        "POST",
        f"/v1/invitations/{I}/decision",
        {"decision": "reject"},
        "body.note",
    ),
    (
        "decide_invitation",
        "POST",
        f"/v1/invitations/{I}/decision",
        {"decision": "reject", "note": "   "},
        "body.note",
    ),
    (
        "decide_invitation",
        "POST",
        f"/v1/invitations/{I}/decision",
        {"decision": "hire"},
        "body.decision",
    ),
    (
        "decide_invitation",
        "POST",
        f"/v1/invitations/{I}/decision",
        {"decision": "advance", "note": "n" * 2001},
        "body.note",
    ),
]


@pytest.mark.parametrize(
    ("module", "method", "path", "body", "field"),
    CASES,
    ids=[f"{c[0]}-{c[4]}-{n}" for n, c in enumerate(CASES)],
)
def test_a_field_over_its_limit_is_a_422_naming_the_field(
    module: str, method: str, path: str, body: Any, field: str
) -> None:
    # Given HR's route / When the request breaks one field's limit
    response = _client(module).request(method, path, json=body)

    # Then 422 problem+json, and its errors name that field
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    fields = [e["field"] for e in response.json()["errors"]]
    assert field in fields, fields


def test_a_valid_request_passes_validation_and_reaches_authentication() -> None:
    # Given a well-formed request without a token / Then it is refused for the token, not the body
    response = _client("create_template").post("/v1/templates", json={"title": "Backend"})
    assert response.status_code == 401
    assert response.headers["content-type"].startswith(PROBLEM)
