"""The web app (issue 15): `make bench-web` -> bench/results/web.json.

  candidate_bundle_gzip_kb  JS + CSS + HTML a first load of the candidate's page fetches, gzipped
                            (Vite's manifest: the entry's closure plus the candidate chunk's)
  hr_bundle_gzip_kb         the same for HR's workspace
  candidate_first_load_ms   headless Chromium, a fresh profile (no cache) each time: from the
                            navigation to the candidate's link until the landing page shows the
                            interview (the API answered); median of RUNS, after one warm-up
  review_page_load_ms       a signed-in HR opens the review of an analysed interview: from the
                            navigation until the analysis, the transcript and a playable MP4
                            (metadata loaded) are on the page; median of RUNS
  upload_mb_per_s           a 50 MB recording through the candidate's page (its "upload a file
                            instead" control) to LocalStack's S3: size / time from pressing
                            "Submit this answer" to the page showing the next question
                            (multipart: 8 MiB parts, one after another); median of UPLOAD_RUNS

Against the deployed local stack (`make up`), loopback only. Targets (issue 15): candidate
bundle <= 150 KB gzipped; candidate first load <= 1,000 ms.
"""

from __future__ import annotations

import json
import statistics
import tempfile
import time
from pathlib import Path

import httpx
from playwright.sync_api import Browser, Page, expect, sync_playwright

from bench import _bundles
from bench._common import write_result
from scripts import localenv, main_job, web
from tests import media_samples
from tests.e2e.web import browser as chromium
from tests.e2e.web import candidate_flow

RUNS = 5
UPLOAD_RUNS = 3
UPLOAD_MB = 50
DEADLINE_MS = 120_000
UPLOAD_DEADLINE_MS = 600_000


def _first_load_ms(browser: Browser, link: str) -> float:
    context = browser.new_context()
    try:
        page = context.new_page()
        started = time.perf_counter()
        page.goto(link)
        expect(page.get_by_test_id("question-count")).to_be_visible(timeout=DEADLINE_MS)
        return (time.perf_counter() - started) * 1000
    finally:
        context.close()


def candidate_first_load_ms(browser: Browser, api: httpx.Client, web_url: str) -> float:
    interview = candidate_flow.publish_candidate_interview(api)
    link = interview.link(web_url)
    _first_load_ms(browser, link)  # warm-up: the Lambda environments behind the landing page
    return statistics.median(_first_load_ms(browser, link) for _ in range(RUNS))


def _signed_in(browser: Browser, api: httpx.Client, email: str) -> Page:
    pair = main_job.expect(
        api.post("v1/auth/login", json={"email": email, "password": main_job.PASSWORD})
    )
    context = browser.new_context()
    # The session as the app keeps it after a sign-in (web/src/hr/session.ts).
    session = {
        "access_token": pair["access_token"],
        "refresh_token": pair["refresh_token"],
        "expires_at": int(time.time() * 1000) + 600_000,
    }
    context.add_init_script(
        f"localStorage.setItem('interviews.hr.session', {json.dumps(json.dumps(session))})"
    )
    return context.new_page()


def _review_load_ms(browser: Browser, api: httpx.Client, job: main_job.MainJob, url: str) -> float:
    page = _signed_in(browser, api, job.hr_email)
    try:
        started = time.perf_counter()
        page.goto(url)
        expect(page.get_by_test_id("analysis-status")).to_have_attribute(
            "data-status", "completed", timeout=DEADLINE_MS
        )
        expect(page.get_by_test_id("summary")).not_to_be_empty(timeout=DEADLINE_MS)
        page.wait_for_function(
            "() => [...document.querySelectorAll('video')].some(v => v.readyState >= 1)",
            timeout=DEADLINE_MS,
        )
        return (time.perf_counter() - started) * 1000
    finally:
        page.context.close()


def review_page_load_ms(browser: Browser, api: httpx.Client, web_url: str) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        job = main_job.run_main_job(api, Path(tmp))
    if job.analysis["status"] != "completed":
        raise RuntimeError(f"the analysis did not complete: {job.analysis['status']}")
    url = f"{web_url}/hr/invitations/{job.invitation_id}"
    _review_load_ms(browser, api, job, url)  # warm-up
    return statistics.median(_review_load_ms(browser, api, job, url) for _ in range(RUNS))


def _upload_s(browser: Browser, api: httpx.Client, web_url: str, recording: Path) -> float:
    interview = candidate_flow.publish_candidate_interview(api)
    context = browser.new_context()
    try:
        page = context.new_page()
        screens = chromium.Screens("bench-web-upload")
        candidate_flow.begin_interview(page, interview.link(web_url), screens)
        expect(page.get_by_test_id("question-text")).to_be_visible(timeout=DEADLINE_MS)
        chooser = page.get_by_label("Upload a recording instead")
        expect(chooser).to_be_visible(timeout=DEADLINE_MS)
        chooser.set_input_files(str(recording))
        expect(page.get_by_role("heading", level=2, name="Watch your answer")).to_be_visible(
            timeout=DEADLINE_MS
        )
        started = time.perf_counter()
        page.get_by_role("button", name="Submit this answer").click()
        # Submitted: the page moves on to the next question once every part is up and the
        # answer is registered.
        expect(page.get_by_role("heading", level=1, name="Question 2 of 4")).to_be_visible(
            timeout=UPLOAD_DEADLINE_MS
        )
        return time.perf_counter() - started
    finally:
        context.close()


def upload_mb_per_s(browser: Browser, api: httpx.Client, web_url: str) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        # A real recording's container (WebM) padded to 50 MB: the page and S3 see its bytes only;
        # the pipeline that follows is not measured here.
        recording = Path(tmp) / "answer.webm"
        media_samples.answer_webm(recording, 3, speech=False)
        with recording.open("ab") as out:
            out.write(b"\0" * (UPLOAD_MB * 1024 * 1024 - recording.stat().st_size))
        size_mb = recording.stat().st_size / (1024 * 1024)
        runs = [_upload_s(browser, api, web_url, recording) for _ in range(UPLOAD_RUNS)]
    return size_mb / statistics.median(runs)


def main() -> None:
    web.build()
    metrics = {
        "candidate_bundle_gzip_kb": _bundles.bundle_gzip_kb("candidate"),
        "hr_bundle_gzip_kb": _bundles.bundle_gzip_kb("hr"),
    }
    outputs = localenv.stack_outputs()
    web_url = outputs["WebUrl"].rstrip("/")
    with (
        tempfile.TemporaryDirectory() as devices_dir,
        httpx.Client(base_url=outputs["ApiUrl"], timeout=60.0) as api,
        sync_playwright() as playwright,
    ):
        devices = chromium.make_devices(Path(devices_dir))
        browser = playwright.chromium.launch(
            executable_path=chromium.CHROMIUM, headless=True, args=chromium.launch_args(devices)
        )
        try:
            metrics["candidate_first_load_ms"] = candidate_first_load_ms(browser, api, web_url)
            metrics["review_page_load_ms"] = review_page_load_ms(browser, api, web_url)
            metrics["upload_mb_per_s"] = upload_mb_per_s(browser, api, web_url)
        finally:
            browser.close()
    write_result("web", metrics)
    print(metrics)


if __name__ == "__main__":
    main()
