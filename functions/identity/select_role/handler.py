"""POST /v1/me/role: a pending user chooses hr or candidate, once."""

from __future__ import annotations

from fastapi import Request

from shared.http.app import create_app, lambda_handler_for
from shared.identity import profile
from shared.identity.models import SelectRoleRequest, UserOut
from shared.identity.public import caller_transaction

app = create_app("Select role")


@app.post("/v1/me/role", response_model=UserOut, tags=["identity"])
def select_role(body: SelectRoleRequest, request: Request) -> UserOut:
    with caller_transaction(request) as (conn, caller):
        return profile.select_role(conn, caller, body.role)


handler = lambda_handler_for(app)
