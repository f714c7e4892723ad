"""The HR side's data access: the only module of it that speaks SQL (S3 is in `storage.py`).

Every function takes the use case's connection, so writes and outbox rows share one transaction.
Tenant-owned reads take the caller's scope and filter by company in SQL: another company's row
answers exactly like a missing one (404).
"""

# SQL here is built only from this module's constant fragments; values always go as parameters.
# ruff: noqa: S608
from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from psycopg import errors as pg_errors
from psycopg.types.json import Jsonb

from shared.dal.sql import Conn, TenantScope, fetch_all, fetch_one
from shared.errors import ConflictError, NotFoundError
from shared.interviews.columns import (
    ANSWER_COLUMNS,
    INVITATION_COLUMNS,
    INVITATION_FROM,
    QUESTION_COLUMNS,
)
from shared.interviews.models import DecisionOut, ReviewOut
from shared.interviews.pagination import Cursor
from shared.interviews.rows import AnswerRow, InvitationRow, QuestionRow, TemplateRow

if TYPE_CHECKING:
    pass


def _tenant(scope: TenantScope) -> dict[str, Any]:
    return {"all": scope.all_companies, "tenant": scope.company_id}


# ---- templates -----------------------------------------------------------------------------
_TEMPLATE_COLUMNS = """
t.id, t.company_id, t.created_by, t.title, t.description, t.settings, t.scoring_weights,
t.status, t.version, t.published_at, t.archived_at, t.created_at, t.updated_at,
(SELECT count(*) FROM interviews.questions q WHERE q.template_id = t.id)::int AS question_count
"""


def insert_template(
    conn: Conn,
    *,
    company_id: uuid.UUID,
    created_by: uuid.UUID,
    title: str,
    description: str | None,
    settings: dict[str, Any],
    scoring_weights: dict[str, Any],
) -> uuid.UUID:
    row = fetch_one(
        conn,
        "INSERT INTO interviews.templates"
        " (company_id, created_by, title, description, settings, scoring_weights)"
        " VALUES (%(company)s, %(by)s, %(title)s, %(description)s, %(settings)s, %(weights)s)"
        " RETURNING id",
        {
            "company": company_id,
            "by": created_by,
            "title": title,
            "description": description,
            "settings": Jsonb(settings),
            "weights": Jsonb(scoring_weights),
        },
    )
    assert row is not None
    return uuid.UUID(str(row["id"]))


def get_template(
    conn: Conn, template_id: uuid.UUID, scope: TenantScope, *, lock: bool = False
) -> TemplateRow:
    row = fetch_one(
        conn,
        f"SELECT {_TEMPLATE_COLUMNS} FROM interviews.templates t"
        " WHERE t.id = %(id)s AND (%(all)s OR t.company_id = %(tenant)s)"
        + (" FOR UPDATE OF t" if lock else ""),
        {"id": template_id, **_tenant(scope)},
    )
    if row is None:
        raise NotFoundError("No such template.")
    return TemplateRow.model_validate(row)


def list_templates(
    conn: Conn,
    scope: TenantScope,
    *,
    status: str | None,
    limit: int,
    after: Cursor | None,
) -> list[TemplateRow]:
    """Newest first; `limit + 1` rows so the caller knows whether a next page exists."""
    where, params = _list_filters("t", scope, after)
    if status is not None:
        where.append("t.status = %(status)s")
        params["status"] = status
    rows = fetch_all(
        conn,
        f"SELECT {_TEMPLATE_COLUMNS} FROM interviews.templates t WHERE {' AND '.join(where)}"
        " ORDER BY t.created_at DESC, t.id DESC LIMIT %(limit)s",
        {**params, "limit": limit + 1},
    )
    return [TemplateRow.model_validate(r) for r in rows]


def _list_filters(
    alias: str, scope: TenantScope, after: Cursor | None
) -> tuple[list[str], dict[str, Any]]:
    """Only the conditions a request has: each shape of query gets a plan on its own index."""
    where = ["true"]
    params: dict[str, Any] = {}
    if not scope.all_companies:
        where.append(f"{alias}.company_id = %(tenant)s")
        params["tenant"] = scope.company_id
    if after is not None:
        where.append(f"({alias}.created_at, {alias}.id) < (%(after_at)s, %(after_id)s)")
        params.update(after_at=after.created_at, after_id=after.id)
    return where, params


