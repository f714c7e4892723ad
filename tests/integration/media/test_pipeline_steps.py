"""The pipeline's steps in-process, against real PostgreSQL, LocalStack S3, real ffmpeg and the
fake Groq server: the happy path, deduplication, every kind of bad input, and the reads."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest

from fakes.groq import FakeGroqServer
from shared.media import pipeline, reads
from shared.media.errors import MediaError, TranscodeFailed
from shared.media.models import FailureInput, OutputKey, Outputs, PipelineState
from shared.media.pipeline import Deps
from tests import media_samples
from tests.integration.media import rows

pytestmark = pytest.mark.localstack


def _event(s3: Any, bucket: str, key: str) -> dict[str, Any]:
    head = s3.head_object(Bucket=bucket, Key=key)
    return {
        "id": str(uuid.uuid4()),
        "detail-type": "Object Created",
        "source": "aws.s3",
        "detail": {
            "bucket": {"name": bucket},
            "object": {
                "key": key,
                "size": head["ContentLength"],
                "version-id": head.get("VersionId", ""),
            },
        },
    }


def _put(s3: Any, bucket: str, upload: rows.UploadRows, path: Path) -> dict[str, Any]:
    s3.put_object(
        Bucket=bucket, Key=upload.key, Body=path.read_bytes(), ContentType=upload.content_type
    )
    return _event(s3, bucket, upload.key)


Step = Callable[[PipelineState, Deps], OutputKey]


def _caught(exc: MediaError) -> dict[str, str]:
    """What a Catch records: the error's name and the Lambda-style cause."""
    cause = json.dumps({"errorMessage": exc.reason, "errorType": type(exc).__name__})
    return {"Error": type(exc).__name__, "Cause": cause}


def _branch(step: Step, state: PipelineState, deps: Deps) -> tuple[str | None, Any]:
    """A playback branch: its key, or its error caught inside the branch (never raised)."""
    try:
        return step(state, deps).key, None
    except MediaError as exc:
        return None, _caught(exc)


def run(
    deps: Deps, event: dict[str, Any], *, transcode: Step = pipeline.transcode
) -> dict[str, Any]:
    """The state machine's path, in-process: what each step returns feeds the next. After
    validation the parallel state's branches: the transcript (audio, transcribed, stored, in
    one step; a failure there fails the whole state), and the MP4 and the thumbnail, which
    return their errors; then
    Store, or MarkFailed when a playback branch failed. A MediaError goes to mark_failed the
    way the Catch does (error name and Lambda-style cause)."""
    state: Any = event
    try:
        registered = pipeline.register(event, "local-execution", deps)
        if isinstance(registered, dict):
            return registered
        state = registered
        state = pipeline.probe_and_validate(state, deps)
        stored = pipeline.transcript(state, deps)
        mp4_key, transcode_error = _branch(transcode, state, deps)
        thumbnail_key, thumbnail_error = _branch(pipeline.thumbnail, state, deps)
        outputs = Outputs.model_validate(
            {
                "wav_key": stored.wav_key,
                "mp4_key": mp4_key,
                "transcode_error": transcode_error,
                "thumbnail_key": thumbnail_key,
                "thumbnail_error": thumbnail_error,
            }
        )
        state = state.model_copy(update={"outputs": outputs})
        if outputs.playback_error is not None:
            failure = FailureInput.model_validate(state.model_dump(mode="json"))
            return pipeline.mark_failed(failure, deps).model_dump(mode="json")
        return pipeline.store(state, deps).model_dump(mode="json")
    except MediaError as exc:
        base = state.model_dump(mode="json") if isinstance(state, PipelineState) else state
        failure = FailureInput.model_validate({**base, "error": _caught(exc)})
        return pipeline.mark_failed(failure, deps).model_dump(mode="json")


def _asset(conn: psycopg.Connection[Any], key: str) -> dict[str, Any]:
    with conn.cursor(row_factory=psycopg.rows.dict_row) as cur:
        row = cur.execute("SELECT * FROM media.assets WHERE object_key = %s", (key,)).fetchone()
    assert row is not None
    return row


