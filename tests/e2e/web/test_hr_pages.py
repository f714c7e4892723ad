"""HR's pages in Chromium (issue 15): sign-up through the emailed link, the company setup, the
template builder (every question kind, reorder by keyboard, weights, publish, duplicate,
archive), the bulk invitation by pasted CSV with its per-row report, and the list's filters.
A screenshot of every page is kept under test-artifacts/web/<test>/."""

from __future__ import annotations

import re
import uuid
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from scripts import accounts
from tests.e2e.identity_actors import PASSWORD, make_hr_with_company
from tests.e2e.web import hr_flow
from tests.e2e.web.browser import Screens
from tests.e2e.web.hr_flow import LONG, heading

pytestmark = pytest.mark.localstack

QUESTIONS: tuple[dict[str, Any], ...] = (
    {
        "type": "video",
        "text": "Tell us about a system you designed and one trade-off you made.",
        "time_limit_s": 90,
        "think_time_s": 20,
        "max_retakes": 2,
        "rubric": "Names a concrete system, its trade-offs and the choice made.",
    },
    {
        "type": "audio",
        "text": "How do you explain technical trade-offs to your team?",
        "time_limit_s": 60,
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
            {"text": "Read uncommitted", "correct": False},
        ],
    },
    {
        "type": "multiple_choice",
        "text": "Which of these are relational databases? Pick every one.",
        "time_limit_s": 60,
        "options": [
            {"text": "PostgreSQL", "correct": True},
            {"text": "Redis", "correct": False},
            {"text": "MySQL", "correct": True},
        ],
    },
)


def _api_get(api: httpx.Client, page: Page, path: str) -> dict[str, Any]:
    answer = api.get(path, headers={"Authorization": f"Bearer {hr_flow.access_token(page)}"})
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def test_the_builder_makes_every_question_kind_reorders_by_keyboard_weights_and_publishes(  # noqa: PLR0915 - one journey
    page: Page, screens: Screens, web_url: str, api: httpx.Client
) -> None:
    # Given a new HR account, confirmed through the emailed link, with its company
    account = hr_flow.sign_up(page, screens, web_url)
    hr_flow.log_in(page, screens, web_url, account)
    hr_flow.set_up_company(page, screens, "Builder Ltd")

    # When a template gets a question of every kind
    template_id = hr_flow.create_template(page, screens, web_url, "Platform engineer")
    for question in QUESTIONS:
        hr_flow.add_question(page, question)
    assert hr_flow.question_texts(page) == [q["text"] for q in QUESTIONS]
    screens.shot(page, "builder-all-kinds")

    # And the third question is moved up with the keyboard (the focus stays on the button)
    up = page.get_by_role("button", name="Move question 3 up")
    up.focus()
    page.keyboard.press("Enter")
    expect(page.locator("ol.questions .q-text").nth(1)).to_have_text(QUESTIONS[2]["text"])
    expect(page.get_by_role("button", name="Move question 2 up")).to_be_focused()
    # and the first moved down by a click
    page.get_by_role("button", name="Move question 1 down").click()
    expect(page.locator("ol.questions .q-text").nth(1)).to_have_text(QUESTIONS[0]["text"])
    screens.shot(page, "builder-reordered")
    order = [QUESTIONS[2], QUESTIONS[0], QUESTIONS[1], QUESTIONS[3], QUESTIONS[4]]

    # And the weights are set (they must add up to 100 %)
    if page.locator("details.panel").get_attribute("open") is None:
        page.locator("summary", has_text="scoring weights").click()
    for name, value in (("Relevance", 40), ("Completeness", 30), ("Clarity", 20), ("Depth", 20)):
        page.get_by_label(f"{name} weight (%)").fill(str(value))
    expect(page.get_by_test_id("weights-total")).to_have_text("Total: 110 %")
    page.get_by_role("button", name="Save details").click()
    expect(page.get_by_role("alert")).to_contain_text("not 100 %")
    page.get_by_label("Depth weight (%)").fill("10")
    page.get_by_label("Default think time (seconds)").fill("15")
    page.get_by_role("button", name="Save details").click()
    expect(page.get_by_role("status").filter(has_text="Saved.")).to_be_visible(timeout=LONG)
    screens.shot(page, "builder-weights")

    # Then the API holds the questions in the new order with their kinds, limits and options
    template = _api_get(api, page, f"v1/templates/{template_id}")
    assert [q["text"] for q in template["questions"]] == [q["text"] for q in order]
    video = template["questions"][1]
    assert (video["type"], video["time_limit_s"], video["think_time_s"], video["max_retakes"]) == (
        "video",
        90,
        20,
        2,
    )
    assert video["rubric"] == QUESTIONS[0]["rubric"]
    assert template["questions"][2]["type"] == "audio"
    single, multi = template["questions"][3], template["questions"][4]
    assert [o["correct"] for o in single["options"]] == [False, True, False]
    assert [o["correct"] for o in multi["options"]] == [True, False, True]
    assert template["scoring_weights"] == pytest.approx(
        {"relevance": 0.4, "completeness": 0.3, "clarity": 0.2, "depth": 0.1}
    )
    assert template["settings"]["think_time_default_s"] == 15

    # When a question is deleted and the template published
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Delete question 3").click()
    expect(page.locator("ol.questions > li")).to_have_count(4, timeout=LONG)
    hr_flow.publish(page, screens)

    # Then it is frozen: no more move or delete buttons, and an invitation link is offered
    expect(page.get_by_role("button", name=re.compile("Move question"))).to_have_count(0)
    expect(page.get_by_role("link", name="Invite candidates")).to_be_visible()

    # When it is duplicated, the copy is a draft with the same questions
    page.get_by_role("button", name="Duplicate").click()
    expect(page.get_by_role("status").filter(has_text="new draft copy")).to_be_visible(timeout=LONG)
    expect(page.locator(".badge").first).to_have_text("Draft")
    expect(page.locator("ol.questions > li")).to_have_count(4)
    copy_id = page.url.rsplit("/", 1)[-1]
    assert copy_id != template_id
    screens.shot(page, "builder-duplicate")

    # And the original is archived from the list
    page.get_by_role("link", name="All templates").click()
    heading(page, "Interview templates")
    expect(page.get_by_role("row")).to_have_count(3)  # the header and two templates
    page.get_by_role("row").filter(has_text="Published").get_by_role(
        "button", name=re.compile("^Archive")
    ).click()
    expect(page.get_by_role("status").filter(has_text="is archived")).to_be_visible(timeout=LONG)
    page.get_by_label("Show").select_option("archived")
    expect(page.get_by_role("row")).to_have_count(2)
    screens.shot(page, "templates-archived")
    assert _api_get(api, page, f"v1/templates/{template_id}")["status"] == "archived"


