"""GET /v1/invitations: newest first, by status and/or template, keyset cursor pagination."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Query, Request

from shared.http.app import create_app, lambda_handler_for
from shared.identity.public import HR_OR_ADMIN, caller_transaction
from shared.interviews import invitations
from shared.interviews.models import InvitationPage
from shared.interviews.rows import InvitationStatus

app = create_app("List invitations")


@app.get("/v1/invitations", response_model=InvitationPage, tags=["invitations"])
def list_invitations(
    request: Request,
    status: InvitationStatus | None = None,
    template_id: uuid.UUID | None = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> InvitationPage:
    with caller_transaction(request, HR_OR_ADMIN) as (conn, caller):
        return invitations.list_invitations(
            conn, caller, status=status, template_id=template_id, limit=limit, cursor=cursor
        )


handler = lambda_handler_for(app)
