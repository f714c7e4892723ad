"""The quota check at the point of use: in the caller's transaction, the counter is taken with
one conditional UPDATE (``dal.take``), so parallel requests never both take the last unit; a
refusal is 402 problem+json naming the limit, the usage and the upgrade path."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from shared.billing import dal
from shared.billing.errors import QuotaExceeded
from shared.billing.plans import Metric, Plan, period_of
from shared.billing.settings import BillingSettings
from shared.dal.sql import Conn


@dataclass(frozen=True, slots=True)
class QuotaDeps:
    settings: BillingSettings
    # Whether Stripe's keys are configured (else the no-billing mode).
    billing_enabled: Callable[[], bool]
    now: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))


def effective_plan(conn: Conn, company_id: uuid.UUID, deps: QuotaDeps) -> Plan:
    """The plan whose limits apply: the subscription's, or in the no-billing mode the
    configured plan for every company."""
    if not deps.billing_enabled():
        return dal.plan(conn, deps.settings.no_billing_plan)
    return dal.subscribed_plan(conn, company_id)


def reserve(
    conn: Conn, company_id: uuid.UUID, metric: Metric, deps: QuotaDeps, amount: int = 1
) -> int:
    """Take ``amount`` of the plan's ``metric`` for the company, or raise :class:`QuotaExceeded`
    (nothing taken). Returns the usage after it. Call it in the transaction that creates what
    it counts: a rollback gives the unit back."""
    plan = effective_plan(conn, company_id, deps)
    limit = plan.limit(metric)
    period = period_of(metric, deps.now())
    after = dal.take(conn, company_id, metric, period, amount, limit)
    if after is not None:
        return after
    assert limit is not None
    enabled = deps.billing_enabled()
    higher = [
        p.id
        for p in dal.plans(conn)
        if p.rank > plan.rank and (p.limit(metric) is None or (p.limit(metric) or 0) > limit)
    ]
    raise QuotaExceeded(
        metric=metric,
        plan=plan.id,
        limit=limit,
        used=dal.used(conn, company_id, metric, period),
        requested=amount,
        upgrade_plans=higher,
        billing_enabled=enabled,
        upgrade_url=deps.settings.frontend_origin.rstrip("/") + deps.settings.return_path,
    )


def release(
    conn: Conn, company_id: uuid.UUID, metric: Metric, deps: QuotaDeps, amount: int = 1
) -> None:
    """Give back what a gauge held (a template archived, a member removed)."""
    dal.give_back(conn, company_id, metric, period_of(metric, deps.now()), amount)


def reserve_storage(  # noqa: PLR0917
    conn: Conn,
    company_id: uuid.UUID,
    invitation_id: uuid.UUID,
    upload_id: uuid.UUID,
    size_bytes: int,
    deps: QuotaDeps,
) -> int:
    """Take an upload's bytes and remember which invitation holds them, so erasing its media
    gives them back (``release_invitation_storage``)."""
    after = reserve(conn, company_id, "storage_bytes", deps, size_bytes)
    dal.hold_storage(conn, company_id, invitation_id, upload_id, size_bytes)
    return after


def release_invitation_storage(
    conn: Conn, company_id: uuid.UUID, invitation_id: uuid.UUID, deps: QuotaDeps
) -> int:
    """Give back what the invitation's uploads hold; once (a second call gives back 0)."""
    freed = dal.drop_storage_holds(conn, company_id, invitation_id)
    if freed:
        release(conn, company_id, "storage_bytes", deps, freed)
    return freed


def settle_storage(conn: Conn, upload_id: uuid.UUID, size_bytes: int, deps: QuotaDeps) -> int:
    """The upload is stored: its hold becomes the stored size (what changed is returned).
    More than declared is counted without refusing (the object exists and the candidate's
    answer must not be lost): the next upload URL is then refused if the plan is full."""
    settled = dal.settle_hold(conn, upload_id, size_bytes)
    if settled is None:
        return 0
    company_id, change = settled
    period = period_of("storage_bytes", deps.now())
    if change > 0:
        dal.take(conn, company_id, "storage_bytes", period, change, None)
    elif change < 0:
        dal.give_back(conn, company_id, "storage_bytes", period, -change)
    return change


def release_upload_storage(conn: Conn, upload_id: uuid.UUID, deps: QuotaDeps) -> int:
    """An upload abandoned (aborted): what it held is given back, once."""
    dropped = dal.drop_hold(conn, upload_id)
    if dropped is None:
        return 0
    company_id, held = dropped
    if held:
        release(conn, company_id, "storage_bytes", deps, held)
    return held
