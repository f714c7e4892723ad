"""HR's side through the pages (issue 15), reusable by every browser test: sign up and confirm
the address by following the emailed link in the browser, sign in, set up the company, build
and publish a template in the builder, invite a candidate (the link shown once), open the
review and decide.

Selectors are the pages' roles and labels (what a person reads), so the tests also check that
every control is labelled. Every function takes a screenshot of each page it visits.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx
from playwright.sync_api import Locator, Page, expect

from scripts import accounts
from tests.e2e.identity_actors import Actor, make_admin
from tests.e2e.web.browser import Screens

PASSWORD = "correct horse 42 battery"  # a test account's password
# Playwright's expect waits 5 s by default; a cold Lambda on LocalStack takes longer.
LONG = 60_000
# The builder's names of the question kinds (multiple choice: one or several correct options).
KIND_LABELS = {
    "video": "Video answer",
    "audio": "Audio answer",
    "text": "Written answer",
    "single": "Multiple choice, one answer",
    "multi": "Multiple choice, several answers",
}


@dataclass(frozen=True)
class HrAccount:
    email: str
    password: str = PASSWORD


def on_web(web_url: str, link: str) -> str:
    """An emailed or shown link (its path and fragment) on the web app under test: the API
    writes its configured origin, which may differ from where the test serves the pages."""
    parts = urlsplit(link)
    return f"{web_url.rstrip('/')}{parts.path}#{parts.fragment}"


def heading(page: Page, name: str | re.Pattern[str]) -> Locator:
    h1 = page.get_by_role("heading", level=1, name=name)
    expect(h1).to_be_visible(timeout=LONG)
    return h1


def sign_up(page: Page, screens: Screens, web_url: str, email: str | None = None) -> HrAccount:
    """Sign up on /signup, then follow the verification link of the email SES holds."""
    account = HrAccount(email or f"hr-web-{uuid.uuid4().hex[:10]}@example.com")
    page.goto(f"{web_url}/signup")
    heading(page, "Create your HR account")
    page.get_by_label("Work email").fill(account.email)
    page.get_by_label("Password", exact=True).fill(account.password)
    page.get_by_label("Repeat the password").fill(account.password)
    screens.shot(page, "sign-up")
    page.get_by_role("button", name="Create account").click()
    heading(page, "Check your email")
    expect(page.get_by_role("status")).to_contain_text(account.email)
    screens.shot(page, "check-your-email")

    mail = accounts.wait_for_mail(account.email, "Confirm your email")[-1]
    found = accounts.ACCOUNT_LINK.search(accounts.text_of(mail))
    assert found is not None, accounts.text_of(mail)
    assert found.group(1) == "/verify-email", found.group(0)
    page.goto(on_web(web_url, found.group(0)))
    heading(page, "Confirm your email")
    expect(page.get_by_role("status")).to_contain_text("is confirmed", timeout=LONG)
    # The token left the address bar as soon as the page read it.
    assert "#" not in page.url, page.url
    screens.shot(page, "email-confirmed")
    return account


def log_in(page: Page, screens: Screens, web_url: str, account: HrAccount) -> None:
    page.goto(f"{web_url}/login")
    heading(page, "Sign in")
    page.get_by_label("Email").fill(account.email)
    page.get_by_label("Password").fill(account.password)
    screens.shot(page, "sign-in")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible(timeout=LONG)


def set_up_company(page: Page, screens: Screens, name: str = "Acme Hiring") -> None:
    """The first sign-in lands on the company setup: the account becomes HR of `name`."""
    heading(page, "Set up your company")
    page.get_by_label("Company name").fill(name)
    page.get_by_label("Industry").fill("Software")
    page.get_by_label("Company size").select_option("11-50")
    screens.shot(page, "company-setup")
    page.get_by_role("button", name="Create company").click()
    heading(page, "Interview templates")
    expect(page.get_by_role("link", name=re.compile(name))).to_be_visible()


def kind_of(question: dict[str, Any]) -> str:
    if question["type"] != "multiple_choice":
        return str(question["type"])
    correct = [o for o in question["options"] if o.get("correct")]
    return "multi" if len(correct) > 1 else "single"


def add_question(page: Page, question: dict[str, Any]) -> None:
    """Fills the builder's "New question" form from an API-shaped question (QuestionCreate)."""
    count = page.locator("ol.questions > li").count()
    form = page.get_by_role("form", name="New question")
    form.get_by_label("Question type").select_option(label=KIND_LABELS[kind_of(question)])
    form.get_by_label("Question", exact=True).fill(question["text"])
    form.get_by_label(re.compile("time limit", re.I)).fill(str(question.get("time_limit_s", 120)))
    if question.get("think_time_s") is not None:
        form.get_by_label("Think time (seconds)").fill(str(question["think_time_s"]))
    form.get_by_label("Retakes allowed").fill(str(question.get("max_retakes", 0)))
    if question.get("rubric"):
        form.get_by_label(re.compile("^Rubric")).fill(question["rubric"])
    for i, option in enumerate(question.get("options") or [], start=1):
        if i > 2:
            form.get_by_role("button", name="Add an option").click()
        form.get_by_label(f"Option {i}", exact=True).fill(option["text"])
        correct = form.get_by_label(f"Option {i} is correct")
        if option.get("correct"):
            correct.check()
        elif correct.is_checked() and kind_of(question) == "multi":
            correct.uncheck()  # a radio is unchecked by checking the correct one
    form.get_by_role("button", name="Add question").click()
    expect(page.locator("ol.questions > li")).to_have_count(count + 1, timeout=LONG)
    expect(
        page.get_by_role("status").filter(has_text=f"Question {count + 1} added")
    ).to_be_visible()


