"""An invitation's lifecycle: resend (a new link; the old one dies), cancel (pending only),
extend (pending or in progress, not yet expired)."""

from __future__ import annotations

import uuid

from fastapi import Request

from shared.http.app import create_app, lambda_handler_for
from shared.identity.public import HR, caller_transaction
from shared.interviews import invitations
from shared.interviews.models import ExtendRequest, InvitationOut, InvitationWithLink
from shared.interviews.settings import get_hr_settings
from shared.interviews.tokens import seal_with_app_key
from shared.settings import get_platform_settings

app = create_app("Resend, cancel or extend an invitation")
links = invitations.LinkMaker(
    get_platform_settings().frontend_origin, get_hr_settings().link_path, seal_with_app_key
)
_BASE = "/v1/invitations/{invitation_id}"


@app.post(_BASE + "/resend", response_model=InvitationWithLink, tags=["invitations"])
def resend(invitation_id: uuid.UUID, request: Request) -> InvitationWithLink:
    with caller_transaction(request, HR) as (conn, caller):
        return invitations.resend_invitation(conn, caller, invitation_id, links)


@app.post(_BASE + "/cancel", response_model=InvitationOut, tags=["invitations"])
def cancel(invitation_id: uuid.UUID, request: Request) -> InvitationOut:
    with caller_transaction(request, HR) as (conn, caller):
        return invitations.cancel_invitation(conn, caller, invitation_id)


@app.post(_BASE + "/extend", response_model=InvitationOut, tags=["invitations"])
def extend(invitation_id: uuid.UUID, body: ExtendRequest, request: Request) -> InvitationOut:
    with caller_transaction(request, HR) as (conn, caller):
        return invitations.extend_invitation(conn, caller, invitation_id, body.days)


handler = lambda_handler_for(app)
