"""The main job, end to end, through API Gateway on LocalStack: HR signs up, creates a company
and a template (video, audio, text, multiple choice), publishes and invites; the candidate
uploads real generated video and audio with spoken sentences through presigned POSTs and
completes; the media pipeline transcodes and transcribes; the analysis runs against the fake
Groq; HR reads the scores with evidence and decides, and the AI result stays as it was."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from fakes.groq.server import FakeGroqServer
from scripts.main_job import AUDIO_SAID, VIDEO_SAID, run_main_job
from tests import media_samples
from tests.e2e.analysis.conftest import write_groq_secret


@pytest.fixture
def fake_groq_for_everything() -> Iterator[FakeGroqServer]:
    """Transcription and chat both go to the fake (the stage's Groq secret names it)."""
    with FakeGroqServer() as fake:
        fake.set_script([VIDEO_SAID, AUDIO_SAID])
        # Locally the functions read the secret on every call (GROQ_CACHE_S=0): no wait.
        write_groq_secret({"api_key": "fake-key-not-groq", "base_url": fake.base_url})
        yield fake
    write_groq_secret({"api_key": None, "base_url": None})


@pytest.mark.timeout(900)
def test_the_main_job_from_sign_up_to_an_explained_score_and_a_decision(
    api: httpx.Client, tmp_path: Path, fake_groq_for_everything: FakeGroqServer
) -> None:
    if not media_samples.has_espeak():
        pytest.fail("espeak-ng is missing: `make setup` installs it")
    # Given / When: the whole journey through the API
    job = run_main_job(api, tmp_path)
    result = job.analysis
    # Then HR reads a completed analysis with scores and evidence from what was said
    assert result["status"] == "completed", result
    assert result["engine"] == "groq"
    assert result["recommendation"] in {"hire", "consider", "reject"}
    assert result["overall"] is not None
    assert result["summary"]
    by_kind: dict[str, list[dict[str, Any]]] = {}
    for answer in result["answers"]:
        by_kind.setdefault(answer["kind"], []).append(answer)
    assert by_kind["choice"][0]["score"] == 100.0
    assert len(by_kind["media"]) == 2
    said = f"{VIDEO_SAID} {AUDIO_SAID}".lower()
    for spoken in by_kind["media"]:
        assert not spoken["unscorable"], spoken
        quote = spoken["criteria"]["relevance"]["quotes"][0]
        assert quote["start"] is not None
        assert quote["text"].lower().rstrip(".") in said
    assert by_kind["text"][0]["criteria"]["depth"]["quotes"]
    # And HR's decision is stored beside the AI result, which does not change
    assert job.decision is not None
    assert job.decision["decision"] == "advance"
    after = httpx.get(
        f"{api.base_url}v1/invitations/{job.invitation_id}/analysis",
        headers=job.hr_headers,
        timeout=60,
    ).json()
    assert (after["overall"], after["recommendation"]) == (
        result["overall"],
        result["recommendation"],
    )
    assert fake_groq_for_everything.calls["/openai/v1/audio/transcriptions"] >= 2
    assert fake_groq_for_everything.calls["/openai/v1/chat/completions"] >= 4
    # And HR's one view of the invitation carries each answer's media (steps, playback,
    # transcript) and AI result, and the whole analysis beside the decision
    detail = httpx.get(
        f"{api.base_url}v1/invitations/{job.invitation_id}",
        headers=job.hr_headers,
        timeout=60,
    )
    assert detail.status_code == 200, detail.text
    view = detail.json()
    assert view["analysis"]["status"] == "completed"
    assert view["analysis"]["overall"] == result["overall"]
    assert view["decision"]["decision"] == "advance"
    media_answers = [a for a in view["answers"] if a["kind"] == "media"]
    assert len(media_answers) == 2
    for answer in media_answers:
        assert answer["media"]["progress"]["status"] == "ready"
        assert answer["media"]["progress"]["ready_at"] is not None
        assert answer["media"]["transcript"]["segments"]
        playable = httpx.get(answer["media"]["playback_url"], timeout=60)
        assert playable.status_code == 200
        assert playable.content[4:8] == b"ftyp"  # an MP4
        assert answer["analysis"]["criteria"]["relevance"]["score"] is not None
