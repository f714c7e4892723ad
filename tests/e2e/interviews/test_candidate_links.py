"""The candidate's link through API Gateway: what a token can and cannot reach, dead links,
field limits, the missing-object check, and the sweep function run for real."""

from __future__ import annotations

import json
from typing import Any

import httpx
import psycopg
import pytest

from scripts import localenv
from shared.dal.db import conninfo_for
from shared.settings import DatabaseSettings
from tests.e2e.identity_actors import PROBLEM, Actor, make_hr_with_company
from tests.e2e.interviews.media_fixtures import CONSENT, TOKEN_HEADER, Interview, make_interview


@pytest.fixture(scope="module")
def hr(api: httpx.Client) -> Actor:
    return make_hr_with_company(api, "links-hr")


@pytest.fixture
def interview(api: httpx.Client, hr: Actor) -> Interview:
    return make_interview(api, hr)


def _sql(query: str, *params: Any) -> list[tuple[Any, ...]]:
    settings = DatabaseSettings(name=localenv.DB_NAME, secret_arn=None)
    with psycopg.connect(conninfo_for(settings), autocommit=True) as conn:
        cursor = conn.execute(query, params)
        return cursor.fetchall() if cursor.description else []


def _problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    return body


def _start(api: httpx.Client, interview: Interview) -> None:
    started = api.post(
        "v1/candidate/interview/start", json=CONSENT, headers=interview.candidate_headers()
    )
    assert started.status_code == 200, started.text


def test_a_link_token_never_reaches_hr_routes(api: httpx.Client, interview: Interview) -> None:
    # Given only the candidate's link token (no bearer token)
    link = interview.candidate_headers()
    # When it is presented to HR's routes for its own invitation and template / Then 401
    for path in (
        f"v1/invitations/{interview.invitation_id}",
        "v1/invitations",
        f"v1/templates/{interview.template_id}",
    ):
        _problem(api.get(path, headers=link), 401)
    # and as a bearer token it is no JWT either
    _problem(
        api.get(
            f"v1/invitations/{interview.invitation_id}",
            headers={"Authorization": f"Bearer {interview.token}"},
        ),
        401,
    )


def test_an_hr_token_without_the_link_reaches_no_candidate_route(
    api: httpx.Client, interview: Interview
) -> None:
    # Given the HR who owns the invitation, with a valid JWT but no link token
    headers = interview.hr.headers()
    # When they open the candidate's interview or answer / Then 404 (nothing without the link)
    _problem(api.get("v1/candidate/interview", headers=headers), 404)
    _problem(
        api.post(
            f"v1/candidate/interview/questions/{interview.questions['text']}/answer",
            json={"text": "HR answering for the candidate"},
            headers=headers,
        ),
        404,
    )


def test_one_invitations_token_cannot_touch_another_invitations_question(
    api: httpx.Client, hr: Actor
) -> None:
    # Given two invitations (to two templates), both started
    mine, theirs = make_interview(api, hr), make_interview(api, hr)
    _start(api, mine)
    _start(api, theirs)

    # When my token is used on their questions / Then 404, and nothing was written for them
    link = mine.candidate_headers()
    for question in theirs.questions.values():
        _problem(
            api.post(
                f"v1/candidate/interview/questions/{question}/answer",
                json={"text": "Not my question"},
                headers=link,
            ),
            404,
        )
    _problem(
        api.post(
            f"v1/candidate/interview/questions/{theirs.questions['video']}/uploads",
            json={"content_type": "video/webm", "size_bytes": 100},
            headers=link,
        ),
        404,
    )
    answers = _sql(
        "SELECT count(*) FROM interviews.answers WHERE invitation_id = %s", theirs.invitation_id
    )
    assert answers == [(0,)]


@pytest.mark.parametrize("kind", ["junk", "tampered", "missing"])
def test_junk_tampered_or_missing_tokens_are_404(
    api: httpx.Client, interview: Interview, kind: str
) -> None:
    token = {
        "junk": "not-a-token",
        "tampered": interview.token[:-2] + ("AA" if interview.token[-2:] != "AA" else "BB"),
        "missing": None,
    }[kind]
    headers = {TOKEN_HEADER: token} if token else {}
    _problem(api.get("v1/candidate/interview", headers=headers), 404)
    _problem(api.post("v1/candidate/interview/start", json=CONSENT, headers=headers), 404)


def test_an_overdue_link_is_expired_on_the_spot_and_answers_410(
    api: httpx.Client, interview: Interview
) -> None:
    # Given an invitation whose expiry passed before any sweep ran
    _sql(
        "UPDATE interviews.invitations SET expires_at = now() - interval '1 minute' WHERE id = %s",
        interview.invitation_id,
    )
    # When the candidate opens it / Then 410, and it is expired with its event
    _problem(api.get("v1/candidate/interview", headers=interview.candidate_headers()), 410)
    assert _sql(
        "SELECT status FROM interviews.invitations WHERE id = %s", interview.invitation_id
    ) == [("expired",)]
    events = _sql(
        "SELECT count(*) FROM platform.outbox WHERE event_type = 'invitation.expired'"
        " AND envelope->'payload'->>'invitationId' = %s",
        interview.invitation_id,
    )
    assert events == [(1,)]


