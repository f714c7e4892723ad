"""GET /v1/me: the caller's account."""

from __future__ import annotations

from fastapi import Request

from shared.auth.http import caller_transaction, create_identity_app
from shared.http.app import lambda_handler_for
from shared.identity.models import UserOut

app = create_identity_app("Me")


@app.get("/v1/me", response_model=UserOut, tags=["identity"])
def me(request: Request) -> UserOut:
    with caller_transaction(request) as (_, caller):
        return UserOut.of(caller.user)


handler = lambda_handler_for(app)
