"""Account emails end to end on LocalStack: the mail is read back from SES (``/_aws/ses``) and its
link followed through API Gateway, as a person would.

- sign-up -> verification email -> verify -> login; login before verifying is refused (403);
- a second sign-up of the same address sends a new link and answers alike;
- password reset: the emailed link works once, and every session ends (refresh and access);
- email change: confirmed from the new address, whose mail then signs in.
"""

from __future__ import annotations

import httpx
import pytest

from scripts.accounts import link_token, mailbox, wait_for_mail
from tests.e2e.identity_actors import PASSWORD, PROBLEM, Actor, fresh_email, login, make_user

pytestmark = pytest.mark.localstack


def _login_status(api: httpx.Client, email: str, password: str = PASSWORD) -> int:
    return api.post("v1/auth/login", json={"email": email, "password": password}).status_code


def test_sign_up_is_verified_by_the_emailed_link_before_anyone_can_sign_in(
    api: httpx.Client,
) -> None:
    # Given a sign-up
    email = fresh_email("verify")
    first = api.post("v1/auth/register", json={"email": email, "password": PASSWORD})
    assert first.status_code == 202, first.text

    # Then signing in before verifying is refused, even with the right password
    early = api.post("v1/auth/login", json={"email": email, "password": PASSWORD})
    assert early.status_code == 403, early.text
    assert early.headers["content-type"].startswith(PROBLEM)
    assert early.json()["type"].endswith("/email-not-verified")

    # And the verification email arrives, once, with a link to the web app's page
    mail = wait_for_mail(email, "Confirm your email")
    assert len(mail) == 1
    assert mail[0]["List-Unsubscribe"] is None  # account mail is transactional
    token = link_token(mail[0], "/verify-email")

    # When a second sign-up of the same address comes (another password): the same answer, and
    # a second link (the first still works)
    again = api.post("v1/auth/register", json={"email": email, "password": "another pass 77"})
    assert again.status_code == 202
    assert {**again.json(), "email": ""} == {**first.json(), "email": ""}
    wait_for_mail(email, "Confirm your email", count=2)

    # When the first link is followed
    verified = api.post("v1/auth/verify-email", json={"token": token})
    assert verified.status_code == 200, verified.text
    assert verified.json() == {"status": "verified", "email": email}

    # Then sign-in works with the account's password, not the second sign-up's
    assert _login_status(api, email) == 200
    assert _login_status(api, email, "another pass 77") == 401
    # And a tampered token is 400 problem+json
    tampered = api.post("v1/auth/verify-email", json={"token": token[:-3] + "AAA"})
    assert tampered.status_code == 400, tampered.text
    assert tampered.headers["content-type"].startswith(PROBLEM)


def test_a_password_reset_link_works_once_and_ends_every_session(api: httpx.Client) -> None:
    # Given a user signed in twice (two sessions)
    user = make_user(api, "reset", "candidate")
    other_session = login(api, Actor("reset-2", email=user.email))
    assert api.get("v1/me", headers=user.headers()).status_code == 200

    # When they ask for a reset (and someone asks for an unknown address: the same answer)
    asked = api.post("v1/auth/password-reset", json={"email": user.email})
    unknown = api.post("v1/auth/password-reset", json={"email": fresh_email("nobody")})
    assert asked.status_code == unknown.status_code == 202
    assert asked.json() == unknown.json()
    mail = wait_for_mail(user.email, "Set a new password")
    token = link_token(mail[-1], "/reset-password")

    # And follow the link with a new password
    new_password = "a brand new pass 99"
    done = api.post(
        "v1/auth/password-reset/confirm", json={"token": token, "password": new_password}
    )
    assert done.status_code == 204, done.text

    # Then every earlier session has ended: access tokens and refresh tokens alike
    for session in (user, other_session):
        me = api.get("v1/me", headers=session.headers())
        assert me.status_code == 401, me.text
        refreshed = api.post("v1/auth/refresh", json={"refresh_token": session.refresh_token})
        assert refreshed.status_code == 401
    # And only the new password signs in, and the new session works at once
    assert _login_status(api, user.email) == 401
    fresh = login(api, Actor("reset-3", email=user.email), new_password)
    assert api.get("v1/me", headers=fresh.headers()).status_code == 200
    # And the link is spent: a second use is 410
    replay = api.post(
        "v1/auth/password-reset/confirm", json={"token": token, "password": "third pass 12345"}
    )
    assert replay.status_code == 410, replay.text
    # And the owner was told the password changed
    wait_for_mail(user.email, "password was changed")


def test_an_email_change_is_confirmed_at_the_new_address(api: httpx.Client) -> None:
    user = make_user(api, "mover", "hr")
    new_address = fresh_email("moved")

    # A wrong password is refused; the right one sends a link to the new address only
    wrong = api.post(
        "v1/me/email",
        json={"email": new_address, "password": "wrong pass 123"},
        headers=user.headers(),
    )
    assert wrong.status_code == 403, wrong.text
    asked = api.post(
        "v1/me/email", json={"email": new_address, "password": PASSWORD}, headers=user.headers()
    )
    assert asked.status_code == 202, asked.text
    mail = wait_for_mail(new_address, "Confirm your new email")
    # Until it is followed, nothing changes
    assert api.get("v1/me", headers=user.headers()).json()["email"] == user.email

    confirmed = api.post(
        "v1/auth/confirm-email", json={"token": link_token(mail[0], "/confirm-email")}
    )
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["email"] == new_address

    # Then the account is at the new address: it signs in there, not at the old one
    assert api.get("v1/me", headers=user.headers()).json()["email"] == new_address
    assert _login_status(api, new_address) == 200
    assert _login_status(api, user.email) == 401
    # And the old address was told
    notice = wait_for_mail(user.email, "email address was changed")
    assert new_address in str(notice[0].get_body(preferencelist=("plain",)).get_content())  # type: ignore[union-attr]
    # No mail about the change went anywhere else
    assert all("Confirm your new email" not in str(m["Subject"]) for m in mailbox(user.email))
