"""Use cases: a user's preferences, one-click unsubscribe, and the company's delivery log."""

from __future__ import annotations

import base64
import binascii
import uuid
from datetime import datetime

from shared.appkey import AppKey
from shared.dal.sql import Conn
from shared.errors import NotFoundError, UnprocessableError
from shared.notifications import dal
from shared.notifications.kinds import OPTIONAL_KINDS
from shared.notifications.models import (
    MessageOut,
    MessagePage,
    Preferences,
    PreferencesUpdate,
    Unsubscribed,
)
from shared.notifications.unsubscribe import read_token


def preferences_of(conn: Conn, email: str) -> Preferences:
    stored = dal.preferences(conn, email)
    return Preferences(**{k: stored.get(k, True) for k in OPTIONAL_KINDS})


def update_preferences(conn: Conn, email: str, body: PreferencesUpdate) -> Preferences:
    for kind, enabled in body.model_dump(exclude_none=True).items():
        dal.set_preference(conn, email, kind, bool(enabled))
    return preferences_of(conn, email)


def _unsubscribe_target(key: AppKey, token: str) -> tuple[str, str]:
    target = read_token(key, token)
    if target is None or target.kind not in OPTIONAL_KINDS:
        raise NotFoundError("This unsubscribe link is not valid.")
    return target.email, target.kind


def unsubscribe_status(conn: Conn, key: AppKey, token: str) -> Unsubscribed:
    email, kind = _unsubscribe_target(key, token)
    subscribed = dal.preference(conn, email, kind) is not False
    return Unsubscribed.model_validate({"email": email, "kind": kind, "subscribed": subscribed})


def unsubscribe(conn: Conn, key: AppKey, token: str) -> Unsubscribed:
    """Idempotent: a second click finds the kind already off."""
    email, kind = _unsubscribe_target(key, token)
    dal.set_preference(conn, email, kind, False)
    return Unsubscribed.model_validate({"email": email, "kind": kind, "subscribed": False})


def _cursor(row: MessageOut) -> str:
    raw = f"{row.created_at.isoformat()}|{row.id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(cursor: str) -> tuple[datetime, uuid.UUID]:
    try:
        at, _, ident = (
            base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode().partition("|")
        )
        return datetime.fromisoformat(at), uuid.UUID(ident)
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise UnprocessableError("cursor is not one this API gave out") from exc


def delivery_log(
    conn: Conn,
    company_id: uuid.UUID,
    *,
    invitation_id: uuid.UUID | None,
    cursor: str | None,
    limit: int,
) -> MessagePage:
    rows = dal.messages_of_company(
        conn,
        company_id,
        invitation_id=invitation_id,
        before=_decode(cursor) if cursor else None,
        limit=limit + 1,
    )
    items = [MessageOut.of(r) for r in rows[:limit]]
    return MessagePage(items=items, next_cursor=_cursor(items[-1]) if len(rows) > limit else None)
