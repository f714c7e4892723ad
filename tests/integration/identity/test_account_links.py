"""Account emails' rules against real PostgreSQL: a sign-up is unverified until its link is
followed; a second sign-up re-sends (or tells the owner) and reveals nothing; a reset link works
once within 30 minutes and ends every session; an email change needs the password and the new
address's confirmation. The mail itself is tested end to end (tests/e2e/identity/)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
import pytest

from shared.appkey import AppKey
from shared.auth.errors import AuthenticationError
from shared.auth.settings import AuthSettings
from shared.errors import ConflictError, PermissionDeniedError
from shared.identity import accounts, dal, links, verification
from shared.identity.caller import load_caller
from tests.integration.identity.conftest import FAST_HASHER
from tests.integration.identity.test_identity_data import RING, _user

Conn = psycopg.Connection[Any]
PASSWORD = "correct horse 42 battery"
KEY = AppKey(b"integration-app-key-" + b"x" * 20)
SETTINGS = AuthSettings()


def _events(conn: Conn, event_type: str, email: str) -> list[dict[str, Any]]:
    rows = conn.execute(
        "SELECT envelope->'payload' FROM platform.outbox WHERE event_type = %s"
        " AND (envelope->'payload'->>'email' = %s OR envelope->'payload'->>'newEmail' = %s)"
        " ORDER BY created_at",
        (event_type, email, email),
    ).fetchall()
    return [r[0] for r in rows]


def _sign_up(conn: Conn, email: str) -> None:
    with conn.transaction():
        accounts.register_account(conn, email, PASSWORD, correlation_id="t", hasher=FAST_HASHER)


def _login(conn: Conn, email: str, password: str = PASSWORD) -> Any:
    with conn.transaction():
        return accounts.login(
            conn,
            email,
            password,
            source=f"src-{uuid.uuid4().hex[:6]}",
            ring_source=lambda: RING,
            settings=SETTINGS,
            hasher=FAST_HASHER,
        )


def _token(conn: Conn, email: str, purpose: str) -> str:
    payload = (
        _events(conn, "user.verification_requested", email)
        if purpose == "verify_email"
        else _events(conn, f"user.{purpose}_requested", email)
    )[-1]
    return links.token_for(KEY, uuid.UUID(payload["linkId"]), purpose)  # type: ignore[arg-type]


def test_a_sign_up_is_unverified_until_its_link_is_followed(conn: Conn) -> None:
    # Given a sign-up
    email = f"new-{uuid.uuid4().hex[:8]}@example.com"
    _sign_up(conn, email)
    # Then it asked for one verification email, and the right password is refused (403)
    assert len(_events(conn, "user.verification_requested", email)) == 1
    with pytest.raises(verification.EmailNotVerifiedError):
        _login(conn, email)
    # When the emailed link is followed
    with conn.transaction():
        verified = verification.verify_email(conn, KEY, _token(conn, email, "verify_email"), "t")
    # Then the address is proven, sign-in works, and following it again still says verified
    assert verified == email
    assert _login(conn, email) is not None
    with conn.transaction():
        assert (
            verification.verify_email(conn, KEY, _token(conn, email, "verify_email"), "t") == email
        )
    assert len(_events(conn, "user.email_verified", email)) == 1


def test_a_second_sign_up_resends_while_unverified_and_tells_a_verified_owner(
    conn: Conn,
) -> None:
    email = f"again-{uuid.uuid4().hex[:8]}@example.com"
    _sign_up(conn, email)
    # When the same address signs up again (any password): a new link, the same answer
    _sign_up(conn, email)
    assert len(_events(conn, "user.verification_requested", email)) == 2
    # And the first link still works (both are open until one is followed)
    first = _events(conn, "user.verification_requested", email)[0]
    with conn.transaction():
        token = links.token_for(KEY, uuid.UUID(first["linkId"]), "verify_email")
        verification.verify_email(conn, KEY, token, "t")
    # When a verified address signs up again, its owner is told, no link is made
    _sign_up(conn, email)
    assert len(_events(conn, "user.registration_repeated", email)) == 1
    assert len(_events(conn, "user.verification_requested", email)) == 2


def test_a_tampered_or_foreign_token_is_400_and_an_expired_link_410(conn: Conn) -> None:
    email = f"tamper-{uuid.uuid4().hex[:8]}@example.com"
    _sign_up(conn, email)
    token = _token(conn, email, "verify_email")
    head, _, signature = token.partition(".")
    forged = f"{head}.{signature[:-2]}{'A' if signature[-2] != 'A' else 'B'}{signature[-1]}"
    other_key = links.token_for(
        AppKey(b"another-key-" + b"y" * 30), uuid.UUID(bytes=_raw(head)), "verify_email"
    )
    other_purpose = links.token_for(KEY, uuid.UUID(bytes=_raw(head)), "password_reset")
    for bad in (forged, other_key, other_purpose, "x" * 22 + "." + "y" * 43):
        with conn.transaction(), pytest.raises(verification.InvalidLinkError):
            verification.verify_email(conn, KEY, bad, "t")
    # An expired link answers 410 (and proves nothing)
    conn.execute(
        "UPDATE identity.account_links SET expires_at = now() - interval '1 second' WHERE id = %s",
        (uuid.UUID(bytes=_raw(head)),),
    )
    with conn.transaction(), pytest.raises(verification.LinkExpiredError):
        verification.verify_email(conn, KEY, token, "t")
    with pytest.raises(verification.EmailNotVerifiedError):
        _login(conn, email)


def _raw(head: str) -> bytes:
    import base64

    return base64.urlsafe_b64decode(head + "=" * (-len(head) % 4))


def test_a_password_reset_works_once_and_ends_every_session(conn: Conn) -> None:
    # Given a verified user signed in (a refresh token and an access token issued now)
    user = _user(conn, "candidate")
    pair = _login(conn, user.user.email)
    claims_iat = datetime.now(UTC) - timedelta(seconds=1)
    # When a reset is asked for (and an unknown address too: nothing, no error)
    with conn.transaction():
        verification.request_password_reset(conn, user.user.email, "t")
        verification.request_password_reset(conn, "nobody-here@example.com", "t")
    assert _events(conn, "user.password_reset_requested", "nobody-here@example.com") == []
    token = _token(conn, user.user.email, "password_reset")
    link = dal.find_account_link(conn, links.link_id_of(KEY, token, "password_reset"))  # type: ignore[arg-type]
    assert link is not None
    assert timedelta(minutes=29) < link.expires_at - link.created_at <= timedelta(minutes=30)
    with conn.transaction():
        verification.reset_password(
            conn, KEY, token, "a brand new pass 99", correlation_id="t", hasher=FAST_HASHER
        )
    # Then the old password fails, the new one works, the link is spent
    assert _login(conn, user.user.email) is None
    assert _login(conn, user.user.email, "a brand new pass 99") is not None
    with conn.transaction(), pytest.raises(verification.LinkExpiredError):
        verification.reset_password(
            conn, KEY, token, "yet another pass 77", correlation_id="t", hasher=FAST_HASHER
        )
    # And every earlier session ended: its refresh token and its access token are refused
    with conn.transaction():
        assert accounts.refresh(conn, pair.refresh_token, lambda: RING, SETTINGS).pair is None
    with pytest.raises(AuthenticationError):
        load_caller(conn, str(user.id), "t", token_issued_at=claims_iat)
    # while a token issued after the reset (as login issues them) is accepted
    fresh = datetime.now(UTC) + timedelta(seconds=1)
    assert load_caller(conn, str(user.id), "t", token_issued_at=fresh).id == user.id
    assert len(_events(conn, "user.password_reset", user.user.email)) == 1


def test_an_email_change_needs_the_password_and_the_new_address(conn: Conn) -> None:
    user = _user(conn, "hr")
    new = f"moved-{uuid.uuid4().hex[:8]}@example.com"
    fresh_user = load_caller(conn, str(user.id), "t").user
    # A wrong password changes nothing
    with conn.transaction(), pytest.raises(PermissionDeniedError):
        verification.request_email_change(
            conn, fresh_user, new, "wrong pass 123", correlation_id="t", hasher=FAST_HASHER
        )
    with conn.transaction():
        verification.request_email_change(
            conn, fresh_user, new, PASSWORD, correlation_id="t", hasher=FAST_HASHER
        )
    # Nothing changes until the new address confirms
    assert dal.get_user(conn, user.id).email == fresh_user.email
    token = _token(conn, new, "email_change")
    with conn.transaction():
        assert verification.confirm_email_change(conn, KEY, token, "t") == new
    moved = dal.get_user(conn, user.id)
    assert moved.email == new
    assert moved.email_verified_at is not None
    changed = conn.execute(
        "SELECT envelope->'payload' FROM platform.outbox WHERE event_type = 'user.email_changed'"
        " AND envelope->'payload'->>'userId' = %s",
        (str(user.id),),
    ).fetchone()
    assert changed is not None
    assert changed[0]["previousEmail"] == fresh_user.email
    # The link is single use
    with conn.transaction(), pytest.raises(verification.LinkExpiredError):
        verification.confirm_email_change(conn, KEY, token, "t")


def test_an_email_change_to_an_address_taken_meanwhile_is_409(conn: Conn) -> None:
    user = _user(conn, "hr")
    target = f"wanted-{uuid.uuid4().hex[:8]}@example.com"
    with conn.transaction():
        verification.request_email_change(
            conn,
            dal.get_user(conn, user.id),
            target,
            PASSWORD,
            correlation_id="t",
            hasher=FAST_HASHER,
        )
    token = _token(conn, target, "email_change")
    _user(conn, "candidate", email=target)
    with conn.transaction(), pytest.raises(ConflictError):
        verification.confirm_email_change(conn, KEY, token, "t")
    assert dal.get_user(conn, user.id).email != target
