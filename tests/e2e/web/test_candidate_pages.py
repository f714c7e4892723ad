"""The candidate's pages in Chromium with fake devices, against the API on LocalStack: the whole
journey (consent, device check, two recorded answers with a retake, a reload and the resume, a
text answer, an option, complete), blocked and missing devices, and dead links."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Request, Route, expect

from scripts import localenv
from shared.dal.db import conninfo_for
from shared.interviews.candidate_models import CURRENT_CONSENT_TEXT_VERSION
from shared.settings import DatabaseSettings
from tests import media_samples
from tests.e2e.identity_actors import Actor, make_hr_with_company
from tests.e2e.web.browser import Screens
from tests.e2e.web.candidate_flow import (
    CHOICE,
    LONG,
    TEXT_ANSWER,
    CandidateInterview,
    begin_interview,
    publish_candidate_interview,
    resume_after_reload,
    take_interview,
)

pytestmark = pytest.mark.localstack

# getUserMedia failing as a browser does when the person blocks access or has no device.
FAILING_DEVICES = """
Object.defineProperty(navigator.mediaDevices, 'getUserMedia', {
  value: () => Promise.reject(new DOMException('blocked by the test', '%s')),
});
"""


@pytest.fixture(scope="module")
def hr(api: httpx.Client) -> Actor:
    return make_hr_with_company(api, "web-candidate-hr")


@pytest.fixture
def interview(api: httpx.Client, hr: Actor) -> CandidateInterview:
    return publish_candidate_interview(api, hr)


@pytest.fixture
def phone(browser: Browser) -> Iterator[BrowserContext]:
    """A context of a phone's width (375 px), where the pages must work too."""
    ctx = browser.new_context(
        viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True
    )
    ctx.set_default_timeout(30_000)
    yield ctx
    ctx.close()


def _sql(query: str, *params: Any) -> None:
    settings = DatabaseSettings(name=localenv.DB_NAME, secret_arn=None)
    with psycopg.connect(conninfo_for(settings), autocommit=True) as conn:
        conn.execute(query, params)


def _detail(api: httpx.Client, interview: CandidateInterview) -> dict[str, Any]:
    path = f"v1/invitations/{interview.invitation_id}"
    deadline = time.monotonic() + 60
    response = api.get(path, headers=interview.hr.headers())
    # A Lambda's cold start on a busy LocalStack sometimes answers 502 once.
    while response.status_code in {502, 503} and time.monotonic() < deadline:
        response = api.get(path, headers=interview.hr.headers())
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_a_candidate_takes_the_whole_interview_with_a_reload_midway(
    api: httpx.Client,
    interview: CandidateInterview,
    page: Page,
    screens: Screens,
    web_url: str,
) -> None:
    # Given a published interview (video, video, text, one choice) and its link
    link = interview.link(web_url)
    requests: list[Request] = []
    # A plain function: Playwright cannot wrap a builtin method as a handler.
    page.on("request", lambda r: requests.append(r))  # noqa: PLW0108
    # When the candidate goes through it, reloading after the first recorded answer
    take_interview(page, link, screens, reload_midway=True, ai_analysis=True)
    # Then the invitation is completed with both recordings and the written answers stored
    detail = _detail(api, interview)
    assert detail["invitation"]["status"] == "completed"
    assert detail["invitation"]["completion_reason"] == "manual"
    answers = {a["question_id"]: a for a in detail["answers"]}
    video_1, video_2, text_q, choice_q = interview.question_ids
    assert answers[video_1]["kind"] == answers[video_2]["kind"] == "media"
    assert answers[video_1]["media_ref"]
    assert answers[video_2]["media_ref"]
    assert answers[text_q]["text"] == TEXT_ANSWER
    question = next(q for q in detail["questions"] if q["id"] == choice_q)
    chosen = next(o["id"] for o in question["options"] if o["text"] == CHOICE)
    assert answers[choice_q]["selected_option_ids"] == [chosen]
    # and the token went to no server in a URL (only in the X-Invitation-Token header)
    assert not [r.url for r in requests if interview.token in r.url.split("#", 1)[0]]
    # and the consent went with the start, with the version of the text shown, as the API
    # records it (HR's detail shows it)
    starts = [r for r in requests if r.url.endswith("/v1/candidate/interview/start")]
    assert [r.post_data_json for r in starts if r.method == "POST"] == [
        {"recording": True, "ai_analysis": True, "text_version": CURRENT_CONSENT_TEXT_VERSION}
    ]
    assert detail["invitation"]["consent"]["ai_analysis"] is True
    assert detail["invitation"]["consent"]["text_version"] == CURRENT_CONSENT_TEXT_VERSION


