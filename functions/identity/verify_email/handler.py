"""POST /v1/auth/verify-email: follow the link emailed at sign-up (the token from its fragment).

Public: the token is the credential. Following it again after it worked answers 200 again.
"""

from __future__ import annotations

from shared.appkey import app_key
from shared.dal.db import transaction
from shared.http.app import PUBLIC, create_app, lambda_handler_for
from shared.identity import verification
from shared.identity.models import EmailVerified, VerifyEmailRequest
from shared.observability import correlation_id

app = create_app("Verify email")


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


handler = lambda_handler_for(app)
