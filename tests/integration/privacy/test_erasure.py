"""A candidate's erasure leaves nothing readable (issue 19): no object version or delete marker
under the invitation's prefixes (media, temporary files, PDF reports) nor the CSV exports that
held its row; no transcript, text answer or quote; no queued mail; the invitation row and the
reports' fact pseudonymised, with their counts kept. Against real PostgreSQL and LocalStack S3,
on media the real pipeline processed."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg.types.json import Jsonb

from fakes.groq import FakeGroqServer
from shared.interviews.public import InvitationRef
from shared.privacy import erasure
from tests import media_samples
from tests.integration.media import rows
from tests.integration.media.test_erasure import WORDS, _analysed
from tests.integration.media.test_pipeline_steps import _put, run

pytestmark = pytest.mark.localstack


def _versions(s3: Any, bucket: str, prefix: str) -> list[str]:
    page = s3.list_object_versions(Bucket=bucket, Prefix=prefix)
    return [v["Key"] for v in [*page.get("Versions", []), *page.get("DeleteMarkers", [])]]


def _prefixes(upload: rows.UploadRows) -> list[str]:
    c, i = upload.company_id, upload.invitation_id
    return [f"raw/{c}/{i}/", f"media/{c}/{i}/", f"tmp/{c}/{i}/", f"reports/{c}/candidates/{i}/"]


def _one(conn: psycopg.Connection[Any], query: str, *params: object) -> Any:
    row = conn.execute(query, params).fetchone()  # type: ignore[arg-type]
    assert row is not None
    return row[0] if len(row) == 1 else row


def _candidate_data(
    conn: psycopg.Connection[Any], s3: Any, bucket: str, upload: rows.UploadRows
) -> tuple[str, uuid.UUID]:
    """Besides the processed media and the analysis: a PDF report in two revisions (and a
    delete marker), a CSV export made since the invitation, the candidate's queued and sent
    mail, HR's comment, a reports fact; the candidate's address and the export's id."""
    email = _one(
        conn,
        "SELECT candidate_email::text FROM interviews.invitations WHERE id = %s",
        upload.invitation_id,
    )
    pdf = f"reports/{upload.company_id}/candidates/{upload.invitation_id}/r1.pdf"
    for body in (b"%PDF-1 first", b"%PDF-1 second"):
        s3.put_object(Bucket=bucket, Key=pdf, Body=body)
    s3.delete_object(Bucket=bucket, Key=pdf)  # a delete marker over both versions
    conn.execute(
        "INSERT INTO reports.jobs (company_id, kind, invitation_id, status, object_key)"
        " VALUES (%s, 'candidate_pdf', %s, 'ready', %s)",
        (upload.company_id, upload.invitation_id, pdf),
    )
    export_id = uuid.uuid4()
    csv = f"reports/{upload.company_id}/exports/{export_id}.csv"
    s3.put_object(Bucket=bucket, Key=csv, Body=f"name,email\nAlice Candidate,{email}\n".encode())
    conn.execute(
        "INSERT INTO reports.jobs (id, company_id, kind, status, object_key)"
        " VALUES (%s, %s, 'csv_export', 'ready', %s)",
        (export_id, upload.company_id, csv),
    )
    conn.execute(
        "INSERT INTO reports.invitation_facts (invitation_id, company_id, template_id,"
        " candidate_name, candidate_email, invited_at, completed_at)"
        " VALUES (%s, %s, %s, 'Alice Candidate', %s, now() - interval '1 hour', now())",
        (upload.invitation_id, upload.company_id, upload.template_id, email),
    )
    for kind, status in (("invitation_reminder", "queued"), ("invitation", "sent")):
        conn.execute(
            "INSERT INTO notifications.messages (company_id, dedupe_key, kind, template_version,"
            " recipient, invitation_id, params, status)"
            " VALUES (%s, %s, %s, 1, %s, %s, %s, %s)",
            (
                upload.company_id,
                f"event:{uuid.uuid4()}:{kind}:{email.lower()}",
                kind,
                email,
                upload.invitation_id,
                Jsonb({"candidate_name": "Alice Candidate", "template_title": "Media test"}),
                status,
            ),
        )
    answer_id = _one(
        conn,
        "SELECT id FROM interviews.answers WHERE invitation_id = %s LIMIT 1",
        upload.invitation_id,
    )
    conn.execute(
        "INSERT INTO interviews.answer_reviews (answer_id, reviewer_id, company_id, rating,"
        " comment) VALUES (%s, %s, %s, 4, %s)",
        (answer_id, upload.user_id, upload.company_id, f"Said: {WORDS}"),
    )
    return email, export_id


