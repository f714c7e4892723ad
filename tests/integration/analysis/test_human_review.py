"""A candidate who declined AI analysis, against real PostgreSQL: the trigger makes the analysis a
human-only review exactly once (no workflow start, so no model call), HR reads it as such, it
cannot be retried into an AI analysis, and a workflow started for it anyway calls no engine."""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

import pytest
from psycopg_pool import ConnectionPool

from shared.analysis import dal, hr, workflow
from shared.analysis.engine_offline import OFFLINE_MODEL
from shared.analysis.models import (
    AnswerInput,
    AnswerOutcome,
    SummaryItem,
    SummaryOutcome,
    Weights,
)
from shared.analysis.reads import WAITING_FOR_HUMAN_REVIEW
from shared.analysis.sweep import restart_waiting
from shared.analysis.trigger import HUMAN_REVIEW_REASON, TRIGGER_CONSUMER, on_event
from shared.errors import ConflictError
from shared.events import EventEnvelope
from shared.events.consumer import EventConsumer, PostgresDeduplicator
from shared.models.events.analysis import AnalysisHumanReview
from tests.integration.analysis.conftest import deps_for
from tests.integration.analysis.fixtures import (
    Interview,
    completed_event,
    insert_transcripts,
    interview,
    media_events,
)


class NoModelEngine:
    """An engine that must never be asked: any call fails the test."""

    name = "offline"
    model = OFFLINE_MODEL

    def __init__(self) -> None:
        self.calls: list[str] = []

    def assess(self, answer: AnswerInput) -> AnswerOutcome:
        self.calls.append("assess")
        raise AssertionError("a declined AI analysis reached the engine")

    def summarize(self, items: list[SummaryItem]) -> SummaryOutcome:
        self.calls.append("summarize")
        raise AssertionError("a declined AI analysis reached the engine")


def _consumer(pool: ConnectionPool) -> EventConsumer[Any]:
    return EventConsumer(TRIGGER_CONSUMER, on_event, PostgresDeduplicator.from_pool(lambda: pool))


def _body(envelope: EventEnvelope) -> str:
    return json.dumps({"detail-type": envelope.event_type, "detail": envelope.to_detail()})


def _outbox(pool: ConnectionPool, item: Interview) -> list[tuple[str, dict[str, Any]]]:
    with pool.connection() as conn:
        rows = conn.execute(
            "SELECT event_type, envelope FROM platform.outbox"
            " WHERE envelope->'payload'->>'invitationId' = %s ORDER BY created_at",
            (str(item.invitation_id),),
        ).fetchall()
    return [(str(r[0]), r[1]) for r in rows]


def _analyses(pool: ConnectionPool, item: Interview) -> list[tuple[Any, ...]]:
    with pool.connection() as conn:
        return conn.execute(
            "SELECT id, status, reason, engine, model, llm_calls, completed_at IS NOT NULL"
            " FROM analysis.analyses WHERE invitation_id = %s",
            (item.invitation_id,),
        ).fetchall()


def test_a_declined_ai_analysis_is_a_human_only_review_once_the_media_is_in(
    pool: ConnectionPool,
) -> None:
    # Given a completed interview whose candidate declined AI analysis, with two media answers
    item = interview(ai_analysis=False)
    consumer = _consumer(pool)
    completed, (first, second) = completed_event(item), media_events(item)

    # When completion and the first media event arrive
    consumer.handle_body(_body(completed))
    consumer.handle_body(_body(first))
    # Then HR reads that it waits for the media, and that the review will be human-only
    with pool.connection() as conn:
        waiting = hr.get_analysis(conn, item.company_id, item.invitation_id)
    assert (waiting.status, waiting.reason) == ("waiting", WAITING_FOR_HUMAN_REVIEW)
    assert waiting.waiting_for_uploads == [item.upload_ids[1]]

    # When the last media event arrives, and every event is then delivered again
    consumer.handle_body(_body(second))
    for event in (second, completed, first):
        consumer.handle_body(_body(event))

    # Then one analysis, a human-only review ended as it was made: no engine, no model, no call
    [(analysis_id, status, reason, engine, model, calls, ended)] = _analyses(pool, item)
    assert (status, reason, engine, model, calls, ended) == (
        "human_review",
        HUMAN_REVIEW_REASON,
        None,
        None,
        0,
        True,
    )
    # and no workflow was started: analysis.human_review, once, where analysis.started would be
    types = [t for t, _ in _outbox(pool, item)]
    assert types == ["analysis.human_review"]
    published = AnalysisHumanReview.model_validate(_outbox(pool, item)[0][1]["payload"])
    assert published.analysis_id == analysis_id
    assert published.reason == HUMAN_REVIEW_REASON


