"""The workflow's steps in-process against real PostgreSQL: results stored with evidence and
timestamps, the verdict by our rules, analysis.completed / analysis.failed in the outbox,
HR's read and retry with tenancy."""

from __future__ import annotations

import uuid
from typing import Any
from uuid import UUID

import pytest
from psycopg_pool import ConnectionPool

from shared.analysis import hr, workflow
from shared.analysis.engine_offline import OFFLINE_MODEL
from shared.analysis.models import Verdict
from shared.errors import ConflictError, NotFoundError
from tests.integration.analysis.conftest import deps_for
from tests.integration.analysis.fixtures import interview, started_analysis


def _run(pool: ConnectionPool, analysis_id: UUID) -> dict[str, Any]:
    deps = deps_for(pool)
    run = workflow.load(deps, analysis_id, 1, "offline", OFFLINE_MODEL)
    for answer_id in run["answerIds"]:
        assert workflow.analyze_answer(deps, analysis_id, 1, UUID(answer_id))["status"] == "done"
    assert workflow.summarize(deps, analysis_id, 1)["status"] == "done"
    # The scoring alone (pure, our rules) agrees with what the store step records.
    verdict = Verdict.model_validate(workflow.score(deps, analysis_id, 1))
    stored = workflow.store(deps, analysis_id, 1)
    assert stored["overall"] == verdict.overall
    # And reports what the business metrics need (latency from the start, the answers' count)
    assert stored["latencyMs"] is not None
    assert stored["answers"] == len(run["answerIds"])
    return stored


def test_a_full_run_stores_scores_evidence_and_publishes_completed(pool: ConnectionPool) -> None:
    # Given a started analysis of an interview with media, text and multiple choice answers
    item = interview()
    analysis_id = started_analysis(pool, item)
    # When every step runs
    stored = _run(pool, analysis_id)
    # Then HR reads a completed analysis with per-answer evidence
    with pool.connection() as conn:
        view = hr.get_analysis(conn, item.company_id, item.invitation_id)
        outbox = conn.execute(
            "SELECT envelope FROM platform.outbox WHERE event_type = 'analysis.completed'"
            " AND envelope->'payload'->>'analysisId' = %s",
            (str(analysis_id),),
        ).fetchall()
    assert stored["status"] == "completed"
    assert view.status == "completed"
    assert view.engine == "offline"
    assert view.engine_label is not None
    assert "not an LLM" in view.engine_label
    assert view.overall is not None
    assert view.recommendation in {"hire", "consider", "reject"}
    by_kind = {a.kind: a for a in view.answers}
    assert by_kind["choice"].score == 100.0
    media = [a for a in view.answers if a.kind == "media"]
    strong, off_topic = media[0], media[1]
    assert strong.score is not None
    assert off_topic.score is not None
    assert strong.score > off_topic.score
    assert strong.criteria is not None
    quote = strong.criteria["relevance"].quotes[0]
    assert quote.start is not None
    assert quote.end is not None
    assert quote.text in item.transcripts[item.upload_ids[0]]
    assert len(outbox) == 1


def test_a_failed_media_answer_is_unscorable_with_its_reason(pool: ConnectionPool) -> None:
    item = interview()
    analysis_id = started_analysis(pool, item, failed=frozenset({item.upload_ids[1]}))
    _run(pool, analysis_id)
    with pool.connection() as conn:
        view = hr.get_analysis(conn, item.company_id, item.invitation_id)
    failed = next(a for a in view.answers if a.kind == "media" and a.unscorable)
    assert failed.score is None
    assert "corrupt stream" in (failed.unscorable_reason or "")
    assert view.status == "completed"


def test_mark_failed_then_hr_retries_once_and_a_second_retry_conflicts(
    pool: ConnectionPool,
) -> None:
    # Given an analysis that failed
    item = interview(spoken=("a short answer about rate limits",), text=None, choice_correct=None)
    analysis_id = started_analysis(pool, item)
    deps = deps_for(pool)
    reason = workflow.failure_reason(
        "GroqDailyQuotaExceeded", '{"errorMessage": "the daily request quota is used up"}'
    )
    workflow.mark_failed(deps, analysis_id, 1, reason)
    with pool.connection() as conn:
        failed = hr.get_analysis(conn, item.company_id, item.invitation_id)
    assert failed.status == "failed"
    assert failed.reason == "GroqDailyQuotaExceeded: the daily request quota is used up"
    # When HR retries
    with pool.connection() as conn, conn.transaction():
        accepted = hr.retry_analysis(conn, item.company_id, item.invitation_id, "test")
    # Then a second attempt runs from the stored answers, and a second retry is a conflict
    assert accepted.attempt == 2
    with pool.connection() as conn, conn.transaction(), pytest.raises(ConflictError):
        hr.retry_analysis(conn, item.company_id, item.invitation_id, "test")
    # And a stale step of attempt 1 changes nothing
    assert workflow.mark_failed(deps, analysis_id, 1, "late")["status"] == "unchanged"
    with pool.connection() as conn:
        events = conn.execute(
            "SELECT envelope->'payload'->>'attempt' FROM platform.outbox"
            " WHERE event_type IN ('analysis.started', 'analysis.failed')"
            " AND envelope->'payload'->>'analysisId' = %s ORDER BY created_at",
            (str(analysis_id),),
        ).fetchall()
    assert [e[0] for e in events] == ["1", "1", "2"]


def test_another_company_can_neither_read_nor_retry(pool: ConnectionPool) -> None:
    item = interview(spoken=(), text="An answer", choice_correct=None)
    started_analysis(pool, item)
    other = uuid.uuid4()
    with pool.connection() as conn, pytest.raises(NotFoundError):
        hr.get_analysis(conn, other, item.invitation_id)
    with pool.connection() as conn, conn.transaction(), pytest.raises(NotFoundError):
        hr.retry_analysis(conn, other, item.invitation_id, "test")
