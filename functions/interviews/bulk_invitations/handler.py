"""POST /v1/invitations/bulk: up to 100 candidates to one active template, reported per row
(created | duplicate | invalid); a row's failure never stops the others."""

from __future__ import annotations

from typing import Annotated

from fastapi import Header, Request
from fastapi.responses import JSONResponse

from shared.http.app import create_app, lambda_handler_for
from shared.identity.public import HR, caller_transaction
from shared.interviews import invitations
from shared.interviews.models import BulkReport, InvitationBulkCreate
from shared.interviews.settings import get_hr_settings
from shared.interviews.tokens import seal_with_app_key
from shared.settings import get_platform_settings

app = create_app("Invite candidates in bulk")
links = invitations.LinkMaker(
    get_platform_settings().frontend_origin, get_hr_settings().link_path, seal_with_app_key
)


@app.post("/v1/invitations/bulk", response_model=BulkReport, tags=["invitations"])
def bulk_invite(
    body: InvitationBulkCreate,
    request: Request,
    idempotency_key: Annotated[str | None, Header(max_length=255)] = None,
) -> JSONResponse:
    with caller_transaction(request, HR) as (conn, caller):
        result = invitations.idempotent_create(
            conn,
            f"invitations-bulk:{caller.id}",
            idempotency_key,
            body=body,
            status_code=200,
            run=lambda: invitations.bulk_invite(conn, caller, body, links),
        )
    return JSONResponse(result.body, status_code=result.status_code)


handler = lambda_handler_for(app)
