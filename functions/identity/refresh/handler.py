"""POST /v1/auth/refresh: spend a refresh token for a new pair (reuse revokes the family)."""

from __future__ import annotations

from shared.auth.errors import AuthenticationError
from shared.auth.http import key_store
from shared.auth.settings import get_auth_settings
from shared.dal.db import transaction
from shared.http.app import PUBLIC, create_app, lambda_handler_for
from shared.identity import accounts
from shared.identity.models import RefreshRequest, TokenPair
from shared.observability import logger

app = create_app("Refresh tokens")
settings = get_auth_settings()


@app.post("/v1/auth/refresh", response_model=TokenPair, tags=["identity"], openapi_extra=PUBLIC)
def refresh(body: RefreshRequest) -> TokenPair:
    with transaction() as conn:
        outcome = accounts.refresh(conn, body.refresh_token, key_store().ring, settings)
    if outcome.reuse_detected:
        logger.warning("refresh token reuse: family revoked")
    if outcome.pair is None:
        raise AuthenticationError("The refresh token is not valid.")
    return outcome.pair


handler = lambda_handler_for(app)