def question_texts(page: Page) -> list[str]:
    return page.locator("ol.questions .q-text").all_inner_texts()


def create_template(page: Page, screens: Screens, web_url: str, title: str) -> str:
    """A new draft from /hr/templates; returns its id (the builder's path)."""
    page.goto(f"{web_url}/hr/templates")
    heading(page, "Interview templates")
    page.get_by_label("Title").fill(title)
    page.get_by_label("Description").fill("A short interview about systems you built.")
    page.get_by_role("button", name="Create template").click()
    heading(page, title)
    screens.shot(page, "template-new")
    return page.url.rstrip("/").rsplit("/", 1)[-1]


def publish(page: Page, screens: Screens) -> None:
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_role("status").filter(has_text="Published: you can invite")).to_be_visible(
        timeout=LONG
    )
    expect(page.locator(".badge").first).to_have_text("Published")
    screens.shot(page, "template-published")


def build_template(
    page: Page, screens: Screens, web_url: str, title: str, questions: tuple[dict[str, Any], ...]
) -> str:
    """A template with `questions` in this order, built in the builder and published."""
    template_id = create_template(page, screens, web_url, title)
    for question in questions:
        add_question(page, question)
    assert question_texts(page) == [q["text"] for q in questions]
    screens.shot(page, "template-built")
    publish(page, screens)
    return template_id


def invite_one(
    page: Page,
    screens: Screens,
    web_url: str,
    template_title: str,
    name: str,
    *,
    email: str | None = None,
) -> tuple[str, str]:
    """Invites `name` on /hr/invitations; returns (invitation id, the link shown once)."""
    email = email or f"{name.split(maxsplit=1)[0].lower()}-{uuid.uuid4().hex[:8]}@example.com"
    page.goto(f"{web_url}/hr/invitations")
    heading(page, "Invitations")
    form = page.get_by_role("form", name="Invite one candidate")
    form.get_by_label("Interview template").select_option(label=template_title)
    form.get_by_label("Candidate's name").fill(name)
    form.get_by_label("Candidate's email").fill(email)
    form.get_by_role("button", name="Send invitation").click()
    link = page.get_by_test_id("invitation-link")
    expect(link).to_be_visible(timeout=LONG)
    url = link.input_value()
    assert re.search(r"/interview#[\w.-]{20,}$", url), url
    row = page.locator("tr", has_text=email)
    expect(row).to_be_visible(timeout=LONG)
    screens.shot(page, "invited")
    invitation_id = row.get_attribute("data-invitation-id")
    assert invitation_id
    return invitation_id, on_web(web_url, url)


