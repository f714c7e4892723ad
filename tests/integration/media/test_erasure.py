"""Erasing an invitation's media erases the candidate's words too (issue 13, finding 18): the
objects and transcripts as before, and now its text answers and the analysis's quotes and stored
answers; scores stay; the storage its uploads held is given back (issue 18). Against real
PostgreSQL and LocalStack S3."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg.types.json import Jsonb

from fakes.groq import FakeGroqServer
from shared.billing import public as billing
from shared.media import reads
from tests import media_samples
from tests.integration.media import rows
from tests.integration.media.test_pipeline_steps import _put, run

pytestmark = pytest.mark.localstack
WORDS = "I would shard the table by tenant"


def _analysed(conn: psycopg.Connection[Any], upload: rows.UploadRows) -> uuid.UUID:
    """A text answer and a completed analysis quoting it (rows as the contexts write them)."""
    answer = conn.execute(
        "INSERT INTO interviews.answers (company_id, invitation_id, question_id, attempt, kind,"
        " text_answer) VALUES (%s, %s, %s, 1, 'text', %s) RETURNING id",
        (upload.company_id, upload.invitation_id, upload.question_id, WORDS),
    ).fetchone()
    assert answer is not None
    conn.execute(
        "INSERT INTO analysis.triggers (invitation_id, company_id, completed, completed_at)"
        " VALUES (%s, %s, %s, now())",
        (
            upload.invitation_id,
            upload.company_id,
            Jsonb({"answers": [{"answerId": str(answer[0]), "kind": "text", "text": WORDS}]}),
        ),
    )
    analysis_id = uuid.uuid4()
    conn.execute(
        "INSERT INTO analysis.analyses (id, company_id, invitation_id, status, weights)"
        " VALUES (%s, %s, %s, 'completed', %s)",
        (analysis_id, upload.company_id, upload.invitation_id, Jsonb({"relevance": 1})),
    )
    quote = {"score": 80, "justification": "Specific.", "quotes": [{"text": WORDS}]}
    conn.execute(
        "INSERT INTO analysis.answer_results (analysis_id, attempt, answer_id, question_id,"
        " position, kind, criteria, score) VALUES (%s, 1, %s, %s, 1, 'text', %s, 80)",
        (analysis_id, answer[0], upload.question_id, Jsonb({"depth": quote, "clarity": quote})),
    )
    return analysis_id


def _storage_used(conn: psycopg.Connection[Any], company_id: uuid.UUID) -> int:
    row = conn.execute(
        "SELECT used FROM billing.usage WHERE company_id = %s AND metric = 'storage_bytes'",
        (company_id,),
    ).fetchone()
    return int(row[0]) if row else 0


def test_erasure_removes_text_answers_transcripts_and_quotes(  # noqa: PLR0917
    conn: psycopg.Connection[Any], s3: Any, media_bucket: str, make_deps: Any,
    fake_groq: FakeGroqServer, tmp_path: Path,
) -> None:  # fmt: skip
    # Given an invitation with a processed video answer, a text answer and an analysis
    upload = rows.upload(conn)
    path = media_samples.answer_webm(tmp_path / "a.webm", 2, speech=False)
    run(make_deps(fake_groq), _put(s3, media_bucket, upload, path))
    analysis_id = _analysed(conn, upload)
    # holding storage on the company's plan, as the upload URL took it
    with conn.transaction():
        billing.reserve_storage(
            conn, upload.company_id, upload.invitation_id, upload.upload_id, 5000
        )
    # When HR erases the invitation's media
    with conn.transaction():
        reads.delete_invitation_media(
            conn, upload.company_id, upload.invitation_id, bucket=media_bucket, s3=s3
        )
    # Then no transcript, text answer or quote of the candidate is left anywhere
    assert conn.execute(
        "SELECT count(*) FROM media.transcripts WHERE upload_id = %s", (upload.upload_id,)
    ).fetchone() == (0,)
    assert conn.execute(
        "SELECT text_answer FROM interviews.answers WHERE invitation_id = %s",
        (upload.invitation_id,),
    ).fetchall() == [(None,)]
    [(criteria, score)] = conn.execute(
        "SELECT criteria, score FROM analysis.answer_results WHERE analysis_id = %s",
        (analysis_id,),
    ).fetchall()
    assert WORDS not in json.dumps(criteria)
    assert criteria["depth"]["quotes"] == []
    assert criteria["depth"]["score"] == 80  # the scores stay
    assert score == 80
    [(completed,)] = conn.execute(
        "SELECT completed FROM analysis.triggers WHERE invitation_id = %s",
        (upload.invitation_id,),
    ).fetchall()
    assert WORDS not in json.dumps(completed)
    # and the storage is the plan's again
    assert _storage_used(conn, upload.company_id) == 0
    # And erasing again is fine (and gives nothing back twice)
    with conn.transaction():
        billing.reserve_storage(conn, upload.company_id, uuid.uuid4(), uuid.uuid4(), 700)
        reads.delete_invitation_media(
            conn, upload.company_id, upload.invitation_id, bucket=media_bucket, s3=s3
        )
    assert _storage_used(conn, upload.company_id) == 700
