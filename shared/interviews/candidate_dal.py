"""The candidate flow's data access: the only module of that flow speaking SQL.

Every function takes the use case's connection (its transaction). The invitation is found by
its token's hash only, and every later query is scoped by that invitation's id, so one link can
never read or write another invitation's rows.
"""

# SQL here is built only from this module's constant fragments; values always go as parameters.
# ruff: noqa: S608
from __future__ import annotations

import uuid
from datetime import datetime

from psycopg import errors as pg_errors
from psycopg.types.json import Jsonb

from shared.dal.sql import Conn, fetch_all, fetch_one
from shared.errors import ConflictError
from shared.interviews.columns import (
    ANSWER_COLUMNS,
    INVITATION_COLUMNS,
    INVITATION_FROM,
    QUESTION_COLUMNS,
)
from shared.interviews.rows import AnswerRow, InvitationRow, QuestionRow, UploadRow

_INVITATION = f"SELECT {INVITATION_COLUMNS} FROM {INVITATION_FROM}"


# ---- invitations ---------------------------------------------------------------------------
def find_invitation_by_token(
    conn: Conn, token_hash: bytes, *, lock: bool = False
) -> InvitationRow | None:
    # Writers lock the invitation: one candidate's concurrent requests (a double click, a retry,
    # the sweep) are serialized on it.
    suffix = " FOR UPDATE OF i" if lock else ""
    row = fetch_one(conn, f"{_INVITATION} WHERE i.token_hash = %s{suffix}", (token_hash,))
    return InvitationRow.model_validate(row) if row else None


def get_invitation(conn: Conn, invitation_id: uuid.UUID) -> InvitationRow:
    row = fetch_one(conn, f"{_INVITATION} WHERE i.id = %s", (invitation_id,))
    assert row is not None
    return InvitationRow.model_validate(row)


def mark_started(
    conn: Conn, invitation_id: uuid.UUID, *, ai_consent: bool, text_version: str | None
) -> None:
    """pending -> in_progress with the candidate's consent (recording, the AI choice, the
    version of the text they were shown); only from pending, so a repeated start never changes
    the consent given first."""
    conn.execute(
        "UPDATE interviews.invitations SET status = 'in_progress', started_at = now(),"
        " last_activity_at = now(), recording_consent_at = now(), ai_consent = %s,"
        " ai_consent_at = now(), consent_text_version = %s, updated_at = now()"
        " WHERE id = %s AND status = 'pending'",
        (ai_consent, text_version, invitation_id),
    )


def touch(conn: Conn, invitation_id: uuid.UUID) -> None:
    conn.execute(
        "UPDATE interviews.invitations SET last_activity_at = now(), updated_at = now()"
        " WHERE id = %s",
        (invitation_id,),
    )


def mark_completed(conn: Conn, invitation_id: uuid.UUID, reason: str) -> None:
    conn.execute(
        "UPDATE interviews.invitations SET status = 'completed', completed_at = now(),"
        " completion_reason = %s, updated_at = now()"
        " WHERE id = %s AND status = 'in_progress'",
        (reason, invitation_id),
    )


def mark_expired(conn: Conn, invitation_id: uuid.UUID) -> None:
    conn.execute(
        "UPDATE interviews.invitations SET status = 'expired', expired_at = now(),"
        " updated_at = now() WHERE id = %s AND status IN ('pending', 'in_progress')",
        (invitation_id,),
    )


# The sweep's claims: SKIP LOCKED, so concurrent sweeps (and candidates mid-request) never wait
# on each other and never act twice on one invitation.
_CLAIM_OVERDUE = """
SELECT i.id FROM interviews.invitations i
WHERE i.status IN ('pending', 'in_progress') AND i.expires_at <= now()
ORDER BY i.expires_at LIMIT %s FOR UPDATE SKIP LOCKED
"""
# Timed out: idle too long, or past the template's total time limit plus the grace.
_CLAIM_TIMED_OUT = """
SELECT i.id FROM interviews.invitations i JOIN interviews.templates t ON t.id = i.template_id
WHERE i.status = 'in_progress' AND i.expires_at > now()
  AND (i.last_activity_at <= now() - make_interval(secs => %(idle)s)
       OR (coalesce((t.settings->>'total_time_limit_s')::int, 0) > 0
           AND i.started_at <= now() - make_interval(
               secs => (t.settings->>'total_time_limit_s')::int + %(grace)s)))
ORDER BY i.last_activity_at LIMIT %(limit)s FOR UPDATE OF i SKIP LOCKED
"""


def claim_overdue(conn: Conn, limit: int) -> list[InvitationRow]:
    ids = [row["id"] for row in fetch_all(conn, _CLAIM_OVERDUE, (limit,))]
    return [get_invitation(conn, invitation_id) for invitation_id in ids]


def claim_timed_out(conn: Conn, idle_s: int, grace_s: int, limit: int) -> list[InvitationRow]:
    params = {"idle": idle_s, "grace": grace_s, "limit": limit}
    ids = [row["id"] for row in fetch_all(conn, _CLAIM_TIMED_OUT, params)]
    return [get_invitation(conn, invitation_id) for invitation_id in ids]


# ---- questions and answers -----------------------------------------------------------------
def questions(conn: Conn, template_id: uuid.UUID) -> list[QuestionRow]:
    rows = fetch_all(
        conn,
        f"SELECT {QUESTION_COLUMNS} FROM interviews.questions WHERE template_id = %s"
        " ORDER BY position",
        (template_id,),
    )
    return [QuestionRow.model_validate(row) for row in rows]


