"""GET /v1/candidate/invitations: a candidate's account lists every invitation sent to their
verified email, across companies (cursor pagination, newest first)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, Request

from shared.http.app import create_app, lambda_handler_for
from shared.identity.public import CANDIDATE, caller_transaction
from shared.interviews import candidate_account
from shared.interviews.candidate_models import MyInvitationPage

app = create_app("My invitations")


@app.get(
    "/v1/candidate/invitations",
    response_model=MyInvitationPage,
    tags=["candidate-account"],
    responses={403: {"description": "The account's email is not verified (email-not-verified)"}},
)
def my_invitations(
    request: Request,
    limit: Annotated[int, Query(ge=1, le=50)] = 20,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> MyInvitationPage:
    with caller_transaction(request, CANDIDATE) as (conn, caller):
        return candidate_account.my_invitations(conn, caller, limit=limit, cursor=cursor)


handler = lambda_handler_for(app)
