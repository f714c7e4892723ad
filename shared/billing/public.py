"""What other contexts may use of billing: the quota check at the point of use.

``reserve`` runs in the caller's transaction (the one that creates what it counts) and raises
``QuotaExceeded`` (402 problem+json) when the company's plan has no room; ``release`` gives a
gauge's unit back. Metrics: ``interviews_per_month`` (an invitation), ``active_templates`` (a
published template), ``hr_seats`` (a company member, the owner included), ``storage_bytes``
(an upload's declared size, through ``reserve_storage``; ``release_invitation_storage`` gives an
invitation's back when its media is erased, ``settle_storage`` sets an upload's to its stored size,
``release_upload_storage`` gives an aborted upload's back).
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from shared.billing.errors import QuotaExceeded
from shared.billing.plans import Metric

if TYPE_CHECKING:
    from shared.billing.quota import QuotaDeps
    from shared.dal.sql import Conn

__all__ = [
    "QuotaExceeded",
    "release",
    "release_invitation_storage",
    "release_upload_storage",
    "reserve",
    "reserve_storage",
    "settle_storage",
]


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


def reserve_storage(  # noqa: PLR0917
    conn: Conn,
    company_id: uuid.UUID,
    invitation_id: uuid.UUID,
    upload_id: uuid.UUID,
    size_bytes: int,
    deps: QuotaDeps | None = None,
) -> int:
    from shared.billing import quota  # noqa: PLC0415
    from shared.billing.deps import default_quota_deps  # noqa: PLC0415

    return quota.reserve_storage(
        conn, company_id, invitation_id, upload_id, size_bytes, deps or default_quota_deps()
    )


def release_invitation_storage(
    conn: Conn, company_id: uuid.UUID, invitation_id: uuid.UUID, deps: QuotaDeps | None = None
) -> int:
    """The bytes given back (0 when nothing was held: an erasure repeated)."""
    from shared.billing import quota  # noqa: PLC0415
    from shared.billing.deps import default_quota_deps  # noqa: PLC0415

    return quota.release_invitation_storage(
        conn, company_id, invitation_id, deps or default_quota_deps()
    )


def settle_storage(
    conn: Conn, upload_id: uuid.UUID, size_bytes: int, deps: QuotaDeps | None = None
) -> int:
    from shared.billing import quota  # noqa: PLC0415
    from shared.billing.deps import default_quota_deps  # noqa: PLC0415

    return quota.settle_storage(conn, upload_id, size_bytes, deps or default_quota_deps())


def release_upload_storage(conn: Conn, upload_id: uuid.UUID, deps: QuotaDeps | None = None) -> int:
    from shared.billing import quota  # noqa: PLC0415
    from shared.billing.deps import default_quota_deps  # noqa: PLC0415

    return quota.release_upload_storage(conn, upload_id, deps or default_quota_deps())
