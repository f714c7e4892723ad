"""Identity hardening through API Gateway on LocalStack: the raced login limit, the sign-up's
password-free idempotency, logout denying the access token, and company deactivation (HR reads,
nothing new is created, pending links 410, running interviews finish, reactivation restores)."""

from __future__ import annotations

import uuid

import httpx

from bench._login_race import race, warm_up
from tests.e2e.identity_actors import (
    PASSWORD,
    PROBLEM,
    Actor,
    fresh_email,
    make_admin,
    make_hr_with_company,
    make_user,
)
from tests.e2e.interviews.hr_support import invite, make_template, ok, publish
from tests.e2e.interviews.media_fixtures import CONSENT

TOKEN_HEADER = "X-Invitation-Token"


def test_fifty_parallel_wrong_passwords_reach_the_password_check_at_most_five_times(
    outputs: dict[str, str],
) -> None:
    # Given a fresh account and the login function's environments started (a cold start on a
    # busy LocalStack answers 502, which says nothing of the limit) / When 50 wrong-password
    # logins arrive at once
    warm_up(outputs["ApiUrl"])
    statuses = race(outputs["ApiUrl"])

    # Then at most 5 were verified (401) and every other one was refused before it (429)
    assert statuses[401] <= 5, dict(statuses)
    assert statuses[401] + statuses[429] == 50, dict(statuses)


def test_a_sign_up_replayed_with_another_password_is_the_same_replay(api: httpx.Client) -> None:
    # Given a sign-up with an Idempotency-Key
    key = str(uuid.uuid4())
    email = fresh_email("idem-pw")
    first = api.post(
        "v1/auth/register",
        json={"email": email, "password": PASSWORD},
        headers={"Idempotency-Key": key},
    )

    # When the same key comes with the same email and another password
    other = api.post(
        "v1/auth/register",
        json={"email": email, "password": "another pass 77 xy"},
        headers={"Idempotency-Key": key},
    )

    # Then it is the stored answer, not a 409 that would tell the password was different
    assert first.status_code == other.status_code == 202
    assert other.json() == first.json()


def test_a_logged_out_access_token_is_refused_at_once(api: httpx.Client) -> None:
    user = make_user(api, "logout-deny", "candidate")
    assert api.get("v1/me", headers=user.headers()).status_code == 200

    out = api.post(
        "v1/auth/logout", json={"refresh_token": user.refresh_token}, headers=user.headers()
    )

    assert out.status_code == 204
    after = api.get("v1/me", headers=user.headers())
    assert after.status_code == 401
    assert after.headers["content-type"].startswith(PROBLEM)


def _candidate(api: httpx.Client, token: str, path: str = "", method: str = "GET") -> int:
    body = CONSENT if path == "/start" else None
    response = api.request(
        method, f"v1/candidate/interview{path}", json=body, headers={TOKEN_HEADER: token}
    )
    return response.status_code


def test_a_deactivated_company_reads_creates_nothing_and_reactivation_restores_it(
    api: httpx.Client,
) -> None:
    # Given a company with a published template, a pending invitation and a running interview
    hr: Actor = make_hr_with_company(api, "deact-hr")
    admin = make_admin(api)
    template_id = make_template(api, hr)
    publish(api, hr, template_id)
    pending = invite(api, hr, template_id)
    running = invite(api, hr, template_id)
    assert _candidate(api, str(running["link_token"]), "/start", "POST") == 200

    # When its owner deactivates it
    ok(api.post(f"v1/companies/{hr.company_id}/deactivate", headers=hr.headers()), 200)

    # Then HR still reads everything
    assert api.get("v1/templates", headers=hr.headers()).status_code == 200
    assert api.get(f"v1/templates/{template_id}", headers=hr.headers()).status_code == 200
    assert api.get(f"v1/invitations/{pending['id']}", headers=hr.headers()).status_code == 200
    assert api.get(f"v1/companies/{hr.company_id}", headers=hr.headers()).json()["active"] is False
    # but creates and changes nothing: templates, questions, invitations, members
    refused = [
        api.post("v1/templates", json={"title": "New"}, headers=hr.headers()),
        api.post(f"v1/templates/{template_id}/duplicate", headers=hr.headers()),
        api.post(
            "v1/invitations",
            json={
                "template_id": template_id,
                "candidate_name": "Ada",
                "candidate_email": fresh_email("ada"),
            },
            headers=hr.headers(),
        ),
        api.post(f"v1/invitations/{pending['id']}/resend", headers=hr.headers()),
        api.post(
            f"v1/companies/{hr.company_id}/members",
            json={"user_id": make_user(api, "deact-member", "hr").user_id},
            headers=hr.headers(),
        ),
    ]
    for response in refused:
        assert response.status_code == 403, response.text
        assert response.headers["content-type"].startswith(PROBLEM)
        assert response.json()["type"].endswith("/company-deactivated")
    # the pending link is gone, the running interview may finish
    assert _candidate(api, str(pending["link_token"])) == 410
    assert _candidate(api, str(running["link_token"])) == 200
    assert _candidate(api, str(running["link_token"]), "/heartbeat", "POST") == 200
    # the owner cannot undo it
    assert (
        api.post(f"v1/companies/{hr.company_id}/activate", headers=hr.headers()).status_code == 403
    )

    # When an admin reactivates it / Then everything works again
    reactivated = ok(
        api.post(f"v1/companies/{hr.company_id}/activate", headers=admin.headers()), 200
    )
    assert reactivated["active"] is True
    ok(api.post("v1/templates", json={"title": "Again"}, headers=hr.headers()), 201)
    assert _candidate(api, str(pending["link_token"])) == 200
