"""A company: read it (its members and admins), deactivate it (its owner or an admin),
reactivate it (an admin)."""

from __future__ import annotations

import uuid

from fastapi import Request

from shared.http.app import create_app, lambda_handler_for
from shared.identity import companies, dal
from shared.identity.models import CompanyOut
from shared.identity.public import ADMIN, ALLOWED_WHEN_DEACTIVATED, HR_OR_ADMIN, caller_transaction

app = create_app("Company")


@app.get("/v1/companies/{company_id}", response_model=CompanyOut, tags=["companies"])
def get_company(company_id: uuid.UUID, request: Request) -> CompanyOut:
    with caller_transaction(request, HR_OR_ADMIN) as (conn, caller):
        return dal.get_company(conn, company_id, caller.scope())


@app.post(
    "/v1/companies/{company_id}/deactivate",
    response_model=CompanyOut,
    tags=["companies"],
    openapi_extra=ALLOWED_WHEN_DEACTIVATED,  # a repeat answers the deactivated company
)
def deactivate(company_id: uuid.UUID, request: Request) -> CompanyOut:
    with caller_transaction(request, HR_OR_ADMIN) as (conn, caller):
        return companies.deactivate_company(conn, caller, company_id)


@app.post("/v1/companies/{company_id}/activate", response_model=CompanyOut, tags=["companies"])
def activate(company_id: uuid.UUID, request: Request) -> CompanyOut:
    with caller_transaction(request, ADMIN) as (conn, caller):
        return companies.reactivate_company(conn, caller, company_id)


handler = lambda_handler_for(app)
