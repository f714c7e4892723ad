"""POST /v1/auth/login: email and password for a token pair (rate-limited, no enumeration)."""

from __future__ import annotations

from fastapi import Request

from shared.auth.errors import AuthenticationError
from shared.auth.http import key_store, source_address
from shared.auth.settings import get_auth_settings
from shared.dal.db import transaction
from shared.http.app import PUBLIC, create_app, lambda_handler_for
from shared.identity import accounts
from shared.identity.models import LoginRequest, TokenPair
from shared.identity.public import RATE_LIMITED
from shared.identity.verification import EmailNotVerifiedError

app = create_app("Log in")
settings = get_auth_settings()


@app.post(
    "/v1/auth/login",
    response_model=TokenPair,
    tags=["identity"],
    openapi_extra=PUBLIC,
    responses={**RATE_LIMITED, 403: {"description": "The email address is not verified yet"}},
)
def login(body: LoginRequest, request: Request) -> TokenPair:
    # The attempt is admitted (and counted) and committed before the argon2 work, so parallel
    # attempts cannot outrun the limit.
    with transaction() as conn:
        attempt = accounts.admit_login(conn, body.email, source_address(request), settings)
    try:
        with transaction() as conn:
            pair = accounts.complete_login(
                conn, attempt, body.password, ring_source=key_store().ring, settings=settings
            )
    except EmailNotVerifiedError:
        with transaction() as conn:
            accounts.forgive_attempt(conn, attempt)
        raise
    if pair is None:
        raise AuthenticationError("The email or password is not correct.")
    return pair


handler = lambda_handler_for(app)
