"""POST /v1/me/email (ask to move the account to a new address: the current password, then a
confirmation link to the new address) and POST /v1/auth/email-change/confirm (follow that link;
public, the token is the credential)."""

from __future__ import annotations

from fastapi import Request

from shared.appkey import app_key
from shared.dal.db import transaction
from shared.http.app import PUBLIC, create_app, lambda_handler_for
from shared.identity import verification
from shared.identity.models import EmailChangeConfirm, EmailChangeRequest, EmailVerified, LinkSent
from shared.identity.public import caller_transaction
from shared.observability import correlation_id

app = create_app("Email change")


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
    "/v1/auth/email-change/confirm",
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
