"""GET /v1/notifications/unsubscribe (what the link would turn off; changes nothing, so link
scanners are harmless) and POST (one-click unsubscribe, RFC 8058), by the token in the mail."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from shared.appkey import app_key
from shared.dal.db import transaction
from shared.http.app import PUBLIC, create_app, lambda_handler_for
from shared.notifications import preferences
from shared.notifications.models import Unsubscribed

app = create_app("Unsubscribe")
Token = Annotated[str, Query(min_length=10, max_length=600, pattern=r"^[A-Za-z0-9_.-]+$")]


@app.get(
    "/v1/notifications/unsubscribe",
    response_model=Unsubscribed,
    tags=["notifications"],
    openapi_extra=PUBLIC,
)
def unsubscribe_status(token: Token) -> Unsubscribed:
    with transaction() as conn:
        return preferences.unsubscribe_status(conn, app_key(), token)


@app.post(
    "/v1/notifications/unsubscribe",
    response_model=Unsubscribed,
    tags=["notifications"],
    openapi_extra=PUBLIC,
)
def unsubscribe(token: Token) -> Unsubscribed:
    # RFC 8058's body (List-Unsubscribe=One-Click) is accepted and not needed: the token says
    # everything, and mail clients differ in what they send.
    with transaction() as conn:
        return preferences.unsubscribe(conn, app_key(), token)


handler = lambda_handler_for(app)
