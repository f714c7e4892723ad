"""A company's HR members: list (members, admins), add and remove (the owner, admins)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Header, Request, Response
from fastapi.responses import JSONResponse

from shared.http.app import create_app, lambda_handler_for
from shared.http.idempotency import idempotent_response
from shared.identity import companies, dal
from shared.identity.models import MemberAdd, MemberOut
from shared.identity.public import ALLOWED_WHEN_DEACTIVATED, HR_OR_ADMIN, caller_transaction

app = create_app("Company members")


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
        return idempotent_response(
            conn,
            f"member:{caller.id}",
            idempotency_key,
            body=body,
            status_code=201,
            run=lambda: companies.add_member(conn, caller, company_id, body.user_id),
        )


@app.delete(
    "/v1/companies/{company_id}/members/{user_id}",
    status_code=204,
    tags=["companies"],
    openapi_extra=ALLOWED_WHEN_DEACTIVATED,  # removing someone's access creates nothing
)
def remove_member(company_id: uuid.UUID, user_id: uuid.UUID, request: Request) -> Response:
    with caller_transaction(request, HR_OR_ADMIN) as (conn, caller):
        companies.remove_member(conn, caller, company_id, user_id)
    return Response(status_code=204)


handler = lambda_handler_for(app)
