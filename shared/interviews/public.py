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
    "ReportSource",
    "erase_text_answers",
    "expiring_invitations",
    "invitation_contact",
    "report_source",
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


@dataclass(frozen=True, slots=True)
class ReportQuestion:
    question_id: UUID
    position: int
    type: str
    text: str


@dataclass(frozen=True, slots=True)
class ReportAnswer:
    answer_id: UUID
    question_id: UUID
    kind: str
    submitted_at: datetime


@dataclass(frozen=True, slots=True)
class ReportReview:
    answer_id: UUID
    reviewer_id: UUID
    rating: int
    comment: str | None
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class ReportDecision:
    decision: str
    note: str | None
    decided_by: UUID
    decided_at: datetime


@dataclass(frozen=True, slots=True)
class ReportSource:
    """What a candidate's report shows of the interview: who, what, when, and HR's review."""

    invitation_id: UUID
    company_id: UUID
    template_id: UUID
    template_title: str
    candidate_name: str
    candidate_email: str
    status: str
    invited_at: datetime
    started_at: datetime | None
    completed_at: datetime | None
    questions: list[ReportQuestion]
    answers: list[ReportAnswer]
    reviews: list[ReportReview]
    decision: ReportDecision | None


def report_source(conn: Conn, company_id: UUID, invitation_id: UUID) -> ReportSource | None:
    """The invitation's report data, or None when this company has no such invitation."""
    from shared.dal.sql import fetch_all, fetch_one  # noqa: PLC0415

    row = fetch_one(
        conn,
        "SELECT i.id, i.company_id, i.template_id, t.title, i.candidate_name,"
        " i.candidate_email::text AS candidate_email, i.status, i.created_at, i.started_at,"
        " i.completed_at FROM interviews.invitations i"
        " JOIN interviews.templates t ON t.id = i.template_id"
        " WHERE i.id = %s AND i.company_id = %s",
        (invitation_id, company_id),
    )
    if row is None:
        return None
    questions = fetch_all(
        conn,
        "SELECT id, position, type, text FROM interviews.questions"
        " WHERE template_id = %s ORDER BY position",
        (row["template_id"],),
    )
    answers = fetch_all(
        conn,
        "SELECT id, question_id, kind, submitted_at FROM interviews.answers"
        " WHERE invitation_id = %s AND is_current ORDER BY submitted_at, id",
        (invitation_id,),
    )
    reviews = fetch_all(
        conn,
        "SELECT r.answer_id, r.reviewer_id, r.rating, r.comment, r.updated_at"
        " FROM interviews.answer_reviews r JOIN interviews.answers a ON a.id = r.answer_id"
        " WHERE a.invitation_id = %s ORDER BY r.created_at, r.reviewer_id",
        (invitation_id,),
    )
    decision = fetch_one(
        conn,
        "SELECT decision, note, decided_by, decided_at FROM interviews.decisions"
        " WHERE invitation_id = %s",
        (invitation_id,),
    )
    return ReportSource(
        invitation_id=row["id"],
        company_id=row["company_id"],
        template_id=row["template_id"],
        template_title=row["title"],
        candidate_name=row["candidate_name"],
        candidate_email=row["candidate_email"],
        status=row["status"],
        invited_at=row["created_at"],
        started_at=row["started_at"],
        completed_at=row["completed_at"],
        questions=[ReportQuestion(q["id"], q["position"], q["type"], q["text"]) for q in questions],
        answers=[
            ReportAnswer(a["id"], a["question_id"], a["kind"], a["submitted_at"]) for a in answers
        ],
        reviews=[
            ReportReview(
                r["answer_id"], r["reviewer_id"], r["rating"], r["comment"], r["updated_at"]
            )
            for r in reviews
        ],
        decision=ReportDecision(**decision) if decision else None,
    )
