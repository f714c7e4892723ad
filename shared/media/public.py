"""What other contexts may use of media: where a raw upload goes, and what HR and the analysis
read of an upload's media. The implementations are imported on first call, so a context that
imports this module pays for psycopg and boto3 only on the paths that read media."""

from __future__ import annotations

from typing import TYPE_CHECKING
from uuid import UUID

from shared.media.keys import raw_key
from shared.media.models import MediaView

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

    from shared.dal.sql import Conn
    from shared.media.transcript import Transcript

__all__ = [
    "MediaView",
    "erase_invitation_media",
    "finished_media_of_uploads",
    "media_for_uploads",
    "media_status_of_uploads",
    "raw_key",
    "transcript_for_upload",
]


def media_for_uploads(
    conn: Conn,
    company_id: UUID,
    upload_ids: list[UUID],
    *,
    bucket: str | None = None,
    ttl_s: int | None = None,
    s3: S3Client | None = None,
) -> dict[UUID, MediaView]:
    """Each upload's newest media (status, step times, reason, transcript and playback status
    and times, playback URLs, transcript); uploads of another company, or with no media yet,
    are absent."""
    from shared.media import reads  # noqa: PLC0415 - S3 and SQL only for the callers that read

    return reads.media_for_uploads(conn, company_id, upload_ids, bucket=bucket, ttl_s=ttl_s, s3=s3)


def transcript_for_upload(conn: Conn, upload_id: UUID) -> Transcript | None:
    """The stored transcript of an upload, or None. It is there as soon as it is stored,
    before the MP4 is ready, and stays when the playback fails."""
    from shared.media import reads  # noqa: PLC0415 - see media_for_uploads

    return reads.transcript_for_upload(conn, upload_id)


def finished_media_of_uploads(
    conn: Conn, company_id: UUID, upload_ids: list[UUID]
) -> dict[UUID, tuple[str, str | None]]:
    """Each upload whose newest media is finished: ``("ready", None)`` or ``("failed",
    reason)``; unfinished uploads, or those with no media yet, are absent. What
    ``media.processed``/``media.failed`` said, read back for a consumer that may have missed it."""
    from shared.media import dal  # noqa: PLC0415 - see media_for_uploads

    rows = dal.latest_assets_for_uploads(conn, company_id, upload_ids)
    return {
        row["upload_id"]: (str(row["status"]), row["reason"])
        for row in rows
        if row["status"] in ("ready", "failed")
    }


def erase_invitation_media(
    conn: Conn,
    company_id: UUID,
    invitation_id: UUID,
    *,
    bucket: str | None = None,
    s3: S3Client | None = None,
) -> int:
    """The erasure HR's DELETE /v1/invitations/{id}/media does: every object version and
    delete marker under the invitation's prefixes, its media rows and transcripts, its text
    answers and the analysis's quotes, the plan's storage given back. Idempotent; how many
    object versions went."""
    from shared.media import reads  # noqa: PLC0415 - see media_for_uploads

    return reads.delete_invitation_media(conn, company_id, invitation_id, bucket=bucket, s3=s3)


def presign_media_get(key: str, ttl_s: int, *, version_id: str | None = None) -> str:
    """A presigned GET of one object of the media bucket (one key, one version)."""
    from shared.media import reads  # noqa: PLC0415 - see media_for_uploads

    return reads.presign_object(key, ttl_s, version_id=version_id)


def media_status_of_uploads(
    conn: Conn, company_id: UUID, upload_ids: list[UUID]
) -> dict[UUID, str]:
    """Each upload's newest media status (uploaded .. ready, or failed), nothing else: what a
    candidate sees of their own recordings. Uploads with no media yet are absent."""
    from shared.media import dal  # noqa: PLC0415 - see media_for_uploads

    rows = dal.latest_assets_for_uploads(conn, company_id, upload_ids)
    return {row["upload_id"]: str(row["status"]) for row in rows}
