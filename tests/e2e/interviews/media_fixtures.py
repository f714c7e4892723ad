"""Fixtures of the candidate's e2e tests, made through the real API and ffmpeg: the interview
HR publishes (a video, a text and a multiple-choice question) with an invitation to it, and the
answer a browser records (a short WebM: VP8 `testsrc` picture + Opus `sine` tone)."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import imageio_ffmpeg

from shared.interviews.candidate_models import CURRENT_CONSENT_TEXT_VERSION
from tests.e2e.identity_actors import Actor, fresh_email, make_hr_with_company


def small_answer_webm(path: Path, seconds: float = 2.0) -> bytes:
    """Write a ``seconds`` long 160x120 WebM to ``path`` and return its bytes."""
    subprocess.run(
        [
            str(imageio_ffmpeg.get_ffmpeg_exe()),
            "-hide_banner",
            "-nostdin",
            "-v",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            f"testsrc=size=160x120:rate=15:duration={seconds}",
            "-f",
            "lavfi",
            "-i",
            f"sine=frequency=440:duration={seconds}",
            "-c:v",
            "libvpx",
            "-b:v",
            "200k",
            "-c:a",
            "libopus",
            "-shortest",
            str(path),
        ],
        check=True,
        timeout=120,
    )
    data = path.read_bytes()
    # The EBML magic every WebM starts with: ffmpeg really wrote a WebM.
    assert data[:4] == b"\x1a\x45\xdf\xa3"
    return data


# ---- the interview -------------------------------------------------------------------------
TOKEN_HEADER = "X-Invitation-Token"
# What a start sends: the consent to recording and to AI analysis, and the text's version.
CONSENT: dict[str, bool | str] = {
    "recording": True,
    "ai_analysis": True,
    "text_version": CURRENT_CONSENT_TEXT_VERSION,
}
RUBRIC = "A strong answer names a concrete system, its trade-offs and what was learnt."


@dataclass
class Interview:
    """A published template with a video, a text and a multiple-choice question, and one
    invitation to it (the link token is what the candidate holds)."""

    hr: Actor
    template_id: str
    questions: dict[str, str]
    options: list[dict[str, Any]]
    invitation_id: str
    token: str
    extra: dict[str, Any] = field(default_factory=dict)

    def candidate_headers(self) -> dict[str, str]:
        return {TOKEN_HEADER: self.token}


def _ok(response: httpx.Response, *statuses: int) -> dict[str, Any]:
    assert response.status_code in (statuses or (200, 201)), response.text
    body: dict[str, Any] = response.json()
    return body


def publish_interview(api: httpx.Client, hr: Actor, *, max_retakes: int = 1) -> dict[str, Any]:
    """Through HR's API: a template with the three question types, published."""
    headers = hr.headers()
    template = _ok(
        api.post(
            "v1/templates",
            json={
                "title": "Backend engineer",
                "description": "Three questions, about ten minutes.",
                "settings": {"language": "en", "retakes_allowed": True},
            },
            headers=headers,
        ),
        201,
    )
    base = f"v1/templates/{template['id']}/questions"
    questions: dict[str, str] = {}
    options: list[dict[str, Any]] = []
    for body in (
        {
            "type": "video",
            "text": "Tell us about a system you designed and one trade-off you made.",
            "time_limit_s": 120,
            "max_retakes": max_retakes,
            "rubric": RUBRIC,
        },
        {
            "type": "text",
            "text": "How would you make a slow SQL query faster? Name your first steps.",
            "time_limit_s": 300,
            "max_retakes": max_retakes,
        },
        {
            "type": "multiple_choice",
            "text": "Which isolation level prevents non-repeatable reads?",
            "time_limit_s": 60,
            "options": [
                {"text": "Read committed", "correct": False},
                {"text": "Repeatable read", "correct": True},
            ],
        },
    ):
        created = _ok(api.post(base, json=body, headers=headers), 201)["question"]
        questions[str(body["type"])] = created["id"]
        if created.get("options"):
            options = created["options"]
    _ok(api.post(f"v1/templates/{template['id']}/publish", headers=headers))
    return {"template_id": template["id"], "questions": questions, "options": options}


def invite(api: httpx.Client, hr: Actor, template_id: str, name: str = "Grace") -> dict[str, Any]:
    return _ok(
        api.post(
            "v1/invitations",
            json={
                "template_id": template_id,
                "candidate_name": name,
                "candidate_email": fresh_email("candidate"),
            },
            headers=hr.headers(),
        ),
        201,
    )


def make_interview(api: httpx.Client, hr: Actor | None = None, **kwargs: Any) -> Interview:
    hr = hr or make_hr_with_company(api, "hr-interview")
    published = publish_interview(api, hr, **kwargs)
    invitation = invite(api, hr, published["template_id"])
    assert invitation["link_token"], invitation
    return Interview(
        hr=hr,
        template_id=published["template_id"],
        questions=published["questions"],
        options=published["options"],
        invitation_id=invitation["id"],
        token=invitation["link_token"],
    )
