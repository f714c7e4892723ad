"""HR review: a rating and comment per answer and reviewer, and the decision on an invitation.

The decision lives in interviews.decisions, beside whatever the AI concluded (the analysis
context's own tables): deciding never touches an AI result.
"""

from __future__ import annotations

import uuid

from shared.dal.sql import Conn
from shared.errors import ConflictError
from shared.identity.public import Caller
from shared.interviews import dal
from shared.interviews.models import DecisionOut, DecisionRequest, ReviewOut, ReviewRequest
from shared.interviews.templates import company_of, emit
from shared.models.events.interviews import CandidateDecided


def review_answer(
    conn: Conn,
    caller: Caller,
    invitation_id: uuid.UUID,
    answer_id: uuid.UUID,
    body: ReviewRequest,
) -> ReviewOut:
    """Create or replace the caller's review of one answer (repeating it changes nothing)."""
    company_of(caller)
    invitation = dal.get_invitation(conn, invitation_id, caller.scope())
    answer = dal.get_answer(conn, invitation.id, answer_id)
    return dal.upsert_review(
        conn,
        answer_id=answer.id,
        reviewer_id=caller.id,
        company_id=invitation.company_id,
        rating=body.rating,
        comment=body.comment,
    )


def decide(
    conn: Conn, caller: Caller, invitation_id: uuid.UUID, body: DecisionRequest
) -> DecisionOut:
    """Advance or reject a completed interview. The same decision again changes nothing and
    emits nothing; a different one replaces it (and is announced again)."""
    company_of(caller)
    invitation = dal.get_invitation(conn, invitation_id, caller.scope(), lock=True)
    check_decidable(invitation.status)
    current = dal.get_decision(conn, invitation.id)
    if current is not None and (current.decision, current.note) == (body.decision, body.note):
        return current
    decision = dal.upsert_decision(
        conn,
        invitation_id=invitation.id,
        company_id=invitation.company_id,
        decision=body.decision,
        note=body.note,
        decided_by=caller.id,
    )
    emit(
        conn,
        caller,
        "candidate.decided",
        CandidateDecided(
            invitation_id=invitation.id,
            decision=body.decision,
            note=body.note,
            actor_id=caller.id,
        ),
    )
    return decision


def check_decidable(status: str) -> None:
    if status != "completed":
        raise ConflictError(f"Only a completed interview can be decided; this one is {status}.")
