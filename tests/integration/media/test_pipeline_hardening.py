"""The pipeline against hostile uploads (issue 13, findings 1 and 2), in-process against real
PostgreSQL, LocalStack S3 (versioned), ffmpeg and the fake Groq:

* an upload URL takes one object: a later version under the same key (the same presigned form
  posted again) is refused, never processed, and a version other than the submitted one too;
* the first step reads size and type of the exact version from S3 and refuses an object over
  the cap or of another type before anything is downloaded, transcoded or transcribed.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import psycopg
import pytest

from fakes.groq import FakeGroqServer
from shared.media import reads
from tests import media_samples
from tests.integration.media import rows
from tests.integration.media.test_pipeline_steps import _event, _put, run

pytestmark = pytest.mark.localstack


def _assets(conn: psycopg.Connection[Any], key: str) -> list[dict[str, Any]]:
    with conn.cursor(row_factory=psycopg.rows.dict_row) as cur:
        return cur.execute(
            "SELECT * FROM media.assets WHERE object_key = %s ORDER BY uploaded_at", (key,)
        ).fetchall()


def _pin(conn: psycopg.Connection[Any], upload: rows.UploadRows, version_id: str) -> None:
    """What the candidate's submit leaves: the answer, with the object version it pinned."""
    conn.execute(
        "INSERT INTO interviews.answers (company_id, invitation_id, question_id, attempt, kind,"
        " upload_id, media_key, media_bytes, media_content_type, media_version_id)"
        " VALUES (%s, %s, %s, 1, 'media', %s, %s, 1, %s, %s)",
        (
            upload.company_id,
            upload.invitation_id,
            upload.question_id,
            upload.upload_id,
            upload.key,
            upload.content_type,
            version_id,
        ),
    )


def test_a_version_written_after_submit_is_refused_and_what_is_played_stays(  # noqa: PLR0917
    conn: psycopg.Connection[Any], s3: Any, media_bucket: str, make_deps: Any,
    fake_groq: FakeGroqServer, tmp_path: Path,
) -> None:  # fmt: skip
    # Given an answer submitted with version 1 and processed
    upload = rows.upload(conn)
    first = media_samples.answer_webm(tmp_path / "first.webm", 2, speech=False)
    event = _put(s3, media_bucket, upload, first)
    pinned = event["detail"]["object"]["version-id"]
    _pin(conn, upload, pinned)
    deps = make_deps(fake_groq)
    assert run(deps, event)["source"]["version_id"] == pinned
    transcriptions = fake_groq.calls["/openai/v1/audio/transcriptions"]
    # When the same key gets a second version after the submit (a longer, other recording)
    second = media_samples.answer_webm(tmp_path / "second.webm", 4, speech=False)
    replaced = _put(s3, media_bucket, upload, second)
    assert replaced["detail"]["object"]["version-id"] != pinned
    result = run(deps, replaced)
    # Then the pipeline refuses it without processing it
    assert (result["failed_step"], result["published"]) == ("uploaded", False)
    assert "later upload is refused" in result["reason"]
    assert fake_groq.calls["/openai/v1/audio/transcriptions"] == transcriptions
    [asset, refused] = _assets(conn, upload.key)
    assert (asset["version_id"], asset["status"]) == (pinned, "ready")
    assert refused["upload_id"] is None
    assert refused["status"] == "failed"
    # And what HR plays and the analysis reads is still version 1's (2 s, not 4 s)
    [view] = reads.invitation_media(
        conn, upload.company_id, upload.invitation_id, bucket=media_bucket, s3=s3
    ).items
    assert view.duration_s == pytest.approx(2.0, abs=0.3)
    assert reads.transcript_for_upload(conn, upload.upload_id) is not None


def test_a_second_version_before_submit_is_refused_too(  # noqa: PLR0917
    conn: psycopg.Connection[Any], s3: Any, media_bucket: str, make_deps: Any,
    fake_groq: FakeGroqServer, tmp_path: Path,
) -> None:  # fmt: skip
    # Given an upload whose object was registered once
    upload = rows.upload(conn)
    path = media_samples.answer_webm(tmp_path / "a.webm", 2, speech=False)
    deps = make_deps(fake_groq)
    run(deps, _put(s3, media_bucket, upload, path))
    # When the same form writes again before any submit
    result = run(deps, _put(s3, media_bucket, upload, path))
    # Then the second version is refused: an upload URL takes one object
    assert (result["failed_step"], result["published"]) == ("uploaded", False)
    assert "already has its object" in result["reason"]
    assert [a["status"] for a in _assets(conn, upload.key) if a["upload_id"]] == ["ready"]


@pytest.mark.parametrize("problem", ["oversize", "other type"])
def test_the_first_step_refuses_an_object_over_the_cap_or_of_another_type(  # noqa: PLR0917
    conn: psycopg.Connection[Any], s3: Any, media_bucket: str, make_deps: Any,
    fake_groq: FakeGroqServer, tmp_path: Path, problem: str,
) -> None:  # fmt: skip
    # Given an upload capped at 1 KiB, and an object breaking the cap or the declared type
    # (a multipart object is checked on complete, but its S3 event is already on its way)
    upload = rows.upload(conn)
    cap = 1024 if problem == "oversize" else 500 * 1024 * 1024
    conn.execute(
        "UPDATE interviews.uploads SET max_bytes = %s WHERE id = %s", (cap, upload.upload_id)
    )
    path = media_samples.answer_webm(tmp_path / "a.webm", 2, speech=False)
    declared = upload.content_type if problem == "oversize" else "text/html"
    s3.put_object(Bucket=media_bucket, Key=upload.key, Body=path.read_bytes(), ContentType=declared)
    # When the pipeline runs
    result = run(make_deps(fake_groq), _event(s3, media_bucket, upload.key))
    # Then it fails at validation, naming why, with nothing transcoded or transcribed
    assert result["failed_step"] == "validating"
    assert ("limit is 1024" if problem == "oversize" else "not the declared") in result["reason"]
    [asset] = _assets(conn, upload.key)
    assert asset["status"] == "failed"
    assert asset["container"] is None  # never probed: not a byte was downloaded
    assert s3.list_objects_v2(Bucket=media_bucket, Prefix="media/").get("KeyCount", 0) == 0
    assert s3.list_objects_v2(Bucket=media_bucket, Prefix="tmp/").get("KeyCount", 0) == 0
    assert fake_groq.calls["/openai/v1/audio/transcriptions"] == 0


def test_a_pinned_version_is_processed_even_if_others_exist_later(  # noqa: PLR0917
    conn: psycopg.Connection[Any],
    s3: Any,
    media_bucket: str,
    make_deps: Any,
    fake_groq: FakeGroqServer,
    tmp_path: Path,
) -> None:
    # Given an answer pinned to version 1, whose event comes late (after version 2 was written)
    upload = rows.upload(conn)
    path = media_samples.answer_webm(tmp_path / "a.webm", 2, speech=False)
    event = _put(s3, media_bucket, upload, path)
    _pin(conn, upload, event["detail"]["object"]["version-id"])
    s3.put_object(Bucket=media_bucket, Key=upload.key, Body=b"junk", ContentType="video/webm")
    # Then version 1 (and only its bytes) is processed
    assert (
        run(make_deps(fake_groq), event)["source"]["version_id"]
        == event["detail"]["object"]["version-id"]
    )
    assert uuid.UUID(str(_assets(conn, upload.key)[0]["upload_id"])) == upload.upload_id
