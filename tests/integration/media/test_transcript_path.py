"""The transcript path does not wait for the playback path (issue 16), step by step against real
PostgreSQL, real ffmpeg and an in-process S3 (moto): the Transcribe step extracts the audio,
transcribes it (a transcriber at Groq's boundary answers TRANSCRIPT), stores the transcript,
marks it ready and announces it once; the transcript is readable before the MP4 is ready; a
playback failure after it keeps it and says so; Store makes the playback ready from the stored
transcript; and the migration fills both statuses in for assets that finished before it."""

from __future__ import annotations

import dataclasses
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ClassVar

import boto3
import psycopg
import pytest
from moto import mock_aws

from shared.dal.db import conninfo_for
from shared.dal.migrator import MIGRATIONS_DIR, migrate
from shared.media import dal, pipeline, public, reads
from shared.media.errors import MediaRejected, TranscriptMissing
from shared.media.ffmpeg import Ffmpeg
from shared.media.models import FailureInput, Outputs, PipelineState, StepError, TranscriptStored
from shared.media.pipeline import Deps
from shared.media.settings import MediaSettings
from shared.media.transcript import Segment, Transcript
from shared.settings import DatabaseSettings
from tests import media_samples
from tests.integration.media import rows

BUCKET = "transcript-path-bucket"
TRANSCRIPT = Transcript(
    text="Hello, my name is Alice and I have five years of experience.",
    language="en",
    engine="groq",
    model="whisper-large-v3-turbo",
    segments=[
        Segment(start=0.0, end=2.4, text="Hello, my name is Alice"),
        Segment(start=2.4, end=5.1, text="and I have five years of experience."),
    ],
)