_TEMPLATE_UPDATABLE = ("title", "description", "settings", "scoring_weights")


def update_template(conn: Conn, template_id: uuid.UUID, changes: dict[str, Any]) -> None:
    fields = [f for f in _TEMPLATE_UPDATABLE if f in changes]
    values = {
        f: Jsonb(changes[f]) if f in {"settings", "scoring_weights"} else changes[f] for f in fields
    }
    assignments = "".join(f"{f} = %({f})s, " for f in fields)
    conn.execute(
        f"UPDATE interviews.templates SET {assignments}version = version + 1, updated_at = now()"
        " WHERE id = %(id)s".encode(),
        {**values, "id": template_id},
    )


def set_template_status(conn: Conn, template_id: uuid.UUID, status: str) -> None:
    conn.execute(
        "UPDATE interviews.templates SET status = %(status)s, version = version + 1,"
        " updated_at = now(),"
        " published_at = CASE WHEN %(status)s = 'active' THEN now() ELSE published_at END,"
        " archived_at = CASE WHEN %(status)s = 'archived' THEN now() ELSE archived_at END"
        " WHERE id = %(id)s",
        {"status": status, "id": template_id},
    )


def bump_template_version(conn: Conn, template_id: uuid.UUID) -> int:
    row = fetch_one(
        conn,
        "UPDATE interviews.templates SET version = version + 1, updated_at = now()"
        " WHERE id = %(id)s RETURNING version",
        {"id": template_id},
    )
    assert row is not None
    return int(row["version"])


def delete_template(conn: Conn, template_id: uuid.UUID) -> None:
    conn.execute("DELETE FROM interviews.templates WHERE id = %s", (template_id,))


# ---- questions -----------------------------------------------------------------------------
# The question's content fields: what HR may write, and what a duplicate copies.
QUESTION_FIELDS = (
    "type",
    "text",
    "time_limit_s",
    "think_time_s",
    "max_retakes",
    "required",
    "hints",
    "rubric",
    "options",
)
_JSON_FIELDS = {"hints", "options"}


def _db_value(name: str, value: Any) -> Any:
    if name in _JSON_FIELDS and value is not None:
        return Jsonb(value)
    return value


def list_questions(conn: Conn, template_id: uuid.UUID) -> list[QuestionRow]:
    rows = fetch_all(
        conn,
        f"SELECT {QUESTION_COLUMNS} FROM interviews.questions"
        " WHERE template_id = %(template)s ORDER BY position",
        {"template": template_id},
    )
    return [QuestionRow.model_validate(r) for r in rows]


def get_question(conn: Conn, template_id: uuid.UUID, question_id: uuid.UUID) -> QuestionRow:
    row = fetch_one(
        conn,
        f"SELECT {QUESTION_COLUMNS} FROM interviews.questions"
        " WHERE id = %(id)s AND template_id = %(template)s",
        {"id": question_id, "template": template_id},
    )
    if row is None:
        raise NotFoundError("No such question.")
    return QuestionRow.model_validate(row)


def insert_question(
    conn: Conn,
    *,
    template_id: uuid.UUID,
    company_id: uuid.UUID,
    position: int,
    fields: dict[str, Any],
) -> uuid.UUID:
    names = [f for f in QUESTION_FIELDS if f in fields]
    row = fetch_one(
        conn,
        "INSERT INTO interviews.questions (template_id, company_id, position, "
        + ", ".join(names)
        + ") VALUES (%(template)s, %(company)s, %(position)s, "
        + ", ".join(f"%({n})s" for n in names)
        + ") RETURNING id",
        {
            "template": template_id,
            "company": company_id,
            "position": position,
            **{n: _db_value(n, fields[n]) for n in names},
        },
    )
    assert row is not None
    return uuid.UUID(str(row["id"]))


def update_question(conn: Conn, question_id: uuid.UUID, fields: dict[str, Any]) -> None:
    names = [f for f in QUESTION_FIELDS if f in fields]
    assignments = "".join(f"{n} = %({n})s, " for n in names)
    conn.execute(
        f"UPDATE interviews.questions SET {assignments}updated_at = now()"
        " WHERE id = %(id)s".encode(),
        {**{n: _db_value(n, fields[n]) for n in names}, "id": question_id},
    )


