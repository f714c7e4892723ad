"""POST /v1/auth/password-reset (ask for a reset link: always 202, whether or not the email has
an account) and POST /v1/auth/password-reset/confirm (set the new password with the link's
token, once within 30 minutes: every session of the account ends)."""

from __future__ import annotations

from fastapi import Request, Response

from shared.appkey import app_key
from shared.auth.http import source_address
from shared.auth.settings import get_auth_settings
from shared.dal.db import transaction
from shared.http.app import PUBLIC, create_app, lambda_handler_for
from shared.identity import verification
from shared.identity.models import LinkSent, PasswordResetConfirm, PasswordResetRequest
from shared.identity.public import RATE_LIMITED
from shared.observability import correlation_id

app = create_app("Password reset")
settings = get_auth_settings()


@app.post(
    "/v1/auth/password-reset",
    status_code=202,
    response_model=LinkSent,
    tags=["identity"],
    openapi_extra=PUBLIC,
    responses=RATE_LIMITED,
)
def request_reset(body: PasswordResetRequest, request: Request) -> LinkSent:
    with transaction() as conn:
        verification.admit_request(conn, source_address(request), "password_reset", settings)
    with transaction() as conn:
        verification.request_password_reset(conn, body.email, correlation_id())
    return LinkSent(
        detail="If this address has an account, a link to set a new password is on its way;"
        " it works once, within 30 minutes."
    )


@app.post(
    "/v1/auth/password-reset/confirm",
    status_code=204,
    tags=["identity"],
    openapi_extra=PUBLIC,
    responses={410: {"description": "The link was used or has expired: ask for a new one"}},
)
def confirm_reset(body: PasswordResetConfirm) -> Response:
    with transaction() as conn:
        verification.reset_password(
            conn, app_key(), body.token, body.password, correlation_id=correlation_id()
        )
    return Response(status_code=204)


handler = lambda_handler_for(app)
