"""A candidate's account through API Gateway: every invitation sent to its verified email,
across companies, with status, template, company, dates and the candidate's own answers (never
HR's ratings or notes); another email's invitations never; the link flow untouched."""

from __future__ import annotations

from typing import Any

import httpx

from tests.e2e.identity_actors import Actor, make_hr_with_company, make_user
from tests.e2e.interviews.hr_support import make_template, ok, publish
from tests.e2e.interviews.media_fixtures import CONSENT, TOKEN_HEADER

HR_NOTE = "Private HR note: strong on indexes"


def _invite(api: httpx.Client, hr: Actor, template_id: str, email: str) -> dict[str, Any]:
    body = {"template_id": template_id, "candidate_name": "Ada Lovelace", "candidate_email": email}
    return ok(api.post("v1/invitations", json=body, headers=hr.headers()), 201)


def _all_pages(api: httpx.Client, candidate: Actor) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        params: dict[str, Any] = {"limit": 1, **({"cursor": cursor} if cursor else {})}
        page = ok(
            api.get("v1/candidate/invitations", params=params, headers=candidate.headers()), 200
        )
        assert len(page["items"]) <= 1
        items += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return items


def test_a_candidate_account_sees_its_invitations_of_two_companies_and_not_another_emails(
    api: httpx.Client,
) -> None:
    # Given a candidate with a verified account, and two companies with a template each
    candidate = make_user(api, "account", "candidate")
    hr_a, hr_b = make_hr_with_company(api, "acct-a"), make_hr_with_company(api, "acct-b")
    template_a, template_b = make_template(api, hr_a), make_template(api, hr_b)
    publish(api, hr_a, template_a)
    publish(api, hr_b, template_b)
    # and each company invites the candidate's email; A also invites someone else
    mine_a = _invite(api, hr_a, template_a, candidate.email.upper())
    mine_b = _invite(api, hr_b, template_b, candidate.email)
    other = _invite(api, hr_a, make_and_publish(api, hr_a), f"other-{candidate.email}")
    # and the candidate answers A's interview by its link (no account needed for that)
    link = {TOKEN_HEADER: mine_a["link_token"]}
    ok(api.post("v1/candidate/interview/start", json=CONSENT, headers=link), 200)
    question_id = ok(api.get("v1/candidate/interview", headers=link), 200)["questions"][0]["id"]
    answered = ok(
        api.post(
            f"v1/candidate/interview/questions/{question_id}/answer",
            json={"text": "I would read the plan first, then add an index."},
            headers=link,
        ),
        201,
    )
    # and HR of A rates that answer with a private note
    ok(
        api.put(
            f"v1/invitations/{mine_a['id']}/answers/{answered['answer_id']}/review",
            json={"rating": 5, "comment": HR_NOTE},
            headers=hr_a.headers(),
        ),
        200,
    )

    # When the candidate lists their invitations, a page at a time
    items = _all_pages(api, candidate)

    # Then both companies' invitations are there, newest first, and the other email's is not
    assert [i["invitation_id"] for i in items] == [mine_b["id"], mine_a["id"]]
    assert other["id"] not in {i["invitation_id"] for i in items}
    by_id = {i["invitation_id"]: i for i in items}
    a, b = by_id[mine_a["id"]], by_id[mine_b["id"]]
    assert (a["status"], b["status"]) == ("in_progress", "pending")
    assert a["template_title"] == "E2E role"
    assert a["company_name"] != b["company_name"]
    assert None not in (a["invited_at"], a["expires_at"], a["started_at"])
    # with the candidate's own answer, and nothing of HR's
    (answer,) = a["answers"]
    assert answer["text"] == "I would read the plan first, then add an index."
    assert answer["kind"] == "text"
    assert answer["media_status"] is None
    assert b["answers"] == []
    raw = str(items)
    assert HR_NOTE not in raw
    for hr_only in ("rating", "comment", "score", "decision", "analysis", "link_token"):
        assert hr_only not in answer
        assert hr_only not in a


def make_and_publish(api: httpx.Client, hr: Actor) -> str:
    template_id = make_template(api, hr)
    publish(api, hr, template_id)
    return template_id


def test_hr_and_admins_have_no_candidate_account_list(api: httpx.Client) -> None:
    # Given an HR user / When they ask for a candidate's invitations / Then 403
    hr = make_user(api, "acct-hr", "hr")
    response = api.get("v1/candidate/invitations", headers=hr.headers())
    assert response.status_code == 403, response.text
