"""HR's billing routes: the plan, usage and limits; Checkout to upgrade; the Customer Portal."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from shared.billing import dal
from shared.billing.config import StripeSecret
from shared.billing.errors import BillingDisabled
from shared.billing.models import (
    BillingAccount,
    CheckoutRequest,
    PlanOut,
    RedirectOut,
    SubscriptionOut,
    UsageOut,
)
from shared.billing.plans import METRICS, Plan, period_of
from shared.billing.quota import QuotaDeps, effective_plan
from shared.billing.settings import BillingSettings
from shared.billing.stripe_api import StripeGateway
from shared.dal.sql import Conn
from shared.errors import ConflictError, PermissionDeniedError
from shared.identity import public as identity


@dataclass(frozen=True, slots=True)
class AccountDeps:
    settings: BillingSettings
    secret: Callable[[], StripeSecret]
    gateway: Callable[[], StripeGateway | None]  # None in the no-billing mode
    now: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))

    def quota(self) -> QuotaDeps:
        return QuotaDeps(self.settings, lambda: self.secret().enabled, self.now)


def _plan_out(plan: Plan) -> PlanOut:
    return PlanOut(
        id=plan.id,
        name=plan.name,
        limits=plan.limits,
        retention_days=plan.retention_days,
    )


def _company(caller: identity.Caller) -> uuid.UUID:
    company_id = caller.user.company_id
    if company_id is None:
        raise PermissionDeniedError("Billing belongs to a company: create or join one first.")
    return company_id


def _owner_only(conn: Conn, caller: identity.Caller, company_id: uuid.UUID) -> None:
    owner = identity.company_owner(conn, company_id)
    if owner is None or owner.user_id != caller.id:
        raise PermissionDeniedError("Only the company's owner manages its subscription.")


def account(conn: Conn, caller: identity.Caller, deps: AccountDeps) -> BillingAccount:
    company_id = _company(caller)
    enabled = deps.secret().enabled
    plan = effective_plan(conn, company_id, deps.quota())
    now = deps.now()
    usage = [
        UsageOut(
            metric=m,
            used=dal.used(conn, company_id, m, period_of(m, now)),
            limit=plan.limit(m),
            period=period_of(m, now),
        )
        for m in METRICS
    ]
    row = dal.subscription(conn, company_id)
    subscription = (
        SubscriptionOut(
            status=row["status"],
            current_period_end=row["current_period_end"],
            cancel_at_period_end=row["cancel_at_period_end"],
            grace_until=row["grace_until"],
            downgraded_at=row["downgraded_at"],
        )
        if row is not None and enabled
        else None
    )
    return BillingAccount(
        mode="stripe" if enabled else "no_billing",
        plan=_plan_out(plan),
        usage=usage,
        subscription=subscription,
        plans=[_plan_out(p) for p in dal.plans(conn)],
    )


def _gateway(deps: AccountDeps) -> StripeGateway:
    gateway = deps.gateway()
    if gateway is None:
        raise BillingDisabled()
    return gateway


def _return_url(deps: AccountDeps, outcome: str) -> str:
    return f"{deps.settings.frontend_origin.rstrip('/')}{deps.settings.return_path}?{outcome}"


def _customer(
    conn: Conn, caller: identity.Caller, company_id: uuid.UUID, gateway: StripeGateway
) -> str:
    row = dal.locked_subscription(conn, company_id)
    if row["stripe_customer_id"]:
        return str(row["stripe_customer_id"])
    name = identity.company_name(conn, company_id) or str(company_id)
    customer_id = gateway.create_customer(str(company_id), name, caller.user.email)
    dal.set_customer(conn, company_id, customer_id)
    return customer_id


def checkout(
    conn: Conn,
    caller: identity.Caller,
    body: CheckoutRequest,
    deps: AccountDeps,
    idempotency_key: str | None,
) -> RedirectOut:
    """A Checkout Session for the plan; the plan changes when Stripe's webhook says it is paid."""
    company_id = _company(caller)
    gateway = _gateway(deps)
    _owner_only(conn, caller, company_id)
    price = deps.secret().prices.get(body.plan)
    if price is None:
        raise ConflictError(f"No Stripe price is configured for the {body.plan} plan.")
    customer_id = _customer(conn, caller, company_id, gateway)
    row = dal.subscription(conn, company_id)
    if row is not None and row["status"] in {"active", "trialing", "past_due"}:
        raise ConflictError(
            "The company already has a subscription: change it in the Customer Portal"
            " (POST /v1/billing/portal)."
        )
    session_id, url = gateway.create_checkout(
        customer_id=customer_id,
        price_id=price,
        company_id=str(company_id),
        success_url=_return_url(deps, "checkout=success"),
        cancel_url=_return_url(deps, "checkout=cancelled"),
        # Stripe keeps an idempotency key for 24 h: a retried request gets the same session.
        idempotency_key=f"checkout-{company_id}-{body.plan}-{idempotency_key or uuid.uuid4()}",
    )
    return RedirectOut(url=url, session_id=session_id)


def portal(conn: Conn, caller: identity.Caller, deps: AccountDeps) -> RedirectOut:
    company_id = _company(caller)
    gateway = _gateway(deps)
    _owner_only(conn, caller, company_id)
    row = dal.subscription(conn, company_id)
    if row is None or not row["stripe_customer_id"]:
        raise ConflictError("The company has no Stripe customer yet: upgrade through Checkout.")
    session_id, url = gateway.create_portal(
        str(row["stripe_customer_id"]), _return_url(deps, "portal=done")
    )
    return RedirectOut(url=url, session_id=session_id)
