"""The analysis context's data access: the only module that speaks SQL to the analysis schema.

Every function takes the caller's connection (one transaction per use case). Reads for HR filter
by the caller's company in SQL, so another company's invitation is simply not found.
"""

# SQL here is built only from this module's constant fragments; values always go as parameters.
# ruff: noqa: S608
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from psycopg.rows import dict_row
from psycopg.types.json import Jsonb

from shared.analysis.models import AnswerOutcome, SummaryOutcome, Usage, Verdict, Weights
from shared.dal.sql import Conn

# ---- triggers -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TriggerRow:
    invitation_id: UUID
    company_id: UUID
    completed: dict[str, Any] | None
    started_at: datetime | None


def lock_trigger(conn: Conn, invitation_id: UUID, company_id: UUID) -> TriggerRow:
    """The invitation's trigger row, created if new, locked until the transaction ends: every
    event about one invitation is decided one at a time, whatever order they come in."""
    conn.execute(
        "INSERT INTO analysis.triggers (invitation_id, company_id) VALUES (%s, %s)"
        " ON CONFLICT (invitation_id) DO NOTHING",
        (invitation_id, company_id),
    )
    with conn.cursor(row_factory=dict_row) as cur:
        row = cur.execute(
            "SELECT invitation_id, company_id, completed, started_at FROM analysis.triggers"
            " WHERE invitation_id = %s FOR UPDATE",
            (invitation_id,),
        ).fetchone()
    assert row is not None  # inserted or already there, and we hold the lock
    return TriggerRow(**row)


def save_completed(
    conn: Conn, invitation_id: UUID, completed: dict[str, Any], completed_at: datetime
) -> None:
    conn.execute(
        "UPDATE analysis.triggers SET completed = %s, completed_at = %s, updated_at = now()"
        " WHERE invitation_id = %s AND completed IS NULL",
        (Jsonb(completed), completed_at, invitation_id),
    )


def record_media_outcome(
    conn: Conn,
    *,
    upload_id: UUID,
    invitation_id: UUID,
    company_id: UUID,
    status: str,
    reason: str | None,
) -> None:
    # The latest word counts (a re-processed upload turns failed into ready), except that a
    # late media.transcribed never takes back a ready (the MP4 came after the transcript).
    conn.execute(
        "INSERT INTO analysis.media_outcomes (upload_id, invitation_id, company_id, status, reason)"
        " VALUES (%s, %s, %s, %s, %s) ON CONFLICT (upload_id) DO UPDATE"
        " SET status = CASE WHEN EXCLUDED.status = 'transcribed'"
        " AND analysis.media_outcomes.status = 'ready' THEN 'ready' ELSE EXCLUDED.status END,"
        " reason = EXCLUDED.reason",
        (upload_id, invitation_id, company_id, status, reason),
    )


def media_outcomes(conn: Conn, invitation_id: UUID) -> dict[UUID, tuple[str, str | None]]:
    rows = conn.execute(
        "SELECT upload_id, status, reason FROM analysis.media_outcomes WHERE invitation_id = %s",
        (invitation_id,),
    ).fetchall()
    return {UUID(str(r[0])): (str(r[1]), r[2]) for r in rows}


def waiting_triggers(conn: Conn, *, min_age_s: float, limit: int) -> list[tuple[UUID, UUID]]:
    """(invitation, company) of completed invitations whose analysis has not started for
    ``min_age_s`` or more, the oldest first."""
    rows = conn.execute(
        "SELECT invitation_id, company_id FROM analysis.triggers"
        " WHERE completed IS NOT NULL AND started_at IS NULL"
        " AND updated_at <= now() - make_interval(secs => %s)"
        " ORDER BY updated_at LIMIT %s",
        (min_age_s, limit),
    ).fetchall()
    return [(UUID(str(r[0])), UUID(str(r[1]))) for r in rows]


def touch_trigger(conn: Conn, invitation_id: UUID) -> None:
    """Looked at now: the next sweep takes the others first."""
    conn.execute(
        "UPDATE analysis.triggers SET updated_at = now() WHERE invitation_id = %s",
        (invitation_id,),
    )


def mark_started(conn: Conn, invitation_id: UUID) -> None:
    conn.execute(
        "UPDATE analysis.triggers SET started_at = now(), updated_at = now()"
        " WHERE invitation_id = %s",
        (invitation_id,),
    )


# ---- analyses -----------------------------------------------------------------------------


