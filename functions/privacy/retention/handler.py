"""GET/PUT /v1/privacy/retention: the company's retention period for candidate data."""

from __future__ import annotations

from fastapi import Request

from shared.http.app import create_app, lambda_handler_for
from shared.identity.public import HR, caller_transaction
from shared.privacy import rights
from shared.privacy.models import RetentionIn, RetentionOut

app = create_app("Company: data retention")


@app.get("/v1/privacy/retention", response_model=RetentionOut, tags=["privacy"])
def get_retention(request: Request) -> RetentionOut:
    with caller_transaction(request, HR) as (conn, caller):
        return rights.get_retention(conn, caller)


@app.put("/v1/privacy/retention", response_model=RetentionOut, tags=["privacy"])
def put_retention(body: RetentionIn, request: Request) -> RetentionOut:
    """The owner sets it (30-3650 days after an invitation finished) or clears it (null)."""
    with caller_transaction(request, HR) as (conn, caller):
        return rights.set_retention(conn, caller, body)


handler = lambda_handler_for(app)