@pytest.mark.parametrize(
    ("error", "problem", "message"),
    [
        ("NotAllowedError", "denied", "Camera and microphone access is blocked"),
        ("NotFoundError", "missing", "No camera or microphone found"),
    ],
)
def test_blocked_or_missing_devices_are_explained_with_a_retry(  # noqa: PLR0917 - fixtures
    interview: CandidateInterview,
    phone: BrowserContext,
    screens: Screens,
    web_url: str,
    error: str,
    problem: str,
    message: str,
) -> None:
    # Given a browser (at a phone's width) whose camera is blocked, or absent
    phone.clear_permissions()
    phone.add_init_script(FAILING_DEVICES % error)
    page = phone.new_page()
    page.goto(interview.link(web_url))
    expect(page.get_by_role("button", name="Begin")).to_be_visible(timeout=LONG)
    screens.shot(page, "landing-phone")
    page.get_by_role("button", name="Begin").click()
    page.get_by_label("I agree that my answers are recorded (required).").check()
    page.get_by_role("button", name="Continue").click()
    # When the device check asks for them / Then it says what is wrong, and offers a retry
    shown = page.get_by_test_id("device-problem")
    expect(shown).to_have_attribute("data-problem", problem, timeout=LONG)
    expect(shown).to_contain_text(message)
    retry = page.get_by_role("button", name="Try again")
    expect(retry).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375  # no sideways scrolling
    screens.shot(page, f"device-{problem}")
    retry.click()
    expect(shown).to_contain_text(message)


@pytest.mark.parametrize("how", ["expired", "cancelled", "completed"])
def test_a_dead_link_shows_its_page(  # noqa: PLR0917 - fixtures
    api: httpx.Client,
    interview: CandidateInterview,
    page: Page,
    screens: Screens,
    web_url: str,
    how: str,
) -> None:
    # Given a link whose invitation expired, was cancelled, or was completed
    if how == "expired":
        _sql(
            "UPDATE interviews.invitations SET expires_at = now() - interval '1 minute'"
            " WHERE id = %s",
            interview.invitation_id,
        )
    elif how == "cancelled":
        cancelled = api.post(
            f"v1/invitations/{interview.invitation_id}/cancel", headers=interview.hr.headers()
        )
        assert cancelled.status_code == 200, cancelled.text
    else:
        link = interview.candidate_headers()
        started = api.post(
            "v1/candidate/interview/start",
            json={"recording": True, "ai_analysis": True},
            headers=link,
        )
        assert started.status_code == 200, started.text
        done = api.post(
            "v1/candidate/interview/complete", json={"reason": "early_finish"}, headers=link
        )
        assert done.status_code == 200, done.text
    # When the candidate opens it
    page.goto(interview.link(web_url))
    # Then a clear page says so
    if how == "completed":
        expect(page.get_by_test_id("link-completed")).to_be_visible(timeout=LONG)
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "You have already completed this interview"
        )
    else:
        expect(page.get_by_test_id("link-gone")).to_contain_text(how, timeout=LONG)
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "This interview link is no longer open"
        )
    screens.shot(page, f"link-{how}")


def test_a_dropped_upload_is_kept_and_resumes_after_a_reload(  # noqa: PLR0917 - fixtures
    api: httpx.Client,
    interview: CandidateInterview,
    page: Page,
    screens: Screens,
    web_url: str,
    outputs: dict[str, str],
) -> None:
    # Given a candidate at the first question whose connection to S3 drops
    to_s3 = re.compile(re.escape(outputs["MediaBucketName"]))
    page.route(to_s3, lambda route: route.abort("connectionfailed"))
    begin_interview(page, interview.link(web_url), screens)
    expect(page.get_by_role("heading", name="Time to think")).to_be_visible(timeout=LONG)
    page.get_by_role("button", name="Start recording now").click()
    expect(page.get_by_test_id("record-timer")).to_contain_text("0:02", timeout=LONG)
    page.get_by_role("button", name="Stop recording").click()
    page.get_by_role("button", name="Submit this answer").click()
    # When the upload fails / Then it says so and offers a retry, keeping the recording
    expect(page.get_by_role("alert")).to_contain_text("connection dropped", timeout=LONG)
    expect(page.get_by_role("button", name="Try the upload again")).to_be_visible()
    screens.shot(page, "upload-dropped")
    # When the connection is back and the candidate reopens the link (a reload)
    page.unroute(to_s3)
    resume_after_reload(page, screens, answered=0)
    # Then the kept recording is uploaded and submitted, and the next question comes
    expect(page.get_by_role("heading", level=1, name="Question 2 of 4")).to_be_visible(timeout=LONG)
    screens.shot(page, "resumed-next-question")
    answers = {a["question_id"]: a for a in _detail(api, interview)["answers"]}
    assert answers[interview.question_ids[0]]["kind"] == "media"


