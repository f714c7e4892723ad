"""Reads of the media context, for HR (an invitation's media) and the analysis room
(``media_for_uploads``, ``transcript_for_upload``), and the deletion of an invitation's media."""

from __future__ import annotations

from typing import TYPE_CHECKING
from uuid import UUID

from shared.errors import NotFoundError
from shared.events.audit import MEDIA_VIEWED, AccessBy
from shared.media import dal
from shared.media.keys import invitation_prefixes, invitation_tmp_prefix
from shared.media.models import InvitationMedia, MediaView
from shared.media.settings import get_media_settings
from shared.media.transcript import Transcript
from shared.settings import get_platform_settings

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

    from shared.dal.sql import Conn


def _bucket(bucket: str | None) -> str:
    name = bucket or get_platform_settings().media_bucket
    if not name:
        raise RuntimeError("PLATFORM_MEDIA_BUCKET is not set")
    return name


def media_for_uploads(
    conn: Conn,
    company_id: UUID,
    upload_ids: list[UUID],
    *,
    bucket: str | None = None,
    ttl_s: int | None = None,
    s3: S3Client | None = None,
) -> dict[UUID, MediaView]:
    """Each upload's newest media (status, step times, reason, each path's status and time,
    playback URLs once the playback is ready, the transcript as soon as it is stored); uploads
    of another company, or with no media yet, are absent."""
    if not upload_ids:
        return {}
    rows = dal.latest_assets_for_uploads(conn, company_id, upload_ids)
    if not rows:
        return {}
    name = _bucket(bucket)
    ttl = ttl_s or get_media_settings().playback_url_ttl_s
    views: dict[UUID, MediaView] = {}
    for row in rows:
        ready = row["playback_status"] == "ready"
        playback = (
            dal.presign_get(name, row["mp4_key"], ttl, s3) if ready and row["mp4_key"] else None
        )
        thumb = (
            dal.presign_get(name, row["thumbnail_key"], ttl, s3)
            if ready and row["thumbnail_key"]
            else None
        )
        views[row["upload_id"]] = dal.view_row(row, playback, thumb)
    return views


def transcript_for_upload(conn: Conn, upload_id: UUID) -> Transcript | None:
    """The stored transcript of an upload (for the analysis room), or None: there as soon as
    the transcript branch stored it, whether the playback is ready, still transcoding or
    failed."""
    row = dal.transcript_row(conn, upload_id)
    if row is None:
        return None
    return Transcript(
        text=row["text"],
        language=row["language"],
        engine=row["engine"],
        model=row["model"] or "",
        segments=row["segments"],
        chunks=row["chunks"],
    )


def invitation_media(
    conn: Conn,
    company_id: UUID,
    invitation_id: UUID,
    *,
    bucket: str | None = None,
    s3: S3Client | None = None,
    viewer: AccessBy | None = None,
) -> InvitationMedia:
    """Every answer's media of one invitation; another company's invitation is not found. The
    ``viewer``'s opening of it goes to the audit log (in this transaction)."""
    if not dal.invitation_exists(conn, company_id, invitation_id):
        raise NotFoundError("No such invitation.")
    if viewer is not None:
        viewer.record(conn, MEDIA_VIEWED, company_id, invitation_id)
    upload_ids = dal.upload_ids_of_invitation(conn, company_id, invitation_id)
    views = media_for_uploads(conn, company_id, upload_ids, bucket=bucket, s3=s3)
    items = sorted(views.values(), key=lambda v: (v.progress.uploaded_at, str(v.upload_id)))
    return InvitationMedia(invitation_id=invitation_id, items=items)


def delete_invitation_media(
    conn: Conn,
    company_id: UUID,
    invitation_id: UUID,
    *,
    bucket: str | None = None,
    s3: S3Client | None = None,
) -> int:
    """Remove every object (all versions) under the invitation's prefixes and its media rows
    and transcripts, and the candidate's other words: text answers, and the quotes and stored
    answers of the analysis; the bytes its uploads held on the plan's storage are given back.
    Idempotent: a second call removes nothing and succeeds."""
    if not dal.invitation_exists(conn, company_id, invitation_id):
        raise NotFoundError("No such invitation.")
    prefixes = [
        *invitation_prefixes(company_id, invitation_id),
        invitation_tmp_prefix(company_id, invitation_id),
    ]
    from shared.analysis.public import erase_candidate_words  # noqa: PLC0415 - erasure only
    from shared.billing.public import release_invitation_storage  # noqa: PLC0415
    from shared.interviews.public import erase_text_answers  # noqa: PLC0415

    removed = dal.delete_prefixes(_bucket(bucket), prefixes, s3)
    dal.delete_invitation_rows(conn, company_id, invitation_id)
    erase_text_answers(conn, company_id, invitation_id)
    erase_candidate_words(conn, company_id, invitation_id)
    # The company's storage: what the uploads held is the plan's again.
    release_invitation_storage(conn, company_id, invitation_id)
    return removed


def presign_object(
    key: str,
    ttl_s: int,
    *,
    version_id: str | None = None,
    bucket: str | None = None,
    s3: S3Client | None = None,
) -> str:
    return dal.presign_get(_bucket(bucket), key, ttl_s, s3, version_id=version_id)
