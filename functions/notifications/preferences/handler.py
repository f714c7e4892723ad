"""GET and PATCH /v1/notifications/preferences: which optional emails the caller receives."""

from __future__ import annotations

from fastapi import Request

from shared.http.app import create_app, lambda_handler_for
from shared.identity.public import caller_transaction
from shared.notifications import preferences
from shared.notifications.models import Preferences, PreferencesUpdate

app = create_app("Notification preferences")


@app.get("/v1/notifications/preferences", response_model=Preferences, tags=["notifications"])
def get_preferences(request: Request) -> Preferences:
    with caller_transaction(request) as (conn, caller):
        return preferences.preferences_of(conn, caller.user.email)


@app.patch("/v1/notifications/preferences", response_model=Preferences, tags=["notifications"])
def patch_preferences(body: PreferencesUpdate, request: Request) -> Preferences:
    with caller_transaction(request) as (conn, caller):
        return preferences.update_preferences(conn, caller.user.email, body)


handler = lambda_handler_for(app)
