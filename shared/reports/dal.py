"""Data access of the reports: the invitation facts (the read model the consumer keeps), the
daily rollup the funnel reads, and the jobs. The only module of the context speaking SQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from psycopg.types.json import Jsonb

from shared.dal.sql import Conn, fetch_all, fetch_one

# ---- the facts (one row per invitation) -----------------------------------------------------

# Columns a later event sets once (a redelivered or late event changes nothing).
_ONCE = ("invited_at", "started_at", "completed_at", "expired_at", "cancelled_at")


def record_invitation(
    conn: Conn,
    *,
    company_id: UUID,
    invitation_id: UUID,
    template_id: UUID | None,
    candidate_name: str | None = None,
    candidate_email: str | None = None,
    **times: dt.datetime,
) -> None:
    """Upsert what an invitation event says: who, for which template, and when it happened."""
    unknown = set(times) - set(_ONCE)
    if unknown:
        raise ValueError(f"not a fact's time: {sorted(unknown)}")
    columns = ["invitation_id", "company_id", "template_id", "candidate_name", "candidate_email"]
    values: list[Any] = [invitation_id, company_id, template_id, candidate_name, candidate_email]
    columns += list(times)
    values += list(times.values())
    updates = [
        "template_id = coalesce(f.template_id, EXCLUDED.template_id)",
        # An erased candidate's pseudonym stays (a redelivered event carries the real name).
        "candidate_name = CASE WHEN f.erased_at IS NOT NULL THEN f.candidate_name"
        " ELSE coalesce(EXCLUDED.candidate_name, f.candidate_name) END",
        "candidate_email = CASE WHEN f.erased_at IS NOT NULL THEN f.candidate_email"
        " ELSE coalesce(EXCLUDED.candidate_email, f.candidate_email) END",
        *(f"{name} = coalesce(f.{name}, EXCLUDED.{name})" for name in times),
        "updated_at = now()",
    ]
    conn.execute(
        f"INSERT INTO reports.invitation_facts AS f ({', '.join(columns)})"  # noqa: S608 - fixed names
        f" VALUES ({', '.join(['%s'] * len(values))})"
        f" ON CONFLICT (invitation_id) DO UPDATE SET {', '.join(updates)}",
        values,
    )


def record_answer(
    conn: Conn, *, company_id: UUID, invitation_id: UUID, template_id: UUID | None, position: int
) -> None:
    """A question answered (by its position in the template); a retake changes nothing."""
    conn.execute(
        "INSERT INTO reports.invitation_facts AS f"
        " (invitation_id, company_id, template_id, answered_positions)"
        " VALUES (%(invitation)s, %(company)s, %(template)s, ARRAY[%(position)s]::smallint[])"
        " ON CONFLICT (invitation_id) DO UPDATE SET"
        " template_id = coalesce(f.template_id, EXCLUDED.template_id),"
        " answered_positions = (SELECT array_agg(DISTINCT p ORDER BY p)"
        "   FROM unnest(array_append(f.answered_positions, %(position)s::smallint)) p),"
        " updated_at = now()"
        " WHERE NOT %(position)s::smallint = ANY(f.answered_positions)",
        {
            "invitation": invitation_id,
            "company": company_id,
            "template": template_id,
            "position": position,
        },
    )


@dataclass(frozen=True, slots=True)
class AnalysisFacts:
    status: str  # completed | human_review | failed
    at: dt.datetime
    overall: float | None = None
    recommendation: str | None = None
    criteria: dict[str, float | None] | None = None


def record_analysis(
    conn: Conn, *, company_id: UUID, invitation_id: UUID, facts: AnalysisFacts
) -> None:
    """The analysis's outcome; a later attempt's (a retry) replaces an earlier one's."""
    criteria = facts.criteria or {}
    analysed_at = facts.at if facts.status in ("completed", "human_review") else None
    conn.execute(
        "INSERT INTO reports.invitation_facts AS f (invitation_id, company_id, analysis_status,"
        " analysed_at, overall, recommendation, relevance, completeness, clarity, depth)"
        " VALUES (%(invitation)s, %(company)s, %(status)s, %(analysed_at)s, %(overall)s,"
        " %(recommendation)s, %(relevance)s, %(completeness)s, %(clarity)s, %(depth)s)"
        " ON CONFLICT (invitation_id) DO UPDATE SET analysis_status = EXCLUDED.analysis_status,"
        " analysed_at = EXCLUDED.analysed_at, overall = EXCLUDED.overall,"
        " recommendation = EXCLUDED.recommendation, relevance = EXCLUDED.relevance,"
        " completeness = EXCLUDED.completeness, clarity = EXCLUDED.clarity,"
        " depth = EXCLUDED.depth, updated_at = now()"
        # A failure never undoes a completed analysis that came later (events may be reordered).
        " WHERE NOT (f.analysis_status IN ('completed', 'human_review')"
        "            AND EXCLUDED.analysis_status = 'failed')",
        {
            "invitation": invitation_id,
            "company": company_id,
            "status": facts.status,
            "analysed_at": analysed_at,
            "overall": facts.overall,
            "recommendation": facts.recommendation,
            "relevance": criteria.get("relevance"),
            "completeness": criteria.get("completeness"),
            "clarity": criteria.get("clarity"),
            "depth": criteria.get("depth"),
        },
    )


