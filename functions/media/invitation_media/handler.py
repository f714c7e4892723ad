"""GET /v1/invitations/{invitation_id}/media: each answer's media, progress and transcript."""

from __future__ import annotations

from uuid import UUID

from fastapi import Request

from shared.errors import NotFoundError
from shared.events.audit import AccessBy
from shared.http.app import create_app, lambda_handler_for
from shared.identity.public import HR, caller_transaction
from shared.media.models import InvitationMedia
from shared.media.reads import invitation_media

app = create_app("An invitation's media")


@app.get("/v1/invitations/{invitation_id}/media", response_model=InvitationMedia, tags=["media"])
def get_invitation_media(invitation_id: UUID, request: Request) -> InvitationMedia:
    with caller_transaction(request, HR) as (conn, caller):
        if caller.user.company_id is None:
            raise NotFoundError("No such invitation.")
        viewer = AccessBy(actor_id=caller.id, correlation_id=caller.correlation_id)
        return invitation_media(conn, caller.user.company_id, invitation_id, viewer=viewer)


handler = lambda_handler_for(app)
