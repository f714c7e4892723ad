"""Data access of the media context: PostgreSQL (media.*, read-only interviews.uploads and
answers) and the
media bucket. The only module here that touches psycopg or boto3."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from uuid import UUID

from botocore.exceptions import BotoCoreError, ClientError
from psycopg.types.json import Jsonb

from shared.dal.aws import delete_all_versions, s3_client, sfn_client
from shared.dal.sql import fetch_all, fetch_one
from shared.media.errors import MediaRejected, MediaTransientError, SweepUnavailable
from shared.media.models import MediaView, Outputs, S3Object, Step, UploadRow
from shared.media.probe import Probe
from shared.media.transcript import Transcript

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

    from shared.dal.sql import Conn

_STEP_COLUMNS: dict[str, str] = {
    "validating": "validating_at",
    "transcoding": "transcoding_at",
    "transcribing": "transcribing_at",
    "storing": "storing_at",
}


# ---- assets ----------------------------------------------------------------------------------
def find_upload(conn: Conn, object_key: str) -> UploadRow | None:
    row = fetch_one(
        conn,
        """SELECT u.id, u.company_id, u.invitation_id, u.question_id, u.content_type,
                  u.media_kind, u.max_bytes, q.time_limit_s, a.media_version_id AS pinned_version_id
             FROM interviews.uploads u JOIN interviews.questions q ON q.id = u.question_id
             LEFT JOIN interviews.answers a ON a.upload_id = u.id
            WHERE u.object_key = %(key)s""",
        {"key": object_key},
    )
    return UploadRow.model_validate(row) if row else None


def lock_upload(conn: Conn, upload_id: UUID) -> None:
    """Serialise the registration of one upload's objects (two versions racing to be first)."""
    conn.execute(
        b"SELECT pg_advisory_xact_lock(hashtextextended('media.upload:' || %(id)s::text, 0))",
        {"id": upload_id},
    )


def other_version_of_upload(conn: Conn, upload_id: UUID, version_id: str) -> str | None:
    """The version of another asset of this upload (an upload URL takes one object), if any."""
    row = fetch_one(
        conn,
        """SELECT version_id FROM media.assets
            WHERE upload_id = %(upload)s AND version_id <> %(version)s
            ORDER BY uploaded_at LIMIT 1""",
        {"upload": upload_id, "version": version_id},
    )
    return str(row["version_id"]) if row else None


def insert_asset(conn: Conn, source: S3Object, upload: UploadRow, execution: str) -> UUID | None:
    """The asset for this object version, or None when one exists (a duplicate event).

    An unfinished asset the media sweep handed to this very execution (a re-drive: its first
    execution ended without finishing it) is this execution's to process, so its id comes back.
    """
    row = fetch_one(
        conn,
        """INSERT INTO media.assets (bucket, object_key, version_id, upload_id, company_id,
                                     invitation_id, question_id, media_kind, size_bytes,
                                     execution_arn)
           VALUES (%(bucket)s, %(key)s, %(version)s, %(upload)s, %(company)s, %(invitation)s,
                   %(question)s, %(kind)s, %(size)s, %(execution)s)
           ON CONFLICT (bucket, object_key, version_id) DO UPDATE
              SET updated_at = now()
            WHERE media.assets.execution_arn = EXCLUDED.execution_arn
              AND media.assets.status NOT IN ('ready', 'failed')
           RETURNING id""",
        {
            "bucket": source.bucket,
            "key": source.key,
            "version": source.version_id,
            "upload": upload.id,
            "company": upload.company_id,
            "invitation": upload.invitation_id,
            "question": upload.question_id,
            "kind": upload.media_kind,
            "size": source.size_bytes,
            "execution": execution[:2048],
        },
    )
    return row["id"] if row else None


def insert_rejected_object(conn: Conn, source: S3Object, reason: str) -> UUID | None:
    """Record an object that never became an asset (no such upload); once per version."""
    row = fetch_one(
        conn,
        """INSERT INTO media.assets (bucket, object_key, version_id, size_bytes, status,
                                     failed_step, reason, failed_at, transcript_status,
                                     playback_status)
           VALUES (%(bucket)s, %(key)s, %(version)s, %(size)s, 'failed', 'uploaded',
                   %(reason)s, now(), 'failed', 'failed')
           ON CONFLICT (bucket, object_key, version_id) DO NOTHING
           RETURNING id""",
        {
            "bucket": source.bucket,
            "key": source.key[:1024],
            "version": source.version_id,
            "size": source.size_bytes,
            "reason": reason[:1000],
        },
    )
    return row["id"] if row else None


