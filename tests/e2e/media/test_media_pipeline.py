# ruff: noqa: PLR0917 - pytest fixtures are positional parameters
"""The media pipeline for real on LocalStack: a presigned POST upload -> S3 -> EventBridge ->
Step Functions -> Lambdas (ffmpeg from its layer) -> PostgreSQL + outbox; HR reads and erases.
The transcript path runs beside the playback path inside the parallel state (issue 16); a
playback failure that keeps the transcript is tested in-process (tests/integration/media), as
no real upload makes the transcode alone fail."""

from __future__ import annotations

import json
import subprocess
import uuid
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest

from fakes.groq import FakeGroqServer, Fault
from tests import media_samples
from tests.e2e.identity_actors import make_hr_with_company
from tests.e2e.media.conftest import asset, history, post_upload, wait_for_execution
from tests.integration.media import rows
from tests.integration.media.test_pipeline_steps import BAD_INPUTS, _bad

pytestmark = pytest.mark.localstack


def _probe(path: Path) -> str:
    result = subprocess.run(
        [media_samples.ffmpeg(), "-hide_banner", "-i", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    return result.stderr


def _shows_the_transcript_beside_the_playback(events: list[dict[str, Any]]) -> None:
    """The parallel state ran the transcript branch (audio, transcript, stored) beside the MP4
    and the thumbnail, neither of which failed; then the playback was stored."""
    types = [e["type"] for e in events]
    assert "ParallelStateEntered" in types
    assert "ParallelStateExited" in types
    entered = [
        e["stateEnteredEventDetails"]["name"] for e in events if "stateEnteredEventDetails" in e
    ]
    for state in ("Register", "ProbeAndValidate", "ProcessMedia", "TranscodeMp4",
                  "Thumbnail", "Transcribe", "PlaybackMade", "Store"):  # fmt: skip
        assert state in entered
    inside = set(entered[entered.index("ProcessMedia") : entered.index("PlaybackMade")])
    assert {"TranscodeMp4", "Thumbnail", "Transcribe"} <= inside
    # (the transcript path is one step since issue 16's last hops were cut)
    assert "ExtractAudio" not in entered
    assert "StoreTranscript" not in entered
    assert "TranscodeFailed" not in entered
    assert "ThumbnailFailed" not in entered


def test_a_real_webm_answer_flows_through_the_whole_workflow(
    api: httpx.Client, s3: Any, sfn: Any, bucket: str, state_machine: str,
    db: psycopg.Connection[Any], groq: FakeGroqServer, tmp_path: Path,
) -> None:  # fmt: skip
    # Given an HR user's company with an invitation and a video upload the candidate asked for
    hr = make_hr_with_company(api, "media-hr")
    upload = rows.upload(db, company=(uuid.UUID(hr.company_id), uuid.UUID(hr.user_id)))
    groq.set_script(["Hello, my name is Alice and I have five years of experience with Python."])
    # When the candidate uploads a spoken WebM answer through the presigned POST
    post_upload(s3, bucket, upload, media_samples.answer_webm(tmp_path / "answer.webm", 6))
    # Then the workflow succeeds
    [execution] = wait_for_execution(sfn, state_machine, upload.key)
    assert execution.status == "SUCCEEDED", (execution.error, execution.cause)
    # And its history shows the transcript branch inside the parallel state, beside the MP4
    _shows_the_transcript_beside_the_playback(history(sfn, execution.arn))
    # And the media is ready, with every step's time and each path's, the transcript first
    row = asset(db, upload.key)
    assert row["status"] == "ready"
    assert row["validating_at"] <= row["transcoding_at"] <= row["transcribing_at"]
    assert row["transcribing_at"] <= row["ready_at"]
    assert (row["transcript_status"], row["playback_status"]) == ("ready", "ready")
    assert row["transcript_ready_at"] <= row["playback_ready_at"] == row["ready_at"]
    # And media.transcribed and media.processed were each published once
    for event_type in ("media.transcribed", "media.processed"):
        outbox = db.execute(
            """SELECT published_at FROM platform.outbox WHERE event_type = %s
                AND envelope -> 'payload' ->> 'uploadId' = %s""",
            (event_type, str(upload.upload_id)),
        ).fetchall()
        assert len(outbox) == 1, event_type
    # When HR reads the invitation's media
    response = api.get(f"v1/invitations/{upload.invitation_id}/media", headers=hr.headers())
    assert response.status_code == 200, response.text
    [item] = response.json()["items"]
    # Then the MP4 plays (H.264 + AAC), the thumbnail is a JPEG, the transcript has segments,
    # and both paths say ready with their times
    assert item["progress"]["status"] == "ready"
    assert (item["transcript_status"], item["playback_status"]) == ("ready", "ready")
    assert item["transcript_ready_at"] <= item["playback_ready_at"]
    mp4 = tmp_path / "played.mp4"
    mp4.write_bytes(httpx.get(item["playback_url"]).content)
    info = _probe(mp4)
    assert "Video: h264" in info
    assert "Audio: aac" in info
    assert httpx.get(item["thumbnail_url"]).content[:2] == b"\xff\xd8"
    transcript = item["transcript"]
    assert transcript["engine"] == "groq"
    assert "Alice" in transcript["text"]
    assert transcript["segments"]
    assert all(s["start"] <= s["end"] for s in transcript["segments"])
    assert groq.calls["/openai/v1/audio/transcriptions"] == 1
    # And another company's HR gets 404
    other = make_hr_with_company(api, "media-other")
    refused = api.get(f"v1/invitations/{upload.invitation_id}/media", headers=other.headers())
    assert refused.status_code == 404
    # When HR erases the invitation's media (twice: idempotent)
    for _ in range(2):
        erased = api.delete(f"v1/invitations/{upload.invitation_id}/media", headers=hr.headers())
        assert erased.status_code == 204, erased.text
    # Then no object version and no transcript is left
    for prefix in ("raw/", "media/", "tmp/"):
        listed = s3.list_object_versions(
            Bucket=bucket, Prefix=f"{prefix}{upload.company_id}/{upload.invitation_id}/"
        )
        assert not listed.get("Versions")
        assert not listed.get("DeleteMarkers")
    left = db.execute(
        "SELECT count(*) FROM media.transcripts WHERE upload_id = %s", (upload.upload_id,)
    ).fetchone()
    assert left == (0,)
    after = api.get(f"v1/invitations/{upload.invitation_id}/media", headers=hr.headers())
    assert after.json()["items"] == []


@pytest.mark.parametrize(("kind", "reason"), BAD_INPUTS.items(), ids=list(BAD_INPUTS))
def test_bad_input_ends_the_execution_failed_with_a_reason(
    kind: str, reason: str, s3: Any, sfn: Any, bucket: str, state_machine: str,
    db: psycopg.Connection[Any], tmp_path: Path,
) -> None:  # fmt: skip
    # Given an upload the candidate asked for, and a bad file under its key
    path, spec = _bad(tmp_path, kind)
    upload = rows.upload(db, **spec)
    # When it lands in the bucket
    s3.put_object(
        Bucket=bucket, Key=upload.key, Body=path.read_bytes(), ContentType=upload.content_type
    )
    # Then the execution ends FAILED with the reason, and the media is failed with it
    [execution] = wait_for_execution(sfn, state_machine, upload.key)
    assert execution.status == "FAILED"
    assert execution.error == "MediaFailed"
    assert reason in (execution.cause or "")
    row = asset(db, upload.key)
    assert row["status"] == "failed"
    assert reason in row["reason"]
    assert (row["transcript_status"], row["playback_status"]) == ("failed", "failed")
    failed = db.execute(
        """SELECT envelope -> 'payload' ->> 'reason', envelope -> 'payload' -> 'transcriptKept'
             FROM platform.outbox
            WHERE event_type = 'media.failed' AND envelope -> 'payload' ->> 'uploadId' = %s""",
        (str(upload.upload_id),),
    ).fetchall()
    assert failed == [(row["reason"], False)]


def test_a_duplicate_event_for_the_same_object_version_starts_no_second_processing(
    s3: Any, sfn: Any, bucket: str, state_machine: str, db: psycopg.Connection[Any],
    tmp_path: Path,
) -> None:  # fmt: skip
    upload = rows.upload(db)
    path = media_samples.answer_webm(tmp_path / "a.webm", 2, speech=False)
    s3.put_object(Bucket=bucket, Key=upload.key, Body=path.read_bytes(), ContentType="video/webm")
    [first] = wait_for_execution(sfn, state_machine, upload.key)
    assert first.status == "SUCCEEDED", first.cause
    # When the same S3 event arrives again (a late duplicate: same bucket, key and version)
    original = json.loads(sfn.describe_execution(executionArn=first.arn)["input"])
    sfn.start_execution(
        stateMachineArn=state_machine, input=json.dumps({**original, "id": str(uuid.uuid4())})
    )
    executions = wait_for_execution(sfn, state_machine, upload.key, count=2)
    second = next(e for e in executions if e.arn != first.arn)
    # Then it ends at once without processing: one asset, the first one
    assert second.status == "SUCCEEDED"
    assert second.output == {"duplicate": True}
    entered = [
        e["stateEnteredEventDetails"]["name"]
        for e in history(sfn, second.arn)
        if "stateEnteredEventDetails" in e
    ]
    assert "ProbeAndValidate" not in entered
    count = db.execute(
        "SELECT count(*) FROM media.assets WHERE object_key = %s", (upload.key,)
    ).fetchone()
    assert count == (1,)


def test_a_429_from_groq_is_retried_after_retry_after_and_the_answer_is_transcribed(
    s3: Any, sfn: Any, bucket: str, state_machine: str, db: psycopg.Connection[Any],
    groq: FakeGroqServer, tmp_path: Path,
) -> None:  # fmt: skip
    # Given Groq (the fake) rate-limits the first transcription for 2 s
    groq.fail_next(Fault("rate_limit", route="transcriptions", retry_after_s=2))
    upload = rows.upload(db)
    path = media_samples.answer_webm(tmp_path / "a.webm", 3, speech=False)
    # When an answer is uploaded
    s3.put_object(Bucket=bucket, Key=upload.key, Body=path.read_bytes(), ContentType="video/webm")
    [execution] = wait_for_execution(sfn, state_machine, upload.key)
    # Then it succeeded, the second call came at least 2 s after the 429
    assert execution.status == "SUCCEEDED", execution.cause
    first, second = groq.records[:2]
    assert (first.status, second.status) == (429, 200)
    assert second.at - first.at >= 2.0
    assert asset(db, upload.key)["status"] == "ready"
