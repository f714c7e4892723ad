"""Dunning: a failed payment opens a grace period (the owner is emailed once per period); when
it is over the company drops to Free (emailed too). The Scheduler never fires on LocalStack, so
the drop is applied by ``sweep``, run every minute by an EventBridge rule (and by tests)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from shared.billing import dal
from shared.billing.settings import BillingSettings
from shared.dal.sql import Conn
from shared.identity import public as identity
from shared.notifications import public as notifications


class _HasSettings(Protocol):
    @property
    def settings(self) -> BillingSettings: ...


@dataclass(frozen=True, slots=True)
class SweepDeps:
    transaction: Callable[[], Any]
    settings: BillingSettings
    now: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))


def _when(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%d %B %Y, %H:%M UTC")


def _mail(  # noqa: PLR0917
    conn: Conn, company_id: uuid.UUID, kind: str, dedupe: str, extra: dict[str, str], deps: Any
) -> uuid.UUID | None:
    owner = identity.company_owner(conn, company_id)
    if owner is None or not owner.active:
        return None
    settings: BillingSettings = deps.settings
    return notifications.queue_company_mail(
        conn,
        kind=kind,
        recipient=owner.email,
        company_id=company_id,
        dedupe_key=dedupe,
        params={
            "hr_name": owner.first_name or "there",
            "company": identity.company_name(conn, company_id) or "Your company",
            "billing_url": settings.frontend_origin.rstrip("/") + settings.return_path,
            **extra,
        },
    )


def tell_payment_failed(
    conn: Conn, company_id: uuid.UUID, plan_id: str, grace_until: datetime, deps: _HasSettings
) -> None:
    """The owner hears once per grace period (its end is in the dedupe key)."""
    _mail(
        conn,
        company_id,
        "payment_failed",
        f"billing:payment_failed:{company_id}:{grace_until.isoformat()}",
        {"plan": dal.plan(conn, plan_id).name, "grace_until": _when(grace_until)},
        deps,
    )


def sweep(deps: SweepDeps) -> dict[str, int]:
    """Companies whose grace period is over drop to Free (batches, ``SKIP LOCKED``: safe to run
    concurrently); a payment that succeeds later (``invoice.paid``) lifts the plan again."""
    now = deps.now()
    downgraded = 0
    with deps.transaction() as conn:
        for row in dal.grace_ended(conn, now, deps.settings.sweep_batch):
            company_id = row["company_id"]
            dal.downgrade(conn, company_id, now)
            _mail(
                conn,
                company_id,
                "plan_downgraded",
                f"billing:plan_downgraded:{company_id}:{row['grace_until'].isoformat()}",
                {"plan": dal.plan(conn, row["plan_id"]).name},
                deps,
            )
            downgraded += 1
    return {"downgraded": downgraded}
