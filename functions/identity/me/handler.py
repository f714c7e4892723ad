"""GET /v1/me: the caller's account; /v1/me/identities: external OIDC identities linked to it."""

from __future__ import annotations

from fastapi import Request

from shared.auth.http import verifier
from shared.auth.settings import get_auth_settings
from shared.http.app import create_app, lambda_handler_for
from shared.identity import external
from shared.identity.models import ExternalIdentityOut, IdentityLinkRequest, UserOut
from shared.identity.public import caller_transaction

app = create_app("Me")


@app.get("/v1/me", response_model=UserOut, tags=["identity"])
def me(request: Request) -> UserOut:
    with caller_transaction(request) as (_, caller):
        return UserOut.of(caller.user)


@app.get("/v1/me/identities", response_model=list[ExternalIdentityOut], tags=["identity"])
def identities(request: Request) -> list[ExternalIdentityOut]:
    with caller_transaction(request) as (conn, caller):
        return external.list_identities(conn, caller)


@app.post(
    "/v1/me/identities",
    status_code=201,
    response_model=ExternalIdentityOut,
    tags=["identity"],
    responses={409: {"description": "The identity is linked to another account"}},
)
def link(body: IdentityLinkRequest, request: Request) -> ExternalIdentityOut:
    with caller_transaction(request) as (conn, caller):
        return external.link_identity(
            conn, caller, body.token, verifier=verifier(), our_issuer=get_auth_settings().issuer
        )


handler = lambda_handler_for(app)