@pytest.fixture
def s3(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """moto's S3, in this process: no endpoint, so nothing reaches a real or local cloud."""
    for name in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3"):
        monkeypatch.delenv(name, raising=False)
    with mock_aws():
        client = boto3.client(
            "s3",
            region_name="us-east-1",
            aws_access_key_id="test",
            aws_secret_access_key="test",
        )
        client.create_bucket(Bucket=BUCKET)
        client.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
        yield client


@pytest.fixture
def deps(conninfo: str, s3: Any) -> Deps:
    @contextmanager
    def transaction() -> Iterator[psycopg.Connection[Any]]:
        with psycopg.connect(conninfo) as connection, connection.transaction():
            yield connection

    return Deps(
        transaction=transaction,
        settings=MediaSettings(),
        ffmpeg=Ffmpeg(threads=1, timeout_s=30),
        s3=s3,
        transcriber=_Heard,
    )


class _Heard:
    """Groq's side of the transcription (the boundary): the WAV it is given, and TRANSCRIPT."""

    wavs: ClassVar[list[int]] = []

    def transcribe(self, wav: Path) -> Transcript:
        data = wav.read_bytes()
        assert data[:4] == b"RIFF"  # a real WAV, extracted by ffmpeg
        self.wavs.append(len(data))
        return TRANSCRIPT


@pytest.fixture(scope="module")
def recording(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """A short real recording with sound (ffmpeg makes it once for the module)."""
    return media_samples.audio_only_webm(tmp_path_factory.mktemp("media") / "a.webm").read_bytes()


def _transcribed(
    conn: psycopg.Connection[Any], deps: Deps, s3: Any, recording: bytes
) -> PipelineState:
    """An upload (a real recording in S3) registered and validated, its MP4 still to be made:
    the state the Transcribe step receives."""
    upload = rows.upload(conn)
    put = s3.put_object(Bucket=BUCKET, Key=upload.key, Body=recording, ContentType="video/webm")
    event = {
        "id": str(uuid.uuid4()),
        "detail": {
            "bucket": {"name": BUCKET},
            "object": {"key": upload.key, "version-id": put["VersionId"], "size": len(recording)},
        },
    }
    state = pipeline.register(event, "exec-1", deps)
    assert isinstance(state, PipelineState)
    with deps.transaction() as tx:
        dal.mark_step(tx, state.asset_id, "transcoding")
        dal.mark_step(tx, state.asset_id, "transcribing")
    return state.model_copy(update={"duration_s": 5.2, "has_audio": True, "has_video": True})


def _asset(conn: psycopg.Connection[Any], asset_id: uuid.UUID) -> dict[str, Any]:
    with conn.cursor(row_factory=psycopg.rows.dict_row) as cur:
        row = cur.execute("SELECT * FROM media.assets WHERE id = %s", (asset_id,)).fetchone()
    assert row is not None
    return row


def _outbox(conn: psycopg.Connection[Any], event_type: str) -> list[dict[str, Any]]:
    found = conn.execute(
        "SELECT envelope FROM platform.outbox WHERE event_type = %s ORDER BY created_at",
        (event_type,),
    ).fetchall()
    return [r[0] for r in found]


def _after_parallel(state: PipelineState, **outputs: Any) -> PipelineState:
    """The state after the parallel state: its ResultSelector's outputs."""
    base = {
        "wav_key": state.outputs.wav_key,
        "mp4_key": None,
        "thumbnail_key": None,
        "transcode_error": None,
        "thumbnail_error": None,
    }
    return state.model_copy(update={"outputs": Outputs.model_validate({**base, **outputs})})


def test_the_transcribe_step_stores_it_marks_it_ready_and_announces_it_once(
    conn: psycopg.Connection[Any], deps: Deps, s3: Any, recording: bytes
) -> None:
    # Given an answer transcribed while its MP4 is still transcoding
    state = _transcribed(conn, deps, s3, recording)
    # When the Transcribe step runs, and runs again (a Lambda retry, or a re-drive)
    heard = len(_Heard.wavs)
    first = pipeline.transcript(state, deps)
    again = pipeline.transcript(state, deps)
    assert len(_Heard.wavs) == heard + 1
    # Then the first stored the transcript, the second nothing (nor transcribed it again)
    assert (first.stored, again.stored) == (True, False)
    wav_key = f"tmp/{state.company_id}/{state.invitation_id}/{state.upload_id}/audio.wav"
    assert first.wav_key == again.wav_key == wav_key
    assert s3.get_object(Bucket=BUCKET, Key=wav_key)["Body"].read(4) == b"RIFF"
    count = conn.execute(
        "SELECT count(*) FROM media.transcripts WHERE asset_id = %s", (state.asset_id,)
    ).fetchone()
    assert count == (1,)
    # And the transcript path is ready with its time, the playback still pending, and the asset
    # back at transcoding (what is left), not ready
    asset = _asset(conn, state.asset_id)
    assert asset["transcript_status"] == "ready"
    assert asset["transcript_ready_at"] is not None
    assert asset["playback_status"] == "pending"
    assert asset["playback_ready_at"] is None
    assert asset["status"] == "transcoding"
    assert asset["wav_key"] == wav_key
    # And media.transcribed was queued once, in the same transaction, with the transcript's facts
    [event] = _outbox(conn, "media.transcribed")
    assert event["tenantId"] == str(state.company_id)
    assert event["payload"] == {
        "mediaId": str(state.asset_id),
        "uploadId": str(state.upload_id),
        "invitationId": str(state.invitation_id),
        "questionId": str(state.question_id),
        "durationS": 5.2,
        "transcriptEngine": "groq",
        "transcriptLanguage": "en",
        "transcribedAt": event["payload"]["transcribedAt"],
    }
    stored_at = conn.execute(
        "SELECT %s::timestamptz = transcript_ready_at FROM media.assets WHERE id = %s",
        (event["payload"]["transcribedAt"], state.asset_id),
    ).fetchone()
    assert stored_at == (True,)
    assert _outbox(conn, "media.processed") == []


def _probed(conn: psycopg.Connection[Any], deps: Deps, s3: Any, recording: bytes) -> PipelineState:
    """An upload registered and run through ProbeAndValidate: the state the Parallel gets."""
    state = _transcribed(conn, deps, s3, recording)
    with deps.transaction() as tx:
        dal.mark_step(tx, state.asset_id, "validating")
    bare = state.model_copy(
        update={"media_kind": "audio", "duration_s": None, "has_audio": False, "has_video": False}
    )
    probed = pipeline.probe_and_validate(bare, deps)
    with deps.transaction() as tx:
        dal.mark_step(tx, probed.asset_id, "transcribing")
    return probed


class _NoSecondDecoding(Ffmpeg):
    def extract_wav(self, src: Path, dst: Path) -> None:
        raise AssertionError("the upload was decoded a second time")


def test_the_probe_writes_the_wav_and_the_transcribe_step_reads_it_not_the_upload(
    conn: psycopg.Connection[Any], deps: Deps, s3: Any, recording: bytes
) -> None:
    # Given an upload the probe has validated
    state = _probed(conn, deps, s3, recording)
    # Then its decoding pass left the transcript's WAV (16 kHz mono PCM) under tmp/
    wav_key = f"tmp/{state.company_id}/{state.invitation_id}/{state.upload_id}/audio.wav"
    assert state.audio_key == wav_key
    header = s3.get_object(Bucket=BUCKET, Key=wav_key)["Body"].read(44)
    assert header[:4] == b"RIFF"
    assert int.from_bytes(header[22:24], "little") == 1  # channels
    assert int.from_bytes(header[24:28], "little") == 16000  # sample rate
    # When the Transcribe step runs with an ffmpeg that would fail on a second decoding
    heard = len(_Heard.wavs)
    no_decoding = dataclasses.replace(deps, ffmpeg=_NoSecondDecoding(threads=1, timeout_s=30))
    stored = pipeline.transcript(state, no_decoding)
    # Then it transcribed the probe's WAV and recorded it with the transcript
    assert stored == TranscriptStored(wav_key=wav_key, stored=True)
    assert _Heard.wavs[heard:] == [s3.head_object(Bucket=BUCKET, Key=wav_key)["ContentLength"]]
    assert _asset(conn, state.asset_id)["wav_key"] == wav_key


def test_a_rejected_file_leaves_no_wav_and_a_lost_wav_is_made_again(
    conn: psycopg.Connection[Any], deps: Deps, s3: Any, recording: bytes
) -> None:
    # Given a validated upload whose WAV is gone by the time the Transcribe step runs
    state = _probed(conn, deps, s3, recording)
    assert state.audio_key is not None
    s3.delete_object(Bucket=BUCKET, Key=state.audio_key)
    # When it runs
    heard = len(_Heard.wavs)
    stored = pipeline.transcript(state, deps)
    # Then it extracted the audio from the upload again, and stored the transcript
    assert stored.stored
    assert len(_Heard.wavs) == heard + 1
    assert s3.get_object(Bucket=BUCKET, Key=state.audio_key)["Body"].read(4) == b"RIFF"
    # And a file the probe rejects (too long for its question) leaves no WAV behind
    other = _transcribed(conn, deps, s3, recording)
    too_long = other.model_copy(update={"media_kind": "audio", "time_limit_s": 1})
    strict = dataclasses.replace(deps, settings=MediaSettings(duration_margin_s=0))
    with pytest.raises(MediaRejected, match="this question allows 1 s"):
        pipeline.probe_and_validate(too_long, strict)
    prefix = f"tmp/{other.company_id}/{other.invitation_id}/{other.upload_id}/"
    assert s3.list_objects_v2(Bucket=BUCKET, Prefix=prefix).get("KeyCount", 0) == 0


def test_the_transcript_is_readable_before_the_playback_is_ready(
    conn: psycopg.Connection[Any], deps: Deps, s3: Any, recording: bytes
) -> None:
    # Given a stored transcript and an MP4 still transcoding
    state = _transcribed(conn, deps, s3, recording)
    assert reads.transcript_for_upload(conn, state.upload_id) is None
    pipeline.transcript(state, deps)
    assert _asset(conn, state.asset_id)["status"] != "ready"
    # When the analysis room reads it through media's public module
    transcript = public.transcript_for_upload(conn, state.upload_id)
    # Then it is there, whole
    assert transcript == TRANSCRIPT
    # And HR sees both statuses, the transcript, and no playback URL yet
    [view] = reads.invitation_media(
        conn, state.company_id, state.invitation_id, bucket=BUCKET, s3=s3
    ).items
    assert (view.transcript_status, view.playback_status) == ("ready", "pending")
    assert view.transcript_ready_at is not None
    assert view.playback_ready_at is None
    assert view.transcript == TRANSCRIPT
    assert view.playback_url is None
    assert view.thumbnail_url is None


def test_store_makes_the_playback_ready_with_the_stored_transcript_and_publishes_once(
    conn: psycopg.Connection[Any], deps: Deps, s3: Any, recording: bytes
) -> None:
    # Given a stored transcript and both playback branches done
    state = _transcribed(conn, deps, s3, recording)
    pipeline.transcript(state, deps)
    mp4 = f"media/{state.company_id}/{state.invitation_id}/{state.upload_id}/answer.mp4"
    s3.put_object(Bucket=BUCKET, Key=mp4, Body=b"mp4")
    done = _after_parallel(state, mp4_key=mp4, thumbnail_key=None)
    # When Store runs, twice
    pipeline.store(done, deps)
    pipeline.store(done, deps)
    # Then the asset and both paths are ready, each with its time
    asset = _asset(conn, state.asset_id)
    assert (asset["status"], asset["transcript_status"], asset["playback_status"]) == (
        "ready",
        "ready",
        "ready",
    )
    assert asset["transcript_ready_at"] <= asset["playback_ready_at"] == asset["ready_at"]
    assert asset["mp4_key"] == mp4
    # And media.processed names the engine of the transcript stored before (read, not re-sent)
    [processed] = _outbox(conn, "media.processed")
    assert processed["payload"]["transcriptEngine"] == "groq"
    assert processed["payload"]["transcriptLanguage"] == "en"
    assert processed["payload"]["mp4Key"] == mp4
    assert len(_outbox(conn, "media.transcribed")) == 1
    # And HR now gets a playback URL beside the transcript
    [view] = reads.invitation_media(
        conn, state.company_id, state.invitation_id, bucket=BUCKET, s3=s3
    ).items
    assert view.playback_status == "ready"
    assert view.playback_url is not None
    assert view.transcript == TRANSCRIPT


def test_store_without_a_stored_transcript_is_refused(
    conn: psycopg.Connection[Any], deps: Deps, s3: Any, recording: bytes
) -> None:
    # Given an asset whose transcript was never stored (never expected after the parallel state)
    state = _transcribed(conn, deps, s3, recording)
    done = _after_parallel(state, mp4_key="media/x/answer.mp4")
    # When Store runs, then it refuses by name, and nothing is marked ready or announced
    with pytest.raises(TranscriptMissing):
        pipeline.store(done, deps)
    assert _asset(conn, state.asset_id)["status"] == "transcribing"
    assert _outbox(conn, "media.processed") == []


@pytest.mark.parametrize("branch", ["transcode_error", "thumbnail_error"])
def test_a_playback_failure_after_a_good_transcript_keeps_the_transcript_and_says_so(
    conn: psycopg.Connection[Any], deps: Deps, s3: Any, recording: bytes, branch: str
) -> None:
    # Given a stored transcript, and a playback branch that caught its own error
    state = _transcribed(conn, deps, s3, recording)
    pipeline.transcript(state, deps)
    cause = '{"errorType": "TranscodeFailed", "errorMessage": "The video could not be converted."}'
    error = {"Error": "TranscodeFailed", "Cause": cause}
    after = _after_parallel(state, **{branch: error})
    # When MarkFailed gets the state the Choice sent it (no $.error: the error is in outputs)
    failure = FailureInput.model_validate(after.model_dump(mode="json"))
    result = pipeline.mark_failed(failure, deps)
    # Then the media failed at transcoding (not at the transcript's step) with the reason
    assert result.published is True
    assert result.transcript_kept is True
    assert result.failed_step == "transcoding"
    assert result.reason == "The video could not be converted."
    asset = _asset(conn, state.asset_id)
    assert (asset["status"], asset["failed_step"]) == ("failed", "transcoding")
    # And the transcript stays ready and readable; only the playback failed
    assert (asset["transcript_status"], asset["playback_status"]) == ("ready", "failed")
    assert public.transcript_for_upload(conn, state.upload_id) == TRANSCRIPT
    [view] = reads.invitation_media(
        conn, state.company_id, state.invitation_id, bucket=BUCKET, s3=s3
    ).items
    assert (view.progress.status, view.transcript_status) == ("failed", "ready")
    assert view.transcript == TRANSCRIPT
    assert view.playback_url is None
    # And media.failed says the transcript was kept
    [failed] = _outbox(conn, "media.failed")
    assert failed["payload"]["transcriptKept"] is True
    assert failed["payload"]["failedStep"] == "transcoding"


def test_a_transcription_failure_fails_both_paths_and_keeps_nothing(
    conn: psycopg.Connection[Any], deps: Deps, s3: Any, recording: bytes
) -> None:
    # Given the transcript branch failed (the parallel state's Catch puts the error at $.error)
    state = _transcribed(conn, deps, s3, recording)
    cause = '{"errorType": "TranscriptionRefused", "errorMessage": "Groq refused the audio."}'
    failure = FailureInput.model_validate(
        {
            **state.model_dump(mode="json"),
            "error": StepError(error="TranscriptionRefused", cause=cause).model_dump(by_alias=True),
        }
    )
    # When MarkFailed runs
    result = pipeline.mark_failed(failure, deps)
    # Then the media failed where it was, with no transcript kept
    assert (result.failed_step, result.transcript_kept) == ("transcribing", False)
    asset = _asset(conn, state.asset_id)
    assert (asset["transcript_status"], asset["playback_status"]) == ("failed", "failed")
    assert public.transcript_for_upload(conn, state.upload_id) is None
    [failed] = _outbox(conn, "media.failed")
    assert failed["payload"]["transcriptKept"] is False
    # And a late Transcribe call (its branch was cancelled) stores and announces nothing
    assert pipeline.transcript(state, deps).stored is False
    assert _outbox(conn, "media.transcribed") == []


def test_an_object_nobody_asked_for_is_recorded_with_both_paths_failed(
    conn: psycopg.Connection[Any], deps: Deps
) -> None:
    key = f"raw/{uuid.uuid4()}/{uuid.uuid4()}/{uuid.uuid4()}/{uuid.uuid4()}.webm"
    failure = FailureInput.model_validate(
        {
            "id": "s3-event",
            "detail": {"bucket": {"name": BUCKET}, "object": {"key": key, "version-id": "v1"}},
            "error": {"Error": "UnknownUpload", "Cause": ""},
        }
    )
    result = pipeline.mark_failed(failure, deps)
    assert result.asset_id is not None
    asset = _asset(conn, result.asset_id)
    assert (asset["status"], asset["transcript_status"], asset["playback_status"]) == (
        "failed",
        "failed",
        "failed",
    )


def test_the_migration_fills_in_both_paths_for_assets_that_finished_before_it(
    database_settings: DatabaseSettings, tmp_path: Path
) -> None:
    # Given a database migrated up to just before 0027, with a ready, a failed and an
    # unfinished asset
    before = tmp_path / "before"
    before.mkdir()
    for path in sorted(MIGRATIONS_DIR.glob("*.sql")):
        if int(path.name[:4]) < 27:
            shutil.copy(path, before / path.name)
    info = conninfo_for(database_settings)
    migrate(info, before)
    with psycopg.connect(info, autocommit=True) as conn:
        ids = {}
        for status, ready in (("ready", True), ("failed", False), ("transcoding", False)):
            row = conn.execute(
                "INSERT INTO media.assets (bucket, object_key, status, ready_at)"
                " VALUES ('old-bucket', %s, %s, CASE WHEN %s THEN now() - interval '1 day' END)"
                " RETURNING id",
                (f"raw/{uuid.uuid4()}.webm", status, ready),
            ).fetchone()
            assert row is not None
            ids[status] = row[0]
        # When the rest is applied
        applied = migrate(info)
        assert 27 in [m.version for m in applied]
        # Then a ready asset has both paths ready as of its ready time, a failed one neither, and
        # an unfinished one has both pending
        with conn.cursor(row_factory=psycopg.rows.dict_row) as cur:
            found = {
                r["status"]: r
                for r in cur.execute(
                    "SELECT status, ready_at, transcript_status, transcript_ready_at,"
                    " playback_status, playback_ready_at FROM media.assets"
                ).fetchall()
            }
    ready = found["ready"]
    assert (ready["transcript_status"], ready["playback_status"]) == ("ready", "ready")
    assert ready["transcript_ready_at"] == ready["playback_ready_at"] == ready["ready_at"]
    failed = found["failed"]
    assert (failed["transcript_status"], failed["playback_status"]) == ("failed", "failed")
    assert failed["transcript_ready_at"] is None
    unfinished = found["transcoding"]
    assert (unfinished["transcript_status"], unfinished["playback_status"]) == (
        "pending",
        "pending",
    )
