"""The candidate's HTTP edge in-process (no database, no network): the link token header, the
problem+json answers for junk tokens, and field limits named in 422s before any lookup."""

from __future__ import annotations

import uuid

import pytest
from fastapi.testclient import TestClient

from functions.interviews.candidate_answer.handler import app as answer_app
from functions.interviews.candidate_interview.handler import app as interview_app
from functions.interviews.candidate_session.handler import app as session_app
from functions.interviews.candidate_uploads.handler import app as uploads_app

PROBLEM = "application/problem+json"
QUESTION = uuid.uuid4()
CONSENT = {"recording": True, "ai_analysis": True}
START = "/v1/candidate/interview/start"


@pytest.mark.parametrize(
    ("app", "method", "path", "body"),
    [
        (interview_app, "GET", "/v1/candidate/interview", None),
        (session_app, "POST", "/v1/candidate/interview/start", CONSENT),
        (session_app, "POST", "/v1/candidate/interview/heartbeat", None),
        (session_app, "POST", "/v1/candidate/interview/complete", {"reason": "manual"}),
        (
            uploads_app,
            "POST",
            f"/v1/candidate/interview/questions/{QUESTION}/uploads",
            {"content_type": "video/webm", "size_bytes": 10},
        ),
        (
            answer_app,
            "POST",
            f"/v1/candidate/interview/questions/{QUESTION}/answer",
            {"text": "hello"},
        ),
    ],
)
@pytest.mark.parametrize("token", [None, "", "short", "x" * 42 + "!", "y" * 200])
def test_a_missing_or_malformed_link_token_is_a_404_problem(
    app: object, method: str, path: str, body: dict[str, object] | None, token: str | None
) -> None:
    # Given a request without a well-formed link token
    headers = {"X-Invitation-Token": token} if token is not None else {}
    # When it reaches the function / Then 404 problem+json, before any lookup
    response = TestClient(app).request(method, path, json=body, headers=headers)  # type: ignore[arg-type]
    assert response.status_code == 404, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    assert response.json()["detail"] == "No interview for this link."


@pytest.mark.parametrize(
    ("app", "path", "body", "field"),
    [
        (
            answer_app,
            f"/v1/candidate/interview/questions/{QUESTION}/answer",
            {"text": "x" * 10_001},
            "body.text",
        ),
        (
            uploads_app,
            f"/v1/candidate/interview/questions/{QUESTION}/uploads",
            {"content_type": "image/png", "size_bytes": 10},
            "body.content_type",
        ),
        (
            uploads_app,
            f"/v1/candidate/interview/questions/{QUESTION}/uploads",
            {"content_type": "video/webm", "size_bytes": 0},
            "body.size_bytes",
        ),
        (session_app, "/v1/candidate/interview/complete", {"reason": "bored"}, "body.reason"),
        # Starting needs the consent to recording (literally true) and a yes or no to AI
        (session_app, START, {"recording": False, "ai_analysis": True}, "body.recording"),
        (session_app, START, {"ai_analysis": True}, "body.recording"),
        (session_app, START, {"recording": "true", "ai_analysis": True}, "body.recording"),
        (session_app, START, {"recording": 1, "ai_analysis": True}, "body.recording"),
        (session_app, START, {"recording": True}, "body.ai_analysis"),
        (session_app, START, {"recording": True, "ai_analysis": "no"}, "body.ai_analysis"),
        (session_app, START, {"recording": True, "ai_analysis": None}, "body.ai_analysis"),
        (session_app, START, {**CONSENT, "marketing": True}, "body.marketing"),
        (
            answer_app,
            "/v1/candidate/interview/questions/not-a-uuid/answer",
            {"text": "hi"},
            "path.question_id",
        ),
    ],
)
def test_field_limits_are_422_problems_naming_the_field(
    app: object, path: str, body: dict[str, object], field: str
) -> None:
    response = TestClient(app).post(path, json=body, headers={"X-Invitation-Token": "z" * 43})  # type: ignore[arg-type]
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    assert field in {error["field"] for error in response.json()["errors"]}


@pytest.mark.parametrize("content", [None, b"", b"null", b"[]"])
def test_starting_without_a_consent_body_is_a_422_problem(content: bytes | None) -> None:
    # Given a start with no consent at all (no body, an empty one, JSON null, not an object)
    headers = {"X-Invitation-Token": "z" * 43, "Content-Type": "application/json"}
    # When it reaches the function / Then 422 problem+json naming the body, before any lookup
    response = TestClient(session_app).post(START, content=content, headers=headers)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    fields = {error["field"] for error in response.json()["errors"]}
    assert fields
    assert all(field.startswith("body") for field in fields), fields