# How many recordings the page keeps in IndexedDB for resuming (web/src/candidate/pending.ts).
KEPT_RECORDINGS = """() => new Promise((resolve, reject) => {
  const open = indexedDB.open('interview-uploads', 1);
  open.onerror = () => reject(open.error);
  open.onsuccess = () => {
    const count = open.result.transaction('pending', 'readonly').objectStore('pending').count();
    count.onsuccess = () => resolve(count.result);
    count.onerror = () => reject(count.error);
  };
})"""


def test_a_large_recording_goes_in_parts_and_resumes_after_a_dropped_part(  # noqa: PLR0917 - fixtures
    api: httpx.Client,
    interview: CandidateInterview,
    page: Page,
    screens: Screens,
    web_url: str,
    outputs: dict[str, str],
    tmp_path: Path,
) -> None:
    # Given a recording above the multipart threshold (20 MiB: parts of 8 MiB), chosen as a file
    # ("Upload a recording instead"), and S3 dropping the connection on part 2 the first time
    recording = media_samples.answer_webm(tmp_path / "large.webm", 2, speech=False)
    with recording.open("ab") as out:
        out.write(b"\0" * (21 * 1024 * 1024 - recording.stat().st_size))
    puts: list[int] = []

    def part(route: Route) -> None:
        found = re.search(r"partNumber=(\d+)", route.request.url)
        assert found is not None
        number = int(found.group(1))
        puts.append(number)
        if number == 2 and puts.count(2) == 1:
            route.abort("connectionreset")
        else:
            route.continue_()

    page.route(re.compile(re.escape(outputs["MediaBucketName"]) + ".*partNumber="), part)
    begin_interview(page, interview.link(web_url), screens)
    chooser = page.get_by_label("Upload a recording instead")
    expect(chooser).to_be_visible(timeout=LONG)
    chooser.set_input_files(str(recording))
    expect(page.get_by_role("heading", level=2, name="Watch your answer")).to_be_visible()
    screens.shot(page, "file-chosen")
    # When it is submitted, part 2 fails, and the candidate reloads the page
    page.get_by_role("button", name="Submit this answer").click()
    expect(page.get_by_role("button", name="Try the upload again")).to_be_visible(timeout=LONG)
    screens.shot(page, "part-dropped")
    resume_after_reload(page, screens, answered=0)
    # Then the kept recording resumes by itself: only part 2 again and part 3, the answer is the
    # completed multipart upload, and nothing stays on the device
    expect(page.get_by_role("heading", level=1, name="Question 2 of 4")).to_be_visible(timeout=LONG)
    assert puts == [1, 2, 2, 3]
    assert page.evaluate(KEPT_RECORDINGS) == 0
    answers = {a["question_id"]: a for a in _detail(api, interview)["answers"]}
    assert answers[interview.question_ids[0]]["kind"] == "media"
    assert answers[interview.question_ids[0]]["media_ref"]


def test_a_link_expiring_midway_shows_the_gone_page_at_the_next_submit(
    interview: CandidateInterview, page: Page, screens: Screens, web_url: str
) -> None:
    # Given a candidate who recorded the first answer
    begin_interview(page, interview.link(web_url), screens)
    page.get_by_role("button", name="Start recording now").click(timeout=LONG)
    expect(page.get_by_test_id("record-timer")).to_contain_text("0:02", timeout=LONG)
    page.get_by_role("button", name="Stop recording").click()
    # When the link's expiry passes before the candidate submits (HR cannot cancel a running
    # interview; a link can expire during one)
    _sql(
        "UPDATE interviews.invitations SET expires_at = now() - interval '1 minute' WHERE id = %s",
        interview.invitation_id,
    )
    page.get_by_role("button", name="Submit this answer").click()
    # Then the page says the link is no longer open (not a bare error)
    expect(page.get_by_test_id("link-gone")).to_contain_text("expired", timeout=LONG)
    screens.shot(page, "expired-midway")


def test_a_link_without_a_token_says_so(page: Page, screens: Screens, web_url: str) -> None:
    page.goto(f"{web_url}/interview")
    expect(page.get_by_test_id("link-unknown")).to_be_visible()
    screens.shot(page, "link-unknown")
