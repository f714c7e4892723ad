"""POST /v1/companies: an HR user creates a company and becomes its owner."""

from __future__ import annotations

from typing import Annotated

from fastapi import Header, Request
from fastapi.responses import JSONResponse

from shared.auth.http import HR, caller_transaction, create_identity_app
from shared.http.app import lambda_handler_for
from shared.identity import logic
from shared.identity.models import CompanyCreate, CompanyOut

app = create_identity_app("Create a company")


@app.post("/v1/companies", status_code=201, response_model=CompanyOut, tags=["companies"])
def create_company(
    body: CompanyCreate,
    request: Request,
    idempotency_key: Annotated[str | None, Header(max_length=255)] = None,
) -> JSONResponse:
    with caller_transaction(request, HR) as (conn, caller):
        result = logic.idempotent(
            conn,
            f"company:{caller.id}",
            idempotency_key,
            body=body,
            status_code=201,
            run=lambda: logic.create_company(conn, caller, body),
        )
    return JSONResponse(result.body, status_code=result.status_code)


handler = lambda_handler_for(app)
