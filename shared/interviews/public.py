"""What other contexts may use of interviews: an invitation as the people it concerns see it
(who the candidate is, what the interview is, who invited them) and the candidate's link, opened
from its sealed copy; the invitations whose expiry is near (for reminders); the invitations
sent to an email (a candidate account's, for data rights); and the erasure of a candidate's
written answers (the media context's erasure of an invitation removes the
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
    "ERASED_NAME",
    "InvitationContact",
    "InvitationRef",
    "LinkedInvitation",
    "ReportSource",
    "erase_text_answers",
    "expiring_invitations",
    "invitation_contact",
    "invitation_for_link",
    "invitations_of_email",
    "pseudonymise_invitation",
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


@dataclass(frozen=True, slots=True)
class InvitationRef:
    id: UUID
    company_id: UUID


def invitations_of_email(conn: Conn, email: str, *, limit: int = 500) -> list[InvitationRef]:
    """Every invitation sent to this address, across companies, newest first, at most
    ``limit`` (a candidate account's, by its verified email; an erased invitation's address
    is a pseudonym). The same query as the account's own page of its invitations."""
    from shared.interviews import dal  # noqa: PLC0415

    rows = dal.invitations_for_email(conn, email, limit=limit, after=None)[:limit]
    return [InvitationRef(r["id"], r["company_id"]) for r in rows]


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


# ---- data rights (issue 19): the link token's invitation, and an erased candidate's row ------
ERASED_NAME = "Erased candidate"
ERASED_NOTE = "Erased at the candidate's request."


def erased_email(invitation_id: UUID) -> str:
    """The pseudonym an erased invitation's address becomes: unique (one per invitation, so
    the template's one-invitation-per-address rule holds) and undeliverable (RFC 2606)."""
    return f"erased-{invitation_id}@erased.invalid"


@dataclass(frozen=True, slots=True)
class LinkedInvitation:
    id: UUID
    company_id: UUID


def invitation_for_link(conn: Conn, token: str) -> LinkedInvitation | None:
    """The invitation a link token opens, whatever its status (an expired, cancelled or
    erased invitation's candidate keeps their data rights); None for any other value."""
    from shared.dal.sql import fetch_one  # noqa: PLC0415
    from shared.interviews.tokens import hash_token, looks_like_token  # noqa: PLC0415

    if not looks_like_token(token):
        return None
    row = fetch_one(
        conn,
        "SELECT id, company_id FROM interviews.invitations WHERE token_hash = %s",
        (hash_token(token),),
    )
    return LinkedInvitation(row["id"], row["company_id"]) if row else None


def pseudonymise_invitation(conn: Conn, company_id: UUID, invitation_id: UUID) -> bool:
    """Erasure: the invitation keeps its status, dates and template (counts and the funnel
    survive), its candidate's name and address become a pseudonym, its sealed link goes, and
    HR's words about the candidate (review comments, the decision's note) are blanked (ratings
    and the decision stay). An unfinished invitation is cancelled on the spot, without an
    event (no mail goes to an erased candidate). Whether the invitation exists; idempotent."""
    cursor = conn.execute(
        "UPDATE interviews.invitations SET candidate_name = %s, candidate_email = %s,"
        " token_sealed = NULL, erased_at = coalesce(erased_at, now()),"
        " cancelled_at = CASE WHEN status IN ('pending', 'in_progress') THEN now()"
        "                     ELSE cancelled_at END,"
        " status = CASE WHEN status IN ('pending', 'in_progress') THEN 'cancelled'"
        "               ELSE status END,"
        " updated_at = now()"
        " WHERE id = %s AND company_id = %s",
        (ERASED_NAME, erased_email(invitation_id), invitation_id, company_id),
    )
    if cursor.rowcount == 0:
        return False
    conn.execute(
        "UPDATE interviews.answer_reviews r SET comment = NULL FROM interviews.answers a"
        " WHERE a.id = r.answer_id AND a.invitation_id = %s AND r.comment IS NOT NULL",
        (invitation_id,),
    )
    conn.execute(
        "UPDATE interviews.decisions SET note = %s WHERE invitation_id = %s AND note IS NOT NULL",
        (ERASED_NOTE, invitation_id),
    )
    return True
