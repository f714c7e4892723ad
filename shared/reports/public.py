"""What other contexts may use of reports: the erasure of an invitation's candidate from the
reports (issue 19). Imported lazily by the callers' erasure path only."""

from __future__ import annotations

from typing import TYPE_CHECKING
from uuid import UUID

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

    from shared.dal.sql import Conn

__all__ = ["erase_invitation_reports", "reports_bucket"]


def erase_invitation_reports(
    conn: Conn,
    company_id: UUID,
    invitation_id: UUID,
    *,
    name: str,
    email: str,
    bucket: str | None = None,
    s3: S3Client | None = None,
) -> int:
    """Every version of the invitation's PDF reports deleted, its fact pseudonymised (``name``,
    ``email``: the funnel's counts stay), and the company's CSV exports that may hold its row
    (finished since the invitation was made) deleted and marked removed (HR exports again: the
    new file has the pseudonym). How many object versions went."""
    from shared.dal.aws import delete_all_versions  # noqa: PLC0415 - erasure only
    from shared.reports import dal, storage  # noqa: PLC0415

    exports = dal.erase_invitation(conn, company_id, invitation_id, name=name, email=email)
    prefixes = [storage.pdf_prefix(company_id, invitation_id), *exports]
    return delete_all_versions(bucket or reports_bucket(), prefixes, s3)


def reports_bucket() -> str:
    """Where the reports' files are: ``REPORTS_BUCKET``, or the platform's media bucket."""
    from shared.reports.settings import get_reports_settings  # noqa: PLC0415
    from shared.settings import get_platform_settings  # noqa: PLC0415

    bucket = get_reports_settings().bucket or get_platform_settings().media_bucket
    if not bucket:
        raise RuntimeError("REPORTS_BUCKET or PLATFORM_MEDIA_BUCKET must name the bucket")
    return bucket
