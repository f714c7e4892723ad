"""Invitations, HR's side: invite (singly, in bulk), list, read, resend, cancel, extend.

Lifecycle ``pending -> in_progress -> completed``, ``pending | in_progress -> expired``,
``pending -> cancelled``. The link token (256 random bits) is shown once, on create and on
resend; only its SHA-256 is stored, so a resend rotates it and the old link dies.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from shared.analysis.public import analysis_for_invitation
from shared.billing import public as billing
from shared.dal.idempotency import idempotent
from shared.dal.sql import Conn
from shared.errors import ConflictError
from shared.events.audit import ANALYSIS_VIEWED, MEDIA_VIEWED, AccessBy
from shared.identity.public import Caller
from shared.interviews import dal
from shared.interviews.models import (
    AnswerOut,
    BulkCandidate,
    BulkReport,
    BulkRowResult,
    InvitationBulkCreate,
    InvitationCreate,
    InvitationDetail,
    InvitationOut,
    InvitationPage,
    InvitationWithLink,
    MediaReference,
    QuestionOut,
    TemplateSummary,
)
from shared.interviews.pagination import decode_cursor, next_cursor
from shared.interviews.rows import InvitationRow
from shared.interviews.templates import company_of, emit
from shared.interviews.tokens import new_link_token
from shared.media.public import media_for_uploads
from shared.models.events.interviews import InvitationChanged, InvitationCreated


@dataclass(frozen=True, slots=True)
class LinkMaker:
    """How a token becomes the candidate's link: the frontend's origin and path, the token in
    the fragment. A browser never sends a fragment to a server, so the token stays out of
    request lines, access logs, proxies and the Referer header; the frontend reads it from
    ``location.hash`` and sends it as ``X-Invitation-Token``."""

    origin: str
    path: str = "/interview"
    # Seals a new token for the invitation (its id), so that emails sent later can carry the
    # link; None where nothing is emailed (the token is then shown once, and only hashed).
    seal: Callable[[uuid.UUID, str], bytes] | None = None

    def __call__(self, token: str) -> str:
        return f"{self.origin.rstrip('/')}{self.path}#{token}"

    def sealed(self, invitation_id: uuid.UUID, token: str) -> bytes | None:
        return self.seal(invitation_id, token) if self.seal else None


@dataclass(frozen=True, slots=True)
class Playback:
    """What presigning a playback URL needs (a signer bound to the bucket, and the TTL)."""

    sign: Callable[[str, int, str | None], str]  # key, seconds, the pinned version
    ttl_s: int


def _with_link(row: InvitationRow, token: str, links: LinkMaker) -> InvitationWithLink:
    return InvitationWithLink.model_validate(
        {**InvitationOut.of(row).model_dump(), "link_token": token, "link_url": links(token)}
    )


def _active_template(conn: Conn, caller: Caller, template_id: uuid.UUID) -> TemplateSummary:
    template = dal.get_template(conn, template_id, caller.scope())
    if template.status != "active":
        raise ConflictError("Candidates can be invited only to an active (published) template.")
    return TemplateSummary.of(template)


def _invite(
    conn: Conn,
    caller: Caller,
    template: TemplateSummary,
    *,
    name: str,
    email: str,
    days: int,
    links: LinkMaker,
) -> InvitationWithLink:
    token, token_hash = new_link_token()
    # One savepoint for the plan's unit and the row: a duplicate gives the unit back, and an
    # invitation past the plan's limit is never created.
    with conn.transaction():
        billing.reserve(conn, template.company_id, "interviews_per_month")
        invitation_id = dal.insert_invitation(
            conn,
            company_id=template.company_id,
            template_id=template.id,
            created_by=caller.id,
            candidate_name=name,
            candidate_email=email,
            token_hash=token_hash,
            expires_in_days=days,
        )
    dal.seal_token(conn, invitation_id, links.sealed(invitation_id, token))
    row = dal.get_invitation(conn, invitation_id, caller.scope())
    emit(
        conn,
        caller,
        "invitation.created",
        InvitationCreated(
            invitation_id=row.id,
            template_id=row.template_id,
            candidate_name=row.candidate_name,
            candidate_email=row.candidate_email,
            expires_at=row.expires_at,
            actor_id=caller.id,
        ),
    )
    return _with_link(row, token, links)


def create_invitation(
    conn: Conn, caller: Caller, body: InvitationCreate, links: LinkMaker
) -> InvitationWithLink:
    company_of(caller)
    template = _active_template(conn, caller, body.template_id)
    return _invite(
        conn,
        caller,
        template,
        name=body.candidate_name,
        email=body.candidate_email,
        days=body.expires_in_days,
        links=links,
    )


def _row_error(exc: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(p) for p in err['loc']) or 'row'}: {err['msg']}" for err in exc.errors()
    )


def bulk_invite(
    conn: Conn, caller: Caller, body: InvitationBulkCreate, links: LinkMaker
) -> BulkReport:
    """Each row on its own: a bad or duplicate row is reported and the others go ahead (every
    insert runs in its own savepoint)."""
    company_of(caller)
    template = _active_template(conn, caller, body.template_id)
    results: list[BulkRowResult] = []
    for index, raw in enumerate(body.candidates):
        try:
            row = BulkCandidate.model_validate(raw)
        except ValidationError as exc:
            results.append(BulkRowResult(index=index, status="invalid", error=_row_error(exc)))
            continue
        try:
            invitation = _invite(
                conn,
                caller,
                template,
                name=row.candidate_name,
                email=row.candidate_email,
                days=body.expires_in_days,
                links=links,
            )
        except ConflictError as exc:
            results.append(BulkRowResult(index=index, status="duplicate", error=exc.detail))
            continue
        except billing.QuotaExceeded as exc:
            results.append(BulkRowResult(index=index, status="over_limit", error=exc.detail))
            continue
        results.append(BulkRowResult(index=index, status="created", invitation=invitation))
    return BulkReport(
        created=sum(r.status == "created" for r in results),
        duplicate=sum(r.status == "duplicate" for r in results),
        invalid=sum(r.status == "invalid" for r in results),
        over_limit=sum(r.status == "over_limit" for r in results),
        results=results,
    )


def without_links(body: Any) -> Any:
    """What an idempotent replay may store: the answer minus every link token (only hashes
    are ever stored)."""
    if isinstance(body, dict):
        return {
            k: (None if k in {"link_token", "link_url"} else without_links(v))
            for k, v in body.items()
        }
    if isinstance(body, list):
        return [without_links(v) for v in body]
    return body


@dataclass(frozen=True, slots=True)
class Created:
    status_code: int
    body: Any


def idempotent_create(
    conn: Conn,
    scope: str,
    key: str | None,
    *,
    body: Any,
    status_code: int,
    run: Callable[[], Any],
) -> Created:
    """`identity.logic.idempotent`, except that the stored response carries no link token:
    the first answer has it, a replay answers the same invitation(s) with null links."""
    fresh: list[Any] = []

    def _run_and_strip() -> Any:
        result = run()
        fresh.append(result.model_dump(mode="json"))
        return type(result).model_validate(without_links(fresh[0]))

    replay = idempotent(conn, scope, key, body=body, status_code=status_code, run=_run_and_strip)
    return Created(replay.status_code, fresh[0] if fresh else replay.body)


def list_invitations(
    conn: Conn,
    caller: Caller,
    *,
    status: str | None,
    template_id: uuid.UUID | None,
    limit: int,
    cursor: str | None,
) -> InvitationPage:
    after = decode_cursor(cursor) if cursor else None
    rows = dal.list_invitations(
        conn, caller.scope(), status=status, template_id=template_id, limit=limit, after=after
    )
    return InvitationPage(
        items=[InvitationOut.of(r) for r in rows[:limit]],
        next_cursor=next_cursor([(r.created_at, r.id) for r in rows], limit),
    )


def get_invitation(
    conn: Conn, caller: Caller, invitation_id: uuid.UUID, playback: Playback
) -> InvitationDetail:
    """The invitation with its questions in order, current answers (a short-lived playback URL
    for media), every reviewer's rating and the decision."""
    invitation = dal.get_invitation(conn, invitation_id, caller.scope())
    template = dal.get_template(conn, invitation.template_id, caller.scope())
    reviews = dal.list_reviews(conn, invitation.id)
    current = dal.list_current_answers(conn, invitation.id)
    media = media_for_uploads(
        conn, invitation.company_id, [a.upload_id for a in current if a.upload_id is not None]
    )
    analysis = analysis_for_invitation(conn, invitation.company_id, invitation.id)
    results = {r.answer_id: r for r in analysis.answers} if analysis is not None else {}
    answers = []
    for answer in current:
        media_ref = None
        if answer.kind == "media" and answer.media_key:
            media_ref = MediaReference(
                upload_id=answer.upload_id,
                key=answer.media_key,
                content_type=answer.media_content_type,
                bytes=answer.media_bytes,
                playback_url=playback.sign(
                    answer.media_key, playback.ttl_s, answer.media_version_id
                ),
                playback_expires_in=playback.ttl_s,
            )
        answers.append(
            AnswerOut(
                id=answer.id,
                question_id=answer.question_id,
                attempt=answer.attempt,
                kind=answer.kind,
                text=answer.text_answer,
                selected_option_ids=answer.selected_option_ids,
                media_ref=media_ref,
                submitted_at=answer.submitted_at,
                reviews=[r for r in reviews if r.answer_id == answer.id],
                media=media.get(answer.upload_id) if answer.upload_id is not None else None,
                analysis=results.get(answer.id),
            )
        )
    # The reader opened the candidate's media (playback URLs, transcripts) and analysis.
    viewer = AccessBy(actor_id=caller.id, correlation_id=caller.correlation_id)
    if any(a.kind == "media" for a in current):
        viewer.record(conn, MEDIA_VIEWED, invitation.company_id, invitation.id)
    if analysis is not None:
        viewer.record(conn, ANALYSIS_VIEWED, invitation.company_id, invitation.id)
    return InvitationDetail(
        invitation=InvitationOut.of(invitation),
        template=TemplateSummary.of(template),
        questions=[QuestionOut.of(q) for q in dal.list_questions(conn, template.id)],
        answers=answers,
        decision=dal.get_decision(conn, invitation.id),
        analysis=analysis,
    )