def create_analysis(
    conn: Conn, *, company_id: UUID, invitation_id: UUID, weights: Weights
) -> UUID | None:
    """The invitation's one analysis (None when it already has one: the unique constraint)."""
    row = conn.execute(
        "INSERT INTO analysis.analyses (company_id, invitation_id, status, weights)"
        " VALUES (%s, %s, 'running', %s) ON CONFLICT (invitation_id) DO NOTHING RETURNING id",
        (company_id, invitation_id, Jsonb(weights.model_dump())),
    ).fetchone()
    return UUID(str(row[0])) if row else None


def create_human_review(
    conn: Conn, *, company_id: UUID, invitation_id: UUID, weights: Weights, reason: str
) -> UUID | None:
    """The invitation's one analysis as a human-only review: ended as it is created, with no
    engine, no model and no scores (None when the invitation already has its analysis)."""
    row = conn.execute(
        "INSERT INTO analysis.analyses (company_id, invitation_id, status, reason, weights,"
        " completed_at) VALUES (%s, %s, 'human_review', %s, %s, now())"
        " ON CONFLICT (invitation_id) DO NOTHING RETURNING id",
        (company_id, invitation_id, reason[:2000], Jsonb(weights.model_dump())),
    ).fetchone()
    return UUID(str(row[0])) if row else None


@dataclass(frozen=True, slots=True)
class RunRow:
    """What a workflow step needs to know about its analysis."""

    id: UUID
    company_id: UUID
    invitation_id: UUID
    attempt: int
    status: str
    engine: str | None
    model: str | None
    prompt_version: str | None
    weights: dict[str, float]
    completed: dict[str, Any]
    summary: str | None
    strengths: list[str]
    weaknesses: list[str]
    red_flags: list[str]
    llm_verdict: str | None
    # The summary call's usage (answers keep their own in answer_results).
    prompt_tokens: int
    completion_tokens: int
    llm_calls: int


_LOCK = {True: " FOR UPDATE OF a", False: ""}


def run_row(conn: Conn, analysis_id: UUID, *, lock: bool = False) -> RunRow | None:
    with conn.cursor(row_factory=dict_row) as cur:
        row = cur.execute(
            "SELECT a.id, a.company_id, a.invitation_id, a.attempt, a.status, a.engine, a.model,"
            " a.prompt_version, a.weights, t.completed, a.summary, a.strengths, a.weaknesses,"
            " a.red_flags, a.llm_verdict, a.prompt_tokens, a.completion_tokens, a.llm_calls"
            " FROM analysis.analyses a JOIN analysis.triggers t USING (invitation_id)"
            " WHERE a.id = %s" + _LOCK[lock],
            (analysis_id,),
        ).fetchone()
    return RunRow(**row) if row else None


def set_engine(
    conn: Conn,
    analysis_id: UUID,
    attempt: int,
    *,
    engine: str,
    model: str,
    prompt_version: str,
    execution_arn: str | None,
) -> bool:
    """Fix the attempt's engine and claim it for ``execution_arn``: False when another
    execution has claimed it already (a duplicate start), or it is no longer running."""
    return (
        conn.execute(
            "UPDATE analysis.analyses SET engine = %(engine)s, model = %(model)s,"
            " prompt_version = %(prompt)s, execution_arn = coalesce(%(arn)s, execution_arn),"
            " updated_at = now()"
            " WHERE id = %(id)s AND attempt = %(attempt)s AND status = 'running'"
            " AND (%(arn)s::text IS NULL OR execution_arn IS NULL OR execution_arn = %(arn)s)",
            {
                "engine": engine,
                "model": model,
                "prompt": prompt_version,
                "arn": execution_arn,
                "id": analysis_id,
                "attempt": attempt,
            },
        ).rowcount
        == 1
    )


@dataclass(frozen=True, slots=True)
class RunningRow:
    """A running attempt as the sweep sees it."""

    id: UUID
    attempt: int
    execution_arn: str | None
    age_s: float


def running(conn: Conn, *, min_age_s: float, limit: int) -> list[RunningRow]:
    """Attempts running for at least ``min_age_s``, the oldest first."""
    with conn.cursor(row_factory=dict_row) as cur:
        rows = cur.execute(
            "SELECT id, attempt, execution_arn,"
            " extract(epoch FROM now() - started_at)::float8 AS age_s"
            " FROM analysis.analyses WHERE status = 'running'"
            " AND started_at <= now() - make_interval(secs => %s)"
            " ORDER BY started_at LIMIT %s",
            (min_age_s, limit),
        ).fetchall()
    return [RunningRow(**r) for r in rows]