# ---- the sweep -------------------------------------------------------------------------------
def unfinished_assets(conn: Conn, *, min_age_s: float, limit: int) -> list[dict[str, Any]]:
    """Assets of an upload, neither ready nor failed, untouched for ``min_age_s`` (oldest
    first). Not locked: :func:`hand_over` decides between concurrent sweeps."""
    return fetch_all(
        conn,
        """SELECT id, bucket, object_key, version_id, size_bytes, execution_arn,
                  extract(epoch FROM now() - created_at) AS age_s
             FROM media.assets
            WHERE status NOT IN ('ready', 'failed') AND upload_id IS NOT NULL
              AND updated_at < now() - make_interval(secs => %(age)s)
            ORDER BY updated_at
            LIMIT %(limit)s""",
        {"age": min_age_s, "limit": limit},
    )


def hand_over(conn: Conn, asset_id: UUID, old_execution: str | None, new_execution: str) -> bool:
    """Give an unfinished asset to a new execution, if it still belongs to ``old_execution``."""
    row = fetch_one(
        conn,
        """UPDATE media.assets SET execution_arn = %(new)s, updated_at = now()
            WHERE id = %(id)s AND execution_arn IS NOT DISTINCT FROM %(old)s
              AND status NOT IN ('ready', 'failed')
           RETURNING id""",
        {"id": asset_id, "old": old_execution, "new": new_execution[:2048]},
    )
    return row is not None


def submitted_uploads_without_media(
    conn: Conn, *, min_age_s: float, limit: int
) -> list[dict[str, Any]]:
    """Uploads a candidate submitted as an answer ``min_age_s`` ago or more that no media asset
    names: the pipeline never registered their object (its start or its Register was lost)."""
    return fetch_all(
        conn,
        """SELECT u.id AS upload_id, u.object_key
             FROM interviews.answers a
             JOIN interviews.uploads u ON u.id = a.upload_id
            WHERE a.is_current
              AND a.submitted_at < now() - make_interval(secs => %(age)s)
              AND NOT EXISTS (SELECT 1 FROM media.assets m WHERE m.upload_id = u.id)
            ORDER BY a.submitted_at
            LIMIT %(limit)s""",
        {"age": min_age_s, "limit": limit},
    )


def mark_step(conn: Conn, asset_id: UUID, step: Step) -> None:
    """Progress: the asset entered ``step`` (never moves a finished asset)."""
    column = _STEP_COLUMNS.get(step)
    stamp = f", {column} = now()" if column else ""
    conn.execute(
        # The column comes from _STEP_COLUMNS (constants), never from input.
        f"""UPDATE media.assets SET status = %(step)s, updated_at = now(){stamp}
             WHERE id = %(id)s AND status NOT IN ('ready', 'failed')""".encode(),  # noqa: S608
        {"id": asset_id, "step": step},
    )


def start_transcript(conn: Conn, asset_id: UUID) -> tuple[bool, str | None]:
    """(True, None) and the asset marked transcribing when its transcript is still to be made;
    else (False, the WAV it was made from): stored already (a retry, a re-drive) or failed with
    the media, so nothing is to be transcribed again."""
    row = conn.execute(
        "SELECT transcript_status, wav_key FROM media.assets WHERE id = %s FOR UPDATE",
        (asset_id,),
    ).fetchone()
    if row is None or row[0] != "pending":
        return False, row[1] if row else None
    mark_step(conn, asset_id, "transcribing")
    return True, None


def record_probe(conn: Conn, asset_id: UUID, probe: Probe, duration_s: float) -> None:
    conn.execute(
        b"""UPDATE media.assets SET container = %(container)s, video_codec = %(video)s,
                  audio_codec = %(audio)s, width = %(width)s, height = %(height)s,
                  duration_s = %(duration)s, updated_at = now()
             WHERE id = %(id)s""",
        {
            "id": asset_id,
            "container": probe.container[:64],
            "video": probe.video_codec,
            "audio": probe.audio_codec,
            "width": probe.width,
            "height": probe.height,
            "duration": duration_s,
        },
    )


