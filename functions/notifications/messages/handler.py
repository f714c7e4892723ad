"""GET /v1/notifications/messages: the company's delivery log (HR), newest first."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Query, Request

from shared.http.app import create_app, lambda_handler_for
from shared.identity.public import HR, caller_transaction
from shared.notifications import preferences
from shared.notifications.models import MessagePage

app = create_app("Delivery log")


@app.get("/v1/notifications/messages", response_model=MessagePage, tags=["notifications"])
def list_messages(
    request: Request,
    invitation_id: uuid.UUID | None = None,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
) -> MessagePage:
    with caller_transaction(request, HR) as (conn, caller):
        company = caller.user.company_id
        if company is None:
            return MessagePage(items=[])
        return preferences.delivery_log(
            conn, company, invitation_id=invitation_id, cursor=cursor, limit=limit
        )


handler = lambda_handler_for(app)