def upsert_answer_result(
    conn: Conn,
    *,
    analysis_id: UUID,
    attempt: int,
    answer_id: UUID,
    question_id: UUID,
    position: int,
    kind: str,
    outcome: AnswerOutcome,
    score: float | None,
) -> None:
    criteria = (
        {c: r.model_dump(mode="json") for c, r in outcome.criteria.items()}
        if outcome.criteria
        else None
    )
    conn.execute(
        """
        INSERT INTO analysis.answer_results (analysis_id, attempt, answer_id, question_id,
            position, kind, criteria, score, unscorable, unscorable_reason, flagged, flag_reason,
            skills_evidenced, prompt_tokens, completion_tokens, llm_calls, latency_ms)
        VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)
        ON CONFLICT (analysis_id, attempt, answer_id) DO UPDATE SET
            criteria = EXCLUDED.criteria, score = EXCLUDED.score,
            unscorable = EXCLUDED.unscorable, unscorable_reason = EXCLUDED.unscorable_reason,
            flagged = EXCLUDED.flagged, flag_reason = EXCLUDED.flag_reason,
            skills_evidenced = EXCLUDED.skills_evidenced,
            prompt_tokens = EXCLUDED.prompt_tokens,
            completion_tokens = EXCLUDED.completion_tokens,
            llm_calls = EXCLUDED.llm_calls, latency_ms = EXCLUDED.latency_ms
        """,
        (
            analysis_id,
            attempt,
            answer_id,
            question_id,
            position,
            kind,
            Jsonb(criteria) if criteria is not None else None,
            score,
            outcome.unscorable,
            outcome.unscorable_reason,
            outcome.flagged,
            outcome.flag_reason,
            Jsonb([e.model_dump(mode="json") for e in outcome.skills_evidenced]),
            outcome.usage.prompt_tokens,
            outcome.usage.completion_tokens,
            outcome.usage.calls,
            outcome.usage.latency_ms,
        ),
    )


@dataclass(frozen=True, slots=True)
class ResultRow:
    answer_id: UUID
    question_id: UUID
    position: int
    kind: str
    criteria: dict[str, Any] | None
    score: Decimal | None
    unscorable: bool
    unscorable_reason: str | None
    flagged: bool
    flag_reason: str | None
    skills_evidenced: list[dict[str, Any]]
    prompt_tokens: int
    completion_tokens: int
    llm_calls: int
    latency_ms: int


def answer_results(conn: Conn, analysis_id: UUID, attempt: int) -> list[ResultRow]:
    with conn.cursor(row_factory=dict_row) as cur:
        rows = cur.execute(
            "SELECT answer_id, question_id, position, kind, criteria, score, unscorable,"
            " unscorable_reason, flagged, flag_reason, skills_evidenced, prompt_tokens,"
            " completion_tokens, llm_calls, latency_ms FROM analysis.answer_results"
            " WHERE analysis_id = %s AND attempt = %s ORDER BY position, answer_id",
            (analysis_id, attempt),
        ).fetchall()
    return [ResultRow(**r) for r in rows]


def store_summary(conn: Conn, analysis_id: UUID, attempt: int, summary: SummaryOutcome) -> bool:
    return (
        conn.execute(
            "UPDATE analysis.analyses SET summary = %s, strengths = %s, weaknesses = %s,"
            " red_flags = %s, llm_verdict = %s, prompt_tokens = %s, completion_tokens = %s,"
            " llm_calls = %s, updated_at = now()"
            " WHERE id = %s AND attempt = %s AND status = 'running'",
            (
                summary.summary,
                Jsonb(summary.strengths),
                Jsonb(summary.weaknesses),
                Jsonb(summary.red_flags),
                summary.verdict,
                summary.usage.prompt_tokens,
                summary.usage.completion_tokens,
                summary.usage.calls,
                analysis_id,
                attempt,
            ),
        ).rowcount
        == 1
    )