def _open(conn: Conn, caller: Caller, invitation_id: uuid.UUID, action: str) -> InvitationRow:
    """A pending or in-progress invitation that has not expired, locked for the change."""
    invitation = dal.get_invitation(conn, invitation_id, caller.scope(), lock=True)
    check_open(invitation.status, overdue=dal.is_overdue(conn, invitation.id), action=action)
    return invitation


def check_open(status: str, *, overdue: bool, action: str) -> None:
    """Resend and extend: only a pending or in-progress invitation that has not expired (past
    its expiry counts as expired even before the sweep marks it)."""
    if status not in {"pending", "in_progress"}:
        raise ConflictError(f"A {status} invitation cannot be {action}.")
    if overdue:
        raise ConflictError(f"The invitation has expired; it cannot be {action}.")


def needs_cancelling(status: str) -> bool:
    """pending -> cancelled; cancelling again is a no-op; any other state is a conflict."""
    if status == "cancelled":
        return False
    if status != "pending":
        raise ConflictError(f"Only a pending invitation can be cancelled, not a {status} one.")
    return True


def resend_invitation(
    conn: Conn, caller: Caller, invitation_id: uuid.UUID, links: LinkMaker
) -> InvitationWithLink:
    """A new link (the old one stops working at once)."""
    invitation = _open(conn, caller, invitation_id, "resent")
    token, token_hash = new_link_token()
    dal.rotate_token(conn, invitation.id, token_hash, links.sealed(invitation.id, token))
    row = dal.get_invitation(conn, invitation.id, caller.scope())
    emit(conn, caller, "invitation.resent", _changed(row, caller))
    return _with_link(row, token, links)


def _changed(row: InvitationRow, caller: Caller) -> InvitationChanged:
    return InvitationChanged(
        invitation_id=row.id,
        template_id=row.template_id,
        expires_at=row.expires_at,
        actor_id=caller.id,
    )


def cancel_invitation(conn: Conn, caller: Caller, invitation_id: uuid.UUID) -> InvitationOut:
    invitation = dal.get_invitation(conn, invitation_id, caller.scope(), lock=True)
    if not needs_cancelling(invitation.status):
        return InvitationOut.of(invitation)
    dal.cancel_invitation(conn, invitation.id)
    row = dal.get_invitation(conn, invitation.id, caller.scope())
    emit(conn, caller, "invitation.cancelled", _changed(row, caller))
    return InvitationOut.of(row)


def extend_invitation(
    conn: Conn, caller: Caller, invitation_id: uuid.UUID, days: int
) -> InvitationOut:
    invitation = _open(conn, caller, invitation_id, "extended")
    dal.extend_invitation(conn, invitation.id, days)
    row = dal.get_invitation(conn, invitation.id, caller.scope())
    emit(conn, caller, "invitation.extended", _changed(row, caller))
    return InvitationOut.of(row)