def delete_question(conn: Conn, question: QuestionRow) -> None:
    """Remove it and close the gap, so positions stay 1..n."""
    conn.execute("DELETE FROM interviews.questions WHERE id = %s", (question.id,))
    conn.execute(
        "UPDATE interviews.questions SET position = position - 1, updated_at = now()"
        " WHERE template_id = %s AND position > %s",
        (question.template_id, question.position),
    )


def reorder_questions(conn: Conn, template_id: uuid.UUID, ordered: list[uuid.UUID]) -> None:
    # One statement: the deferrable unique (template_id, position) is checked at its end.
    conn.execute(
        "UPDATE interviews.questions q SET position = o.position, updated_at = now()"
        " FROM unnest(%(ids)s::uuid[]) WITH ORDINALITY AS o(id, position)"
        " WHERE q.id = o.id AND q.template_id = %(template)s AND q.position <> o.position",
        {"ids": ordered, "template": template_id},
    )


# ---- invitations ---------------------------------------------------------------------------


def insert_invitation(
    conn: Conn,
    *,
    company_id: uuid.UUID,
    template_id: uuid.UUID,
    created_by: uuid.UUID,
    candidate_name: str,
    candidate_email: str,
    token_hash: bytes,
    expires_in_days: int,
) -> uuid.UUID:
    """A new pending invitation; a second one for (email, template) is a ConflictError, and
    leaves the caller's transaction usable (savepoint)."""
    try:
        with conn.transaction():
            row = fetch_one(
                conn,
                "INSERT INTO interviews.invitations (company_id, template_id, created_by,"
                " candidate_email, candidate_name, token_hash, expires_at)"
                " VALUES (%(company)s, %(template)s, %(by)s, %(email)s, %(name)s, %(hash)s,"
                " now() + make_interval(days => %(days)s)) RETURNING id",
                {
                    "company": company_id,
                    "template": template_id,
                    "by": created_by,
                    "email": candidate_email,
                    "name": candidate_name,
                    "hash": token_hash,
                    "days": expires_in_days,
                },
            )
    except pg_errors.UniqueViolation as exc:
        raise ConflictError("This candidate is already invited to this template.") from exc
    assert row is not None
    return uuid.UUID(str(row["id"]))


def get_invitation(
    conn: Conn, invitation_id: uuid.UUID, scope: TenantScope, *, lock: bool = False
) -> InvitationRow:
    row = fetch_one(
        conn,
        f"SELECT {INVITATION_COLUMNS} FROM {INVITATION_FROM}"
        " WHERE i.id = %(id)s AND (%(all)s OR i.company_id = %(tenant)s)"
        + (" FOR UPDATE OF i" if lock else ""),
        {"id": invitation_id, **_tenant(scope)},
    )
    if row is None:
        raise NotFoundError("No such invitation.")
    return InvitationRow.model_validate(row)


def list_invitations(
    conn: Conn,
    scope: TenantScope,
    *,
    status: str | None,
    template_id: uuid.UUID | None,
    limit: int,
    after: Cursor | None,
) -> list[InvitationRow]:
    """Newest first, keyset on (created_at, id); `limit + 1` rows (is there a next page?)."""
    where, params = _list_filters("i", scope, after)
    if status is not None:
        where.append("i.status = %(status)s")
        params["status"] = status
    if template_id is not None:
        where.append("i.template_id = %(template)s")
        params["template"] = template_id
    rows = fetch_all(
        conn,
        f"SELECT {INVITATION_COLUMNS} FROM {INVITATION_FROM} WHERE {' AND '.join(where)}"
        " ORDER BY i.created_at DESC, i.id DESC LIMIT %(limit)s",
        {**params, "limit": limit + 1},
    )
    return [InvitationRow.model_validate(r) for r in rows]


def rotate_token(
    conn: Conn, invitation_id: uuid.UUID, token_hash: bytes, sealed: bytes | None
) -> None:
    conn.execute(
        "UPDATE interviews.invitations SET token_hash = %s, token_sealed = %s,"
        " last_sent_at = now(), send_count = send_count + 1, updated_at = now() WHERE id = %s",
        (token_hash, sealed, invitation_id),
    )


def seal_token(conn: Conn, invitation_id: uuid.UUID, sealed: bytes | None) -> None:
    if sealed is not None:
        conn.execute(
            "UPDATE interviews.invitations SET token_sealed = %s WHERE id = %s",
            (sealed, invitation_id),
        )