def _outbox(conn: psycopg.Connection[Any], event_type: str) -> list[dict[str, Any]]:
    result = conn.execute(
        "SELECT envelope FROM platform.outbox WHERE event_type = %s", (event_type,)
    ).fetchall()
    return [r[0] for r in result]


def test_a_webm_answer_becomes_mp4_thumbnail_and_transcript(  # noqa: PLR0917 - fixtures
    conn: psycopg.Connection[Any], s3: Any, media_bucket: str, make_deps: Any,
    fake_groq: FakeGroqServer, tmp_path: Path,
) -> None:  # fmt: skip
    # Given a registered upload of a spoken WebM answer and Groq (the fake) configured
    upload = rows.upload(conn)
    fake_groq.set_script(["Hello, my name is Alice and I have five years of experience."])
    event = _put(s3, media_bucket, upload, media_samples.answer_webm(tmp_path / "a.webm"))
    # When the pipeline runs
    result = run(make_deps(fake_groq), event)
    # Then the asset is ready with an MP4 (H.264 + AAC, moov first), a JPEG and a transcript
    asset = _asset(conn, upload.key)
    assert asset["status"] == "ready", asset["reason"]
    assert asset["validating_at"] <= asset["transcoding_at"] <= asset["transcribing_at"]
    assert asset["transcribing_at"] <= asset["ready_at"]
    mp4 = s3.get_object(Bucket=media_bucket, Key=result["outputs"]["mp4_key"])["Body"].read()
    assert mp4.find(b"moov") < mp4.find(b"mdat")
    (tmp_path / "out.mp4").write_bytes(mp4)
    probe, duration = make_deps().ffmpeg.probe(tmp_path / "out.mp4")
    assert (probe.video_codec, probe.audio_codec) == ("h264", "aac")
    assert duration == pytest.approx(6.0, abs=0.2)
    thumb = s3.get_object(Bucket=media_bucket, Key=result["outputs"]["thumbnail_key"])
    assert thumb["Body"].read()[:2] == b"\xff\xd8"
    transcript = reads.transcript_for_upload(conn, upload.upload_id)
    assert transcript is not None
    assert transcript.engine == "groq"
    assert "Alice" in transcript.text
    assert transcript.segments
    assert fake_groq.calls["/openai/v1/audio/transcriptions"] == 1
    # And media.processed waits in the outbox, naming the outputs
    [processed] = _outbox(conn, "media.processed")
    assert processed["payload"]["uploadId"] == str(upload.upload_id)
    assert processed["payload"]["transcriptEngine"] == "groq"
    # And the transcript was stored and announced on its own, before the playback was ready
    assert (asset["transcript_status"], asset["playback_status"]) == ("ready", "ready")
    assert asset["transcript_ready_at"] <= asset["playback_ready_at"] == asset["ready_at"]
    [transcribed] = _outbox(conn, "media.transcribed")
    assert transcribed["payload"]["uploadId"] == str(upload.upload_id)
    assert transcribed["payload"]["transcriptEngine"] == "groq"
    assert transcribed["occurredAt"] <= processed["occurredAt"]


def _transcode_fails(state: PipelineState, deps: Deps) -> OutputKey:
    raise TranscodeFailed("The video could not be converted for playback.")


def test_a_transcode_failure_after_a_good_transcript_keeps_the_transcript(  # noqa: PLR0917
    conn: psycopg.Connection[Any], s3: Any, media_bucket: str, make_deps: Any,
    fake_groq: FakeGroqServer, tmp_path: Path,
) -> None:  # fmt: skip
    # Given a spoken WebM answer whose H.264 encode fails after its transcript was stored
    upload = rows.upload(conn)
    fake_groq.set_script(["Hello, my name is Alice and I have five years of experience."])
    event = _put(s3, media_bucket, upload, media_samples.answer_webm(tmp_path / "a.webm"))
    # When the pipeline runs
    result = run(make_deps(fake_groq), event, transcode=_transcode_fails)
    # Then the media failed at transcoding, and says the transcript was kept
    assert (result["failed_step"], result["transcript_kept"]) == ("transcoding", True)
    asset = _asset(conn, upload.key)
    assert (asset["status"], asset["playback_status"]) == ("failed", "failed")
    assert asset["transcript_status"] == "ready"
    assert asset["reason"] == "The video could not be converted for playback."
    [failed] = _outbox(conn, "media.failed")
    assert failed["payload"]["transcriptKept"] is True
    assert len(_outbox(conn, "media.transcribed")) == 1
    assert _outbox(conn, "media.processed") == []
    # And the transcript is still there for HR and the analysis room
    transcript = reads.transcript_for_upload(conn, upload.upload_id)
    assert transcript is not None
    assert "Alice" in transcript.text
    [item] = reads.invitation_media(
        conn, upload.company_id, upload.invitation_id, bucket=media_bucket, s3=s3
    ).items
    assert item.transcript == transcript
    assert item.playback_url is None


