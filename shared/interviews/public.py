"""What other contexts may use of interviews: the erasure of a candidate's written answers
(the media context's erasure of an invitation removes the candidate's words everywhere)."""

from __future__ import annotations

from typing import TYPE_CHECKING
from uuid import UUID

if TYPE_CHECKING:
    from shared.dal.sql import Conn

__all__ = ["erase_text_answers"]


def erase_text_answers(conn: Conn, company_id: UUID, invitation_id: UUID) -> int:
    """Blank every text answer of the invitation (the rows, attempts and reviews stay); how
    many were blanked."""
    cursor = conn.execute(
        "UPDATE interviews.answers SET text_answer = NULL"
        " WHERE company_id = %s AND invitation_id = %s AND text_answer IS NOT NULL",
        (company_id, invitation_id),
    )
    return cursor.rowcount
