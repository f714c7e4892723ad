"""THE main job through the pages (issue 15), in Chromium with a fake camera and microphone:
HR signs up (the emailed link followed in the browser), sets up the company, builds and
publishes a template (video, video, text, one choice) and invites; the candidate takes the
interview through their pages (tests/e2e/web/candidate_flow.take_interview: consent, device
check, two recordings, a reload midway and the resume, the text, the option, complete); the
media pipeline and the analysis run for real; HR opens the review, the MP4 plays with captions
from its transcript, clicking a quote jumps the player to its time, rates, comments and
decides. A screenshot of every page is kept under test-artifacts/web/<test>/."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.web import candidate_flow, hr_flow
from tests.e2e.web.browser import Screens
from tests.e2e.web.hr_flow import LONG

pytestmark = pytest.mark.localstack

# The pipeline (transcode, transcribe) and the analysis take 1-3 minutes on a busy machine.
ANALYSIS_MS = 300_000
PLAYER = "[data-testid=answer-{n}] [data-testid=player]"
# A skill the written answer names (candidate_flow.TEXT_ANSWER): one per taxonomy, reused.
SKILL = "explain analyze"


def test_hr_and_the_candidate_do_the_main_job_through_the_pages(  # noqa: PLR0915 - the journey
    page: Page, screens: Screens, web_url: str, api: httpx.Client
) -> None:
    # Given HR signed up through the pages, with a company and a published template
    account = hr_flow.sign_up(page, screens, web_url)
    hr_flow.log_in(page, screens, web_url, account)
    hr_flow.set_up_company(page, screens, "Acme Hiring")
    title = "Backend engineer"
    template_id = hr_flow.build_template(page, screens, web_url, title, candidate_flow.QUESTIONS)
    # and the template requires a skill the written answer shows (issue 19)
    hr_flow.require_skill(api, page, template_id, SKILL)

    # When HR invites a candidate and the candidate takes the interview by the link shown
    invitation_id, link = hr_flow.invite_one(page, screens, web_url, title, "Grace Hopper")
    candidate = page.context.browser.new_context(viewport={"width": 390, "height": 844})  # type: ignore[union-attr]
    try:
        candidate.set_default_timeout(LONG)
        candidate_flow.take_interview(candidate.new_page(), link, screens, reload_midway=True)
    finally:
        candidate.close()

    # Then the list follows the pipeline live, and the review shows the finished analysis
    page.goto(f"{web_url}/hr/invitations")
    row = page.locator(f"tr[data-invitation-id='{invitation_id}']")
    expect(row.get_by_test_id("invitation-status")).to_have_text("Completed", timeout=LONG)
    screens.shot(page, "list-completed")
    expect(row.get_by_test_id("pipeline-status")).to_contain_text("Analysed", timeout=ANALYSIS_MS)
    screens.shot(page, "list-analysed")
    hr_flow.open_review(page, screens, web_url, invitation_id, "Grace Hopper")
    assert hr_flow.wait_for_analysis(page, ANALYSIS_MS) == "completed"
    expect(page.get_by_test_id("engine-label")).to_contain_text("Engine:")
    expect(page.get_by_test_id("summary")).not_to_be_empty()
    # And the required skill is evidenced by the written answer, with its quote
    skill = page.get_by_test_id("skills").locator(f"li[data-skill='{SKILL}']")
    expect(skill).to_have_attribute("data-evidenced", "true")
    expect(skill).to_contain_text("evidenced in answer 3")
    evidenced = page.get_by_test_id("answer-3").get_by_test_id("skills-evidenced")
    expect(evidenced).to_contain_text(SKILL)
    expect(evidenced.locator("q")).to_contain_text("explain analyze")
    screens.shot(page, "review-analysed")

    # And the written answer and the chosen option are shown
    expect(page.get_by_test_id("text-answer")).to_contain_text("explain analyze")
    expect(page.get_by_test_id("choice-answer")).to_contain_text(
        f"{candidate_flow.CHOICE} (chosen)"
    )

    # When HR plays the first recording (an MP4 from the pipeline)
    player = page.locator(PLAYER.format(n=1))
    expect(player).to_be_visible(timeout=LONG)
    assert ".mp4" in (player.get_attribute("src") or "")
    page.wait_for_function(
        "(sel) => { const v = document.querySelector(sel); return v && v.readyState >= 2; }",
        arg=PLAYER.format(n=1),
        timeout=LONG,
    )
    first = page.get_by_test_id("answer-1")
    # And each path of the recording says it is ready, with its time (issue 16)
    paths = first.get_by_test_id("media-paths")
    expect(paths).to_contain_text("Transcript ready")
    expect(paths).to_contain_text("Playback ready")
    first_start = float(first.locator("button.segment").first.get_attribute("data-start") or "nan")
    player.evaluate("v => { v.muted = true; return v.play(); }")
    page.wait_for_function(
        "([sel, t]) => document.querySelector(sel).currentTime > t",
        arg=[PLAYER.format(n=1), max(first_start, 0.5)],
        timeout=LONG,
    )
    # Then its captions come from the transcript, and the current segment is highlighted
    track = player.evaluate(
        "v => { const t = v.textTracks[0];"
        " return t ? {kind: t.kind, cues: t.cues ? t.cues.length : 0} : null; }"
    )
    assert track is not None, "no text track"
    assert track["kind"] == "captions", track
    assert track["cues"] >= 1, track
    expect(first.locator(".segment[aria-current='true']")).to_have_count(1, timeout=LONG)
    screens.shot(page, "review-playing")
    player.evaluate("v => v.pause()")

    # When HR clicks an evidence quote, the player jumps to its time
    quote = first.locator("button.quote").last
    expect(quote).to_be_visible()
    start = float(quote.get_attribute("data-start") or "nan")
    player.evaluate("v => { v.currentTime = Math.max(0, v.duration - 0.2); }")
    quote.click()
    page.wait_for_function(
        "([sel, t]) => Math.abs(document.querySelector(sel).currentTime - t) < 0.3",
        arg=[PLAYER.format(n=1), start],
        timeout=LONG,
    )
    # And clicking a transcript segment does too
    segment = first.locator("button.segment").first
    segment_start = float(segment.get_attribute("data-start") or "nan")
    segment.click()
    page.wait_for_function(
        "([sel, t]) => Math.abs(document.querySelector(sel).currentTime - t) < 0.3",
        arg=[PLAYER.format(n=1), segment_start],
        timeout=LONG,
    )
    screens.shot(page, "review-quote")

    # When HR rates two answers, comments and advances the candidate
    hr_flow.rate_answer(page, 1, 4, "Clear trade-offs, concrete system.")
    hr_flow.rate_answer(page, 3, 5, "The right first steps.")
    hr_flow.decide(
        page, screens, "advance", "Strong on trade-offs; invite to the system design round."
    )

    # Then the API holds the decision, its note and the reviews
    detail = api.get(
        f"v1/invitations/{invitation_id}",
        headers={"Authorization": f"Bearer {hr_flow.access_token(page)}"},
    )
    assert detail.status_code == 200, detail.text
    body = detail.json()
    assert body["decision"]["decision"] == "advance"
    assert body["decision"]["note"].startswith("Strong on trade-offs")
    ratings = sorted(r["rating"] for a in body["answers"] for r in a["reviews"])
    assert ratings == [4, 5]

    # And a reload of the review shows the decision and the ratings kept
    page.reload()
    hr_flow.heading(page, "Review: Grace Hopper")
    expect(page.get_by_test_id("decision")).to_contain_text("Advance", timeout=LONG)
    expect(
        page.get_by_test_id("answer-1").get_by_role("radio", name="4", exact=True)
    ).to_be_checked()
    screens.shot(page, "review-decided")
