"""What other contexts may use of billing: the quota check at the point of use.

``reserve`` runs in the caller's transaction (the one that creates what it counts) and raises
``QuotaExceeded`` (402 problem+json) when the company's plan has no room; ``release`` gives a
gauge's unit back. Metrics: ``interviews_per_month`` (an invitation), ``active_templates`` (a
published template), ``hr_seats`` (a company member, the owner included), ``storage_bytes``
(an upload's declared size).
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from shared.billing.errors import QuotaExceeded
from shared.billing.plans import Metric

if TYPE_CHECKING:
    from shared.billing.quota import QuotaDeps
    from shared.dal.sql import Conn

__all__ = ["QuotaExceeded", "release", "reserve"]


def reserve(
    conn: Conn,
    company_id: uuid.UUID,
    metric: Metric,
    amount: int = 1,
    deps: QuotaDeps | None = None,
) -> int:
    from shared.billing import quota  # noqa: PLC0415
    from shared.billing.deps import default_quota_deps  # noqa: PLC0415

    return quota.reserve(conn, company_id, metric, deps or default_quota_deps(), amount)


def release(
    conn: Conn,
    company_id: uuid.UUID,
    metric: Metric,
    amount: int = 1,
    deps: QuotaDeps | None = None,
) -> None:
    from shared.billing import quota  # noqa: PLC0415
    from shared.billing.deps import default_quota_deps  # noqa: PLC0415

    quota.release(conn, company_id, metric, deps or default_quota_deps(), amount)
