"""POST /v1/invitations/{invitation_id}/analysis/retry: run a failed analysis again (its HR)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Header, Request
from fastapi.responses import JSONResponse

from shared.analysis import hr
from shared.analysis.models import RetryAccepted, RetryRequest
from shared.http.app import create_app, lambda_handler_for
from shared.http.idempotency import idempotent_response
from shared.identity.public import HR, caller_transaction

app = create_app("Retry an analysis")


@app.post(
    "/v1/invitations/{invitation_id}/analysis/retry",
    status_code=202,
    response_model=RetryAccepted,
    tags=["analysis"],
)
def retry_analysis(
    invitation_id: uuid.UUID,
    request: Request,
    idempotency_key: Annotated[str | None, Header(max_length=255)] = None,
) -> JSONResponse:
    with caller_transaction(request, HR) as (conn, caller):
        return idempotent_response(
            conn,
            f"analysis-retry:{caller.id}",
            idempotency_key,
            body=RetryRequest(invitation_id=invitation_id),
            status_code=202,
            run=lambda: hr.retry_analysis(
                conn, caller.user.company_id, invitation_id, caller.correlation_id
            ),
        )


handler = lambda_handler_for(app)