CSV = """name,email
"Lovelace, Ada",ada-{tag}@example.com
Alan Turing,alan-{tag}@example.com
Nobody,not-an-email
Alan Again,alan-{tag}@example.com
"""


def test_a_pasted_csv_invites_each_row_and_reports_it_and_the_list_filters(  # noqa: PLR0915 - one journey
    page: Page, screens: Screens, web_url: str
) -> None:
    # Given an HR with two published templates
    account = hr_flow.sign_up(page, screens, web_url)
    hr_flow.log_in(page, screens, web_url, account)
    hr_flow.set_up_company(page, screens, "Bulk Ltd")
    hr_flow.build_template(page, screens, web_url, "Data engineer", QUESTIONS[2:3])
    hr_flow.build_template(page, screens, web_url, "Site reliability", QUESTIONS[3:4])
    hr_flow.invite_one(page, screens, web_url, "Site reliability", "Grace Hopper")

    # When four rows are pasted (a quoted comma, one bad email, one repeated email)
    tag = uuid.uuid4().hex[:8]
    page.get_by_role("button", name="Many (paste CSV)").click()
    form = page.get_by_role("form", name="Invite many candidates")
    form.get_by_label("Interview template").select_option(label="Data engineer")
    form.get_by_label("Candidates as CSV").fill(CSV.format(tag=tag))
    expect(form.get_by_text("4 rows read")).to_be_visible()
    screens.shot(page, "bulk-pasted")
    form.get_by_role("button", name="Invite 4 candidates").click()

    # Then the report says what became of each row
    report = page.get_by_test_id("bulk-report")
    expect(report).to_be_visible(timeout=LONG)
    expect(report.get_by_role("status")).to_contain_text("2 created, 1 duplicate, 1 invalid")
    rows = report.locator("tbody tr")
    expect(rows).to_have_count(4)
    expect(rows.nth(0)).to_contain_text("Lovelace, Ada")
    expect(rows.nth(0)).to_contain_text("Created")
    expect(rows.nth(0)).to_contain_text("/interview#")
    expect(rows.nth(2)).to_contain_text("Invalid")
    expect(rows.nth(3)).to_contain_text("Duplicate")
    screens.shot(page, "bulk-report")

    # And the list shows all three invitations, filtered by template and by status
    table = page.locator("table.invitations tbody tr")
    expect(table).to_have_count(3, timeout=LONG)
    page.get_by_label("Template", exact=True).select_option(label="Data engineer")
    expect(table).to_have_count(2, timeout=LONG)
    assert "template=" in page.url
    screens.shot(page, "list-by-template")
    page.get_by_label("Status", exact=True).select_option("cancelled")
    expect(page.get_by_text("No invitations match.")).to_be_visible(timeout=LONG)

    # When one is cancelled, the status filter finds it
    page.get_by_label("Status", exact=True).select_option("")
    page.get_by_label("Template", exact=True).select_option("")
    expect(table).to_have_count(3, timeout=LONG)
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Cancel the invitation of Alan Turing").click()
    expect(page.get_by_role("status").filter(has_text="is cancelled")).to_be_visible(timeout=LONG)
    page.get_by_label("Status", exact=True).select_option("cancelled")
    expect(table).to_have_count(1, timeout=LONG)
    expect(table.first).to_contain_text("Alan Turing")
    screens.shot(page, "list-cancelled")

    # And a pending one is extended and resent (a new link, shown once)
    page.get_by_label("Status", exact=True).select_option("pending")
    expect(table).to_have_count(2, timeout=LONG)
    page.get_by_role("button", name="Extend the link of Grace Hopper").click()
    page.get_by_label("Extend by days").fill("3")
    page.get_by_role("button", name="Extend", exact=True).click()
    expect(page.get_by_role("status").filter(has_text="is valid until")).to_be_visible(timeout=LONG)
    page.get_by_role("button", name="Resend to Grace Hopper").click()
    expect(page.get_by_test_id("invitation-link")).to_have_value(
        re.compile("/interview#"), timeout=LONG
    )
    screens.shot(page, "list-resent")

    # And a reload keeps the filters (they are in the address) and the session
    page.reload()
    heading(page, "Invitations")
    expect(page.get_by_label("Status", exact=True)).to_have_value("pending")
    expect(table).to_have_count(2, timeout=LONG)


