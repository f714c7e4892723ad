"""GET /v1/billing: the company's plan, usage and limits (and the plans there are)."""

from __future__ import annotations

from fastapi import Request

from shared.billing import account
from shared.billing.deps import default_account_deps
from shared.billing.models import BillingAccount
from shared.http.app import create_app, lambda_handler_for
from shared.identity.public import HR, caller_transaction

app = create_app("Billing account")
deps = default_account_deps()


@app.get("/v1/billing", response_model=BillingAccount, tags=["billing"])
def get_billing(request: Request) -> BillingAccount:
    with caller_transaction(request, HR) as (conn, caller):
        return account.account(conn, caller, deps)


handler = lambda_handler_for(app)