def complete(
    conn: Conn, analysis_id: UUID, attempt: int, *, verdict: Verdict, usage: Usage, cost_usd: float
) -> int | None:
    """Running -> completed, with the verdict and the totals; the latency in milliseconds from
    the attempt's start (None for a stale attempt)."""
    row = conn.execute(
        "UPDATE analysis.analyses SET status = 'completed', overall = %s,"
        " recommendation = %s, reason = %s, prompt_tokens = %s, completion_tokens = %s,"
        " llm_calls = %s, latency_ms = (EXTRACT(EPOCH FROM (now() - started_at)) * 1000)::int,"
        " cost_usd = %s, completed_at = now(), updated_at = now()"
        " WHERE id = %s AND attempt = %s AND status = 'running' RETURNING latency_ms",
        (
            verdict.overall,
            verdict.recommendation,
            verdict.basis,
            usage.prompt_tokens,
            usage.completion_tokens,
            usage.calls,
            cost_usd,
            analysis_id,
            attempt,
        ),
    ).fetchone()
    return int(row[0]) if row else None


def set_answer_scores(conn: Conn, analysis_id: UUID, attempt: int, verdict: Verdict) -> None:
    for answer in verdict.answers:
        if answer.answer_id is not None:
            conn.execute(
                "UPDATE analysis.answer_results SET score = %s"
                " WHERE analysis_id = %s AND attempt = %s AND answer_id = %s",
                (answer.score, analysis_id, attempt, answer.answer_id),
            )


def fail(conn: Conn, analysis_id: UUID, attempt: int, reason: str) -> bool:
    return (
        conn.execute(
            "UPDATE analysis.analyses SET status = 'failed', reason = %s,"
            " latency_ms = (EXTRACT(EPOCH FROM (now() - started_at)) * 1000)::int,"
            " completed_at = now(), updated_at = now()"
            " WHERE id = %s AND attempt = %s AND status = 'running'",
            (reason[:2000], analysis_id, attempt),
        ).rowcount
        == 1
    )


@dataclass(frozen=True, slots=True)
class RetryRow:
    id: UUID
    status: str
    attempt: int


def lock_for_retry(conn: Conn, company_id: UUID, invitation_id: UUID) -> RetryRow | None:
    row = conn.execute(
        "SELECT id, status, attempt FROM analysis.analyses"
        " WHERE company_id = %s AND invitation_id = %s FOR UPDATE",
        (company_id, invitation_id),
    ).fetchone()
    return RetryRow(UUID(str(row[0])), str(row[1]), int(row[2])) if row else None


def restart(conn: Conn, analysis_id: UUID) -> int:
    """Failed -> running as a new attempt (the old attempt's results stay, unread)."""
    row = conn.execute(
        "UPDATE analysis.analyses SET status = 'running', attempt = attempt + 1, reason = NULL,"
        " engine = NULL, model = NULL, prompt_version = NULL, summary = NULL,"
        " strengths = '[]', weaknesses = '[]', red_flags = '[]', llm_verdict = NULL,"
        " recommendation = NULL, overall = NULL, prompt_tokens = 0, completion_tokens = 0,"
        " llm_calls = 0, latency_ms = NULL, cost_usd = 0, execution_arn = NULL, started_at = now(),"
        " completed_at = NULL, updated_at = now() WHERE id = %s AND status = 'failed'"
        " RETURNING attempt",
        (analysis_id,),
    ).fetchone()
    assert row is not None
    return int(row[0])


# ---- HR reads -----------------------------------------------------------------------------


def analysis_for_company(
    conn: Conn, company_id: UUID, invitation_id: UUID
) -> dict[str, Any] | None:
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(
            "SELECT a.id, a.invitation_id, a.attempt, a.status, a.reason, a.engine, a.model,"
            " a.prompt_version, a.overall, a.recommendation, a.llm_verdict, a.summary,"
            " a.strengths, a.weaknesses, a.red_flags, a.prompt_tokens, a.completion_tokens,"
            " a.llm_calls, a.latency_ms, a.cost_usd, a.started_at, a.completed_at, a.weights,"
            " t.completed FROM analysis.analyses a"
            " LEFT JOIN analysis.triggers t ON t.invitation_id = a.invitation_id"
            " WHERE a.company_id = %s AND a.invitation_id = %s",
            (company_id, invitation_id),
        ).fetchone()


def trigger_for_company(conn: Conn, company_id: UUID, invitation_id: UUID) -> TriggerRow | None:
    with conn.cursor(row_factory=dict_row) as cur:
        row = cur.execute(
            "SELECT invitation_id, company_id, completed, started_at FROM analysis.triggers"
            " WHERE company_id = %s AND invitation_id = %s",
            (company_id, invitation_id),
        ).fetchone()
    return TriggerRow(**row) if row else None


