"""A candidate's account: every invitation sent to their (verified) email, across companies,
with its status, the template's title, the company's name, the dates and their own answers.

What a candidate sees is what they gave: text, chosen options and a recording's processing
status; never HR's ratings, notes, decisions or the AI's scores. An unverified email is refused
with a 403 (``email-not-verified``) rather than answered with an empty list: anyone can sign up
with someone else's address, and an empty list would read as "no invitations".

The link flow does not need any of this: a link's token stays the credential for its one
invitation, account or not.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from typing import Any

from shared.dal.sql import Conn
from shared.identity.public import Caller, company_names, ensure_email_verified
from shared.interviews import dal
from shared.interviews.candidate_models import MyAnswer, MyInvitation, MyInvitationPage
from shared.interviews.pagination import decode_cursor, next_cursor
from shared.media.public import media_status_of_uploads


def my_invitations(
    conn: Conn, caller: Caller, *, limit: int, cursor: str | None
) -> MyInvitationPage:
    ensure_email_verified(
        caller,
        "Verify your email address first: only then can the invitations sent to it be shown.",
    )
    after = decode_cursor(cursor) if cursor else None
    rows = dal.invitations_for_email(conn, caller.user.email, limit=limit, after=after)
    page = rows[:limit]
    answers = _answers_by_invitation(conn, page)
    names = company_names(conn, [r["company_id"] for r in page])
    return MyInvitationPage(
        items=[
            MyInvitation(
                invitation_id=r["id"],
                status=r["status"],
                template_title=r["template_title"],
                company_name=names.get(r["company_id"], ""),
                invited_at=r["created_at"],
                expires_at=r["expires_at"],
                started_at=r["started_at"],
                completed_at=r["completed_at"],
                cancelled_at=r["cancelled_at"],
                expired_at=r["expired_at"],
                answers=answers.get(r["id"], []),
            )
            for r in page
        ],
        next_cursor=next_cursor([(r["created_at"], r["id"]) for r in rows], limit),
    )


def _answers_by_invitation(
    conn: Conn, invitations: list[dict[str, Any]]
) -> dict[uuid.UUID, list[MyAnswer]]:
    if not invitations:
        return {}
    company_of = {r["id"]: r["company_id"] for r in invitations}
    rows = dal.current_answers_of(conn, list(company_of))
    uploads: dict[uuid.UUID, list[uuid.UUID]] = defaultdict(list)
    for row in rows:
        if row["upload_id"] is not None:
            uploads[company_of[row["invitation_id"]]].append(row["upload_id"])
    status: dict[uuid.UUID, str] = {}
    for company_id, upload_ids in uploads.items():
        status |= media_status_of_uploads(conn, company_id, upload_ids)
    answers: dict[uuid.UUID, list[MyAnswer]] = defaultdict(list)
    for row in rows:
        media = row["kind"] == "media"
        answers[row["invitation_id"]].append(
            MyAnswer(
                answer_id=row["answer_id"],
                question_id=row["question_id"],
                position=row["position"],
                question_text=row["question_text"],
                question_type=row["question_type"],
                kind=row["kind"],
                text=row["text_answer"],
                selected_option_ids=row["selected_option_ids"],
                media_status=status.get(row["upload_id"], "uploaded") if media else None,
                submitted_at=row["submitted_at"],
            )
        )
    return answers
