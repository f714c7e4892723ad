"""PATCH /v1/me/profile: names, phone, bio, timezone, language."""

from __future__ import annotations

from fastapi import Request

from shared.http.app import create_app, lambda_handler_for
from shared.identity import profile
from shared.identity.models import ProfileUpdate, UserOut
from shared.identity.public import caller_transaction

app = create_app("Profile")


@app.patch("/v1/me/profile", response_model=UserOut, tags=["identity"])
def update_profile(body: ProfileUpdate, request: Request) -> UserOut:
    with caller_transaction(request) as (conn, caller):
        return profile.update_profile(conn, caller, body)


handler = lambda_handler_for(app)
