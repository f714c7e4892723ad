"""The media pipeline's steps, one function per Lambda: register -> validate -> (transcript |
transcode | thumbnail) -> store; mark_failed when any of them gives up.

The transcript path does not wait for the playback path (issue 16): the transcript is stored and
announced (``media.transcribed``) as soon as it exists, while the MP4 may still be encoding;
``store`` then makes the playback ready (``media.processed``). A playback failure after a good
transcript fails the media but keeps the transcript (``media.failed`` says so).

Each step takes the state the previous one returned and returns it (or its one output key);
progress is written to media.assets as each step starts, so HR sees where an answer is.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote_plus

from pydantic import BaseModel, ValidationError

from shared.events.factory import new_event
from shared.events.outbox import enqueue
from shared.media import dal
from shared.media.errors import MediaError, MediaRejected, TranscriptMissing, UnknownUpload
from shared.media.ffmpeg import Ffmpeg
from shared.media.keys import parse_raw_key, tmp_prefix
from shared.media.models import (
    FailureInput,
    FailureOutput,
    OutputKey,
    PipelineState,
    S3Object,
    Step,
    TranscriptStored,
    UploadRow,
)
from shared.media.probe import Expectation, validate
from shared.media.settings import MediaSettings
from shared.media.transcribe import Transcriber
from shared.media.transcript import Transcript
from shared.models.events.media import (
    MediaFailed,
    MediaProcessed,
    MediaTranscribed,
    TranscriptEngine,
)
from shared.observability import logger

if TYPE_CHECKING:
    import psycopg
    from mypy_boto3_s3 import S3Client

EVENT_SOURCE = "media"
MP4_NAME = "answer.mp4"
THUMBNAIL_NAME = "thumbnail.jpg"
WAV_NAME = "audio.wav"

Transaction = Callable[[], Any]


@dataclass(frozen=True, slots=True)
class Deps:
    """What the steps need, built once per process by the handlers (tests pass their own)."""

    transaction: Callable[[], Any]  # a context manager yielding a psycopg connection
    settings: MediaSettings
    ffmpeg: Ffmpeg
    s3: S3Client | None = None
    transcriber: Callable[[], Transcriber] | None = None


# ---- register ----------------------------------------------------------------------------
def s3_object_from_event(event: dict[str, Any]) -> S3Object:
    """The object of an EventBridge "Object Created" event from S3."""
    detail = event.get("detail") or {}
    obj = detail.get("object") or {}
    try:
        return S3Object(
            bucket=detail["bucket"]["name"],
            key=unquote_plus(obj["key"]),
            version_id=obj.get("version-id") or "",
            size_bytes=int(obj.get("size") or 0),
        )
    except (KeyError, TypeError, ValueError, ValidationError) as exc:
        raise MediaRejected("The storage event does not name an object.") from exc


def register(event: dict[str, Any], execution: str, deps: Deps) -> PipelineState | dict[str, bool]:
    """Tie the object to its upload and answer; a second event for the same object version
    returns ``{"duplicate": true}`` and starts nothing."""
    source = s3_object_from_event(event)
    key = parse_raw_key(source.key)
    if key is None:
        raise UnknownUpload(f"'{source.key[:200]}' is not an upload key.")
    with deps.transaction() as conn:
        upload = dal.find_upload(conn, source.key)
        if upload is None or upload.id != key.upload_id:
            raise UnknownUpload("No such upload: nobody asked to upload this object.")
        _require_the_one_version(conn, upload, source)
        asset_id = dal.insert_asset(conn, source, upload, execution)
    if asset_id is None:
        return {"duplicate": True}
    return PipelineState(
        asset_id=asset_id,
        upload_id=upload.id,
        company_id=upload.company_id,
        invitation_id=upload.invitation_id,
        question_id=upload.question_id,
        source=source,
        content_type=upload.content_type,
        media_kind=upload.media_kind,
        time_limit_s=upload.time_limit_s,
        max_bytes=upload.max_bytes,
        correlation_id=str(event.get("id") or asset_id)[:128],
    )


def _require_the_one_version(conn: Any, upload: UploadRow, source: S3Object) -> None:
    """An upload URL takes one object: the version submitted as the answer, or, before the
    submit, the first one registered. A presigned POST stays valid for minutes and the bucket
    is versioned, so the same form can write again; such a version is refused, never processed
    (it would replace what HR plays and what is analysed)."""
    if upload.pinned_version_id is not None and source.version_id != upload.pinned_version_id:
        raise MediaRejected("The answer was already submitted; a later upload is refused.")
    dal.lock_upload(conn, upload.id)
    if dal.other_version_of_upload(conn, upload.id, source.version_id) is not None:
        raise MediaRejected("This upload already has its object; a second one is refused.")


# ---- validate ----------------------------------------------------------------------------
@contextmanager
def _local_copy(state: PipelineState, deps: Deps) -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="media-") as workdir:
        path = Path(workdir) / "input"
        dal.download(state.source, path, deps.s3)
        yield path


def _mark(deps: Deps, state: PipelineState, step: Step) -> None:
    with deps.transaction() as conn:
        dal.mark_step(conn, state.asset_id, step)


def _require_declared_object(state: PipelineState, deps: Deps) -> None:
    """Size and type of this exact version, from S3, before a byte is downloaded: a multipart
    object over the cap is deleted by its complete, but its event may already be on its way."""
    size, content_type = dal.head(state.source, deps.s3)
    if content_type != state.content_type:
        raise MediaRejected(
            f"The object is {content_type or 'untyped'}, not the declared {state.content_type}."
        )
    if state.max_bytes is not None and size > state.max_bytes:
        raise MediaRejected(f"The object has {size} bytes; the limit is {state.max_bytes}.")
    if size == 0:
        raise MediaRejected("The file is empty (0 bytes).")


def probe_and_validate(state: PipelineState, deps: Deps) -> PipelineState:
    """What the file really is (bytes, not name), checked against its question."""
    _mark(deps, state, "validating")
    if state.source.size_bytes == 0:
        raise MediaRejected("The file is empty (0 bytes).")
    _require_declared_object(state, deps)
    audio_key: str | None = None
    with _local_copy(state, deps) as path:
        wav = path.with_name(WAV_NAME)
        # The decoding that measures the real duration writes the transcript's WAV as it goes.
        probe, duration = deps.ffmpeg.probe(path, wav)
        validate(
            probe,
            duration,
            Expectation(
                media_kind=state.media_kind,
                content_type=state.content_type,
                time_limit_s=state.time_limit_s,
                margin_s=deps.settings.duration_margin_s,
            ),
        )
        if probe.audio_codec and wav.exists():
            # Only a valid file's audio is kept: the transcript branch reads it from here.
            audio_key = _tmp_key(state, WAV_NAME)
            dal.upload(wav, state.source.bucket, audio_key, "audio/wav", deps.s3)
    with deps.transaction() as conn:
        dal.record_probe(conn, state.asset_id, probe, duration)
        dal.mark_step(conn, state.asset_id, "transcoding")
    return state.model_copy(
        update={
            "duration_s": round(duration, 3),
            "has_video": probe.video_codec is not None,
            "has_audio": probe.audio_codec is not None,
            "audio_key": audio_key,
        }
    )


# ---- the parallel branch -----------------------------------------------------------------
def _processed_key(state: PipelineState, name: str) -> str:
    raw = parse_raw_key(state.source.key)
    assert raw is not None  # registered keys parse
    return raw.processed_prefix() + name


def _tmp_key(state: PipelineState, name: str) -> str:
    return tmp_prefix(state.company_id, state.invitation_id, state.upload_id) + name


def transcode(state: PipelineState, deps: Deps) -> OutputKey:
    key = _processed_key(state, MP4_NAME)
    with _local_copy(state, deps) as path:
        out = path.with_name(MP4_NAME)
        deps.ffmpeg.transcode_mp4(
            path,
            out,
            video=state.has_video,
            max_height=deps.settings.max_height,
            preset=deps.settings.x264_preset,
        )
        dal.upload(out, state.source.bucket, key, "video/mp4", deps.s3)
    return OutputKey(key=key)


def thumbnail(state: PipelineState, deps: Deps) -> OutputKey:
    if not state.has_video:
        return OutputKey(key=None)
    key = _processed_key(state, THUMBNAIL_NAME)
    # A frame a second in (or the middle of a shorter clip): the first is often black.
    at = min(1.0, (state.duration_s or 0.0) / 2)
    with _local_copy(state, deps) as path:
        out = path.with_name(THUMBNAIL_NAME)
        deps.ffmpeg.thumbnail(path, out, at_s=at)
        dal.upload(out, state.source.bucket, key, "image/jpeg", deps.s3)
    return OutputKey(key=key)


# ---- the transcript path: one step --------------------------------------------------------
def transcript(state: PipelineState, deps: Deps) -> TranscriptStored:
    """The transcript branch in one Lambda (issue 16): the 16 kHz mono WAV the probe wrote while
    it decoded the upload, transcribed, and the transcript, its status ready and
    ``media.transcribed`` committed in one transaction, as soon as it exists (the playback branch
    may still be transcoding). Once: a retried or re-driven call finds the transcript stored (or
    the media failed) and neither transcribes nor announces anything."""
    with deps.transaction() as conn:
        todo, made_from = dal.start_transcript(conn, state.asset_id)
    if not todo:
        return TranscriptStored(wav_key=made_from, stored=False)
    wav_key: str | None = None
    if not state.has_audio:
        text = Transcript(
            text="", language=None, engine="offline", model="none (no audio)", segments=[]
        )
    else:
        wav_key, text = _transcribe_audio(state, deps)
    with deps.transaction() as conn:
        transcribed_at = dal.store_transcript(
            conn, state.asset_id, wav_key, text, state.upload_id, state.company_id
        )
        if transcribed_at is not None:
            _publish_transcribed(conn, state, text, transcribed_at)
    return TranscriptStored(wav_key=wav_key, stored=transcribed_at is not None)


def _transcribe_audio(state: PipelineState, deps: Deps) -> tuple[str, Transcript]:
    """(the WAV's key, its transcript). The probe's WAV is read (1.9 MB a minute: no second
    download of the upload, no second decoding); where there is none (a state from before the
    probe wrote it, or the WAV gone by a late re-drive) the audio is extracted from the upload."""
    assert deps.transcriber is not None
    with tempfile.TemporaryDirectory(prefix="media-") as workdir:
        wav = Path(workdir) / WAV_NAME
        if state.audio_key is not None:
            made = S3Object(bucket=state.source.bucket, key=state.audio_key)
            try:
                dal.download(made, wav, deps.s3)
            except MediaRejected:
                logger.info("the probe's WAV is gone: the audio is extracted again")
            else:
                return state.audio_key, deps.transcriber().transcribe(wav)
    wav_key = _tmp_key(state, WAV_NAME)
    with _local_copy(state, deps) as path:
        wav = path.with_name(WAV_NAME)
        deps.ffmpeg.extract_wav(path, wav)
        dal.upload(wav, state.source.bucket, wav_key, "audio/wav", deps.s3)
        return wav_key, deps.transcriber().transcribe(wav)


def _publish_transcribed(
    conn: psycopg.Connection[Any],
    state: PipelineState,
    transcript: Transcript,
    transcribed_at: datetime,
) -> None:
    payload = MediaTranscribed(
        media_id=state.asset_id,
        upload_id=state.upload_id,
        invitation_id=state.invitation_id,
        question_id=state.question_id,
        duration_s=state.duration_s or 0.0,
        transcript_engine=transcript.engine,
        transcript_language=transcript.language,
        transcribed_at=transcribed_at,
    )
    _enqueue(conn, state, "media.transcribed", payload)


# ---- store the playback and publish --------------------------------------------------------
def store(state: PipelineState, deps: Deps) -> PipelineState:
    """Outputs, playback and asset status ready and ``media.processed`` in one transaction; the
    transcript is the one the Transcript step stored (the parallel state ends only after it)."""
    assert state.outputs.mp4_key is not None
    with deps.transaction() as conn:
        dal.mark_step(conn, state.asset_id, "storing")
        stored = dal.complete(conn, state.asset_id, state.outputs)
        if stored is not None:
            _publish_processed(conn, state, stored["engine"], stored["language"])
        elif dal.is_unfinished(conn, state.asset_id):
            raise TranscriptMissing("The recording was converted but its transcript is missing.")
    return state


def _publish_processed(
    conn: psycopg.Connection[Any],
    state: PipelineState,
    engine: TranscriptEngine,
    language: str | None,
) -> None:
    assert state.outputs.mp4_key is not None
    payload = MediaProcessed(
        media_id=state.asset_id,
        upload_id=state.upload_id,
        invitation_id=state.invitation_id,
        question_id=state.question_id,
        duration_s=state.duration_s or 0.0,
        mp4_key=state.outputs.mp4_key,
        thumbnail_key=state.outputs.thumbnail_key,
        transcript_engine=engine,
        transcript_language=language,
    )
    _enqueue(conn, state, "media.processed", payload)


def _enqueue(
    conn: psycopg.Connection[Any], state: PipelineState, event_type: str, payload: BaseModel
) -> None:
    enqueue(
        conn,
        new_event(
            event_type,
            payload,
            source=EVENT_SOURCE,
            correlation_id=state.correlation_id,
            tenant_id=state.company_id,
        ),
    )


# ---- failure -----------------------------------------------------------------------------
_OURS = frozenset(
    {
        "MediaRejected",
        "UnknownUpload",
        "TranscodeFailed",
        "TranscriptMissing",
        "TranscriptionMalformed",
        "TranscriptionRateLimited",
        "TranscriptionUnavailable",
        "TranscriptionRefused",
        "MediaTransientError",
    }
)
_TIMEOUTS = frozenset({"States.Timeout", "Sandbox.Timedout", "States.HeartbeatTimeout"})


def failure_reason(error: str, cause: str) -> str:
    """A reason a person can read, from the error Step Functions caught. Our own errors carry
    one; anything else is named but not dumped (no stack traces in the product)."""
    message = ""
    try:
        parsed = json.loads(cause) if cause else {}
        if isinstance(parsed, dict):
            message = str(parsed.get("errorMessage") or "")
    except ValueError:
        message = ""
    if error in _OURS and message:
        return message[:1000]
    if error in _TIMEOUTS:
        return "Processing took too long and was stopped."
    return f"Processing failed unexpectedly ({error[:100]})."


def mark_failed(failure: FailureInput, deps: Deps) -> FailureOutput:
    """Mark the media failed with a reason and publish ``media.failed`` (once). A transcript
    stored before the failure (the playback failed after it) is kept, and the event says so."""
    error, step = failure.caught()
    reason = failure_reason(error.error, error.cause)
    if failure.asset_id is None:
        # Registering failed: no asset yet. Remember the object so a duplicate event finds it.
        try:
            source = s3_object_from_event({"detail": failure.detail or {}})
        except MediaError:
            return FailureOutput(
                asset_id=None, failed_step="uploaded", reason=reason, published=False
            )
        with deps.transaction() as conn:
            asset_id = dal.insert_rejected_object(conn, source, reason)
        return FailureOutput(
            asset_id=asset_id, failed_step="uploaded", reason=reason, published=False
        )
    with deps.transaction() as conn:
        row = dal.fail(conn, failure.asset_id, reason, step)
        if row is None:
            return FailureOutput(
                asset_id=failure.asset_id, failed_step="storing", reason=reason, published=False
            )
        payload = MediaFailed(
            media_id=row["id"],
            upload_id=row["upload_id"],
            invitation_id=row["invitation_id"],
            question_id=row["question_id"],
            failed_step=row["failed_step"],
            reason=reason,
            transcript_kept=row["transcript_kept"],
        )
        enqueue(
            conn,
            new_event(
                "media.failed",
                payload,
                source=EVENT_SOURCE,
                correlation_id=(failure.correlation_id or failure.id or str(failure.asset_id))[
                    :128
                ],
                tenant_id=row["company_id"],
            ),
        )
    return FailureOutput(
        asset_id=failure.asset_id,
        failed_step=row["failed_step"],
        reason=reason,
        published=True,
        transcript_kept=row["transcript_kept"],
    )
