"""GET /v1/me: the caller's account."""

from __future__ import annotations

from fastapi import Request

from shared.http.app import create_app, lambda_handler_for
from shared.identity.models import UserOut
from shared.identity.public import caller_transaction

app = create_app("Me")


@app.get("/v1/me", response_model=UserOut, tags=["identity"])
def me(request: Request) -> UserOut:
    with caller_transaction(request) as (_, caller):
        return UserOut.of(caller.user)


handler = lambda_handler_for(app)
