"""POST /v1/auth/register: create an account (role pending) with email and password.

Always 202 with the same body for a well-formed request, so sign-up never reveals whether an
email already has an account.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Header
from fastapi.responses import JSONResponse

from shared.dal.db import transaction
from shared.http.app import PUBLIC, create_app, lambda_handler_for
from shared.http.idempotency import idempotent_response
from shared.identity import accounts
from shared.identity.models import RegisterRequest, RegistrationAccepted
from shared.observability import correlation_id

app = create_app("Register")


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
        return idempotent_response(
            conn,
            "register",
            idempotency_key,
            body=body,
            status_code=202,
            run=lambda: accounts.register_account(
                conn, body.email, body.password, correlation_id=correlation_id()
            ),
        )


handler = lambda_handler_for(app)