def record_decision(
    conn: Conn, *, company_id: UUID, invitation_id: UUID, decision: str, at: dt.datetime
) -> None:
    """HR's decision; the latest one counts (a decision may change; older events lose)."""
    conn.execute(
        "INSERT INTO reports.invitation_facts AS f (invitation_id, company_id, decision,"
        " decided_at) VALUES (%s, %s, %s, %s)"
        " ON CONFLICT (invitation_id) DO UPDATE SET decision = EXCLUDED.decision,"
        " decided_at = EXCLUDED.decided_at, updated_at = now()"
        " WHERE f.decided_at IS NULL OR f.decided_at <= EXCLUDED.decided_at",
        (invitation_id, company_id, decision, at),
    )


def fact(conn: Conn, invitation_id: UUID) -> dict[str, Any] | None:
    return fetch_one(
        conn, "SELECT * FROM reports.invitation_facts WHERE invitation_id = %s", (invitation_id,)
    )


# ---- exports: a server-side cursor over the facts ------------------------------------------

EXPORT_COLUMNS = (
    "invitation_id",
    "template_id",
    "candidate_name",
    "candidate_email",
    "status",
    "invited_at",
    "started_at",
    "completed_at",
    "analysed_at",
    "relevance",
    "completeness",
    "clarity",
    "depth",
    "overall",
    "recommendation",
    "decision",
    "decided_at",
)
_STATUS = (
    "CASE WHEN cancelled_at IS NOT NULL THEN 'cancelled'"
    " WHEN completed_at IS NOT NULL THEN 'completed'"
    " WHEN expired_at IS NOT NULL THEN 'expired'"
    " WHEN started_at IS NOT NULL THEN 'in_progress' ELSE 'pending' END"
)


def _range_filter(
    template_id: UUID | None, from_date: dt.date | None, to_date: dt.date | None
) -> tuple[str, dict[str, Any]]:
    where = ["company_id = %(company)s"]
    params: dict[str, Any] = {}
    if template_id is not None:
        where.append("template_id = %(template)s")
        params["template"] = template_id
    if from_date is not None:
        where.append("invited_at >= %(from)s")
        params["from"] = dt.datetime.combine(from_date, dt.time(), dt.UTC)
    if to_date is not None:
        where.append("invited_at < %(to)s")
        params["to"] = dt.datetime.combine(to_date + dt.timedelta(days=1), dt.time(), dt.UTC)
    return " AND ".join(where), params


def export_rows(
    conn: Conn,
    *,
    company_id: UUID,
    template_id: UUID | None,
    from_date: dt.date | None,
    to_date: dt.date | None,
    fetch_rows: int,
) -> Iterator[tuple[Any, ...]]:
    """Every invitation of the range, oldest first, through a named (server-side) cursor: only
    ``fetch_rows`` rows are in memory at a time. Needs a transaction (``conn`` is in one)."""
    where, params = _range_filter(template_id, from_date, to_date)
    params["company"] = company_id
    columns = [_STATUS if name == "status" else name for name in EXPORT_COLUMNS]
    query = (
        f"SELECT {', '.join(columns)} FROM reports.invitation_facts"  # noqa: S608 - fixed names
        f" WHERE {where} AND invited_at IS NOT NULL ORDER BY invited_at, invitation_id"
    )
    with conn.cursor(name="report_export") as cur:
        cur.itersize = fetch_rows
        cur.execute(query.encode(), params)
        yield from cur


# ---- the funnel: the daily rollup -----------------------------------------------------------


def funnel_days(
    conn: Conn,
    *,
    company_id: UUID,
    template_id: UUID | None,
    from_date: dt.date,
    to_date: dt.date,
) -> list[dict[str, Any]]:
    """The rollup's rows of the range (a few hundred at most: one per template and day)."""
    query = (
        "SELECT invited, started, completed, analysed, advanced, rejected, expired, cancelled,"
        " hire, consider, reject, score_hist, start_hist, complete_hist, answered, stopped,"
        " started_no_answer FROM reports.funnel_daily"
        " WHERE company_id = %(company)s AND day BETWEEN %(from)s AND %(to)s"
    )
    params: dict[str, Any] = {"company": company_id, "from": from_date, "to": to_date}
    if template_id is not None:
        query += " AND template_id = %(template)s"
        params["template"] = template_id
    return fetch_all(conn, query, params)


# ---- jobs ------------------------------------------------------------------------------------

_JOB = (
    "id, company_id, kind, invitation_id, template_id, params, status, reason, revision,"
    " object_key, bytes, row_count, requested_by, created_at, started_at, finished_at"
)