def store_transcript(  # noqa: PLR0917 - one row's columns
    conn: Conn,
    asset_id: UUID,
    wav_key: str | None,
    transcript: Transcript,
    upload_id: UUID,
    company_id: UUID,
) -> datetime | None:
    """Store the transcript and mark the transcript path ready, whatever the playback path is
    doing; when the transcript was ready already (a retry, a re-drive), or the asset finished
    (failed, erased), change nothing and return None. Else the time it became ready.

    The asset's status goes from transcribing back to transcoding: the playback is what is
    left (the Store step after the parallel state moves it on)."""
    row = fetch_one(
        conn,
        # A concurrent call waits for this row and then sees it ready: one of them stores.
        """UPDATE media.assets
              SET transcript_status = 'ready', transcript_ready_at = now(), wav_key = %(wav)s,
                  status = CASE WHEN status = 'transcribing' THEN 'transcoding' ELSE status END,
                  updated_at = now()
            WHERE id = %(id)s AND transcript_status = 'pending'
              AND status NOT IN ('ready', 'failed')
        RETURNING transcript_ready_at""",
        {"id": asset_id, "wav": wav_key},
    )
    if row is None:
        return None
    conn.execute(
        b"""INSERT INTO media.transcripts (asset_id, upload_id, company_id, text, language,
                                          engine, model, segments, chunks)
           VALUES (%(id)s, %(upload)s, %(company)s, %(text)s, %(language)s, %(engine)s,
                   %(model)s, %(segments)s, %(chunks)s)
           ON CONFLICT (asset_id) DO UPDATE SET text = EXCLUDED.text,
                  language = EXCLUDED.language, engine = EXCLUDED.engine,
                  model = EXCLUDED.model, segments = EXCLUDED.segments,
                  chunks = EXCLUDED.chunks""",
        {
            "id": asset_id,
            "upload": upload_id,
            "company": company_id,
            "text": transcript.text,
            "language": transcript.language,
            "engine": transcript.engine,
            "model": transcript.model,
            "segments": Jsonb([s.model_dump() for s in transcript.segments]),
            "chunks": transcript.chunks,
        },
    )
    ready_at: datetime = row["transcript_ready_at"]
    return ready_at


def complete(conn: Conn, asset_id: UUID, outputs: Outputs) -> dict[str, Any] | None:
    """Store the playback's outputs and mark the playback path, and so the asset, ready; the
    stored transcript's engine and language. None when nothing changed: the asset finished
    already, or (see :func:`is_unfinished`) it has no stored transcript."""
    return fetch_one(
        conn,
        """UPDATE media.assets a
              SET status = 'ready', storing_at = COALESCE(a.storing_at, now()),
                  ready_at = now(), playback_status = 'ready', playback_ready_at = now(),
                  mp4_key = %(mp4)s, thumbnail_key = %(thumb)s, updated_at = now()
             FROM media.transcripts t
            WHERE a.id = %(id)s AND t.asset_id = a.id AND a.transcript_status = 'ready'
              AND a.status NOT IN ('ready', 'failed')
        RETURNING t.engine, t.language""",
        {"id": asset_id, "mp4": outputs.mp4_key, "thumb": outputs.thumbnail_key},
    )


def is_unfinished(conn: Conn, asset_id: UUID) -> bool:
    row = fetch_one(
        conn,
        """SELECT 1 AS found FROM media.assets
            WHERE id = %(id)s AND status NOT IN ('ready', 'failed')""",
        {"id": asset_id},
    )
    return row is not None


def fail(
    conn: Conn, asset_id: UUID, reason: str, step: Step | None = None
) -> dict[str, Any] | None:
    """Mark the asset failed at ``step`` (by default its current step); None if it had already
    finished. A transcript stored before stays, ready (``transcript_kept``); the playback and a
    transcript not stored yet are failed."""
    return fetch_one(
        conn,
        """UPDATE media.assets
              SET failed_step = COALESCE(%(step)s,
                                         CASE WHEN status = 'ready' THEN 'storing' ELSE status END),
                  status = 'failed', reason = %(reason)s, failed_at = now(), updated_at = now(),
                  playback_status = 'failed',
                  transcript_status = CASE WHEN transcript_status = 'ready' THEN 'ready'
                                           ELSE 'failed' END
            WHERE id = %(id)s AND status NOT IN ('ready', 'failed')
        RETURNING id, upload_id, company_id, invitation_id, question_id, failed_step,
                  transcript_status = 'ready' AS transcript_kept""",
        {"id": asset_id, "reason": reason[:1000], "step": step},
    )