# The skills evidenced, with every quote set to null (which skills were evidenced stays).
_UNQUOTED_SKILLS = (
    "(SELECT coalesce(jsonb_agg(e.item || '{{\"quote\": null}}'::jsonb), '[]'::jsonb)"
    " FROM jsonb_array_elements({column}) AS e(item))"
)


def erase_candidate_words(conn: Conn, company_id: UUID, invitation_id: UUID) -> None:
    """Every quote of the invitation's answer results, and the text answers of its stored
    completion payload, removed (erasure of a candidate's media and words)."""
    conn.execute(
        "UPDATE analysis.answer_results r"
        " SET criteria = (SELECT jsonb_object_agg(c.key, c.value || '{\"quotes\": []}'::jsonb)"
        "                  FROM jsonb_each(r.criteria) c)"
        " FROM analysis.analyses a"
        " WHERE a.id = r.analysis_id AND a.company_id = %s AND a.invitation_id = %s"
        " AND r.criteria IS NOT NULL AND jsonb_typeof(r.criteria) = 'object'",
        (company_id, invitation_id),
    )
    conn.execute(
        "UPDATE analysis.answer_results r"
        f" SET skills_evidenced = {_UNQUOTED_SKILLS.format(column='r.skills_evidenced')}"
        " FROM analysis.analyses a"
        " WHERE a.id = r.analysis_id AND a.company_id = %s AND a.invitation_id = %s"
        " AND r.skills_evidenced <> '[]'::jsonb",
        (company_id, invitation_id),
    )
    conn.execute(
        "UPDATE analysis.triggers t"
        " SET completed = jsonb_set(t.completed, '{answers}',"
        "     (SELECT coalesce(jsonb_agg(x.answer - 'text'), '[]'::jsonb)"
        "        FROM jsonb_array_elements(t.completed->'answers') AS x(answer)))"
        " WHERE t.company_id = %s AND t.invitation_id = %s"
        " AND jsonb_typeof(t.completed->'answers') = 'array'",
        (company_id, invitation_id),
    )


# ---- answers assessed as they arrive (issue 16) ---------------------------------------------


@dataclass(frozen=True, slots=True)
class AssessmentRow:
    answer_id: UUID
    company_id: UUID
    invitation_id: UUID
    question_id: UUID
    attempt: int
    kind: str
    upload_id: UUID | None
    subject: dict[str, Any]
    status: str
    engine: str | None
    model: str | None
    prompt_version: str | None
    outcome: dict[str, Any] | None
    score: Decimal | None
    prompt_tokens: int
    completion_tokens: int
    llm_calls: int
    claimed_until: datetime | None
    queued_at: datetime | None
    analysing_at: datetime | None
    scored_at: datetime | None


_ASSESSMENT = (
    "SELECT answer_id, company_id, invitation_id, question_id, attempt, kind, upload_id, subject,"
    " status, engine, model, prompt_version, outcome, score, prompt_tokens, completion_tokens,"
    " llm_calls, claimed_until, queued_at, analysing_at, scored_at"
    " FROM analysis.answer_assessments"
)


def add_assessment(  # noqa: PLR0917 - one row's columns
    conn: Conn,
    answer_id: UUID,
    company_id: UUID,
    invitation_id: UUID,
    question_id: UUID,
    attempt: int,
    kind: str,
    upload_id: UUID | None,
    subject: dict[str, Any],
) -> bool:
    """The answer version's row, waiting (False when it already exists: a repeated event)."""
    return (
        conn.execute(
            "INSERT INTO analysis.answer_assessments (answer_id, company_id, invitation_id,"
            " question_id, attempt, kind, upload_id, subject, status)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, 'waiting')"
            " ON CONFLICT (answer_id) DO NOTHING",
            (
                answer_id,
                company_id,
                invitation_id,
                question_id,
                attempt,
                kind,
                upload_id,
                Jsonb(subject),
            ),
        ).rowcount
        == 1
    )


