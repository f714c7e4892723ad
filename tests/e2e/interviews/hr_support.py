"""HR-side e2e helpers: templates and invitations made through the API, and (until the
candidate's flow does it for real) a completed interview written straight into PostgreSQL."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import httpx
import psycopg

from scripts import localenv
from shared.dal.db import conninfo_for
from shared.settings import DatabaseSettings
from tests.e2e.identity_actors import Actor


def ok(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    if status == 204:
        return {}
    body: dict[str, Any] = response.json()
    return body


def make_template(api: httpx.Client, hr: Actor, *, kinds: tuple[str, ...] = ("text",)) -> str:
    """A draft template with one question of each kind given."""
    template = ok(api.post("v1/templates", json={"title": "E2E role"}, headers=hr.headers()), 201)
    template_id = str(template["id"])
    for n, kind in enumerate(kinds):
        question: dict[str, object] = {"type": kind, "text": f"Question {n}: tell us more."}
        if kind == "multiple_choice":
            question["options"] = [{"text": "Yes", "correct": True}, {"text": "No"}]
        ok(
            api.post(f"v1/templates/{template_id}/questions", json=question, headers=hr.headers()),
            201,
        )
    return template_id


def publish(api: httpx.Client, hr: Actor, template_id: str) -> None:
    ok(api.post(f"v1/templates/{template_id}/publish", headers=hr.headers()), 200)


def invite(api: httpx.Client, hr: Actor, template_id: str) -> dict[str, object]:
    body = {
        "template_id": template_id,
        "candidate_name": "Grace Hopper",
        "candidate_email": f"grace-{uuid.uuid4().hex[:10]}@example.com",
    }
    return ok(api.post("v1/invitations", json=body, headers=hr.headers()), 201)


@dataclass(frozen=True)
class Completed:
    invitation_id: str
    answer_ids: list[str]
    media_key: str | None


def _conninfo() -> str:
    return conninfo_for(DatabaseSettings(name=localenv.DB_NAME, secret_arn=None))


def complete_directly(invitation_id: str, media_key: str | None = None) -> Completed:
    """What the candidate's flow leaves behind: one current answer per question (media for
    video/audio with `media_key`, text, or the correct choice), status completed."""
    answers: list[str] = []
    with psycopg.connect(_conninfo(), autocommit=True) as conn, conn.transaction():
        row = conn.execute(
            "SELECT company_id, template_id FROM interviews.invitations WHERE id = %s",
            (invitation_id,),
        ).fetchone()
        assert row is not None
        company_id, template_id = row
        questions = conn.execute(
            "SELECT id, type, options FROM interviews.questions WHERE template_id = %s"
            " ORDER BY position",
            (template_id,),
        ).fetchall()
        for question_id, kind, options in questions:
            if kind in {"video", "audio"} and media_key:
                answer = conn.execute(
                    "INSERT INTO interviews.answers (company_id, invitation_id, question_id,"
                    " attempt, kind, media_key, media_bytes, media_content_type)"
                    " VALUES (%s, %s, %s, 1, 'media', %s, 11, 'video/webm') RETURNING id",
                    (company_id, invitation_id, question_id, media_key),
                ).fetchone()
            elif kind == "multiple_choice":
                chosen = [o["id"] for o in options if o["correct"]]
                answer = conn.execute(
                    "INSERT INTO interviews.answers (company_id, invitation_id, question_id,"
                    " attempt, kind, selected_option_ids) VALUES (%s, %s, %s, 1, 'choice', %s)"
                    " RETURNING id",
                    (company_id, invitation_id, question_id, psycopg.types.json.Jsonb(chosen)),
                ).fetchone()
            else:
                answer = conn.execute(
                    "INSERT INTO interviews.answers (company_id, invitation_id, question_id,"
                    " attempt, kind, text_answer) VALUES (%s, %s, %s, 1, 'text', %s) RETURNING id",
                    (company_id, invitation_id, question_id, "I would measure first."),
                ).fetchone()
            assert answer is not None
            answers.append(str(answer[0]))
        conn.execute(
            "UPDATE interviews.invitations SET status = 'completed', started_at = now(),"
            " recording_consent_at = now(), ai_consent = true, ai_consent_at = now(),"
            " completed_at = now(), completion_reason = 'manual' WHERE id = %s",
            (invitation_id,),
        )
    return Completed(invitation_id, answers, media_key)


def expire_directly(invitation_id: str) -> None:
    with psycopg.connect(_conninfo(), autocommit=True) as conn:
        conn.execute(
            "UPDATE interviews.invitations SET expires_at = now() - interval '1 minute'"
            " WHERE id = %s",
            (invitation_id,),
        )