def question(conn: Conn, template_id: uuid.UUID, question_id: uuid.UUID) -> QuestionRow | None:
    row = fetch_one(
        conn,
        f"SELECT {QUESTION_COLUMNS} FROM interviews.questions WHERE template_id = %s AND id = %s",
        (template_id, question_id),
    )
    return QuestionRow.model_validate(row) if row else None


def current_answers(conn: Conn, invitation_id: uuid.UUID) -> list[AnswerRow]:
    rows = fetch_all(
        conn,
        f"SELECT {ANSWER_COLUMNS} FROM interviews.answers WHERE invitation_id = %s AND is_current",
        (invitation_id,),
    )
    return [AnswerRow.model_validate(row) for row in rows]


def attempts_by_question(conn: Conn, invitation_id: uuid.UUID) -> dict[uuid.UUID, int]:
    rows = fetch_all(
        conn,
        "SELECT question_id, max(attempt) AS attempts FROM interviews.answers"
        " WHERE invitation_id = %s GROUP BY question_id",
        (invitation_id,),
    )
    return {row["question_id"]: int(row["attempts"]) for row in rows}


def insert_answer(
    conn: Conn,
    *,
    company_id: uuid.UUID,
    invitation_id: uuid.UUID,
    question_id: uuid.UUID,
    attempt: int,
    kind: str,
    upload: UploadRow | None = None,
    media_bytes: int | None = None,
    media_version_id: str | None = None,
    text: str | None = None,
    option_ids: list[uuid.UUID] | None = None,
) -> AnswerRow:
    """The new current attempt (the previous one, if any, stops being current)."""
    try:
        with conn.transaction():
            conn.execute(
                "UPDATE interviews.answers SET is_current = false"
                " WHERE invitation_id = %s AND question_id = %s AND is_current",
                (invitation_id, question_id),
            )
            row = fetch_one(
                conn,
                "INSERT INTO interviews.answers (company_id, invitation_id, question_id, attempt,"
                " kind, upload_id, media_key, media_bytes, media_content_type, media_version_id,"
                " text_answer, selected_option_ids)"
                " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
                f" RETURNING {ANSWER_COLUMNS}",
                (
                    company_id,
                    invitation_id,
                    question_id,
                    attempt,
                    kind,
                    upload.id if upload else None,
                    upload.object_key if upload else None,
                    media_bytes,
                    upload.content_type if upload else None,
                    media_version_id,
                    text,
                    Jsonb([str(o) for o in option_ids]) if option_ids is not None else None,
                ),
            )
    except pg_errors.UniqueViolation as exc:
        raise ConflictError("This upload already answers a question.") from exc
    assert row is not None
    return AnswerRow.model_validate(row)


# ---- uploads -------------------------------------------------------------------------------
_UPLOAD_COLUMNS = (
    "id, company_id, invitation_id, question_id, object_key, content_type, media_kind, max_bytes,"
    " multipart_upload_id, expires_at"
)


def insert_upload(
    conn: Conn,
    *,
    upload_id: uuid.UUID,
    company_id: uuid.UUID,
    invitation_id: uuid.UUID,
    question_id: uuid.UUID,
    object_key: str,
    content_type: str,
    media_kind: str,
    max_bytes: int,
    expires_at: datetime,
    multipart_upload_id: str | None = None,
) -> UploadRow:
    row = fetch_one(
        conn,
        "INSERT INTO interviews.uploads (id, company_id, invitation_id, question_id, object_key,"
        " content_type, media_kind, max_bytes, multipart_upload_id, expires_at)"
        f" VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s) RETURNING {_UPLOAD_COLUMNS}",
        (
            upload_id,
            company_id,
            invitation_id,
            question_id,
            object_key,
            content_type,
            media_kind,
            max_bytes,
            multipart_upload_id,
            expires_at,
        ),
    )
    assert row is not None
    return UploadRow.model_validate(row)


def set_multipart_id(conn: Conn, upload_id: uuid.UUID, multipart_upload_id: str) -> None:
    conn.execute(
        "UPDATE interviews.uploads SET multipart_upload_id = %s WHERE id = %s",
        (multipart_upload_id, upload_id),
    )


def find_upload(
    conn: Conn, invitation_id: uuid.UUID, question_id: uuid.UUID, upload_id: uuid.UUID
) -> UploadRow | None:
    row = fetch_one(
        conn,
        f"SELECT {_UPLOAD_COLUMNS} FROM interviews.uploads"
        " WHERE id = %s AND invitation_id = %s AND question_id = %s",
        (upload_id, invitation_id, question_id),
    )
    return UploadRow.model_validate(row) if row else None


def count_uploads(conn: Conn, invitation_id: uuid.UUID, question_id: uuid.UUID) -> int:
    row = fetch_one(
        conn,
        "SELECT count(*) AS n FROM interviews.uploads"
        " WHERE invitation_id = %s AND question_id = %s",
        (invitation_id, question_id),
    )
    return int(row["n"]) if row else 0


def upload_is_answer(conn: Conn, upload_id: uuid.UUID) -> bool:
    row = fetch_one(
        conn, "SELECT 1 AS one FROM interviews.answers WHERE upload_id = %s", (upload_id,)
    )
    return row is not None


def delete_upload(conn: Conn, upload_id: uuid.UUID) -> None:
    conn.execute("DELETE FROM interviews.uploads WHERE id = %s", (upload_id,))