def cancel_invitation(conn: Conn, invitation_id: uuid.UUID) -> None:
    conn.execute(
        "UPDATE interviews.invitations SET status = 'cancelled', cancelled_at = now(),"
        " updated_at = now() WHERE id = %s",
        (invitation_id,),
    )


def extend_invitation(conn: Conn, invitation_id: uuid.UUID, days: int) -> None:
    conn.execute(
        "UPDATE interviews.invitations SET expires_at = expires_at + make_interval(days => %s),"
        " updated_at = now() WHERE id = %s",
        (days, invitation_id),
    )


def is_overdue(conn: Conn, invitation_id: uuid.UUID) -> bool:
    """Past its expiry by the database's clock (the sweep may not have marked it yet)."""
    row = fetch_one(
        conn,
        "SELECT expires_at <= now() AS overdue FROM interviews.invitations WHERE id = %(id)s",
        {"id": invitation_id},
    )
    return bool(row and row["overdue"])


# ---- answers, reviews, decisions -----------------------------------------------------------


def list_current_answers(conn: Conn, invitation_id: uuid.UUID) -> list[AnswerRow]:
    rows = fetch_all(
        conn,
        f"SELECT {ANSWER_COLUMNS} FROM interviews.answers"
        " WHERE invitation_id = %(invitation)s AND is_current ORDER BY submitted_at, id",
        {"invitation": invitation_id},
    )
    return [AnswerRow.model_validate(r) for r in rows]


def get_answer(conn: Conn, invitation_id: uuid.UUID, answer_id: uuid.UUID) -> AnswerRow:
    row = fetch_one(
        conn,
        f"SELECT {ANSWER_COLUMNS} FROM interviews.answers"
        " WHERE id = %(id)s AND invitation_id = %(invitation)s",
        {"id": answer_id, "invitation": invitation_id},
    )
    if row is None:
        raise NotFoundError("No such answer.")
    return AnswerRow.model_validate(row)


_REVIEW_COLUMNS = "answer_id, reviewer_id, rating, comment, created_at, updated_at"


def list_reviews(conn: Conn, invitation_id: uuid.UUID) -> list[ReviewOut]:
    rows = fetch_all(
        conn,
        f"SELECT {', '.join('r.' + c.strip() for c in _REVIEW_COLUMNS.split(','))}"
        " FROM interviews.answer_reviews r JOIN interviews.answers a ON a.id = r.answer_id"
        " WHERE a.invitation_id = %(invitation)s ORDER BY r.created_at, r.reviewer_id",
        {"invitation": invitation_id},
    )
    return [ReviewOut.model_validate(r) for r in rows]


def upsert_review(
    conn: Conn,
    *,
    answer_id: uuid.UUID,
    reviewer_id: uuid.UUID,
    company_id: uuid.UUID,
    rating: int,
    comment: str | None,
) -> ReviewOut:
    row = fetch_one(
        conn,
        "INSERT INTO interviews.answer_reviews AS r"
        " (answer_id, reviewer_id, company_id, rating, comment)"
        " VALUES (%(answer)s, %(reviewer)s, %(company)s, %(rating)s, %(comment)s)"
        " ON CONFLICT (answer_id, reviewer_id) DO UPDATE SET rating = EXCLUDED.rating,"
        " comment = EXCLUDED.comment,"
        " updated_at = CASE WHEN (r.rating, r.comment)"
        " IS NOT DISTINCT FROM (EXCLUDED.rating, EXCLUDED.comment)"
        " THEN r.updated_at ELSE now() END"
        f" RETURNING {_REVIEW_COLUMNS}",
        {
            "answer": answer_id,
            "reviewer": reviewer_id,
            "company": company_id,
            "rating": rating,
            "comment": comment,
        },
    )
    assert row is not None
    return ReviewOut.model_validate(row)


_DECISION_COLUMNS = "invitation_id, decision, note, decided_by, decided_at"


def get_decision(conn: Conn, invitation_id: uuid.UUID) -> DecisionOut | None:
    row = fetch_one(
        conn,
        f"SELECT {_DECISION_COLUMNS} FROM interviews.decisions WHERE invitation_id = %(id)s",
        {"id": invitation_id},
    )
    return DecisionOut.model_validate(row) if row else None