def test_erasure_leaves_nothing_readable(  # noqa: PLR0917
    conn: psycopg.Connection[Any], s3: Any, media_bucket: str, make_deps: Any,
    erasure_deps: Any, fake_groq: FakeGroqServer, tmp_path: Path,
) -> None:  # fmt: skip
    # Given an invitation whose video answer the pipeline processed (raw, MP4, WAV, thumbnail,
    # transcript), a text answer quoted by the analysis, reports, mail and HR's comment
    upload = rows.upload(conn)
    path = media_samples.answer_webm(tmp_path / "a.webm", 2, speech=False)
    run(make_deps(fake_groq), _put(s3, media_bucket, upload, path))
    s3.put_object(Bucket=media_bucket, Key=upload.key, Body=b"a second version")
    analysis_id = _analysed(conn, upload)
    email, export_id = _candidate_data(conn, s3, media_bucket, upload)
    assert any(_versions(s3, media_bucket, p) for p in _prefixes(upload))
    ref = InvitationRef(upload.invitation_id, upload.company_id)

    # When the candidate asks for erasure
    result = erasure.erase(erasure_deps(), [ref], "link")

    # Then it is completed
    [status] = result.erasures
    assert status.status == "completed"
    assert status.requested_via == "link"
    # and no object version or delete marker is left under any of the invitation's prefixes
    for prefix in _prefixes(upload):
        assert _versions(s3, media_bucket, prefix) == [], prefix
    # nor the CSV export that held the candidate's row (marked removed, so HR exports again)
    assert _versions(s3, media_bucket, f"reports/{upload.company_id}/exports/{export_id}") == []
    assert _one(conn, "SELECT status FROM reports.jobs WHERE id = %s", export_id) == "failed"
    assert (
        _one(
            conn,
            "SELECT count(*) FROM reports.jobs WHERE invitation_id = %s",
            upload.invitation_id,
        )
        == 0
    )
    # and no transcript, text answer or quote of the candidate's is left in the database
    assert (
        _one(conn, "SELECT count(*) FROM media.transcripts WHERE upload_id = %s", upload.upload_id)
        == 0
    )
    assert conn.execute(
        "SELECT text_answer FROM interviews.answers WHERE invitation_id = %s",
        (upload.invitation_id,),
    ).fetchall() == [(None,)]
    criteria = _one(
        conn, "SELECT criteria FROM analysis.answer_results WHERE analysis_id = %s", analysis_id
    )
    assert WORDS not in json.dumps(criteria)
    assert (
        _one(
            conn,
            "SELECT count(*) FROM interviews.answer_reviews r JOIN interviews.answers a"
            " ON a.id = r.answer_id WHERE a.invitation_id = %s AND r.comment IS NOT NULL",
            upload.invitation_id,
        )
        == 0
    )
    # and the invitation row is pseudonymised, its status and dates kept
    name, address, status_now, erased_at, sealed = _one(
        conn,
        "SELECT candidate_name, candidate_email::text, status, erased_at, token_sealed"
        " FROM interviews.invitations WHERE id = %s",
        upload.invitation_id,
    )
    assert name == "Erased candidate"
    assert address == f"erased-{upload.invitation_id}@erased.invalid"
    assert status_now == "cancelled"  # it was in progress: closed, with no mail
    assert erased_at is not None
    assert sealed is None
    # and so is the reports' fact (the funnel still counts the invitation)
    assert _one(
        conn,
        "SELECT (candidate_name, candidate_email::text) FROM reports.invitation_facts"
        " WHERE invitation_id = %s",
        upload.invitation_id,
    ) == ("Erased candidate", address)
    assert (
        _one(
            conn,
            "SELECT sum(invited) FROM reports.funnel_daily WHERE company_id = %s",
            upload.company_id,
        )
        == 1
    )
    # and the queued mail is never sent; no message keeps the candidate's name or address
    messages = conn.execute(
        "SELECT status, recipient::text, params::text, dedupe_key FROM notifications.messages"
        " WHERE invitation_id = %s ORDER BY kind",
        (upload.invitation_id,),
    ).fetchall()
    assert [m[0] for m in messages] == ["sent", "suppressed"]
    for message in messages:
        assert email not in " ".join(message).lower()
        assert "Alice" not in message[2]
    # And a second request finds it completed and removes nothing more
    again = erasure.erase(erasure_deps(), [ref], "account")
    assert again.erasures[0].status == "completed"
    assert again.erasures[0].requested_via == "link"


def test_erasure_that_failed_half_way_is_finished_by_the_sweep(
    conn: psycopg.Connection[Any], s3: Any, media_bucket: str, erasure_deps: Any
) -> None:
    # Given an invitation with a raw upload, and S3 failing for the first erasure run
    upload = rows.upload(conn)
    s3.put_object(Bucket=media_bucket, Key=upload.key, Body=b"video")
    ref = InvitationRef(upload.invitation_id, upload.company_id)
    broken = erasure.ErasureDeps(
        transact=erasure_deps().transact,
        s3=erasure_deps().s3,
        media_bucket=f"no-such-bucket-{uuid.uuid4().hex[:8]}",
        reports_bucket=media_bucket,
    )

    # When the candidate asks for erasure
    result = erasure.erase(broken, [ref], "link")

    # Then it stays requested, with the error's name recorded and nothing pseudonymised yet
    assert result.erasures[0].status == "requested"
    attempts, error = _one(
        conn,
        "SELECT attempts, last_error FROM privacy.erasures WHERE invitation_id = %s",
        upload.invitation_id,
    )
    assert (attempts, error) == (1, "NoSuchBucket")
    assert (
        _one(
            conn, "SELECT erased_at FROM interviews.invitations WHERE id = %s", upload.invitation_id
        )
        is None
    )
    # When the sweep's turn comes (the back-off passed)
    conn.execute(
        "UPDATE privacy.erasures SET updated_at = now() - interval '2 minutes'"
        " WHERE invitation_id = %s",
        (upload.invitation_id,),
    )
    finished, failing = erasure.finish_due(erasure_deps(), 10)
    # Then it is finished, and the upload is gone
    assert (finished, failing) == (1, 0)
    assert _versions(s3, media_bucket, _prefixes(upload)[0]) == []
    assert (
        _one(
            conn,
            "SELECT status FROM privacy.erasures WHERE invitation_id = %s",
            upload.invitation_id,
        )
        == "completed"
    )
