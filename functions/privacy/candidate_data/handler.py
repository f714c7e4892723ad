"""The candidate's data rights: export (JSON with media links) and erasure, by link token
(that invitation) or with a candidate account (every invitation to its verified email)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Header, Request

from shared.http.app import LINK_TOKEN, create_app, lambda_handler_for
from shared.identity.public import CANDIDATE, caller_transaction
from shared.privacy import rights
from shared.privacy.erasure import default_erasure_deps, erase
from shared.privacy.export import export
from shared.privacy.models import DataExport, ErasureResult
from shared.privacy.settings import get_privacy_settings

app = create_app("Candidate: data rights")
deps = default_erasure_deps()
ttl_s = get_privacy_settings().export_url_ttl_s
Token = Annotated[str, Header()]


@app.get(
    "/v1/candidate/data", response_model=DataExport, tags=["privacy"], openapi_extra=LINK_TOKEN
)
def export_by_link(x_invitation_token: Token = "") -> DataExport:
    """Everything kept of this invitation's candidate, whatever its status."""
    return rights.export_for_link(deps, x_invitation_token, ttl_s)


@app.post(
    "/v1/candidate/data/erasure",
    response_model=ErasureResult,
    tags=["privacy"],
    openapi_extra=LINK_TOKEN,
)
def erase_by_link(x_invitation_token: Token = "") -> ErasureResult:
    """Erase this invitation's candidate data (idempotent: asking again answers the status)."""
    return rights.erase_for_link(deps, x_invitation_token)


@app.get("/v1/privacy/data", response_model=DataExport, tags=["privacy"])
def export_by_account(request: Request) -> DataExport:
    """Every invitation sent to the candidate account's verified email, across companies."""
    with caller_transaction(request, CANDIDATE) as (conn, caller):
        return export(conn, rights.account_invitations(conn, caller), ttl_s)


@app.post("/v1/privacy/data/erasure", response_model=ErasureResult, tags=["privacy"])
def erase_by_account(request: Request) -> ErasureResult:
    with caller_transaction(request, CANDIDATE) as (conn, caller):
        refs = rights.account_invitations(conn, caller)
    return erase(deps, refs, "account")


handler = lambda_handler_for(app)
