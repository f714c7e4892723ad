"""What other contexts may use of interviews: an invitation as the people it concerns see it
(who the candidate is, what the interview is, who invited them) and the candidate's link, opened
from its sealed copy; the invitations whose expiry is near (for reminders); and the erasure of a
candidate's written answers (the media context's erasure of an invitation removes the
candidate's words everywhere)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING
from uuid import UUID

if TYPE_CHECKING:
    from shared.appkey import AppKey
    from shared.dal.sql import Conn

__all__ = [
    "InvitationContact",
    "erase_text_answers",
    "expiring_invitations",
    "invitation_contact",
]

_SELECT = """
SELECT i.id, i.company_id, i.created_by, i.candidate_email::text AS candidate_email,
       i.candidate_name, i.status, i.expires_at, i.token_sealed, t.title AS template_title
FROM interviews.invitations i JOIN interviews.templates t ON t.id = i.template_id
"""


@dataclass(frozen=True, slots=True)
class InvitationContact:
    id: UUID
    company_id: UUID
    created_by: UUID
    candidate_email: str
    candidate_name: str
    status: str
    expires_at: datetime
    template_title: str
    token_sealed: bytes | None

    def link(self, key: AppKey, origin: str, path: str) -> str | None:
        """The candidate's current link, or None when no sealed copy exists (an invitation
        from before links were sealed)."""
        if self.token_sealed is None:
            return None
        from shared.interviews.tokens import open_sealed  # noqa: PLC0415 - the key on use

        token = open_sealed(key, self.id, bytes(self.token_sealed))
        return f"{origin.rstrip('/')}{path}#{token}"


def invitation_contact(conn: Conn, invitation_id: UUID) -> InvitationContact | None:
    from shared.dal.sql import fetch_one  # noqa: PLC0415

    row = fetch_one(conn, _SELECT + " WHERE i.id = %s", (invitation_id,))
    return InvitationContact(**row) if row else None


def expiring_invitations(conn: Conn, within_s: int, limit: int) -> list[InvitationContact]:
    """Pending invitations that expire within ``within_s`` seconds (soonest first)."""
    from shared.dal.sql import fetch_all  # noqa: PLC0415

    rows = fetch_all(
        conn,
        _SELECT + " WHERE i.status = 'pending' AND i.expires_at > now()"
        " AND i.expires_at <= now() + make_interval(secs => %s)"
        " ORDER BY i.expires_at LIMIT %s",
        (within_s, limit),
    )
    return [InvitationContact(**row) for row in rows]


def erase_text_answers(conn: Conn, company_id: UUID, invitation_id: UUID) -> int:
    """Blank every text answer of the invitation (the rows, attempts and reviews stay); how
    many were blanked."""
    cursor = conn.execute(
        "UPDATE interviews.answers SET text_answer = NULL"
        " WHERE company_id = %s AND invitation_id = %s AND text_answer IS NOT NULL",
        (company_id, invitation_id),
    )
    return cursor.rowcount