def test_without_groq_the_offline_engine_transcribes_and_says_so(
    conn: psycopg.Connection[Any], s3: Any, media_bucket: str, make_deps: Any, tmp_path: Path
) -> None:
    upload = rows.upload(conn, content_type="audio/webm", media_kind="audio", question_type="audio")
    wav = media_samples.speech_wav(tmp_path / "s.wav")
    webm = tmp_path / "a.webm"
    media_samples._run("-i", str(wav), "-c:a", "libopus", str(webm))
    run(make_deps(None), _put(s3, media_bucket, upload, webm))
    asset = _asset(conn, upload.key)
    assert asset["status"] == "ready", asset["reason"]
    assert asset["thumbnail_key"] is None
    transcript = reads.transcript_for_upload(conn, upload.upload_id)
    assert transcript is not None
    assert transcript.engine == "offline"
    assert transcript.model.startswith("pocketsphinx")
    assert transcript.text


def test_a_duplicate_event_for_the_same_version_starts_nothing(
    conn: psycopg.Connection[Any], s3: Any, media_bucket: str, make_deps: Any, tmp_path: Path
) -> None:
    upload = rows.upload(conn)
    event = _put(s3, media_bucket, upload, media_samples.answer_webm(tmp_path / "a.webm", 2))
    deps = make_deps()
    first = pipeline.register(event, "exec-1", deps)
    again = pipeline.register({**event, "id": str(uuid.uuid4())}, "exec-2", deps)
    assert isinstance(first, PipelineState)
    assert again == {"duplicate": True}
    count = conn.execute(
        "SELECT count(*) FROM media.assets WHERE object_key = %s", (upload.key,)
    ).fetchone()
    assert count == (1,)


def test_an_object_nobody_asked_for_is_failed_with_a_reason(
    conn: psycopg.Connection[Any], s3: Any, media_bucket: str, make_deps: Any, tmp_path: Path
) -> None:
    key = f"raw/{uuid.uuid4()}/{uuid.uuid4()}/{uuid.uuid4()}/{uuid.uuid4()}.webm"
    s3.put_object(Bucket=media_bucket, Key=key, Body=b"x" * 10)
    result = run(make_deps(), _event(s3, media_bucket, key))
    assert result["reason"] == "No such upload: nobody asked to upload this object."
    assert result["published"] is False
    assert _asset(conn, key)["status"] == "failed"


def _bad(tmp_path: Path, kind: str) -> tuple[Path, dict[str, Any]]:  # noqa: PLR0911
    """A bad file and the upload row it pretends to be."""
    video = {"content_type": "video/webm", "media_kind": "video", "question_type": "video"}
    if kind == "zero_bytes":
        path = tmp_path / "zero.webm"
        path.write_bytes(b"")
        return path, video
    if kind == "truncated":
        full = media_samples.answer_webm(tmp_path / "full.webm", 6, speech=False)
        return media_samples.truncated(full, tmp_path / "cut.webm"), video
    if kind == "random":
        return media_samples.random_bytes(tmp_path / "r.webm"), video
    if kind == "audio_only":
        return media_samples.audio_only_webm(tmp_path / "ao.webm"), video
    if kind == "too_long":
        return media_samples.answer_webm(tmp_path / "long.webm", 40, speech=False), {
            **video,
            "time_limit_s": 30,
        }
    if kind == "unsupported_codec":
        path = media_samples.mp4_with_codec(tmp_path / "m4.mp4", "mpeg4")
        return path, {**video, "content_type": "video/mp4"}
    if kind == "wrong_type":
        return media_samples.mp4_with_codec(tmp_path / "real.mp4"), video  # MP4 declared WebM
    raise AssertionError(kind)


