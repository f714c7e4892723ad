"""The candidate's journey through the pages (issue 15), reusable by every browser test:
`take_interview` drives a link from the landing page to the end page on a template whose
questions are, in order: video, video, text, multiple choice (one option);
`publish_candidate_interview` makes such a template and an invitation through HR's API.

Selectors are the pages' roles and labels (what a person reads), so the test also checks that
every control is labelled.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import httpx
from playwright.sync_api import Page, expect

from scripts import main_job
from tests.e2e.identity_actors import Actor, fresh_email, make_hr_with_company
from tests.e2e.web.browser import Screens

TOKEN_HEADER = "X-Invitation-Token"
TEXT_ANSWER = (
    "First I read the plan with explain analyze, then I add the missing index, because a"
    " sequential scan on ten million rows is the usual cause."
)
CHOICE = "Repeatable read"
# Seconds each recorded answer lasts (the fake microphone says its sentence in about 6 s).
RECORD_S = 4
# Playwright's expect waits 5 s by default: recording, uploading and a Lambda's cold start on
# LocalStack take longer (milliseconds).
LONG = 60_000
# The camera's picture is playing in the preview.
CAMERA_SHOWS = (
    "() => { const v = document.querySelector('video.preview');"
    " return !!v && v.readyState >= 2 && v.videoWidth > 0; }"
)
QUESTIONS: tuple[dict[str, Any], ...] = (
    {
        "type": "video",
        "text": "Tell us about a system you designed and one trade-off you made.",
        "time_limit_s": 30,
        "think_time_s": 3,
        "max_retakes": 1,
        "rubric": "Names a concrete system, its trade-offs and the choice made.",
    },
    {
        "type": "video",
        "text": "Describe a production incident you handled and what you changed afterwards.",
        "time_limit_s": 30,
        "think_time_s": 2,
        "max_retakes": 0,
    },
    # The main job's text and choice questions (scripts/main_job.py); CHOICE is the right option.
    *main_job.QUESTIONS[2:],
)


@dataclass(frozen=True)
class CandidateInterview:
    """A published template with QUESTIONS and one invitation to it."""

    hr: Actor
    template_id: str
    question_ids: tuple[str, ...]
    invitation_id: str
    token: str

    def link(self, web_url: str) -> str:
        """The candidate's link on `web_url`: the token in the fragment only."""
        return f"{web_url.rstrip('/')}/interview#{self.token}"

    def candidate_headers(self) -> dict[str, str]:
        return {TOKEN_HEADER: self.token}


def _ok(response: httpx.Response, *statuses: int) -> dict[str, Any]:
    assert response.status_code in (statuses or (200, 201)), (
        f"{response.request.method} {response.request.url.path}: {response.text[:500]}"
    )
    body: dict[str, Any] = response.json()
    return body


def publish_candidate_interview(
    api: httpx.Client, hr: Actor | None = None, *, name: str = "Grace Hopper"
) -> CandidateInterview:
    """Through HR's API: sign-up (a fresh HR with a company unless given), the template with
    QUESTIONS, published, and an invitation for `name`."""
    hr = hr or make_hr_with_company(api, "web-candidate-hr")
    headers = hr.headers()
    template = _ok(
        api.post(
            "v1/templates",
            json={
                "title": "Backend engineer",
                "description": "Four short questions about systems you built. About ten minutes.",
                "settings": {"language": "en", "retakes_allowed": True},
            },
            headers=headers,
        ),
        201,
    )
    ids: list[str] = []
    for body in QUESTIONS:
        created = _ok(
            api.post(f"v1/templates/{template['id']}/questions", json=body, headers=headers), 201
        )
        ids.append(str(created["question"]["id"]))
    _ok(api.post(f"v1/templates/{template['id']}/publish", headers=headers))
    invitation = _ok(
        api.post(
            "v1/invitations",
            json={
                "template_id": template["id"],
                "candidate_name": name,
                "candidate_email": fresh_email("web-candidate"),
            },
            headers=headers,
        ),
        201,
    )
    return CandidateInterview(
        hr=hr,
        template_id=str(template["id"]),
        question_ids=tuple(ids),
        invitation_id=str(invitation["id"]),
        token=str(invitation["link_token"]),
    )


def _question_heading(page: Page, n: int) -> None:
    # After a recorded answer: its upload and the answer's submission come first.
    expect(page.get_by_role("heading", level=1, name=f"Question {n} of 4")).to_be_visible(
        timeout=LONG
    )