def asset_source(conn: Conn, asset_id: UUID) -> S3Object | None:
    row = fetch_one(
        conn,
        """SELECT bucket, object_key AS key, version_id, size_bytes FROM media.assets
            WHERE id = %(id)s""",
        {"id": asset_id},
    )
    return S3Object.model_validate(row) if row else None


# ---- reads -----------------------------------------------------------------------------------
_VIEW = """
SELECT a.id AS media_id, a.upload_id, a.question_id, a.media_kind, a.status, a.uploaded_at,
       a.validating_at, a.transcoding_at, a.transcribing_at, a.ready_at, a.failed_at,
       a.failed_step, a.reason, a.duration_s, a.width, a.height, a.mp4_key, a.thumbnail_key,
       a.transcript_status, a.transcript_ready_at, a.playback_status, a.playback_ready_at,
       t.text AS t_text, t.language AS t_language, t.engine AS t_engine, t.model AS t_model,
       t.segments AS t_segments, t.chunks AS t_chunks
  FROM media.assets a LEFT JOIN media.transcripts t ON t.asset_id = a.id
"""


def latest_assets_for_uploads(
    conn: Conn, company_id: UUID, upload_ids: list[UUID]
) -> list[dict[str, Any]]:
    """The newest asset of each upload (a re-upload of the same key is a new version)."""
    return fetch_all(
        conn,
        f"""SELECT DISTINCT ON (a.upload_id) * FROM ({_VIEW}
              WHERE a.company_id = %(company)s AND a.upload_id = ANY(%(ids)s)) a
            ORDER BY a.upload_id, a.uploaded_at DESC""",  # noqa: S608 - _VIEW is a constant
        {"company": company_id, "ids": upload_ids},
    )


def upload_ids_of_invitation(conn: Conn, company_id: UUID, invitation_id: UUID) -> list[UUID]:
    rows = fetch_all(
        conn,
        """SELECT DISTINCT upload_id FROM media.assets
            WHERE company_id = %(company)s AND invitation_id = %(invitation)s
              AND upload_id IS NOT NULL""",
        {"company": company_id, "invitation": invitation_id},
    )
    return [row["upload_id"] for row in rows]


def invitation_exists(conn: Conn, company_id: UUID, invitation_id: UUID) -> bool:
    row = fetch_one(
        conn,
        """SELECT 1 AS found FROM interviews.invitations
            WHERE id = %(id)s AND company_id = %(company)s""",
        {"id": invitation_id, "company": company_id},
    )
    return row is not None


def transcript_row(conn: Conn, upload_id: UUID) -> dict[str, Any] | None:
    """The upload's stored transcript: readable once the Transcribe step committed, whatever the
    playback path is doing, and still after the playback failed (the transcript is kept)."""
    return fetch_one(
        conn,
        """SELECT t.text, t.language, t.engine, t.model, t.segments, t.chunks
             FROM media.transcripts t
            WHERE t.upload_id = %(upload)s
            ORDER BY t.created_at DESC LIMIT 1""",
        {"upload": upload_id},
    )


def delete_invitation_rows(conn: Conn, company_id: UUID, invitation_id: UUID) -> int:
    """Delete the invitation's assets (their transcripts go with them); how many."""
    cursor = conn.execute(
        b"""DELETE FROM media.assets WHERE company_id = %(company)s
             AND invitation_id = %(invitation)s""",
        {"company": company_id, "invitation": invitation_id},
    )
    return cursor.rowcount


def view_row(row: dict[str, Any], playback: str | None, thumbnail: str | None) -> MediaView:
    transcript = None
    if row.get("t_engine") is not None:
        transcript = Transcript(
            text=row["t_text"],
            language=row["t_language"],
            engine=row["t_engine"],
            model=row["t_model"] or "",
            segments=row["t_segments"],
            chunks=row["t_chunks"],
        )
    return MediaView.model_validate(
        {
            **row,
            "progress": row,
            "playback_url": playback,
            "thumbnail_url": thumbnail,
            "transcript": transcript,
        }
    )


# ---- the bucket ------------------------------------------------------------------------------
def _s3(client: S3Client | None) -> S3Client:
    return client or s3_client()