def test_hr_reads_a_human_only_review_without_scores_and_cannot_retry_it(
    pool: ConnectionPool,
) -> None:
    # Given a declined AI analysis whose media is processed
    item = interview(ai_analysis=False)
    consumer = _consumer(pool)
    for event in (completed_event(item), *media_events(item)):
        consumer.handle_body(_body(event))

    # When HR reads it
    with pool.connection() as conn:
        view = hr.get_analysis(conn, item.company_id, item.invitation_id)

    # Then it says so in plain words, with nothing an AI produced
    assert view.status == "human_review"
    assert view.reason == HUMAN_REVIEW_REASON
    assert "declined AI analysis" in (view.reason or "")
    assert (view.engine, view.engine_label, view.model, view.overall) == (None, None, None, None)
    assert (view.recommendation, view.summary, view.llm_calls) == (None, None, 0)
    assert view.answers == []
    assert view.completed_at is not None

    # When HR asks to retry it / Then 409, and nothing starts
    with pool.connection() as conn, pytest.raises(ConflictError, match="declined AI analysis"):
        hr.retry_analysis(conn, item.company_id, item.invitation_id, "test-retry")
    assert "analysis.started" not in [t for t, _ in _outbox(pool, item)]


def test_the_sweep_makes_a_waiting_declined_analysis_a_human_only_review(
    pool: ConnectionPool,
) -> None:
    # Given a declined AI analysis whose media events were lost, but whose media is ready
    item = interview(ai_analysis=False)
    _consumer(pool).handle_body(_body(completed_event(item)))
    with pool.connection() as conn, conn.transaction():
        insert_transcripts(conn, item)

    # When the analysis sweep looks at waiting analyses
    started = restart_waiting(deps_for(pool), min_age_s=0, limit=10)

    # Then it ends as the human-only review too, with its event, and no workflow start
    assert started == 1
    assert [status for _, status, *_ in _analyses(pool, item)] == ["human_review"]
    assert [t for t, _ in _outbox(pool, item)] == ["analysis.human_review"]


def test_a_workflow_started_for_a_declined_analysis_calls_no_engine(pool: ConnectionPool) -> None:
    # Given (against the trigger's rules) a running analysis of a candidate who declined AI
    item = interview(ai_analysis=False)
    with pool.connection() as conn, conn.transaction():
        insert_transcripts(conn, item)
        dal.lock_trigger(conn, item.invitation_id, item.company_id)
        dal.save_completed(
            conn,
            item.invitation_id,
            item.completed.model_dump(mode="json"),
            item.completed.completed_at,
        )
        analysis_id = dal.create_analysis(
            conn,
            company_id=item.company_id,
            invitation_id=item.invitation_id,
            weights=Weights(),
        )
    assert isinstance(analysis_id, UUID)
    engine = NoModelEngine()
    deps = deps_for(pool, engine)

    # When its workflow's first step runs
    run = workflow.load(deps, analysis_id, 1, "offline", OFFLINE_MODEL)

    # Then the workflow skips: no engine is fixed for it, and no model is asked anything
    assert run["skip"] is True
    assert "answerIds" not in run
    with pool.connection() as conn:
        row = dal.run_row(conn, analysis_id)
    assert row is not None
    assert (row.engine, row.model) == (None, None)
    assert engine.calls == []