def supersede_earlier(conn: Conn, invitation_id: UUID, question_id: UUID) -> int:
    """Every version of the question's answer but the latest attempt is superseded (whichever
    order their events came in; whatever they cost stays on their rows)."""
    return conn.execute(
        "UPDATE analysis.answer_assessments SET status = 'superseded', superseded_at = now(),"
        " claimed_until = NULL, updated_at = now()"
        " WHERE invitation_id = %(inv)s AND question_id = %(q)s AND status <> 'superseded'"
        " AND attempt < (SELECT max(attempt) FROM analysis.answer_assessments"
        "                 WHERE invitation_id = %(inv)s AND question_id = %(q)s)",
        {"inv": invitation_id, "q": question_id},
    ).rowcount


def queue_assessments(conn: Conn, answer_ids: list[UUID]) -> list[AssessmentRow]:
    """Waiting -> queued for these answers; the rows that moved (each one starts its workflow
    once)."""
    if not answer_ids:
        return []
    with conn.cursor(row_factory=dict_row) as cur:
        rows = cur.execute(
            "UPDATE analysis.answer_assessments SET status = 'queued', queued_at = now(),"
            " updated_at = now() WHERE answer_id = ANY(%s) AND status = 'waiting'"
            " RETURNING answer_id",
            (answer_ids,),
        ).fetchall()
        moved = [r["answer_id"] for r in rows]
        if not moved:
            return []
        found = cur.execute(_ASSESSMENT + " WHERE answer_id = ANY(%s)", (moved,)).fetchall()
    return [AssessmentRow(**r) for r in found]


def waiting_for_upload(conn: Conn, upload_id: UUID) -> list[UUID]:
    rows = conn.execute(
        "SELECT answer_id FROM analysis.answer_assessments"
        " WHERE upload_id = %s AND status = 'waiting'",
        (upload_id,),
    ).fetchall()
    return [UUID(str(r[0])) for r in rows]


def assessment(conn: Conn, answer_id: UUID, *, lock: bool = False) -> AssessmentRow | None:
    with conn.cursor(row_factory=dict_row) as cur:
        row = cur.execute(
            _ASSESSMENT + " WHERE answer_id = %s" + (" FOR UPDATE" if lock else ""),
            (answer_id,),
        ).fetchone()
    return AssessmentRow(**row) if row else None


def assessments_of(conn: Conn, invitation_id: UUID) -> list[AssessmentRow]:
    with conn.cursor(row_factory=dict_row) as cur:
        rows = cur.execute(
            _ASSESSMENT + " WHERE invitation_id = %s ORDER BY question_id, attempt",
            (invitation_id,),
        ).fetchall()
    return [AssessmentRow(**r) for r in rows]


def claim_assessment(conn: Conn, answer_id: UUID, lease_s: float) -> bool:
    """Queued (or waiting, or a lapsed claim) -> analysing until ``lease_s`` from now: True for
    the one caller that may call the model for this answer version."""
    return (
        conn.execute(
            "UPDATE analysis.answer_assessments SET status = 'analysing',"
            " claimed_until = now() + make_interval(secs => %s),"
            " analysing_at = coalesce(analysing_at, now()), updated_at = now()"
            " WHERE answer_id = %s AND (status IN ('waiting', 'queued')"
            " OR (status = 'analysing' AND claimed_until < now()))",
            (lease_s, answer_id),
        ).rowcount
        == 1
    )


def release_assessment(conn: Conn, answer_id: UUID) -> None:
    """A claim given back (a rate limit, a failure): queued again for whoever comes next."""
    conn.execute(
        "UPDATE analysis.answer_assessments SET status = 'queued', claimed_until = NULL,"
        " updated_at = now() WHERE answer_id = %s AND status = 'analysing'",
        (answer_id,),
    )


def store_assessment(
    conn: Conn,
    answer_id: UUID,
    *,
    engine: str,
    model: str,
    prompt_version: str,
    outcome: AnswerOutcome,
    score: float | None,
) -> bool:
    """The claimed version's outcome: scored (True), or, when a retake superseded it
    meanwhile, kept on the superseded row for its cost (False)."""
    row = conn.execute(
        "UPDATE analysis.answer_assessments SET"
        " status = CASE WHEN status = 'superseded' THEN 'superseded' ELSE 'scored' END,"
        " engine = %s, model = %s, prompt_version = %s, outcome = %s, score = %s,"
        " prompt_tokens = prompt_tokens + %s, completion_tokens = completion_tokens + %s,"
        " llm_calls = llm_calls + %s, claimed_until = NULL,"
        " scored_at = now(), updated_at = now()"
        " WHERE answer_id = %s AND status IN ('analysing', 'superseded') RETURNING status",
        (
            engine,
            model,
            prompt_version,
            Jsonb(outcome.model_dump(mode="json")),
            score,
            outcome.usage.prompt_tokens,
            outcome.usage.completion_tokens,
            outcome.usage.calls,
            answer_id,
        ),
    ).fetchone()
    return row is not None and row[0] == "scored"


