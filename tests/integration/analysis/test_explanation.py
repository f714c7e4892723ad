"""HR's explanation of an analysis, against real PostgreSQL: what the model saw per answer is
exactly what the engine was given (rebuilt by the workflow's own code), choices are scored
without a model, unscorable media says why, the scoring rules and how they applied are there;
a human-only review says why there is no score."""

from __future__ import annotations

import json
from typing import Any

from psycopg_pool import ConnectionPool

from shared.analysis import hr
from shared.analysis.engine_offline import OFFLINE_MODEL, OfflineEngine
from shared.analysis.explanation import HUMAN_REVIEW
from shared.analysis.models import AnswerInput, AnswerOutcome, SummaryItem, SummaryOutcome
from shared.analysis.trigger import TRIGGER_CONSUMER, on_event
from shared.events.consumer import EventConsumer, PostgresDeduplicator
from tests.integration.analysis.fixtures import (
    OFF_TOPIC,
    STRONG,
    TEXT_ANSWER,
    completed_event,
    interview,
    media_events,
    run_offline,
    started_analysis,
)


class RecordingEngine:
    """The offline engine, keeping every input it was given (what a prompt would be built of)."""

    name = "offline"
    model = OFFLINE_MODEL

    def __init__(self) -> None:
        self._inner = OfflineEngine()
        self.inputs: list[AnswerInput] = []

    def assess(self, answer: AnswerInput) -> AnswerOutcome:
        self.inputs.append(answer)
        return self._inner.assess(answer)

    def summarize(self, items: list[SummaryItem]) -> SummaryOutcome:
        return self._inner.summarize(items)


def test_the_explanation_is_what_the_engine_saw_and_the_rules_that_decided(
    pool: ConnectionPool,
) -> None:
    # Given an interview with two recordings (the second failed in the media pipeline), a text
    # and a multiple-choice answer, analysed by an engine that records its inputs
    item = interview(spoken=(STRONG, OFF_TOPIC))
    failed = item.upload_ids[1]
    analysis_id = started_analysis(pool, item, failed=frozenset({failed}))
    engine = RecordingEngine()
    run_offline(pool, analysis_id, engine)

    # When HR reads the analysis
    with pool.connection() as conn:
        view = hr.get_analysis(conn, item.company_id, item.invitation_id)

    # Then each answer's model input is exactly what the engine was given
    explanation = view.explanation
    assert explanation is not None
    assert (explanation.engine, explanation.model) == ("offline", OFFLINE_MODEL)
    assert explanation.prompt_version == view.prompt_version
    given = {i.answer_id: i for i in engine.inputs}
    explained = {a.answer_id: a for a in explanation.answers}
    assert set(given) <= set(explained)
    for answer_id, seen in given.items():
        shown = explained[answer_id]
        assert shown.method == "engine"
        assert shown.model_input is not None
        assert shown.model_input.model_dump() == {
            "question": seen.question,
            "rubric": seen.rubric,
            "language": seen.language,
            "transcript": seen.transcript.text,
            "skills": [skill.name for skill in seen.skills],
        }
    transcripts = {a.model_input.transcript for a in explained.values() if a.model_input}
    assert transcripts == {STRONG, TEXT_ANSWER}
    # and the failed recording and the choice were never sent to a model, saying why
    by_kind: dict[str, list[Any]] = {}
    for a in explanation.answers:
        by_kind.setdefault(a.method, []).append(a)
    (not_scored,) = by_kind["not_scored"]
    assert "transcoding failed" in not_scored.note
    (choice,) = by_kind["exact_choice"]
    assert choice.kind == "choice"
    assert choice.model_input is None
    # and the rules are the ones that made the recommendation
    rules = explanation.rules
    assert rules is not None
    assert sum(rules.weights.values()) == 1
    assert rules.thresholds == {"hire": ">= 75", "consider": "50-74", "reject": "< 50"}
    assert rules.applied == view.reason
    assert view.recommendation is not None
    assert view.recommendation in (rules.applied or "")
    assert "never the candidate's name" in explanation.personal_data


def test_a_human_only_review_explains_why_there_is_no_score(pool: ConnectionPool) -> None:
    # Given an interview whose candidate declined AI analysis, its media processed
    item = interview(ai_analysis=False)
    consumer: EventConsumer[Any] = EventConsumer(
        TRIGGER_CONSUMER, on_event, PostgresDeduplicator.from_pool(lambda: pool)
    )
    for event in (completed_event(item), *media_events(item)):
        consumer.handle_body(
            json.dumps({"detail-type": event.event_type, "detail": event.to_detail()})
        )

    # When HR reads it
    with pool.connection() as conn:
        view = hr.get_analysis(conn, item.company_id, item.invitation_id)

    # Then the explanation says why there is no score, and shows no model input
    assert view.status == "human_review"
    assert view.explanation is not None
    assert view.explanation.no_score_reason == HUMAN_REVIEW
    assert view.explanation.answers == []
    assert view.explanation.rules is None
    assert view.overall is None
