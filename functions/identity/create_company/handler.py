"""POST /v1/companies: an HR user creates a company and becomes its owner."""

from __future__ import annotations

from typing import Annotated

from fastapi import Header, Request
from fastapi.responses import JSONResponse

from shared.http.app import create_app, lambda_handler_for
from shared.http.idempotency import idempotent_response
from shared.identity import companies
from shared.identity.models import CompanyCreate, CompanyOut
from shared.identity.public import HR, caller_transaction

app = create_app("Create a company")


@app.post("/v1/companies", status_code=201, response_model=CompanyOut, tags=["companies"])
def create_company(
    body: CompanyCreate,
    request: Request,
    idempotency_key: Annotated[str | None, Header(max_length=255)] = None,
) -> JSONResponse:
    with caller_transaction(request, HR) as (conn, caller):
        return idempotent_response(
            conn,
            f"company:{caller.id}",
            idempotency_key,
            body=body,
            status_code=201,
            run=lambda: companies.create_company(conn, caller, body),
        )


handler = lambda_handler_for(app)
