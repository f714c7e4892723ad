"""POST /v1/auth/logout: revoke the session (the refresh token's family)."""

from __future__ import annotations

from fastapi import Request, Response

from shared.http.app import create_app, lambda_handler_for
from shared.identity import accounts
from shared.identity.models import LogoutRequest
from shared.identity.public import caller_transaction

app = create_app("Log out")


@app.post("/v1/auth/logout", status_code=204, tags=["identity"])
def logout(body: LogoutRequest, request: Request) -> Response:
    with caller_transaction(request) as (conn, caller):
        accounts.logout(conn, caller, body.refresh_token)
    return Response(status_code=204)


handler = lambda_handler_for(app)
