"""PATCH /v1/me/profile: names, phone, bio, timezone, language."""

from __future__ import annotations

from fastapi import Request

from shared.auth.http import caller_transaction, create_identity_app
from shared.http.app import lambda_handler_for
from shared.identity import logic
from shared.identity.models import ProfileUpdate, UserOut

app = create_identity_app("Profile")


@app.patch("/v1/me/profile", response_model=UserOut, tags=["identity"])
def update_profile(body: ProfileUpdate, request: Request) -> UserOut:
    with caller_transaction(request) as (conn, caller):
        return logic.update_profile(conn, caller, body)


handler = lambda_handler_for(app)
