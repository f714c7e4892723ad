"""POST /v1/auth/register: create an account (role pending) with email and password.

Always 202 with the same body for a well-formed request, so sign-up never reveals whether an
email already has an account.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Header
from fastapi.responses import JSONResponse

from shared.auth.http import correlation_id, create_identity_app, transaction
from shared.http.app import PUBLIC, lambda_handler_for
from shared.identity import logic
from shared.identity.models import RegisterRequest, RegistrationAccepted

app = create_identity_app("Register")


@app.post(
    "/v1/auth/register",
    status_code=202,
    response_model=RegistrationAccepted,
    tags=["identity"],
    openapi_extra=PUBLIC,
)
def register(
    body: RegisterRequest,
    idempotency_key: Annotated[str | None, Header(max_length=255)] = None,
) -> JSONResponse:
    with transaction() as conn:
        result = logic.idempotent(
            conn,
            "register",
            idempotency_key,
            body=body,
            status_code=202,
            run=lambda: logic.register_account(
                conn, body.email, body.password, correlation_id=correlation_id()
            ),
        )
    return JSONResponse(result.body, status_code=result.status_code)


handler = lambda_handler_for(app)
