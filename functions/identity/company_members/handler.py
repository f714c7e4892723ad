"""A company's HR members: list (members, admins), add and remove (the owner, admins)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Header, Request, Response
from fastapi.responses import JSONResponse

from shared.auth.http import HR_OR_ADMIN, caller_transaction, create_identity_app
from shared.http.app import lambda_handler_for
from shared.identity import dal, logic
from shared.identity.models import MemberAdd, MemberOut

app = create_identity_app("Company members")


@app.get("/v1/companies/{company_id}/members", response_model=list[MemberOut], tags=["companies"])
def list_members(company_id: uuid.UUID, request: Request) -> list[MemberOut]:
    with caller_transaction(request, HR_OR_ADMIN) as (conn, caller):
        dal.get_company(conn, company_id, caller.scope())
        return dal.list_members(conn, company_id, caller.scope())


@app.post(
    "/v1/companies/{company_id}/members",
    status_code=201,
    response_model=MemberOut,
    tags=["companies"],
)
def add_member(
    company_id: uuid.UUID,
    body: MemberAdd,
    request: Request,
    idempotency_key: Annotated[str | None, Header(max_length=255)] = None,
) -> JSONResponse:
    with caller_transaction(request, HR_OR_ADMIN) as (conn, caller):
        result = logic.idempotent(
            conn,
            f"member:{caller.id}",
            idempotency_key,
            body=body,
            status_code=201,
            run=lambda: logic.add_member(conn, caller, company_id, body.user_id),
        )
    return JSONResponse(result.body, status_code=result.status_code)


@app.delete("/v1/companies/{company_id}/members/{user_id}", status_code=204, tags=["companies"])
def remove_member(company_id: uuid.UUID, user_id: uuid.UUID, request: Request) -> Response:
    with caller_transaction(request, HR_OR_ADMIN) as (conn, caller):
        logic.remove_member(conn, caller, company_id, user_id)
    return Response(status_code=204)


handler = lambda_handler_for(app)
