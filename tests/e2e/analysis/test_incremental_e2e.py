"""Answers analysed as they arrive (issue 16), on the live local stack through API Gateway: the
candidate's answers are assessed before the interview is completed (HR sees each one scored),
a retake supersedes its answer, and at completion only the summary is asked of (fake) Groq."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import psycopg

from fakes.groq.server import FakeGroqServer
from scripts import localenv
from tests.e2e.analysis.conftest import wait_for
from tests.e2e.interviews.media_fixtures import CONSENT, make_interview, small_answer_webm

CHAT = "/openai/v1/chat/completions"
DEADLINE_S = 240


def _ok(response: httpx.Response, *statuses: int) -> dict[str, Any]:
    assert response.status_code in (statuses or (200,)), response.text
    body: dict[str, Any] = response.json()
    return body


def _upload(api: httpx.Client, link: dict[str, str], question_id: str, data: bytes) -> str:
    ticket = _ok(
        api.post(
            f"v1/candidate/interview/questions/{question_id}/uploads",
            json={"content_type": "video/webm", "size_bytes": len(data)},
            headers=link,
        ),
        201,
    )
    sent = httpx.post(
        ticket["url"], data=ticket["fields"], files={"file": ("a.webm", data, "video/webm")}
    )
    assert sent.status_code in {200, 201, 204}, sent.text
    return str(ticket["upload_id"])


def _analysis(api: httpx.Client, hr_headers: dict[str, str], invitation_id: str) -> Any:
    response = api.get(f"v1/invitations/{invitation_id}/analysis", headers=hr_headers)
    return response.json() if response.status_code == 200 else None


def _running_answer_workflows(outputs: dict[str, str], answer_ids: list[str]) -> list[str]:
    sfn = localenv.client("stepfunctions")
    running = sfn.list_executions(
        stateMachineArn=outputs["AnswerAnalysisStateMachineArn"], statusFilter="RUNNING"
    )["executions"]
    found = []
    for execution in running:
        described = sfn.describe_execution(executionArn=execution["executionArn"])
        if any(a in described.get("input", "") for a in answer_ids):
            found.append(execution["executionArn"])
    return found


def _no_workflow_running(outputs: dict[str, str]) -> bool:
    sfn = localenv.client("stepfunctions")
    return not any(
        sfn.list_executions(stateMachineArn=outputs[name], statusFilter="RUNNING")["executions"]
        for name in ("AnalysisStateMachineArn", "AnswerAnalysisStateMachineArn")
    )


def test_answers_are_scored_before_completion_and_completion_only_summarises(
    api: httpx.Client,
    groq: FakeGroqServer,
    db: psycopg.Connection[Any],
    outputs: dict[str, str],
    tmp_path: Path,
) -> None:
    # (an earlier test's workflow still waiting out a rate limit would call this test's fake,
    # which the stage's secret names now: its calls are not this interview's)
    wait_for(lambda: _no_workflow_running(outputs), DEADLINE_S, "earlier tests' workflows")
    earlier = groq.calls[CHAT]
    # Given a candidate who answers the video (twice: a retake), the text and the choice
    interview = make_interview(api)
    link = interview.candidate_headers()
    hr = interview.hr.headers()
    _ok(api.post("v1/candidate/interview/start", json=CONSENT, headers=link))
    video = small_answer_webm(tmp_path / "answer.webm")
    questions = interview.questions
    answer_path = "v1/candidate/interview/questions/{}/answer"
    first = _ok(
        api.post(
            answer_path.format(questions["video"]),
            json={"upload_id": _upload(api, link, questions["video"], video)},
            headers=link,
        ),
        201,
    )
    _ok(
        api.post(
            answer_path.format(questions["text"]),
            json={"text": "First explain analyze, then the missing index, then measure again."},
            headers=link,
        ),
        201,
    )
    correct = next(o["id"] for o in interview.options if o["correct"])
    _ok(
        api.post(
            answer_path.format(questions["multiple_choice"]),
            json={"option_ids": [correct]},
            headers=link,
        ),
        201,
    )
    # The first video is assessed (or on its way) when the retake replaces it
    wait_for(
        lambda: (
            (a := _analysis(api, hr, interview.invitation_id))
            and any(p["answer_id"] == first["answer_id"] for p in a["progress"])
        ),
        DEADLINE_S,
        "the first video's assessment to be recorded",
    )
    retake = _ok(
        api.post(
            answer_path.format(questions["video"]),
            json={"upload_id": _upload(api, link, questions["video"], video)},
            headers=link,
        ),
        201,
    )

    # When the media is transcribed and the answer workflows run, before completion (the
    # retake counted once the trigger has its response.submitted: until then HR reads the
    # first video's result)
    before = wait_for(
        lambda: (
            (a := _analysis(api, hr, interview.invitation_id))
            and len(a["progress"]) == 3
            and all(p["status"] == "scored" for p in a["progress"])
            and retake["answer_id"] in {p["answer_id"] for p in a["progress"]}
            and a
        ),
        DEADLINE_S,
        "every current answer scored before completion",
    )
    # Then HR reads each answer scored while the interview is still in progress
    assert before["status"] == "waiting"
    assert {p["answer_id"] for p in before["progress"]} >= {retake["answer_id"]}
    assert first["answer_id"] not in {p["answer_id"] for p in before["progress"]}
    assert next(p for p in before["progress"] if p["kind"] == "choice")["score"] == 100.0
    status = db.execute(
        "SELECT status FROM analysis.answer_assessments WHERE answer_id = %s",
        (first["answer_id"],),
    ).fetchone()
    assert status == ("superseded",)
    # (the first video's answer workflow may still be calling the model, superseded or not:
    # wait until no answer workflow of this interview runs, so the count below is final)
    wait_for(
        lambda: not _running_answer_workflows(outputs, [first["answer_id"], retake["answer_id"]]),
        DEADLINE_S,
        "the answer workflows to end",
    )
    chats_before = groq.calls[CHAT] - earlier
    assert 1 <= chats_before <= 3  # the text, the retake, and the first video if it got there

    # When the candidate completes
    _ok(api.post("v1/candidate/interview/complete", json={"reason": "manual"}, headers=link))
    done = wait_for(
        lambda: (
            (a := _analysis(api, hr, interview.invitation_id))
            and a["status"] in {"completed", "failed"}
            and a
        ),
        DEADLINE_S,
        "the analysis",
    )
    # Then it completed with one more chat call only: the summary
    assert done["status"] == "completed", done
    assert done["engine"] == "groq"
    assert groq.calls[CHAT] - earlier == chats_before + 1
    assert done["llm_calls"] == chats_before + 1
    assert {a["answer_id"] for a in done["answers"]} == {p["answer_id"] for p in before["progress"]}
