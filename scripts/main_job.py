"""The main job as a client does it, over HTTP through API Gateway: HR signs up, creates a
company and a template (video, audio, text, multiple choice), publishes and invites; the
candidate consents (to recording and to AI analysis), records real answers (ffmpeg `testsrc`
picture + espeak-ng speech), uploads them with presigned POSTs and completes; the media pipeline
and the analysis run; HR reads the analysis and decides. Used by `make demo` (prints it) and by
tests/e2e/test_main_job.py (asserts it)."""

from __future__ import annotations

import shutil
import subprocess
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from scripts import accounts

TOKEN_HEADER = "X-Invitation-Token"  # noqa: S105 - a header name
# The candidate's consent, given with the start: recorded, and analysed by AI.
CONSENT = {"recording": True, "ai_analysis": True}
# A demo account's password (each run signs up a fresh HR user on the local stack).
PASSWORD = "correct horse 42 battery"  # noqa: S105
VIDEO_SAID = (
    "I designed a payment system with a message queue. "
    "The trade-off was latency against consistency, and we chose consistency."
)
AUDIO_SAID = "I explain trade-offs to my team with numbers, for example cost per request."
TEXT = (
    "First I read the plan with explain analyze, then I add the missing index, "
    "because a sequential scan on ten million rows is the usual cause."
)
QUESTIONS: tuple[dict[str, Any], ...] = (
    {
        "type": "video",
        "text": "Tell us about a system you designed and one trade-off you made.",
        "time_limit_s": 120,
        "rubric": "Names a concrete system, its trade-offs and the choice made.",
    },
    {
        "type": "audio",
        "text": "How do you explain technical trade-offs to your team?",
        "time_limit_s": 90,
    },
    {
        "type": "text",
        "text": "How would you make a slow SQL query faster? Name your first steps.",
        "time_limit_s": 300,
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
)


# What HR waits for: the AI's result (or its failure), or the human-only review.
FINISHED = ("completed", "failed", "human_review")


class MainJobError(RuntimeError):
    """A step of the journey answered something else than expected."""


@dataclass
class MainJob:
    hr_headers: dict[str, str]
    company_id: str
    invitation_id: str
    analysis: dict[str, Any]
    decision: dict[str, Any] | None = None
    hr_email: str = ""  # the HR account's (its password is PASSWORD)


def expect(response: httpx.Response, *statuses: int) -> dict[str, Any]:
    if response.status_code not in (statuses or (200, 201)):
        raise MainJobError(
            f"{response.request.method} {response.request.url.path} -> "
            f"{response.status_code}: {response.text[:500]}"
        )
    body: dict[str, Any] = response.json()
    return body


def ffmpeg() -> str:
    import imageio_ffmpeg  # noqa: PLC0415 - only the journey records media

    return str(imageio_ffmpeg.get_ffmpeg_exe())


def recording(path: Path, said: str, *, video: bool) -> bytes:
    """A browser-like WebM: VP8 `testsrc` + Opus speech by espeak-ng (a tone without it)."""
    espeak = shutil.which("espeak-ng")
    if espeak is not None:
        wav = path.with_suffix(".wav")
        subprocess.run([espeak, "-s", "150", "-w", str(wav), said], check=True, timeout=60)
        sound = ["-i", str(wav)]
    else:
        sound = ["-f", "lavfi", "-i", "sine=frequency=440:duration=6"]
    picture = ["-f", "lavfi", "-i", "testsrc=size=320x240:rate=15:duration=12"] if video else []
    codecs = ["-c:v", "libvpx", "-b:v", "300k", "-deadline", "realtime"] if video else ["-vn"]
    subprocess.run(
        [
            ffmpeg(), "-hide_banner", "-nostdin", "-v", "error", "-y",
            *picture, *sound, *codecs, "-c:a", "libopus", "-shortest", str(path),
        ],
        check=True,
        timeout=180,
    )  # fmt: skip
    return path.read_bytes()


def sign_up_hr(api: httpx.Client, email: str | None = None) -> tuple[dict[str, str], str]:
    email = email or f"hr-{uuid.uuid4().hex[:10]}@example.com"
    expect(api.post("v1/auth/register", json={"email": email, "password": PASSWORD}), 202)
    # The verification email, read back from SES, and its link followed (as a person would).
    accounts.confirm_from_inbox(api, email)
    tokens = expect(api.post("v1/auth/login", json={"email": email, "password": PASSWORD}))
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    expect(api.post("v1/me/role", json={"role": "hr"}, headers=headers))
    company = expect(api.post("v1/companies", json={"name": "Acme Hiring"}, headers=headers), 201)
    return headers, str(company["id"])


def invite(api: httpx.Client, hr: dict[str, str], template_id: str, name: str) -> dict[str, Any]:
    """A new invitation (a fresh email each time) with its link token."""
    email = f"{name.split(maxsplit=1)[0].lower()}-{uuid.uuid4().hex[:8]}@example.com"
    return expect(
        api.post(
            "v1/invitations",
            json={"template_id": template_id, "candidate_name": name, "candidate_email": email},
            headers=hr,
        ),
        201,
    )


def upload(
    api: httpx.Client, link: dict[str, str], question_id: str, data: bytes, content_type: str
) -> str:
    ticket = expect(
        api.post(
            f"v1/candidate/interview/questions/{question_id}/uploads",
            json={"content_type": content_type, "size_bytes": len(data)},
            headers=link,
        ),
        201,
    )
    sent = httpx.post(
        ticket["url"],
        data=ticket["fields"],
        files={"file": ("answer.webm", data, content_type)},
        timeout=60.0,
    )
    if sent.status_code not in {200, 201, 204}:
        raise MainJobError(f"the presigned POST answered {sent.status_code}: {sent.text[:300]}")
    return str(ticket["upload_id"])


def run_main_job(
    api: httpx.Client,
    workdir: Path,
    *,
    deadline_s: float = 420.0,
    log: Callable[[str], None] = lambda _line: None,
    ai_analysis: bool = True,
) -> MainJob:
    """The whole journey; returns the analysis HR reads (completed or failed, or the human-only
    review when the candidate declines AI analysis: ``ai_analysis`` False) before deciding."""
    hr_email = f"hr-{uuid.uuid4().hex[:10]}@example.com"
    hr, company_id = sign_up_hr(api, hr_email)
    log(f"HR {hr_email} signed up; company {company_id}")
    template = expect(
        api.post(
            "v1/templates",
            json={"title": "Backend engineer", "settings": {"language": "en"}},
            headers=hr,
        ),
        201,
    )
    questions: dict[str, str] = {}
    options: list[dict[str, Any]] = []
    for body in QUESTIONS:
        created = expect(
            api.post(f"v1/templates/{template['id']}/questions", json=body, headers=hr), 201
        )["question"]
        questions[str(body["type"])] = str(created["id"])
        options = created.get("options") or options
    expect(api.post(f"v1/templates/{template['id']}/publish", headers=hr))
    invitation = invite(api, hr, str(template["id"]), "Grace Hopper")
    log(f"template published with 4 questions; invitation {invitation['id']}")
    link = {TOKEN_HEADER: str(invitation["link_token"])}
    consent = {**CONSENT, "ai_analysis": ai_analysis}
    started = expect(api.post("v1/candidate/interview/start", json=consent, headers=link))
    ai = "and to AI analysis" if started["consent"]["ai_analysis"] else "(AI analysis declined)"
    log(f"candidate consented to recording {ai}; interview started")
    video = recording(workdir / "video.webm", VIDEO_SAID, video=True)
    audio = recording(workdir / "audio.webm", AUDIO_SAID, video=False)
    video_upload = upload(api, link, questions["video"], video, "video/webm")
    audio_upload = upload(api, link, questions["audio"], audio, "audio/webm")
    correct = [o["id"] for o in options if o["correct"]]
    for question_id, body in (
        (questions["video"], {"upload_id": video_upload}),
        (questions["audio"], {"upload_id": audio_upload}),
        (questions["text"], {"text": TEXT}),
        (questions["multiple_choice"], {"option_ids": correct}),
    ):
        expect(
            api.post(
                f"v1/candidate/interview/questions/{question_id}/answer", json=body, headers=link
            ),
            201,
        )
    expect(api.post("v1/candidate/interview/complete", json={"reason": "manual"}, headers=link))
    log(f"candidate uploaded {len(video)} + {len(audio)} bytes of speech and completed")
    path = f"v1/invitations/{invitation['id']}/analysis"
    deadline = time.monotonic() + deadline_s
    analysis: dict[str, Any] = {}
    while time.monotonic() < deadline:
        response = api.get(path, headers=hr)
        if response.status_code == 200 and response.json()["status"] in FINISHED:
            analysis = response.json()
            break
        time.sleep(2)  # poll interval within the deadline
    if not analysis:
        raise MainJobError(f"no finished analysis within {deadline_s:.0f} s")
    if analysis["status"] == "human_review":
        log("human-only review: no AI model read the answers")
    else:
        log(f"analysis {analysis['status']} by the {analysis['engine']} engine")
    job = MainJob(hr, company_id, str(invitation["id"]), analysis, hr_email=hr_email)
    if analysis["status"] in ("completed", "human_review"):
        job.decision = expect(
            api.post(
                f"v1/invitations/{invitation['id']}/decision",
                json={"decision": "advance", "note": "Clear trade-offs."},
                headers=hr,
            )
        )
    return job
