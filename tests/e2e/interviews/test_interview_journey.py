"""Issue 4's journey, for real, through API Gateway on LocalStack: HR builds and publishes an
interview and invites; the candidate opens the link, starts, uploads a WebM made by ffmpeg
straight to S3 with the presigned POST, answers the others and completes; HR sees the completed
invitation with a playable URL (the same bytes) and decides."""

from __future__ import annotations

from pathlib import Path

import httpx
import psycopg

from scripts import localenv
from shared.dal.db import conninfo_for
from shared.settings import DatabaseSettings
from tests.e2e.identity_actors import make_hr_with_company
from tests.e2e.interviews.media_fixtures import (
    CONSENT,
    TOKEN_HEADER,
    Interview,
    make_interview,
    small_answer_webm,
)


def _outbox_types(invitation_id: str) -> list[str]:
    settings = DatabaseSettings(name=localenv.DB_NAME, secret_arn=None)
    with psycopg.connect(conninfo_for(settings)) as conn:
        rows = conn.execute(
            "SELECT event_type FROM platform.outbox"
            " WHERE envelope->'payload'->>'invitationId' = %s ORDER BY created_at",
            (invitation_id,),
        ).fetchall()
    return [row[0] for row in rows]


def _answer_everything(api: httpx.Client, interview: Interview, video: bytes) -> str:
    """The candidate's side: start, upload the video to S3, answer the three, complete."""
    link = interview.candidate_headers()
    started = api.post("v1/candidate/interview/start", json=CONSENT, headers=link)
    assert started.status_code == 200, started.text
    assert started.json()["status"] == "in_progress"
    video_q = interview.questions["video"]
    ticket = api.post(
        f"v1/candidate/interview/questions/{video_q}/uploads",
        json={"content_type": "video/webm", "size_bytes": len(video)},
        headers=link,
    )
    assert ticket.status_code == 201, ticket.text
    post = ticket.json()
    uploaded = httpx.post(
        post["url"],
        data=post["fields"],
        files={"file": ("answer.webm", video, "video/webm")},
        timeout=60.0,
    )
    assert uploaded.status_code in {200, 201, 204}, uploaded.text

    # and answer the three questions, then complete
    answers = [
        (video_q, {"upload_id": post["upload_id"]}),
        (interview.questions["text"], {"text": "Read the plan with EXPLAIN ANALYZE, then index."}),
        (
            interview.questions["multiple_choice"],
            {"option_ids": [o["id"] for o in interview.options if o["correct"]]},
        ),
    ]
    for question_id, body in answers:
        answered = api.post(
            f"v1/candidate/interview/questions/{question_id}/answer", json=body, headers=link
        )
        assert answered.status_code == 201, answered.text
    progress = api.get("v1/candidate/interview", headers=link).json()["progress"]
    assert all(p["answered"] for p in progress)
    completed = api.post("v1/candidate/interview/complete", json={"reason": "manual"}, headers=link)
    assert completed.status_code == 200, completed.text
    assert completed.json()["completion_reason"] == "manual"
    return str(post["upload_id"])


def test_hr_invites_the_candidate_answers_by_link_and_hr_decides(
    api: httpx.Client, tmp_path: Path
) -> None:
    # Given HR with a company, a published template (video, text, multiple choice), an invitation
    hr = make_hr_with_company(api, "journey-hr")
    interview = make_interview(api, hr)
    link = {TOKEN_HEADER: interview.token}

    # When the candidate opens the link
    opened = api.get("v1/candidate/interview", headers=link)

    # Then they see the interview in order, with no correct options and no rubric
    assert opened.status_code == 200, opened.text
    seen = opened.json()
    assert seen["invitation"]["status"] == "pending"
    assert seen["template"]["title"] == "Backend engineer"
    assert [q["type"] for q in seen["questions"]] == ["video", "text", "multiple_choice"]
    assert "correct" not in opened.text
    assert "rubric" not in opened.text
    assert not any(p["answered"] for p in seen["progress"])

    # When they start, upload a real WebM through the presigned POST, answer all, complete
    video = small_answer_webm(tmp_path / "answer.webm")
    upload_id = _answer_everything(api, interview, video)
    video_q = interview.questions["video"]

    # Then HR sees the completed invitation with its three answers
    detail = api.get(f"v1/invitations/{interview.invitation_id}", headers=hr.headers())
    assert detail.status_code == 200, detail.text
    body = detail.json()
    assert body["invitation"]["status"] == "completed"
    by_question = {a["question_id"]: a for a in body["answers"]}
    assert set(by_question) == set(interview.questions.values())
    assert by_question[interview.questions["text"]]["text"].startswith("Read the plan")

    # and the video plays: its presigned GET gives back exactly the uploaded bytes
    media = by_question[video_q]["media_ref"]
    assert media["upload_id"] == upload_id
    assert media["content_type"] == "video/webm"
    played = httpx.get(media["playback_url"], timeout=60.0)
    assert played.status_code == 200
    assert played.content == video

    # When HR decides / Then the decision is stored, and the events went through the outbox
    decided = api.post(
        f"v1/invitations/{interview.invitation_id}/decision",
        json={"decision": "advance", "note": "Clear trade-offs."},
        headers=hr.headers(),
    )
    assert decided.status_code == 200, decided.text
    assert decided.json()["decision"] == "advance"
    types = _outbox_types(interview.invitation_id)
    for expected in ("invitation.created", "invitation.started", "invitation.completed"):
        assert types.count(expected) == 1, types
    assert types.count("response.submitted") == 3
    assert "candidate.decided" in types

    # and the candidate can still read the completed interview, but writes are refused
    assert api.get("v1/candidate/interview", headers=link).status_code == 200
    late = api.post(
        f"v1/candidate/interview/questions/{interview.questions['text']}/answer",
        json={"text": "One more thought."},
        headers=link,
    )
    assert late.status_code == 409, late.text