BAD_INPUTS = {
    "zero_bytes": "empty",
    "truncated": "truncated",
    "random": "not a readable audio or video file",
    "audio_only": "no video stream",
    "too_long": "this question allows 30 s",
    "unsupported_codec": "Unsupported video codec 'mpeg4'",
    "wrong_type": "declared as video/webm but is really mov",
}


@pytest.mark.parametrize(("kind", "reason"), BAD_INPUTS.items(), ids=list(BAD_INPUTS))
def test_bad_input_ends_failed_with_a_reason(  # noqa: PLR0917 - fixtures
    kind: str, reason: str, conn: psycopg.Connection[Any], s3: Any, media_bucket: str,
    make_deps: Any, tmp_path: Path,
) -> None:  # fmt: skip
    # Given an upload row and a bad file under its key
    path, spec = _bad(tmp_path, kind)
    upload = rows.upload(conn, **spec)
    # When the pipeline runs
    result = run(make_deps(), _put(s3, media_bucket, upload, path))
    # Then the media is failed at validation with a readable reason, and media.failed is queued
    asset = _asset(conn, upload.key)
    assert asset["status"] == "failed"
    assert asset["failed_step"] == "validating"
    assert reason in asset["reason"]
    assert result["published"] is True
    [failed] = _outbox(conn, "media.failed")
    assert failed["payload"]["reason"] == asset["reason"]
    assert failed["payload"]["failedStep"] == "validating"
    assert failed["payload"]["transcriptKept"] is False
    assert (asset["transcript_status"], asset["playback_status"]) == ("failed", "failed")
    # And nothing was produced
    listed = s3.list_objects_v2(Bucket=media_bucket, Prefix="media/")
    assert listed.get("KeyCount", 0) == 0


def test_reads_give_progress_playback_urls_and_deletion_removes_everything(  # noqa: PLR0917
    conn: psycopg.Connection[Any], s3: Any, media_bucket: str, make_deps: Any,
    fake_groq: FakeGroqServer, tmp_path: Path,
) -> None:  # fmt: skip
    upload = rows.upload(conn)
    path = media_samples.answer_webm(tmp_path / "a.webm", 3, speech=False)
    run(make_deps(fake_groq), _put(s3, media_bucket, upload, path))
    # A second version of the same key (a re-upload) must be erased too.
    s3.put_object(Bucket=media_bucket, Key=upload.key, Body=path.read_bytes())
    # When HR reads the invitation's media
    view = reads.invitation_media(
        conn, upload.company_id, upload.invitation_id, bucket=media_bucket, s3=s3
    )
    [item] = view.items
    assert item.progress.status == "ready"
    assert (item.transcript_status, item.playback_status) == ("ready", "ready")
    assert item.transcript_ready_at is not None
    assert item.playback_ready_at is not None
    assert item.duration_s == pytest.approx(3.0, abs=0.2)
    assert item.playback_url is not None
    assert item.thumbnail_url is not None
    assert httpx.get(item.playback_url).content[4:8] == b"ftyp"
    # And another company sees nothing
    other, _ = rows.company_with_hr(conn)
    with pytest.raises(Exception, match="No such invitation"):
        reads.invitation_media(conn, other, upload.invitation_id, bucket=media_bucket, s3=s3)
    assert (
        reads.media_for_uploads(conn, other, [upload.upload_id], bucket=media_bucket, s3=s3) == {}
    )
    # When the invitation's media is deleted, twice
    with conn.transaction():
        removed = reads.delete_invitation_media(
            conn, upload.company_id, upload.invitation_id, bucket=media_bucket, s3=s3
        )
    with conn.transaction():
        again = reads.delete_invitation_media(
            conn, upload.company_id, upload.invitation_id, bucket=media_bucket, s3=s3
        )
    # Then every version of every object and the transcript are gone
    assert removed >= 5  # two raw versions, mp4, thumbnail, wav, transcript json
    assert again == 0
    versions = s3.list_object_versions(Bucket=media_bucket)
    assert not versions.get("Versions")
    assert not versions.get("DeleteMarkers")
    assert reads.transcript_for_upload(conn, upload.upload_id) is None
