"""Keyset cursors over (created_at, id), newest first: opaque to callers, cheap at any depth.

A cursor names the last row of a page; the next page is every row strictly before it in
(created_at DESC, id DESC) order, which the (company_id, [filters,] created_at DESC, id DESC)
indexes serve without an OFFSET.
"""

from __future__ import annotations

import base64
import binascii
import uuid
from dataclasses import dataclass
from datetime import datetime

from shared.errors import UnprocessableError

MAX_CURSOR_LENGTH = 200
_SEPARATOR = "|"


@dataclass(frozen=True, slots=True)
class Cursor:
    created_at: datetime
    id: uuid.UUID


def encode_cursor(created_at: datetime, row_id: uuid.UUID) -> str:
    raw = f"{created_at.isoformat()}{_SEPARATOR}{row_id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> Cursor:
    """The position a cursor names; anything else is a 422 naming `query.cursor`."""
    try:
        if len(cursor) > MAX_CURSOR_LENGTH:
            raise ValueError("too long")
        padded = cursor + "=" * (-len(cursor) % 4)
        raw = base64.urlsafe_b64decode(padded.encode()).decode()
        created, ident = raw.split(_SEPARATOR, 1)
        created_at = datetime.fromisoformat(created)
        if created_at.tzinfo is None:
            raise ValueError("no time zone")
        return Cursor(created_at, uuid.UUID(ident))
    except (ValueError, UnicodeDecodeError, binascii.Error) as exc:
        raise UnprocessableError("query.cursor: the cursor is not valid.") from exc


def next_cursor(rows: list[tuple[datetime, uuid.UUID]], limit: int) -> str | None:
    """The cursor after a page fetched with `limit + 1` rows (None on the last page)."""
    if len(rows) <= limit:
        return None
    created_at, row_id = rows[limit - 1]
    return encode_cursor(created_at, row_id)