def test_a_cancelled_link_answers_410(api: httpx.Client, interview: Interview) -> None:
    cancelled = api.post(
        f"v1/invitations/{interview.invitation_id}/cancel", headers=interview.hr.headers()
    )
    assert cancelled.status_code == 200, cancelled.text
    _problem(api.get("v1/candidate/interview", headers=interview.candidate_headers()), 410)


def test_field_limits_are_422_problems_naming_the_field(
    api: httpx.Client, interview: Interview
) -> None:
    # Given a started interview
    _start(api, interview)
    link = interview.candidate_headers()
    base = "v1/candidate/interview/questions"

    # When fields break their limits / Then 422 naming them, and nothing is written
    too_long = _problem(
        api.post(
            f"{base}/{interview.questions['text']}/answer",
            json={"text": "x" * 10_001},
            headers=link,
        ),
        422,
    )
    assert any(e["field"] == "body.text" for e in too_long["errors"])
    bad_type = _problem(
        api.post(
            f"{base}/{interview.questions['video']}/uploads",
            json={"content_type": "application/pdf", "size_bytes": 10},
            headers=link,
        ),
        422,
    )
    assert any(e["field"] == "body.content_type" for e in bad_type["errors"])
    wrong_kind = _problem(
        api.post(
            f"{base}/{interview.questions['video']}/uploads",
            json={"content_type": "audio/webm", "size_bytes": 10},
            headers=link,
        ),
        422,
    )
    assert "body.content_type" in wrong_kind["detail"]
    too_big = _problem(
        api.post(
            f"{base}/{interview.questions['video']}/uploads",
            json={"content_type": "video/mp4", "size_bytes": 500 * 1024 * 1024 + 1},
            headers=link,
        ),
        422,
    )
    assert "body.size_bytes" in too_big["detail"]
    _problem(
        api.post("v1/candidate/interview/complete", json={"reason": "bored"}, headers=link), 422
    )
    assert _sql(
        "SELECT count(*) FROM interviews.answers WHERE invitation_id = %s",
        interview.invitation_id,
    ) == [(0,)]


def test_submitting_an_upload_never_sent_to_s3_is_422(
    api: httpx.Client, interview: Interview
) -> None:
    _start(api, interview)
    link = interview.candidate_headers()
    question = interview.questions["video"]
    ticket = api.post(
        f"v1/candidate/interview/questions/{question}/uploads",
        json={"content_type": "video/webm", "size_bytes": 1000},
        headers=link,
    )
    assert ticket.status_code == 201, ticket.text
    missing = _problem(
        api.post(
            f"v1/candidate/interview/questions/{question}/answer",
            json={"upload_id": ticket.json()["upload_id"]},
            headers=link,
        ),
        422,
    )
    assert "missing" in missing["detail"]


def test_manual_completion_lists_unanswered_required_questions(
    api: httpx.Client, interview: Interview
) -> None:
    _start(api, interview)
    missing = _problem(
        api.post(
            "v1/candidate/interview/complete",
            json={"reason": "manual"},
            headers=interview.candidate_headers(),
        ),
        422,
    )
    for question in interview.questions.values():
        assert question in missing["detail"]


def test_the_sweep_function_expires_and_auto_completes(
    api: httpx.Client, hr: Actor, lambda_client: Any, outputs: dict[str, str]
) -> None:
    # Given an idle interview (last activity 31 minutes ago) and an overdue pending invitation
    idle, overdue = make_interview(api, hr), make_interview(api, hr)
    _start(api, idle)
    _sql(
        "UPDATE interviews.invitations SET last_activity_at = now() - interval '31 minutes'"
        " WHERE id = %s",
        idle.invitation_id,
    )
    _sql(
        "UPDATE interviews.invitations SET expires_at = now() - interval '1 minute' WHERE id = %s",
        overdue.invitation_id,
    )

    # When the scheduled sweep function runs
    answer = lambda_client.invoke(FunctionName=outputs["InterviewsSweepFunctionName"])
    report = json.loads(answer["Payload"].read())
    assert "FunctionError" not in answer, report

    # Then the idle one is auto-completed and the overdue one expired
    assert report["expired"] >= 1
    assert report["auto_completed"] >= 1
    assert _sql(
        "SELECT status, completion_reason FROM interviews.invitations WHERE id = %s",
        idle.invitation_id,
    ) == [("completed", "auto_timeout")]
    assert _sql(
        "SELECT status FROM interviews.invitations WHERE id = %s", overdue.invitation_id
    ) == [("expired",)]
