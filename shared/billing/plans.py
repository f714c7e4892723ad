"""Plans as data (``billing.plans``) and the metrics a plan limits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

Metric = Literal["interviews_per_month", "active_templates", "hr_seats", "storage_bytes"]
METRICS: tuple[Metric, ...] = (
    "interviews_per_month",
    "active_templates",
    "hr_seats",
    "storage_bytes",
)
# Counted per calendar month (UTC); the others are gauges (what is held now).
MONTHLY: frozenset[str] = frozenset({"interviews_per_month"})


@dataclass(frozen=True, slots=True)
class Plan:
    id: str
    name: str
    rank: int
    limits: dict[str, int | None]  # None: unlimited
    retention_days: int

    def limit(self, metric: Metric) -> int | None:
        return self.limits[metric]


def period_of(metric: Metric, now: datetime) -> str:
    """The counter's period: the UTC month for a monthly metric, '' for a gauge."""
    return now.strftime("%Y-%m") if metric in MONTHLY else ""


def plan_of_row(row: dict[str, object]) -> Plan:
    return Plan(
        id=str(row["id"]),
        name=str(row["name"]),
        rank=int(row["rank"]),  # type: ignore[call-overload]
        limits={m: row[m] for m in METRICS},  # type: ignore[misc]
        retention_days=int(row["retention_days"]),  # type: ignore[call-overload]
    )
