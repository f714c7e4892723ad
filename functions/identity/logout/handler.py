"""POST /v1/auth/logout: revoke the session (the refresh token's family)."""

from __future__ import annotations

from fastapi import Request, Response

from shared.auth.http import caller_transaction, create_identity_app
from shared.http.app import lambda_handler_for
from shared.identity import logic
from shared.identity.models import LogoutRequest

app = create_identity_app("Log out")


@app.post("/v1/auth/logout", status_code=204, tags=["identity"])
def logout(body: LogoutRequest, request: Request) -> Response:
    with caller_transaction(request) as (conn, caller):
        logic.logout(conn, caller, body.refresh_token)
    return Response(status_code=204)


handler = lambda_handler_for(app)