def test_an_expired_access_token_is_refreshed_once_and_logout_ends_the_session(
    page: Page, screens: Screens, web_url: str, api: httpx.Client
) -> None:
    # Given an HR with a company (made through the API), signed in through the page
    hr = make_hr_with_company(api, "web-session")
    hr_flow.log_in(page, screens, web_url, hr_flow.HrAccount(hr.email, PASSWORD))
    heading(page, "Invitations")

    # When the stored access token is no longer accepted (as after its expiry)
    page.evaluate(
        "() => { const k = 'interviews.hr.session';"
        " const s = JSON.parse(localStorage.getItem(k));"
        " s.access_token = 'not-a-token'; localStorage.setItem(k, JSON.stringify(s)); }"
    )
    page.goto(f"{web_url}/hr/templates")

    # Then the page refreshed the session (a new token pair) and shows the templates
    heading(page, "Interview templates")
    expect(page.get_by_text("No templates yet.")).to_be_visible(timeout=LONG)
    assert hr_flow.access_token(page) != "not-a-token"
    screens.shot(page, "refreshed")
    last_refresh = page.evaluate(
        "() => JSON.parse(localStorage.getItem('interviews.hr.session')).refresh_token"
    )

    # When HR logs out
    page.get_by_role("button", name="Log out").click()
    heading(page, "Sign in")
    screens.shot(page, "logged-out")

    # Then nothing is stored, the last refresh token is revoked, and HR's pages ask to sign in
    assert page.evaluate("() => localStorage.getItem('interviews.hr.session')") is None
    new_refresh = api.post("v1/auth/refresh", json={"refresh_token": last_refresh})
    assert new_refresh.status_code == 401, new_refresh.text
    page.goto(f"{web_url}/hr/invitations")
    heading(page, "Sign in")
    assert "next=%2Fhr%2Finvitations" in page.url


def test_a_forgotten_password_is_reset_through_the_emailed_link(
    page: Page, screens: Screens, web_url: str, api: httpx.Client
) -> None:
    # Given an HR account (made through the API)
    hr = make_hr_with_company(api, "web-reset")

    # When they ask for a link on /forgot-password
    page.goto(f"{web_url}/login")
    page.get_by_role("link", name="Forgot your password?").click()
    heading(page, "Forgot your password?")
    page.get_by_label("Email").fill(hr.email)
    page.get_by_role("button", name="Send me a link").click()
    expect(page.get_by_role("status")).to_be_visible(timeout=LONG)
    screens.shot(page, "forgot-password")

    # And follow the emailed link and choose a new password
    mail = accounts.wait_for_mail(hr.email, "Set a new password")[-1]
    found = accounts.ACCOUNT_LINK.search(accounts.text_of(mail))
    assert found is not None, accounts.text_of(mail)
    page.goto(hr_flow.on_web(web_url, found.group(0)))
    heading(page, "Set a new password")
    assert "#" not in page.url
    new_password = "a brand new passphrase 7"
    page.get_by_label("New password", exact=True).fill(new_password)
    page.get_by_label("Repeat the new password").fill(new_password)
    screens.shot(page, "reset-password")
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_role("status")).to_contain_text("password is changed", timeout=LONG)
    screens.shot(page, "password-changed")

    # Then the new password signs in (and the old one no longer does)
    hr_flow.log_in(page, screens, web_url, hr_flow.HrAccount(hr.email, new_password))
    heading(page, "Invitations")
    old = api.post("v1/auth/login", json={"email": hr.email, "password": PASSWORD})
    assert old.status_code == 401, old.text
