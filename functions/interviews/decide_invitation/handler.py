"""POST /v1/invitations/{invitation_id}/decision: advance or reject a completed interview (a
note is required to reject); stored beside the AI's result, never over it."""

from __future__ import annotations

import uuid

from fastapi import Request

from shared.http.app import create_app, lambda_handler_for
from shared.identity.public import HR, caller_transaction
from shared.interviews import review
from shared.interviews.models import DecisionOut, DecisionRequest

app = create_app("Decide on a candidate")


@app.post("/v1/invitations/{invitation_id}/decision", response_model=DecisionOut, tags=["review"])
def decide(invitation_id: uuid.UUID, body: DecisionRequest, request: Request) -> DecisionOut:
    with caller_transaction(request, HR) as (conn, caller):
        return review.decide(conn, caller, invitation_id, body)


handler = lambda_handler_for(app)
