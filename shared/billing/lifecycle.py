"""What a subscription's state from Stripe means for the company's plan (pure rules).

The state is always read from Stripe at the time of handling, so the order in which events
arrive does not matter: the last one applied carries the current state, whatever it says."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

PAID = frozenset({"active", "trialing"})
DUNNING = frozenset({"past_due", "unpaid"})


@dataclass(frozen=True, slots=True)
class Applied:
    plan_id: str
    grace_until: datetime | None
    downgraded_at: datetime | None
    # A grace period opened by this state (the dunning email goes out once).
    grace_opened: bool


def apply_state(
    *,
    status: str,
    priced_plan: str | None,
    grace_until: datetime | None,
    downgraded_at: datetime | None,
    now: datetime,
    grace: timedelta,
) -> Applied:
    """The plan, grace period and downgrade mark after Stripe says ``status``.

    - paid (active, trialing): the price's plan; any grace period or downgrade is over;
    - past due or unpaid: the price's plan for a grace period (opened now if none is open),
      Free once the sweep found it over (``downgraded_at``), until a payment succeeds;
    - anything else (canceled, incomplete, ...): Free.
    """
    if priced_plan is None:
        return Applied("free", None, None, grace_opened=False)
    if status in PAID:
        return Applied(priced_plan, None, None, grace_opened=False)
    if status in DUNNING:
        if downgraded_at is not None:
            return Applied("free", None, downgraded_at, grace_opened=False)
        if grace_until is not None:
            return Applied(priced_plan, grace_until, None, grace_opened=False)
        return Applied(priced_plan, now + grace, None, grace_opened=True)
    return Applied("free", None, None, grace_opened=False)
