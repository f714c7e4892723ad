"""The emailed account links, one function (AWS caps a stack at 500 resources and Identity's
stack is kept under 200): follow a sign-up's verification link; ask for a password reset (always
202, whether or not the email has an account) and set the new password with its link (once,
within 30 minutes: every session ends); ask to move the account to a new address (the current
password, then a link to the new address) and follow that link. The links' tokens are the
credentials of the public routes.
"""

from __future__ import annotations

from fastapi import Request, Response

from shared.appkey import app_key
from shared.auth.http import source_address
from shared.auth.settings import get_auth_settings
from shared.dal.db import transaction
from shared.http.app import PUBLIC, create_app, lambda_handler_for
from shared.identity import verification
from shared.identity.models import (
    EmailChangeConfirm,
    EmailChangeRequest,
    EmailVerified,
    LinkSent,
    PasswordResetConfirm,
    PasswordResetRequest,
    VerifyEmailRequest,
)
from shared.identity.public import RATE_LIMITED, caller_transaction
from shared.observability import correlation_id

app = create_app("Account links")
settings = get_auth_settings()


@app.post(
    "/v1/auth/verify-email",
    response_model=EmailVerified,
    tags=["identity"],
    openapi_extra=PUBLIC,
    responses={410: {"description": "The link has expired: sign up again for a new one"}},
)
def verify_email(body: VerifyEmailRequest) -> EmailVerified:
    with transaction() as conn:
        email = verification.verify_email(conn, app_key(), body.token, correlation_id())
    return EmailVerified(email=email)


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


@app.post("/v1/me/email", status_code=202, response_model=LinkSent, tags=["identity"])
def request_change(body: EmailChangeRequest, request: Request) -> LinkSent:
    with caller_transaction(request) as (conn, caller):
        verification.request_email_change(
            conn, caller.user, body.email, body.password, correlation_id=caller.correlation_id
        )
    return LinkSent(
        detail="Follow the link we sent to the new address (within 24 hours) to make it the"
        " account's; until then nothing changes."
    )


@app.post(
    "/v1/auth/confirm-email",
    response_model=EmailVerified,
    tags=["identity"],
    openapi_extra=PUBLIC,
    responses={410: {"description": "The link was used or has expired: ask for a new one"}},
)
def confirm_change(body: EmailChangeConfirm) -> EmailVerified:
    with transaction() as conn:
        email = verification.confirm_email_change(conn, app_key(), body.token, correlation_id())
    return EmailVerified(email=email)


handler = lambda_handler_for(app)
