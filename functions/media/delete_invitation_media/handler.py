"""DELETE /v1/invitations/{invitation_id}/media: erase every object and transcript (GDPR)."""

from __future__ import annotations

from uuid import UUID

from fastapi import Request, Response

from shared.errors import NotFoundError
from shared.http.app import create_app, lambda_handler_for
from shared.identity.public import ALLOWED_WHEN_DEACTIVATED, HR, caller_transaction
from shared.media.reads import delete_invitation_media

app = create_app("Delete an invitation's media")


@app.delete(
    "/v1/invitations/{invitation_id}/media",
    status_code=204,
    tags=["media"],
    openapi_extra=ALLOWED_WHEN_DEACTIVATED,  # erasure stays a right of the candidate
)
def delete_media(invitation_id: UUID, request: Request) -> Response:
    with caller_transaction(request, HR) as (conn, caller):
        if caller.user.company_id is None:
            raise NotFoundError("No such invitation.")
        delete_invitation_media(conn, caller.user.company_id, invitation_id)
    return Response(status_code=204)


handler = lambda_handler_for(app)