def open_review(page: Page, screens: Screens, web_url: str, invitation_id: str, name: str) -> None:
    page.goto(f"{web_url}/hr/invitations/{invitation_id}")
    heading(page, f"Review: {name}")
    screens.shot(page, "review")


def wait_for_analysis(page: Page, timeout_ms: float = 240_000) -> str:
    """Waits on the review page (it polls) until the analysis is settled; returns its status."""
    status = page.get_by_test_id("analysis-status")
    expect(status).not_to_have_attribute(
        "data-status", re.compile("^(none|waiting|running)$"), timeout=timeout_ms
    )
    return str(status.get_attribute("data-status"))


def rate_answer(page: Page, number: int, rating: int, comment: str) -> None:
    card = page.get_by_test_id(f"answer-{number}")
    card.get_by_role("radio", name=str(rating), exact=True).check()
    card.get_by_label(f"Comment on answer {number}").fill(comment)
    card.get_by_role("button", name=f"Save review of answer {number}").click()
    expect(card.get_by_text(f"Saved: {rating}/5.")).to_be_visible(timeout=LONG)


def decide(page: Page, screens: Screens, decision: str, note: str) -> None:
    """`decision` is "advance" or "reject"."""
    label = "Advance to the next round" if decision == "advance" else "Reject"
    page.get_by_label(label, exact=True).check()
    page.get_by_label("Note").fill(note)
    page.get_by_role("button", name="Save decision").click()
    expect(page.get_by_test_id("decision")).to_contain_text(
        "Advance" if decision == "advance" else "Reject", timeout=LONG
    )
    screens.shot(page, "decided")


def access_token(page: Page) -> str:
    """The signed-in session's access token (the app keeps it in localStorage), for API checks."""
    raw = page.evaluate("() => localStorage.getItem('interviews.hr.session')")
    assert raw, "not signed in"
    token: str = page.evaluate("(raw) => JSON.parse(raw).access_token", raw)
    return token


def require_skill(api: httpx.Client, page: Page, template_id: str, name: str) -> None:
    """The template requires the skill ``name`` (made by an admin once: skill names are unique
    across the taxonomy, so a later run finds it), attached through the API with HR's token."""
    admin = make_admin(api)
    category = api.post(
        "v1/skill-categories",
        json={"name": f"Web e2e {uuid.uuid4().hex[:8]}"},
        headers=admin.headers(),
    )
    assert category.status_code == 201, category.text
    made = api.post(
        "v1/skills",
        json={"category_id": category.json()["id"], "name": name},
        headers=admin.headers(),
    )
    if made.status_code == 201:
        skill_id = made.json()["id"]
    else:
        assert made.status_code == 409, made.text
        skill_id = _skill_named(api, admin, name)
    attached = api.put(
        f"v1/templates/{template_id}/skills",
        json={"skill_ids": [skill_id]},
        headers={"Authorization": f"Bearer {access_token(page)}"},
    )
    assert attached.status_code == 200, attached.text


def _skill_named(api: httpx.Client, admin: Actor, name: str) -> str:
    cursor: str | None = None
    for _ in range(1000):
        query: dict[str, Any] = {"limit": 100, **({"cursor": cursor} if cursor else {})}
        listed = api.get("v1/skills", params=query, headers=admin.headers())
        assert listed.status_code == 200, listed.text
        body = listed.json()
        for item in body["items"]:
            if item["name"].casefold() == name.casefold():
                return str(item["id"])
        cursor = body["next_cursor"]
        if cursor is None:
            break
    raise AssertionError(f"the skill {name!r} exists (409) but is not listed")
