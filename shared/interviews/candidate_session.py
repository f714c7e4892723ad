"""The candidate's session: start, heartbeat, complete."""

from __future__ import annotations

from shared.dal.sql import Conn
from shared.errors import ConflictError, UnprocessableError
from shared.interviews import candidate_dal as dal
from shared.interviews import lifecycle
from shared.interviews.candidate_link import with_invitation
from shared.interviews.candidate_models import (
    CompleteRequest,
    StartRequest,
    StatusOut,
)
from shared.interviews.deps import Deps
from shared.interviews.rows import InvitationRow
from shared.models.events.interviews import InvitationStarted


def start(deps: Deps, token: str, body: StartRequest, cid: str) -> StatusOut:
    """pending -> in_progress, recording the consent in ``body``. Starting an interview in
    progress again answers the same, and keeps the consent given first (whatever this body
    says): consent is given once, with the start."""

    def run(conn: Conn, invitation: InvitationRow) -> StatusOut:
        if invitation.status == "completed":
            raise ConflictError("The interview is already completed.")
        if invitation.status == "pending":
            dal.mark_started(
                conn, invitation.id, ai_consent=body.ai_analysis, text_version=body.text_version
            )
            invitation = dal.get_invitation(conn, invitation.id)
            assert invitation.started_at is not None
            payload = InvitationStarted(
                invitation_id=invitation.id,
                template_id=invitation.template_id,
                started_at=invitation.started_at,
            )
            lifecycle.emit(conn, invitation, "invitation.started", payload, cid)
        return lifecycle.status_of(invitation)

    return with_invitation(deps, token, cid, run, write=True)


def heartbeat(deps: Deps, token: str, cid: str) -> StatusOut:
    def run(conn: Conn, invitation: InvitationRow) -> StatusOut:
        lifecycle.require_in_progress(invitation)
        dal.touch(conn, invitation.id)
        return lifecycle.status_of(dal.get_invitation(conn, invitation.id))

    return with_invitation(deps, token, cid, run, write=True)


def complete(deps: Deps, token: str, body: CompleteRequest, cid: str) -> StatusOut:
    def run(conn: Conn, invitation: InvitationRow) -> StatusOut:
        if invitation.status == "completed":
            # Completing twice answers the first completion again; no second event.
            return lifecycle.status_of(invitation)
        lifecycle.require_in_progress(invitation)
        if body.reason == "manual":
            missing = lifecycle.missing_required(
                dal.questions(conn, invitation.template_id),
                dal.current_answers(conn, invitation.id),
            )
            if missing:
                raise UnprocessableError(
                    "Required questions are unanswered: " + ", ".join(str(m) for m in missing)
                )
        return lifecycle.status_of(lifecycle.complete(conn, invitation, body.reason, cid))

    return with_invitation(deps, token, cid, run, write=True)
