"""The retention sweep (issue 19): it erases the candidate data of invitations finished longer
ago than their company's retention period, with the candidate's own erasure, and keeps what is
not past it: a newer invitation, an unfinished one, and every invitation of a company without
a retention period. Against real PostgreSQL and LocalStack S3."""

from __future__ import annotations

import time
import uuid
from typing import Any

import psycopg
import pytest

from shared.privacy.sweep import sweep
from tests.integration.media import rows

pytestmark = pytest.mark.localstack


def _finished(
    conn: psycopg.Connection[Any],
    s3: Any,
    bucket: str,
    company: tuple[uuid.UUID, uuid.UUID],
    *,
    days_ago: int | None,
) -> rows.UploadRows:
    """An invitation with a raw upload, completed ``days_ago`` days ago (None: in progress)."""
    upload = rows.upload(conn, company=company)
    s3.put_object(Bucket=bucket, Key=upload.key, Body=b"video")
    if days_ago is not None:
        conn.execute(
            "UPDATE interviews.invitations SET status = 'completed', started_at = now()"
            " - make_interval(days => %s + 1), recording_consent_at = now()"
            " - make_interval(days => %s + 1), ai_consent = true, ai_consent_at = now()"
            " - make_interval(days => %s + 1), completed_at = now() - make_interval(days => %s)"
            " WHERE id = %s",
            (days_ago, days_ago, days_ago, days_ago, upload.invitation_id),
        )
    return upload


def _erased(conn: psycopg.Connection[Any], upload: rows.UploadRows) -> bool:
    row = conn.execute(
        "SELECT erased_at IS NOT NULL FROM interviews.invitations WHERE id = %s",
        (upload.invitation_id,),
    ).fetchone()
    assert row is not None
    return bool(row[0])


def _kept(s3: Any, bucket: str, upload: rows.UploadRows) -> bool:
    return bool(s3.list_object_versions(Bucket=bucket, Prefix=upload.key).get("Versions"))


def test_sweep_erases_what_is_past_retention_and_keeps_the_rest(
    conn: psycopg.Connection[Any], s3: Any, media_bucket: str, erasure_deps: Any
) -> None:
    # Given a company keeping candidate data 30 days, with invitations finished 45 and 10 days
    # ago and one still in progress
    company = rows.company_with_hr(conn)
    conn.execute(
        "INSERT INTO privacy.retention_policies (company_id, retention_days) VALUES (%s, 30)",
        (company[0],),
    )
    old = _finished(conn, s3, media_bucket, company, days_ago=45)
    recent = _finished(conn, s3, media_bucket, company, days_ago=10)
    running = _finished(conn, s3, media_bucket, company, days_ago=None)
    # and a company with no retention period, whose invitation finished 400 days ago
    forever = _finished(conn, s3, media_bucket, rows.company_with_hr(conn), days_ago=400)

    # When the sweep runs
    report = sweep(erasure_deps(), batch=10, deadline=time.monotonic() + 60)

    # Then only the invitation past retention is erased: its objects and its candidate's name
    assert (report.requested, report.erased, report.failing) == (1, 1, 0)
    assert _erased(conn, old)
    assert not _kept(s3, media_bucket, old)
    via = conn.execute(
        "SELECT requested_via, status FROM privacy.erasures WHERE invitation_id = %s",
        (old.invitation_id,),
    ).fetchone()
    assert via == ("retention", "completed")
    # and the others keep everything
    for upload in (recent, running, forever):
        assert not _erased(conn, upload)
        assert _kept(s3, media_bucket, upload)
    # And a second run finds nothing to do
    again = sweep(erasure_deps(), batch=10, deadline=time.monotonic() + 60)
    assert (again.requested, again.erased) == (0, 0)