def superseded_usage(conn: Conn, invitation_id: UUID) -> Usage:
    """What the invitation's superseded answer versions cost (recorded, never scored)."""
    row = conn.execute(
        "SELECT coalesce(sum(prompt_tokens), 0), coalesce(sum(completion_tokens), 0),"
        " coalesce(sum(llm_calls), 0) FROM analysis.answer_assessments"
        " WHERE invitation_id = %s AND status = 'superseded'",
        (invitation_id,),
    ).fetchone()
    assert row is not None
    return Usage(prompt_tokens=int(row[0]), completion_tokens=int(row[1]), calls=int(row[2]))


def erase_assessment_words(conn: Conn, company_id: UUID, invitation_id: UUID) -> None:
    """The candidate's words in the assessments: the text answers kept to assess them and the
    quotes of their outcomes."""
    conn.execute(
        "UPDATE analysis.answer_assessments SET"
        " subject = jsonb_set(subject, '{answer}', (subject->'answer') - 'text'),"
        " outcome = CASE WHEN jsonb_typeof(outcome->'criteria') = 'object' THEN"
        "   jsonb_set(outcome, '{criteria}', (SELECT jsonb_object_agg(c.key,"
        "     c.value || '{\"quotes\": []}'::jsonb) FROM jsonb_each(outcome->'criteria') c))"
        "   ELSE outcome END"
        " WHERE company_id = %s AND invitation_id = %s",
        (company_id, invitation_id),
    )
    conn.execute(
        "UPDATE analysis.answer_assessments SET outcome = jsonb_set(outcome,"
        f" '{{skills_evidenced}}', {_UNQUOTED_SKILLS.format(column="outcome->'skills_evidenced'")})"
        " WHERE company_id = %s AND invitation_id = %s"
        " AND jsonb_typeof(outcome->'skills_evidenced') = 'array'",
        (company_id, invitation_id),
    )


# ---- Groq's budgets, shared by every interview ----------------------------------------------


# Groq (like the fake) counts a model's requests and tokens over the last 60 s, whatever the
# clock says: a budget per calendar minute would let a minute's worth through at 12:00:59 and
# another at 12:01:00. So calls are kept in one-second buckets and the last 61 s of them count
# (a call late in its bucket's second still counts for Groq a second after the bucket's start).
BUDGET_WINDOW = "61 seconds"


def take_budget(conn: Conn, model: str, tokens: int, rpm: int, tpm: int) -> float | None:
    """One request and ``tokens`` from the model's rolling window: None when taken, else the
    seconds until its oldest call leaves the window (the call must wait, then try again). A call
    into an empty window is always taken, however many tokens it needs. Takers of one model are
    serialised by a transaction lock, so two can never both take the last request."""
    conn.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 16))", (f"llm_budget:{model}",))
    used = conn.execute(
        "SELECT coalesce(sum(requests), 0)::int, coalesce(sum(tokens), 0)::bigint,"
        " extract(epoch FROM min(window_start) + %(window)s::interval - clock_timestamp())::float8"
        " FROM analysis.llm_budget"
        " WHERE model = %(model)s AND window_start > clock_timestamp() - %(window)s::interval",
        {"model": model, "window": BUDGET_WINDOW},
    ).fetchone()
    assert used is not None
    requests, used_tokens, oldest_leaves_in = used
    if requests and (requests + 1 > rpm or used_tokens + tokens > tpm):
        return max(0.05, float(oldest_leaves_in or 0.0))
    conn.execute(
        "INSERT INTO analysis.llm_budget AS b (model, window_start, requests, tokens)"
        " VALUES (%(model)s, date_trunc('second', clock_timestamp()), 1, %(tokens)s)"
        " ON CONFLICT (model, window_start) DO UPDATE"
        " SET requests = b.requests + 1, tokens = b.tokens + EXCLUDED.tokens",
        {"model": model, "tokens": tokens},
    )
    return None


def forget_old_budgets(conn: Conn) -> None:
    conn.execute(
        "DELETE FROM analysis.llm_budget WHERE window_start < clock_timestamp() - interval '1 hour'"
    )
