"""A company: read it (its members and admins), deactivate it (its owner or an admin)."""

from __future__ import annotations

import uuid

from fastapi import Request

from shared.auth.http import HR_OR_ADMIN, caller_transaction, create_identity_app
from shared.http.app import lambda_handler_for
from shared.identity import dal, logic
from shared.identity.models import CompanyOut

app = create_identity_app("Company")


@app.get("/v1/companies/{company_id}", response_model=CompanyOut, tags=["companies"])
def get_company(company_id: uuid.UUID, request: Request) -> CompanyOut:
    with caller_transaction(request, HR_OR_ADMIN) as (conn, caller):
        return dal.get_company(conn, company_id, caller.scope())


@app.post("/v1/companies/{company_id}/deactivate", response_model=CompanyOut, tags=["companies"])
def deactivate(company_id: uuid.UUID, request: Request) -> CompanyOut:
    with caller_transaction(request, HR_OR_ADMIN) as (conn, caller):
        return logic.deactivate_company(conn, caller, company_id)


handler = lambda_handler_for(app)
