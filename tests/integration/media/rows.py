"""SQL fixtures for media tests: the rows the candidate room writes before handing out an upload
URL (company, HR user, template, question, invitation, upload), made directly."""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg

from shared.media.keys import raw_key


@dataclass(frozen=True)
class UploadRows:
    company_id: uuid.UUID
    user_id: uuid.UUID
    template_id: uuid.UUID
    question_id: uuid.UUID
    invitation_id: uuid.UUID
    upload_id: uuid.UUID
    key: str
    content_type: str
    media_kind: str


def company_with_hr(conn: psycopg.Connection[Any]) -> tuple[uuid.UUID, uuid.UUID]:
    user = conn.execute(
        "INSERT INTO identity.users (email, password_hash, role)"
        " VALUES (%s, 'x', 'hr') RETURNING id",
        (f"hr-{uuid.uuid4().hex[:10]}@example.com",),
    ).fetchone()
    assert user is not None
    company = conn.execute(
        "INSERT INTO identity.companies (name, owner_id)"
        " VALUES ('Media Test Ltd', %s) RETURNING id",
        (user[0],),
    ).fetchone()
    assert company is not None
    return company[0], user[0]


def invitation(
    conn: psycopg.Connection[Any],
    company_id: uuid.UUID,
    user_id: uuid.UUID,
    *,
    question_type: str = "video",
    time_limit_s: int = 60,
) -> tuple[uuid.UUID, uuid.UUID, uuid.UUID]:
    """(template_id, question_id, invitation_id) of a fresh active template with one question."""
    template = conn.execute(
        """INSERT INTO interviews.templates (company_id, created_by, title, status)
           VALUES (%s, %s, 'Media test', 'active') RETURNING id""",
        (company_id, user_id),
    ).fetchone()
    assert template is not None
    question = conn.execute(
        """INSERT INTO interviews.questions (template_id, company_id, position, type, text,
                                             time_limit_s)
           VALUES (%s, %s, 1, %s, 'Tell us about a project you are proud of.', %s)
           RETURNING id""",
        (template[0], company_id, question_type, time_limit_s),
    ).fetchone()
    assert question is not None
    invited = conn.execute(
        """INSERT INTO interviews.invitations (company_id, template_id, created_by,
                                               candidate_email, candidate_name, token_hash,
                                               expires_at, status)
           VALUES (%s, %s, %s, %s, 'Alice Candidate', %s, %s, 'in_progress') RETURNING id""",
        (
            company_id,
            template[0],
            user_id,
            f"cand-{uuid.uuid4().hex[:10]}@example.com",
            os.urandom(32),
            datetime.now(UTC) + timedelta(days=7),
        ),
    ).fetchone()
    assert invited is not None
    return template[0], question[0], invited[0]


def upload(
    conn: psycopg.Connection[Any],
    *,
    content_type: str = "video/webm",
    media_kind: str = "video",
    question_type: str = "video",
    time_limit_s: int = 60,
    company: tuple[uuid.UUID, uuid.UUID] | None = None,
    invitation_ids: tuple[uuid.UUID, uuid.UUID, uuid.UUID] | None = None,
) -> UploadRows:
    company_id, user_id = company or company_with_hr(conn)
    template_id, question_id, invitation_id = invitation_ids or invitation(
        conn, company_id, user_id, question_type=question_type, time_limit_s=time_limit_s
    )
    upload_id = uuid.uuid4()
    key = str(raw_key(company_id, invitation_id, question_id, upload_id, content_type))
    conn.execute(
        """INSERT INTO interviews.uploads (id, company_id, invitation_id, question_id, object_key,
                                           content_type, media_kind, max_bytes, expires_at)
           VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)""",
        (
            upload_id,
            company_id,
            invitation_id,
            question_id,
            key,
            content_type,
            media_kind,
            500 * 1024 * 1024,
            datetime.now(UTC) + timedelta(minutes=15),
        ),
    )
    return UploadRows(
        company_id, user_id, template_id, question_id, invitation_id, upload_id, key,
        content_type, media_kind,
    )  # fmt: skip


def presigned_post(s3: Any, bucket: str, rows: UploadRows, max_bytes: int) -> dict[str, Any]:
    """The presigned POST the candidate room hands out: exact Content-Type, a size range."""
    post: dict[str, Any] = s3.generate_presigned_post(
        Bucket=bucket,
        Key=rows.key,
        Fields={"Content-Type": rows.content_type},
        Conditions=[
            {"Content-Type": rows.content_type},
            ["content-length-range", 1, max_bytes],
        ],
        ExpiresIn=900,
    )
    return post
