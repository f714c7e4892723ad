"""The candidate's consent on the live local stack, through API Gateway: starting needs the
consent to recording (422 problem+json without it); a candidate who declines AI analysis
records, uploads and completes as anyone, the media pipeline transcribes the answers, and the
analysis ends as the human-only review with no chat call to (fake) Groq at all. HR sees the
consent, reads the review, cannot retry it into an AI analysis, is mailed that it is ready, and
decides."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest

from fakes.groq.server import FakeGroqServer
from scripts.accounts import text_of, wait_for_mail
from scripts.main_job import AUDIO_SAID, VIDEO_SAID, run_main_job
from tests import media_samples
from tests.e2e.analysis.conftest import write_groq_secret
from tests.e2e.interviews.media_fixtures import make_interview

PROBLEM = "application/problem+json"
CHAT = "/openai/v1/chat/completions"
TRANSCRIPTIONS = "/openai/v1/audio/transcriptions"
START = "v1/candidate/interview/start"


@pytest.fixture
def fake_groq_for_everything() -> Iterator[FakeGroqServer]:
    """Transcription and chat both go to the fake (the stage's Groq secret names it), so a chat
    call, were one made, would be counted here."""
    with FakeGroqServer() as fake:
        fake.set_script([VIDEO_SAID, AUDIO_SAID])
        # Locally the functions read the secret on every call (GROQ_CACHE_S=0): no wait.
        write_groq_secret({"api_key": "fake-key-not-groq", "base_url": fake.base_url})
        yield fake
    write_groq_secret({"api_key": None, "base_url": None})


def _problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body: dict[str, Any] = response.json()
    return body


def test_starting_needs_the_consent_to_recording_and_keeps_the_first_consent(
    api: httpx.Client,
) -> None:
    # Given a pending interview
    interview = make_interview(api)
    link = interview.candidate_headers()

    # When the candidate starts with no consent, or refusing the recording
    no_body = _problem(api.post(START, headers=link), 422)
    refused = _problem(
        api.post(START, json={"recording": False, "ai_analysis": True}, headers=link), 422
    )
    loose = _problem(
        api.post(START, json={"recording": "true", "ai_analysis": True}, headers=link), 422
    )
    stale = _problem(
        api.post(
            START,
            json={"recording": True, "ai_analysis": True, "text_version": "1999-01-01"},
            headers=link,
        ),
        422,
    )
    # and, not started, asks for an upload URL
    early = api.post(
        f"v1/candidate/interview/questions/{interview.questions['video']}/uploads",
        json={"content_type": "video/webm", "size_bytes": 1000},
        headers=link,
    )

    # Then each is a 422 problem naming what is missing, and the interview has not started
    assert {e["field"] for e in no_body["errors"]} == {"body"}
    assert "body.recording" in {e["field"] for e in refused["errors"]}
    assert "body.recording" in {e["field"] for e in loose["errors"]}
    assert "body.text_version" in {e["field"] for e in stale["errors"]}
    # and no upload URL is issued before the consent: a problem, no URL in it
    assert early.status_code == 409, early.text
    assert early.headers["content-type"].startswith("application/problem+json")
    assert "url" not in early.json()
    pending = api.get("v1/candidate/interview", headers=link).json()["invitation"]
    assert (pending["status"], pending["consent"]) == ("pending", None)

    # When the candidate consents to recording and declines AI analysis, then starts again
    first = api.post(START, json={"recording": True, "ai_analysis": False}, headers=link)
    again = api.post(START, json={"recording": True, "ai_analysis": True}, headers=link)

    # Then the first consent is recorded and kept, and HR sees it
    assert first.status_code == again.status_code == 200, (first.text, again.text)
    assert first.json()["consent"]["ai_analysis"] is False
    assert again.json() == first.json()
    shown = api.get("v1/candidate/interview", headers=link).json()["invitation"]["consent"]
    assert shown == first.json()["consent"]
    hr = api.get(f"v1/invitations/{interview.invitation_id}", headers=interview.hr.headers())
    assert hr.status_code == 200, hr.text
    assert hr.json()["invitation"]["consent"] == shown


@pytest.mark.timeout(900)
def test_a_candidate_declining_ai_analysis_gets_a_human_only_review_with_no_model_call(
    api: httpx.Client,
    tmp_path: Path,
    fake_groq_for_everything: FakeGroqServer,
    db: psycopg.Connection[Any],
) -> None:
    if not media_samples.has_espeak():
        pytest.fail("espeak-ng is missing: `make setup` installs it")
    fake = fake_groq_for_everything

    # Given / When: the whole journey, the candidate consenting to recording but not to AI
    job = run_main_job(api, tmp_path, ai_analysis=False)
    result = job.analysis
    hr = job.hr_headers

    # Then the analysis is the human-only review, said in plain words, with nothing from an AI
    assert result["status"] == "human_review", result
    assert "declined AI analysis" in result["reason"]
    assert (result["engine"], result["engine_label"], result["model"]) == (None, None, None)
    assert (result["overall"], result["recommendation"], result["summary"]) == (None, None, None)
    assert (result["llm_calls"], result["answers"]) == (0, [])

    # and no model was asked anything: not one chat call, while both recordings were transcribed
    assert fake.calls[CHAT] == 0, fake.stats()
    assert fake.calls[TRANSCRIPTIONS] >= 2
    results = db.execute(
        "SELECT count(*) FROM analysis.answer_results r JOIN analysis.analyses a"
        " ON a.id = r.analysis_id WHERE a.invitation_id = %s",
        (job.invitation_id,),
    ).fetchone()
    starts = db.execute(
        "SELECT count(*) FROM platform.outbox WHERE event_type = 'analysis.started'"
        " AND envelope->'payload'->>'invitationId' = %s",
        (job.invitation_id,),
    ).fetchone()
    assert (results, starts) == ((0,), (0,))

    # And HR's view shows the consent, the review, and the transcripts beside each recording
    view = api.get(f"v1/invitations/{job.invitation_id}", headers=hr).json()
    consent = view["invitation"]["consent"]
    assert consent["ai_analysis"] is False
    assert consent["recording_at"] is not None
    assert view["analysis"]["status"] == "human_review"
    media_answers = [a for a in view["answers"] if a["kind"] == "media"]
    assert len(media_answers) == 2
    for answer in media_answers:
        assert answer["media"]["transcript"]["segments"]
        assert answer["analysis"] is None
    listed = api.get("v1/invitations", headers=hr).json()["items"]
    assert [i["consent"]["ai_analysis"] for i in listed if i["id"] == job.invitation_id] == [False]

    # And it cannot be retried into an AI analysis
    retry = api.post(f"v1/invitations/{job.invitation_id}/analysis/retry", headers=hr)
    assert "declined AI analysis" in _problem(retry, 409)["detail"]

    # And HR is mailed that the interview is ready for review, with no AI scores
    me = api.get("v1/me", headers=hr).json()
    [mail] = wait_for_mail(str(me["email"]), "Ready for review", deadline_s=120)
    assert "declined AI analysis" in text_of(mail)
    assert "Overall score" not in text_of(mail)

    # And HR decides on their own
    assert job.decision is not None
    assert job.decision["decision"] == "advance"
    assert fake.calls[CHAT] == 0