def upsert_decision(
    conn: Conn,
    *,
    invitation_id: uuid.UUID,
    company_id: uuid.UUID,
    decision: str,
    note: str | None,
    decided_by: uuid.UUID,
) -> DecisionOut:
    row = fetch_one(
        conn,
        "INSERT INTO interviews.decisions (invitation_id, company_id, decision, note, decided_by)"
        " VALUES (%(invitation)s, %(company)s, %(decision)s, %(note)s, %(by)s)"
        " ON CONFLICT (invitation_id) DO UPDATE SET decision = EXCLUDED.decision,"
        " note = EXCLUDED.note, decided_by = EXCLUDED.decided_by, decided_at = now()"
        f" RETURNING {_DECISION_COLUMNS}",
        {
            "invitation": invitation_id,
            "company": company_id,
            "decision": decision,
            "note": note,
            "by": decided_by,
        },
    )
    assert row is not None
    return DecisionOut.model_validate(row)


# ---- a template's required skills (issue 19) ---------------------------------------------------
def template_skill_ids(conn: Conn, template_id: uuid.UUID) -> list[uuid.UUID]:
    rows = fetch_all(
        conn,
        "SELECT skill_id FROM interviews.template_skills WHERE template_id = %s ORDER BY skill_id",
        (template_id,),
    )
    return [r["skill_id"] for r in rows]


def replace_template_skills(
    conn: Conn, template_id: uuid.UUID, company_id: uuid.UUID, skill_ids: list[uuid.UUID]
) -> None:
    """The template's required skills become exactly ``skill_ids`` (kept ones keep their
    place in the order)."""
    conn.execute(
        "DELETE FROM interviews.template_skills WHERE template_id = %s AND NOT skill_id = ANY(%s)",
        (template_id, skill_ids),
    )
    for skill_id in skill_ids:
        conn.execute(
            "INSERT INTO interviews.template_skills (template_id, skill_id, company_id)"
            " VALUES (%s, %s, %s) ON CONFLICT (template_id, skill_id) DO NOTHING",
            (template_id, skill_id, company_id),
        )


def copy_template_skills(conn: Conn, source_id: uuid.UUID, target_id: uuid.UUID) -> None:
    conn.execute(
        "INSERT INTO interviews.template_skills (template_id, skill_id, company_id, created_at)"
        " SELECT %s, skill_id, company_id, created_at FROM interviews.template_skills"
        " WHERE template_id = %s",
        (target_id, source_id),
    )


# ---- a candidate's account: the invitations sent to their email (issue 19) ---------------------
def invitations_for_email(
    conn: Conn, email: str, *, limit: int, after: Cursor | None
) -> list[dict[str, Any]]:
    """Newest first across every company, keyset on (created_at, id); ``limit + 1`` rows."""
    where = ["i.candidate_email = %(email)s"]
    params: dict[str, Any] = {"email": email, "limit": limit + 1}
    if after is not None:
        where.append("(i.created_at, i.id) < (%(after_at)s, %(after_id)s)")
        params |= {"after_at": after.created_at, "after_id": after.id}
    return fetch_all(
        conn,
        "SELECT i.id, i.company_id, i.template_id, t.title AS template_title, i.status,"
        " i.created_at, i.expires_at, i.started_at, i.completed_at, i.cancelled_at, i.expired_at"
        " FROM interviews.invitations i JOIN interviews.templates t ON t.id = i.template_id"
        f" WHERE {' AND '.join(where)} ORDER BY i.created_at DESC, i.id DESC LIMIT %(limit)s",
        params,
    )


def current_answers_of(conn: Conn, invitation_ids: list[uuid.UUID]) -> list[dict[str, Any]]:
    """The current answer to each question of these invitations, with the question."""
    return fetch_all(
        conn,
        "SELECT a.invitation_id, a.id AS answer_id, a.question_id, q.position,"
        " q.text AS question_text, q.type AS question_type, a.kind, a.text_answer,"
        " a.selected_option_ids, a.upload_id, a.submitted_at"
        " FROM interviews.answers a JOIN interviews.questions q ON q.id = a.question_id"
        " WHERE a.invitation_id = ANY(%s) AND a.is_current ORDER BY q.position, a.id",
        (invitation_ids,),
    )