def record_answer(page: Page, screens: Screens, name: str, *, retake: bool = False) -> None:
    """On a video question: the think time, recording for RECORD_S s, playback, submit."""
    expect(page.get_by_role("heading", name="Time to think")).to_be_visible()
    expect(page.get_by_test_id("think-timer")).to_have_text(re.compile(r"^0:0\d$"))
    screens.shot(page, f"{name}-think")
    # The think time ends by itself; recording starts then.
    expect(page.get_by_role("heading", name="Recording")).to_be_visible(timeout=LONG)
    expect(page.get_by_test_id("record-timer")).to_contain_text("/ 0:30")
    page.wait_for_function(CAMERA_SHOWS)
    expect(page.get_by_test_id("record-timer")).to_contain_text(f"0:0{RECORD_S}", timeout=LONG)
    screens.shot(page, f"{name}-recording")
    page.get_by_role("button", name="Stop recording").click()
    expect(page.get_by_role("heading", name="Watch your answer")).to_be_visible()
    playback = page.get_by_label("Your recorded answer")
    expect(playback).to_be_visible()
    page.wait_for_function("() => document.querySelector('video.playback')?.readyState >= 1")
    screens.shot(page, f"{name}-playback")
    if retake:
        expect(page.get_by_test_id("retakes-left")).to_contain_text("1 more time")
        page.get_by_role("button", name="Record again").click()
        expect(page.get_by_role("heading", name="Time to think")).to_be_visible()
        page.get_by_role("button", name="Start recording now").click()
        expect(page.get_by_test_id("record-timer")).to_contain_text(f"0:0{RECORD_S}", timeout=LONG)
        page.get_by_role("button", name="Stop recording").click()
        expect(page.get_by_role("heading", name="Watch your answer")).to_be_visible()
        expect(page.get_by_test_id("retakes-left")).to_contain_text("No retakes are left")
        screens.shot(page, f"{name}-retaken")
    # The upload (its progress bar) takes a moment on LocalStack; the caller waits for the
    # next question, which appears once the answer is accepted.
    page.get_by_role("button", name="Submit this answer").click()


def check_devices(page: Page, screens: Screens) -> None:
    expect(
        page.get_by_role("heading", level=1, name="Check your camera and microphone")
    ).to_be_visible(timeout=LONG)
    page.wait_for_function(CAMERA_SHOWS)
    expect(page.get_by_label("Microphone level")).to_be_visible()
    screens.shot(page, "device-check")
    page.get_by_role("button", name=re.compile("camera and microphone work")).click()


def begin_interview(page: Page, link: str, screens: Screens, *, ai_analysis: bool = True) -> None:
    """From the link to the first question: landing, consent (the required one refused once
    first), the device check."""
    page.goto(link)
    # The first call of a Lambda on LocalStack takes seconds.
    expect(page.get_by_test_id("question-count")).to_contain_text(
        "4 questions: 2 video", timeout=LONG
    )
    expect(page.get_by_test_id("company-name")).not_to_be_empty()
    screens.shot(page, "landing")
    page.get_by_role("button", name="Begin").click()

    consent = page.get_by_role("heading", level=1, name="Your consent")
    expect(consent).to_be_visible()
    expect(consent).to_be_focused()  # each step's heading takes the focus (screen readers)
    page.get_by_role("button", name="Continue").click()  # without the required consent
    expect(page.get_by_role("alert")).to_contain_text("agree to your answers being recorded")
    page.get_by_label(re.compile("answers are recorded")).check()
    if ai_analysis:
        page.get_by_label(re.compile("analysed by AI")).check()
    screens.shot(page, "consent")
    page.get_by_role("button", name="Continue").click()

    check_devices(page, screens)


def resume_after_reload(page: Page, screens: Screens, *, answered: int) -> None:
    """Reload the page (the same link) and continue: the landing says how far it got, then the
    device check again (a reload ends the camera's stream)."""
    page.reload()
    expect(page.get_by_role("status").filter(has_text="Welcome back")).to_be_visible(timeout=LONG)
    expect(page.get_by_text(f"You have answered {answered} of 4 questions")).to_be_visible()
    screens.shot(page, "resume-landing")
    page.get_by_role("button", name="Continue the interview").click()
    check_devices(page, screens)


def take_interview(
    page: Page,
    link: str,
    screens: Screens,
    *,
    reload_midway: bool = True,
    ai_analysis: bool = True,
) -> None:
    """The whole candidate journey on a template of QUESTIONS' kinds (video, video, text, one
    choice of two with an option named CHOICE): landing, consent, device check, two recorded
    answers (a retake on the first), a reload after the first and the resume, the text answer,
    the option, complete, the end page. A screenshot of every page."""
    begin_interview(page, link, screens, ai_analysis=ai_analysis)

    _question_heading(page, 1)
    record_answer(page, screens, "question-1", retake=True)
    _question_heading(page, 2)

    if reload_midway:
        resume_after_reload(page, screens, answered=1)
        _question_heading(page, 2)

    record_answer(page, screens, "question-2")

    _question_heading(page, 3)
    expect(page.get_by_role("heading", level=1)).to_be_focused()
    expect(page.get_by_test_id("question-text")).to_contain_text("slow SQL query")
    page.get_by_label("Your answer").fill(TEXT_ANSWER)
    screens.shot(page, "question-3-text")
    page.get_by_role("button", name="Submit this answer").click()

    _question_heading(page, 4)
    page.get_by_role("radio", name=CHOICE).check()
    screens.shot(page, "question-4-choice")
    page.get_by_role("button", name="Submit this answer").click()

    expect(
        page.get_by_role("heading", level=1, name="You have answered every question")
    ).to_be_visible()
    screens.shot(page, "finish")
    page.get_by_role("button", name="Finish the interview").click()
    expect(page.get_by_test_id("interview-complete")).to_be_visible(timeout=LONG)
    screens.shot(page, "end")
