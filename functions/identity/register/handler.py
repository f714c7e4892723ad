"""POST /v1/auth/register: create an account (role pending) with email and password.

Always 202 with the same body for a well-formed request, so sign-up never reveals whether an
email already has an account. Limited per source address (429 with Retry-After).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Header, Request
from fastapi.responses import JSONResponse

from shared.auth.http import source_address
from shared.auth.settings import get_auth_settings
from shared.dal.db import transaction
from shared.http.app import PUBLIC, create_app, lambda_handler_for
from shared.http.idempotency import idempotent_response
from shared.identity import accounts
from shared.identity.models import RegisterFingerprint, RegisterRequest, RegistrationAccepted
from shared.identity.public import RATE_LIMITED
from shared.observability import correlation_id

app = create_app("Register")
settings = get_auth_settings()


@app.post(
    "/v1/auth/register",
    status_code=202,
    response_model=RegistrationAccepted,
    tags=["identity"],
    openapi_extra=PUBLIC,
    responses=RATE_LIMITED,
)
def register(
    body: RegisterRequest,
    request: Request,
    idempotency_key: Annotated[str | None, Header(max_length=255)] = None,
) -> JSONResponse:
    # Counted (and committed) before any argon2 work, so a refused sign-up costs nothing.
    with transaction() as conn:
        accounts.admit_registration(conn, source_address(request), settings)
    with transaction() as conn:
        return idempotent_response(
            conn,
            "register",
            idempotency_key,
            body=RegisterFingerprint(email=body.email),
            status_code=202,
            run=lambda: accounts.register_account(
                conn, body.email, body.password, correlation_id=correlation_id()
            ),
        )


handler = lambda_handler_for(app)
