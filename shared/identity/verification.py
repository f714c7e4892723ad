"""Account emails' use cases: verify the address at sign-up, reset a forgotten password, move
the account to a new address. Each asks for an emailed single-use link (an event the
notifications context turns into mail) and later follows it.

Requests answer the same whether or not the email has an account; following a link needs its
token (shared/identity/links.py), and a link that was used or has expired answers 410.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from argon2 import PasswordHasher

from shared.appkey import AppKey
from shared.auth.errors import RateLimitedError
from shared.auth.settings import AuthSettings
from shared.dal.sql import Conn
from shared.errors import ConflictError, DomainError, PermissionDeniedError, UnprocessableError
from shared.identity import caller, dal, links, passwords
from shared.identity.events import emit
from shared.identity.models import AccountLinkRow, LinkPurpose, UserRow
from shared.models.events.identity import (
    UserEmailChanged,
    UserEmailChangeRequested,
    UserEmailVerified,
    UserPasswordReset,
    UserPasswordResetRequested,
    UserRegistrationRepeated,
    UserVerificationRequested,
)

# Emailed links an account may ask for per hour (more are accepted and not sent: the answer
# must not differ), and requests a source may make per hour.
LINKS_PER_ACCOUNT_PER_HOUR = 5
_HOUR_S = 3600


class EmailNotVerifiedError(caller.EmailNotVerifiedError):
    """A sign-in with an unconfirmed email (the problem type every such refusal shares)."""

    def __init__(self) -> None:
        super().__init__(
            "Confirm your email address first: follow the link we emailed you. Signing up"
            " again with the same address sends a new link."
        )


class InvalidLinkError(DomainError):
    status = 400
    type_slug = "invalid-link"
    title = "Invalid link"

    def __init__(self) -> None:
        super().__init__("This link is not valid: use the whole link from the email.")


class LinkExpiredError(DomainError):
    status = 410
    type_slug = "link-expired"
    title = "Link expired"

    def __init__(self) -> None:
        super().__init__("This link was already used or has expired: ask for a new one.")


def _within_account_limit(conn: Conn, email: str, action: str) -> bool:
    return (
        dal.admit_register_attempt(
            conn,
            email.lower(),
            window_s=_HOUR_S,
            limit=LINKS_PER_ACCOUNT_PER_HOUR,
            action=action,
        )
        is None
    )


def admit_request(conn: Conn, source: str, action: str, settings: AuthSettings) -> None:
    """A request for a link counts against its source (429 past the limit)."""
    retry_after = dal.admit_register_attempt(
        conn,
        f"src|{source}",
        window_s=settings.register_window_s,
        limit=settings.register_max_per_source,
        action=action,
    )
    if retry_after is not None:
        raise RateLimitedError(int(retry_after) + 1, "Too many requests; try again later.")


# ---- verification at sign-up ---------------------------------------------------------------
def request_verification(conn: Conn, user: UserRow, correlation_id: str) -> None:
    """A new verification link for an unverified account, or (verified) a note to the owner
    that someone signed up with their address. Both go only to the address itself."""
    if user.status != "active":
        return
    if not _within_account_limit(conn, user.email, "register"):
        return
    if user.email_verified_at is not None:
        emit(
            conn,
            "user.registration_repeated",
            UserRegistrationRepeated(user_id=user.id, email=user.email),
            correlation_id,
        )
        return
    link = dal.insert_account_link(conn, user.id, "verify_email", links.TTL_S["verify_email"])
    emit(
        conn,
        "user.verification_requested",
        UserVerificationRequested(
            user_id=user.id, email=user.email, link_id=link.id, expires_at=link.expires_at
        ),
        correlation_id,
    )


def _open_link(conn: Conn, key: AppKey, token: str, purpose: LinkPurpose) -> AccountLinkRow:
    link_id = links.link_id_of(key, token, purpose)
    if link_id is None:
        raise InvalidLinkError
    link = dal.find_account_link(conn, link_id, lock=True)
    if link is None or link.purpose != purpose:
        raise InvalidLinkError
    return link


def _usable(link: AccountLinkRow) -> bool:
    return link.used_at is None and link.expires_at > datetime.now(UTC)


def verify_email(conn: Conn, key: AppKey, token: str, correlation_id: str) -> str:
    """Follow a verification link: the address counts as proven. Following it again after it
    worked changes nothing and says so (people click twice); an expired link answers 410."""
    link = _open_link(conn, key, token, "verify_email")
    user = dal.get_user(conn, link.user_id, lock=True)
    if user.email_verified_at is not None and link.used_at is not None:
        return user.email
    if not _usable(link) or user.status != "active":
        raise LinkExpiredError
    dal.mark_email_verified(conn, user.id)
    dal.use_account_links(conn, user.id, "verify_email")
    emit(
        conn,
        "user.email_verified",
        UserEmailVerified(user_id=user.id, email=user.email),
        correlation_id,
    )
    return user.email


# ---- password reset ------------------------------------------------------------------------
def request_password_reset(conn: Conn, email: str, correlation_id: str) -> None:
    """A reset link (30 minutes) to the address, if it has an active account; nothing
    otherwise, and the caller cannot tell which."""
    user = dal.find_user_by_email(conn, email)
    if user is None or user.status != "active":
        return
    if not _within_account_limit(conn, user.email, "password_reset"):
        return
    link = dal.insert_account_link(conn, user.id, "password_reset", links.TTL_S["password_reset"])
    emit(
        conn,
        "user.password_reset_requested",
        UserPasswordResetRequested(
            user_id=user.id, email=user.email, link_id=link.id, expires_at=link.expires_at
        ),
        correlation_id,
    )


def reset_password(
    conn: Conn,
    key: AppKey,
    token: str,
    password: str,
    *,
    correlation_id: str,
    hasher: PasswordHasher | None = None,
) -> None:
    """Set the new password through a reset link, once: every other reset link is spent, every
    refresh token revoked and every access token issued before now refused. Following the
    link also proves the address."""
    link = _open_link(conn, key, token, "password_reset")
    user = dal.get_user(conn, link.user_id, lock=True)
    if not _usable(link) or user.status != "active":
        raise LinkExpiredError
    problems = passwords.policy_violations(password, user.email)
    if problems:
        raise UnprocessableError("password " + "; ".join(problems))
    dal.set_password_ending_sessions(conn, user.id, passwords.hash_password(password, hasher))
    dal.use_account_links(conn, user.id, "password_reset")
    emit(
        conn,
        "user.password_reset",
        UserPasswordReset(user_id=user.id, email=user.email),
        correlation_id,
    )


# ---- email change --------------------------------------------------------------------------
def request_email_change(
    conn: Conn,
    user: UserRow,
    new_email: str,
    password: str,
    *,
    correlation_id: str,
    hasher: PasswordHasher | None = None,
) -> None:
    """A confirmation link to the new address (the current password first). An address that
    already has an account is refused only when the link is followed, so this request does not
    tell whether another account uses it."""
    if not passwords.verify_password(user.password_hash, password, hasher):
        raise PermissionDeniedError("The current password is not correct.")
    if new_email.lower() == user.email.lower():
        raise ConflictError("This is already the account's email address.")
    if not _within_account_limit(conn, user.email, "email_change"):
        return
    link = dal.insert_account_link(
        conn, user.id, "email_change", links.TTL_S["email_change"], new_email=new_email
    )
    emit(
        conn,
        "user.email_change_requested",
        UserEmailChangeRequested(
            user_id=user.id, new_email=new_email, link_id=link.id, expires_at=link.expires_at
        ),
        correlation_id,
    )


def confirm_email_change(conn: Conn, key: AppKey, token: str, correlation_id: str) -> str:
    """Follow the confirmation link: the account's address becomes the new one (proven)."""
    link = _open_link(conn, key, token, "email_change")
    user = dal.get_user(conn, link.user_id, lock=True)
    if not _usable(link) or user.status != "active" or link.new_email is None:
        raise LinkExpiredError
    dal.change_email(conn, user.id, link.new_email)
    dal.use_account_links(conn, user.id, "email_change")
    emit(
        conn,
        "user.email_changed",
        UserEmailChanged(user_id=user.id, previous_email=user.email, email=link.new_email),
        correlation_id,
    )
    return link.new_email


def account_link_url(
    conn: Conn, key: AppKey, origin: str, link_id: uuid.UUID, purpose: LinkPurpose
) -> str | None:
    """The emailed link's URL while it can still be followed (None once used or expired)."""
    link = dal.find_account_link(conn, link_id)
    if link is None or link.purpose != purpose or not _usable(link):
        return None
    return links.url_for(key, origin, link_id, purpose)