def queue_pdf(
    conn: Conn, *, company_id: UUID, invitation_id: UUID, requested_by: UUID | None = None
) -> dict[str, Any]:
    """The invitation's PDF job, queued (again: a new revision)."""
    row = fetch_one(
        conn,
        "INSERT INTO reports.jobs AS j (company_id, kind, invitation_id, requested_by)"  # noqa: S608 - fixed names
        " VALUES (%s, 'candidate_pdf', %s, %s)"
        " ON CONFLICT (invitation_id) WHERE kind = 'candidate_pdf' DO UPDATE SET"
        " status = 'queued', revision = j.revision + 1, reason = NULL, started_at = NULL,"
        " finished_at = NULL, requested_by = EXCLUDED.requested_by, updated_at = now()"
        f" RETURNING {_JOB}",
        (company_id, invitation_id, requested_by),
    )
    assert row is not None
    return row


def create_export(
    conn: Conn,
    *,
    company_id: UUID,
    template_id: UUID | None,
    params: dict[str, Any],
    requested_by: UUID,
) -> dict[str, Any]:
    row = fetch_one(
        conn,
        "INSERT INTO reports.jobs (company_id, kind, template_id, params, requested_by)"  # noqa: S608
        f" VALUES (%s, 'csv_export', %s, %s, %s) RETURNING {_JOB}",
        (company_id, template_id, Jsonb(params), requested_by),
    )
    assert row is not None
    return row


def job(conn: Conn, job_id: UUID, company_id: UUID | None = None) -> dict[str, Any] | None:
    query = f"SELECT {_JOB} FROM reports.jobs WHERE id = %s"  # noqa: S608
    params: tuple[Any, ...] = (job_id,)
    if company_id is not None:
        query += " AND company_id = %s"
        params = (job_id, company_id)
    return fetch_one(conn, query, params)


def pdf_job(conn: Conn, company_id: UUID, invitation_id: UUID) -> dict[str, Any] | None:
    return fetch_one(
        conn,
        f"SELECT {_JOB} FROM reports.jobs"  # noqa: S608
        " WHERE kind = 'candidate_pdf' AND invitation_id = %s AND company_id = %s",
        (invitation_id, company_id),
    )


def claim(conn: Conn, job_id: UUID, revision: int) -> dict[str, Any] | None:
    """queued -> generating, for this revision only (a newer request queues a newer one)."""
    return fetch_one(
        conn,
        "UPDATE reports.jobs SET status = 'generating', started_at = now(), updated_at = now()"  # noqa: S608
        " WHERE id = %s AND revision = %s AND status = 'queued'"
        f" RETURNING {_JOB}",
        (job_id, revision),
    )


def finish(
    conn: Conn, job_id: UUID, revision: int, *, key: str, size: int, rows: int | None
) -> bool:
    """generating -> ready; False when a newer revision was queued meanwhile."""
    cursor = conn.execute(
        "UPDATE reports.jobs SET status = 'ready', object_key = %s, bytes = %s, row_count = %s,"
        " finished_at = now(), updated_at = now()"
        " WHERE id = %s AND revision = %s AND status = 'generating'",
        (key, size, rows, job_id, revision),
    )
    return cursor.rowcount == 1


def fail(conn: Conn, job_id: UUID, revision: int, reason: str) -> bool:
    cursor = conn.execute(
        "UPDATE reports.jobs SET status = 'failed', reason = %s, finished_at = now(),"
        " updated_at = now() WHERE id = %s AND revision = %s AND status = 'generating'",
        (reason[:500], job_id, revision),
    )
    return cursor.rowcount == 1


# ---- erasure (issue 19) ---------------------------------------------------------------------
ERASED_EXPORT = "Removed: it held a candidate whose data was erased at their request. Export again."


def erase_invitation(
    conn: Conn, company_id: UUID, invitation_id: UUID, *, name: str, email: str
) -> list[str]:
    """The invitation's fact pseudonymised (its counts stay), its PDF job gone, and every
    finished CSV export of the company that may hold its row (made since the invitation was)
    marked removed; those exports' object keys."""
    invited = fetch_one(
        conn,
        "UPDATE reports.invitation_facts SET candidate_name = %s, candidate_email = %s,"
        " erased_at = coalesce(erased_at, now()), updated_at = now()"
        " WHERE invitation_id = %s AND company_id = %s RETURNING invited_at",
        (name, email, invitation_id, company_id),
    )
    conn.execute(
        "DELETE FROM reports.jobs WHERE kind = 'candidate_pdf' AND invitation_id = %s"
        " AND company_id = %s",
        (invitation_id, company_id),
    )
    since = invited["invited_at"] if invited and invited["invited_at"] else None
    exports = fetch_all(
        conn,
        "SELECT id, object_key FROM reports.jobs"
        " WHERE kind = 'csv_export' AND company_id = %s AND object_key IS NOT NULL"
        " AND (%s::timestamptz IS NULL OR created_at >= %s::timestamptz) FOR UPDATE",
        (company_id, since, since),
    )
    conn.execute(
        "UPDATE reports.jobs SET status = 'failed', reason = %s, object_key = NULL,"
        " updated_at = now() WHERE id = ANY(%s)",
        (ERASED_EXPORT, [r["id"] for r in exports]),
    )
    return [r["object_key"] for r in exports]
