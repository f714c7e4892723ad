"""GET /v1/invitations/{invitation_id}: the invitation, its questions, current answers with
short-lived playback URLs, reviews and the decision."""

from __future__ import annotations

import uuid

from fastapi import Request

from shared.http.app import create_app, lambda_handler_for
from shared.identity.public import HR_OR_ADMIN, caller_transaction
from shared.interviews import invitations, storage
from shared.interviews.models import InvitationDetail
from shared.interviews.settings import get_hr_settings
from shared.settings import get_platform_settings

app = create_app("Review an invitation")
playback = invitations.Playback(
    sign=storage.playback_signer(get_platform_settings().media_bucket or ""),
    ttl_s=get_hr_settings().playback_url_ttl_s,
)


@app.get("/v1/invitations/{invitation_id}", response_model=InvitationDetail, tags=["invitations"])
def get_invitation(invitation_id: uuid.UUID, request: Request) -> InvitationDetail:
    with caller_transaction(request, HR_OR_ADMIN) as (conn, caller):
        return invitations.get_invitation(conn, caller, invitation_id, playback)


handler = lambda_handler_for(app)