def head(source: S3Object, client: S3Client | None = None) -> tuple[int, str]:
    """The exact version's size and Content-Type, read from S3 (not from the event)."""
    extra = {"VersionId": source.version_id} if source.version_id else {}
    try:
        answer = _s3(client).head_object(Bucket=source.bucket, Key=source.key, **extra)  # type: ignore[arg-type]
    except ClientError as exc:
        code = str(exc.response.get("Error", {}).get("Code", ""))
        if code in {"404", "NoSuchKey", "NoSuchVersion", "NotFound"}:
            raise MediaRejected("The uploaded object no longer exists.") from exc
        raise MediaTransientError(f"Could not read the upload ({code}).") from exc
    except BotoCoreError as exc:
        raise MediaTransientError("Could not read the upload.") from exc
    return int(answer["ContentLength"]), str(answer.get("ContentType") or "")


def download(source: S3Object, target: Path, client: S3Client | None = None) -> None:
    extra = {"VersionId": source.version_id} if source.version_id else {}
    try:
        _s3(client).download_file(source.bucket, source.key, str(target), ExtraArgs=extra)
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "")
        if code in {"404", "NoSuchKey", "NoSuchVersion"}:
            raise MediaRejected("The uploaded object no longer exists.") from exc
        raise MediaTransientError(f"Could not read the upload ({code}).") from exc
    except BotoCoreError as exc:
        raise MediaTransientError("Could not read the upload.") from exc


def upload(
    path: Path, bucket: str, key: str, content_type: str, client: S3Client | None = None
) -> None:
    try:
        _s3(client).upload_file(str(path), bucket, key, ExtraArgs={"ContentType": content_type})
    except (ClientError, BotoCoreError) as exc:
        raise MediaTransientError(f"Could not store {key.rsplit('/', 1)[-1]}.") from exc


def put_bytes(
    bucket: str, key: str, body: bytes, content_type: str, client: S3Client | None = None
) -> None:
    try:
        _s3(client).put_object(Bucket=bucket, Key=key, Body=body, ContentType=content_type)
    except (ClientError, BotoCoreError) as exc:
        raise MediaTransientError(f"Could not store {key.rsplit('/', 1)[-1]}.") from exc


def get_bytes(bucket: str, key: str, client: S3Client | None = None) -> bytes:
    try:
        body: bytes = _s3(client).get_object(Bucket=bucket, Key=key)["Body"].read()
    except (ClientError, BotoCoreError) as exc:
        raise MediaTransientError(f"Could not read {key.rsplit('/', 1)[-1]}.") from exc
    return body


def presign_get(
    bucket: str,
    key: str,
    ttl_s: int,
    client: S3Client | None = None,
    *,
    version_id: str | None = None,
) -> str:
    params = {"Bucket": bucket, "Key": key}
    if version_id:
        params["VersionId"] = version_id
    url: str = _s3(client).generate_presigned_url("get_object", Params=params, ExpiresIn=ttl_s)
    return url


def delete_prefixes(bucket: str, prefixes: list[str], client: S3Client | None = None) -> int:
    """Delete every version and delete marker under the prefixes; how many were removed."""
    return delete_all_versions(bucket, prefixes, client)


# ---- Step Functions and S3, as the sweep asks them --------------------------------------------
def execution_status(arn: str) -> str:
    """An execution's status, ``MISSING`` when Step Functions has none of that name."""
    try:
        answer = sfn_client().describe_execution(executionArn=arn)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "ExecutionDoesNotExist":
            return "MISSING"
        raise SweepUnavailable(str(exc)[:500]) from exc
    except BotoCoreError as exc:
        raise SweepUnavailable(str(exc)[:500]) from exc
    return str(answer["status"])


def start_execution(state_machine_arn: str, name: str, payload: Mapping[str, Any]) -> None:
    """Start ``name`` (already started with this input: nothing to do)."""
    try:
        sfn_client().start_execution(
            stateMachineArn=state_machine_arn, name=name, input=json.dumps(payload)
        )
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "ExecutionAlreadyExists":
            return
        raise SweepUnavailable(str(exc)[:500]) from exc
    except BotoCoreError as exc:
        raise SweepUnavailable(str(exc)[:500]) from exc


def head_version(bucket: str, key: str, client: S3Client | None = None) -> tuple[str, int] | None:
    """The object's current version id and size; None when it is gone."""
    try:
        answer = _s3(client).head_object(Bucket=bucket, Key=key)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
            return None
        raise SweepUnavailable(str(exc)[:500]) from exc
    except BotoCoreError as exc:
        raise SweepUnavailable(str(exc)[:500]) from exc
    return str(answer.get("VersionId") or ""), int(answer.get("ContentLength") or 0)
