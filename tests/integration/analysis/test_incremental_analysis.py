"""Answers analysed as they arrive (issue 16), against real PostgreSQL: each answer version is
assessed once, before the interview completes, whatever the order or repetition of events; a
retake supersedes its answer (the cost stays recorded); at completion only the summary and the
scoring remain; HR reads per-answer progress before the whole result exists."""

from __future__ import annotations

import json
import threading
import uuid
from typing import Any
from uuid import UUID

import pytest
from psycopg_pool import ConnectionPool

from shared.analysis import dal, hr, workflow
from shared.analysis.budget import budget_for
from shared.analysis.engine_offline import OFFLINE_MODEL, OfflineEngine
from shared.analysis.errors import BudgetExhausted, GroqDailyQuotaExceeded, GroqRateLimited
from shared.analysis.models import AnswerInput, AnswerOutcome, SummaryItem, SummaryOutcome, Usage
from shared.analysis.settings import ModelLimits
from shared.analysis.trigger import TRIGGER_CONSUMER, on_event
from shared.events import EventEnvelope, new_event
from shared.events.consumer import EventConsumer, PostgresDeduplicator
from shared.models.events import interviews as iv
from shared.models.events.media import MediaTranscribed
from tests.integration.analysis.conftest import deps_for
from tests.integration.analysis.fixtures import (
    Interview,
    completed_event,
    insert_transcripts,
    interview,
)


class CountingEngine:
    """The offline engine, each call counted as one model call (usage included), as Groq's
    would be; ``gate`` (when set) holds every assess call until it is released."""

    name = "offline"
    model = OFFLINE_MODEL

    def __init__(self) -> None:
        self._inner = OfflineEngine()
        self.assessed: list[UUID] = []
        self.summaries = 0
        self.gate: threading.Event | None = None
        self.entered = threading.Event()
        self._lock = threading.Lock()

    def assess(self, answer: AnswerInput) -> AnswerOutcome:
        self.entered.set()
        if self.gate is not None:
            assert self.gate.wait(10)
        with self._lock:
            self.assessed.append(answer.answer_id)
        outcome = self._inner.assess(answer)
        return outcome.model_copy(
            update={"usage": Usage(prompt_tokens=1000, completion_tokens=200, calls=1)}
        )

    def summarize(self, items: list[SummaryItem]) -> SummaryOutcome:
        self.summaries += 1
        return self._inner.summarize(items).model_copy(
            update={"usage": Usage(prompt_tokens=500, completion_tokens=100, calls=1)}
        )


def _consumer(pool: ConnectionPool) -> EventConsumer[Any]:
    return EventConsumer(TRIGGER_CONSUMER, on_event, PostgresDeduplicator.from_pool(lambda: pool))


def _deliver(pool: ConnectionPool, *events: EventEnvelope) -> None:
    consumer = _consumer(pool)
    for envelope in events:
        consumer.handle_body(
            json.dumps({"detail-type": envelope.event_type, "detail": envelope.to_detail()})
        )


def _submitted(
    item: Interview, answer: iv.CompletedAnswer, *, ai_analysis: bool = True
) -> EventEnvelope:
    question = next(q for q in item.completed.questions if q.question_id == answer.question_id)
    payload = iv.ResponseSubmitted(
        invitation_id=item.invitation_id,
        question_id=answer.question_id,
        answer_id=answer.answer_id,
        attempt=answer.attempt,
        kind=answer.kind,
        upload_id=answer.upload_id,
        question=question,
        answer=answer,
        language="en",
        scoring_weights=item.completed.scoring_weights,
        ai_analysis=ai_analysis,
    )
    return new_event(
        "response.submitted",
        payload,
        source="platform.interviews",
        correlation_id=f"test-{uuid.uuid4().hex[:8]}",
        tenant_id=item.company_id,
    )


def _transcribed(item: Interview, answer: iv.CompletedAnswer) -> EventEnvelope:
    assert answer.upload_id is not None
    payload = MediaTranscribed(
        media_id=uuid.uuid4(),
        upload_id=answer.upload_id,
        invitation_id=item.invitation_id,
        question_id=answer.question_id,
        duration_s=12.5,
        transcript_engine="groq",
        transcript_language="en",
        transcribed_at=item.completed.completed_at,
    )
    return new_event(
        "media.transcribed",
        payload,
        source="platform.media",
        correlation_id=f"test-{uuid.uuid4().hex[:8]}",
        tenant_id=item.company_id,
    )


def _with_transcripts(pool: ConnectionPool, item: Interview) -> None:
    with pool.connection() as conn, conn.transaction():
        insert_transcripts(conn, item)


def _ready_events(pool: ConnectionPool, item: Interview) -> list[UUID]:
    """answer ids of the analysis.answer_ready events in the outbox, in order."""
    with pool.connection() as conn:
        rows = conn.execute(
            "SELECT envelope->'payload'->>'answerId' FROM platform.outbox"
            " WHERE event_type = 'analysis.answer_ready'"
            " AND envelope->'payload'->>'invitationId' = %s ORDER BY created_at",
            (str(item.invitation_id),),
        ).fetchall()
    return [UUID(r[0]) for r in rows]


def _every_event(item: Interview) -> list[EventEnvelope]:
    events: list[EventEnvelope] = []
    for answer in item.completed.answers:
        events.append(_submitted(item, answer))
        if answer.upload_id is not None:
            events.append(_transcribed(item, answer))
    return events


def _analysis_id(pool: ConnectionPool, item: Interview) -> UUID:
    with pool.connection() as conn:
        row = conn.execute(
            "SELECT id FROM analysis.analyses WHERE invitation_id = %s", (item.invitation_id,)
        ).fetchone()
    assert row is not None
    return UUID(str(row[0]))


def _complete_and_run(
    pool: ConnectionPool, item: Interview, engine: CountingEngine
) -> dict[str, Any]:
    """invitation.completed through the trigger, then the interview's workflow in-process."""
    _deliver(pool, completed_event(item))
    deps = deps_for(pool, engine)
    analysis_id = _analysis_id(pool, item)
    run = workflow.load(deps, analysis_id, 1, "offline", OFFLINE_MODEL)
    if run["finished"]:
        # Every answer was assessed already: Load summarised and stored at once.
        assert run["answerIds"] == []
        return {"run": run, "stored": run["stored"]}
    for answer_id in run["answerIds"]:
        assert workflow.analyze_answer(deps, analysis_id, 1, UUID(answer_id))["status"] == "done"
    assert workflow.summarize(deps, analysis_id, 1)["status"] == "done"
    stored = workflow.store(deps, analysis_id, 1)
    return {"run": run, "stored": stored}


def test_answers_are_assessed_as_they_arrive_and_completion_only_summarises(
    pool: ConnectionPool,
) -> None:
    # Given an interview with two media answers, a text and a choice answer, transcripts stored
    item = interview()
    _with_transcripts(pool, item)
    engine = CountingEngine()
    deps = deps_for(pool, engine)
    # When every answer is submitted and every transcript announced, before completion
    _deliver(pool, *_every_event(item))
    # Then each answer is queued exactly once
    ready = _ready_events(pool, item)
    assert sorted(ready) == sorted(a.answer_id for a in item.completed.answers)
    # When the answer workflow runs for each of them
    for answer_id in ready:
        assert workflow.assess_answer(deps, answer_id)["status"] == "done"
    # Then HR sees every answer scored before the interview is completed
    with pool.connection() as conn:
        early = hr.get_analysis(conn, item.company_id, item.invitation_id)
    assert early.status == "waiting"
    assert [p.status for p in early.progress] == ["scored"] * 4
    assert [p.position for p in early.progress] == [1, 2, 3, 4]
    # The choice and the unscorable need no model: only the media and text answers were called
    assert len(engine.assessed) == 3
    # When the candidate completes and the interview's workflow runs
    outcome = _complete_and_run(pool, item, engine)
    # Then no answer goes through the Map again: Load summarises and stores at once
    assert outcome["run"]["answerIds"] == []
    assert outcome["run"]["reused"] == 4
    assert outcome["run"]["finished"] is True
    assert outcome["stored"]["status"] == "completed"
    assert len(engine.assessed) == 3
    assert engine.summaries == 1
    with pool.connection() as conn:
        view = hr.get_analysis(conn, item.company_id, item.invitation_id)
    assert view.status == "completed"
    assert view.llm_calls == 4  # three answers and the summary
    assert len(view.answers) == 4
    assert {a.kind: a.score for a in view.answers}["choice"] == 100.0
    assert all(p.status == "scored" for p in view.progress)


def test_a_media_answer_waits_for_its_transcript_whatever_comes_first(
    pool: ConnectionPool,
) -> None:
    item = interview(text=None, choice_correct=None)
    _with_transcripts(pool, item)
    first, second = item.completed.answers
    # Given the first answer submitted before its transcript, the second's transcript first
    _deliver(pool, _submitted(item, first), _transcribed(item, second))
    with pool.connection() as conn:
        view = hr.get_analysis(conn, item.company_id, item.invitation_id)
    # Then the first waits (nothing queued), and HR sees it waiting
    assert _ready_events(pool, item) == []
    assert [p.status for p in view.progress] == ["waiting"]
    # When the rest arrives, repeated and out of order
    _deliver(pool, _submitted(item, second), _transcribed(item, first), _submitted(item, second))
    # Then each is queued once: the second at its submit, the first at its transcript
    assert _ready_events(pool, item) == [second.answer_id, first.answer_id]


def test_a_retake_supersedes_its_answer_and_the_superseded_cost_is_kept(
    pool: ConnectionPool,
) -> None:
    item = interview(spoken=(), choice_correct=None)
    engine = CountingEngine()
    deps = deps_for(pool, engine)
    (current,) = item.completed.answers
    first = current.model_copy(update={"answer_id": uuid.uuid4(), "attempt": 1, "text": "short"})
    retake = current.model_copy(update={"attempt": 2})
    item.completed = item.completed.model_copy(update={"answers": [retake]})
    # Given the first attempt submitted and assessed before the retake
    _deliver(pool, _submitted(item, first))
    assert workflow.assess_answer(deps, first.answer_id)["scored"] is True
    # When the retake is submitted and assessed
    _deliver(pool, _submitted(item, retake))
    assert workflow.assess_answer(deps, retake.answer_id)["scored"] is True
    # Then the first is superseded: a late run of its workflow does nothing
    assert workflow.assess_answer(deps, first.answer_id) == {
        "status": "skipped",
        "answerId": str(first.answer_id),
        "why": "done",
    }
    with pool.connection() as conn:
        rows = {r.answer_id: r for r in dal.assessments_of(conn, item.invitation_id)}
        early = hr.get_analysis(conn, item.company_id, item.invitation_id)
    assert rows[first.answer_id].status == "superseded"
    assert rows[first.answer_id].llm_calls == 1
    assert [p.answer_id for p in early.progress] == [retake.answer_id]
    # And at completion the retake's result is used, and the first's call is in the totals
    _complete_and_run(pool, item, engine)
    with pool.connection() as conn:
        view = hr.get_analysis(conn, item.company_id, item.invitation_id)
    assert [a.answer_id for a in view.answers] == [retake.answer_id]
    assert engine.assessed == [first.answer_id, retake.answer_id]
    assert view.llm_calls == 3  # both versions and the summary
    assert view.prompt_tokens == 2500


def test_an_earlier_version_arriving_after_its_retake_is_superseded_at_once(
    pool: ConnectionPool,
) -> None:
    item = interview(spoken=(), choice_correct=None)
    (current,) = item.completed.answers
    first = current.model_copy(update={"answer_id": uuid.uuid4(), "attempt": 1, "text": "short"})
    retake = current.model_copy(update={"attempt": 2})
    # When the retake's event comes before the first attempt's
    _deliver(pool, _submitted(item, retake), _submitted(item, first))
    # Then only the retake is queued; the first is superseded, never assessed
    assert _ready_events(pool, item) == [retake.answer_id]
    with pool.connection() as conn:
        rows = {r.answer_id: r.status for r in dal.assessments_of(conn, item.invitation_id)}
    assert rows == {retake.answer_id: "queued", first.answer_id: "superseded"}


def test_each_version_is_assessed_once_when_both_workflows_race(pool: ConnectionPool) -> None:
    # Given an answer queued and its workflow calling the model (held at the call)
    item = interview(spoken=(), choice_correct=None)
    (answer,) = item.completed.answers
    engine = CountingEngine()
    engine.gate = threading.Event()
    deps = deps_for(pool, engine)
    _deliver(pool, _submitted(item, answer))
    results: list[dict[str, Any]] = []
    early = threading.Thread(
        target=lambda: results.append(workflow.assess_answer(deps, answer.answer_id))
    )
    early.start()
    assert engine.entered.wait(10)
    # When a second delivery of its workflow and the interview's workflow get there meanwhile
    assert workflow.assess_answer(deps, answer.answer_id)["why"] == "busy"
    _deliver(pool, completed_event(item))
    analysis_id = _analysis_id(pool, item)
    run = workflow.load(deps, analysis_id, 1, "offline", OFFLINE_MODEL)
    assert run["answerIds"] == [str(answer.answer_id)]
    # Then the interview's workflow waits for the result rather than calling the model
    pending = workflow.analyze_answer(deps, analysis_id, 1, answer.answer_id)
    assert pending["status"] == "pending"
    assert pending["waitS"] >= 1
    engine.gate.set()
    early.join(10)
    assert results[0]["scored"] is True
    # And takes it once it is there
    again = workflow.analyze_answer(deps, analysis_id, 1, answer.answer_id)
    assert again == {
        "status": "done",
        "answerId": str(answer.answer_id),
        "waits": 0,
        "reused": True,
    }
    assert engine.assessed == [answer.answer_id]


def test_llm_calls_never_exceed_the_cost_guard_under_repeated_events(
    pool: ConnectionPool,
) -> None:
    # Given every event delivered three times, with new event ids, and each workflow run twice
    item = interview()
    _with_transcripts(pool, item)
    engine = CountingEngine()
    deps = deps_for(pool, engine)
    for _ in range(3):
        _deliver(pool, *_every_event(item))
    for answer_id in _ready_events(pool, item) * 2:
        workflow.assess_answer(deps, answer_id)
    _complete_and_run(pool, item, engine)
    # Then the model was called at most once per answer version, plus the summary
    answers = len(item.completed.answers)
    assert len(engine.assessed) <= answers
    assert len(set(engine.assessed)) == len(engine.assessed)
    assert engine.summaries == 1


def test_a_candidate_who_declined_ai_analysis_is_never_assessed_early(
    pool: ConnectionPool,
) -> None:
    item = interview(ai_analysis=False)
    _with_transcripts(pool, item)
    events = [_submitted(item, a, ai_analysis=False) for a in item.completed.answers]
    _deliver(pool, *events)
    with pool.connection() as conn:
        assert dal.assessments_of(conn, item.invitation_id) == []
    assert _ready_events(pool, item) == []


def test_a_rate_limit_gives_the_claim_back_and_waits(pool: ConnectionPool) -> None:
    item = interview(spoken=(), choice_correct=None)
    (answer,) = item.completed.answers

    class Limited(CountingEngine):
        def assess(self, answer: AnswerInput) -> AnswerOutcome:
            raise GroqRateLimited("limited", retry_after_s=3)

    deps = deps_for(pool, Limited())
    _deliver(pool, _submitted(item, answer))
    waited = workflow.assess_answer(deps, answer.answer_id)
    assert waited["status"] == "rate_limited"
    assert waited["waitS"] >= 3
    with pool.connection() as conn:
        row = dal.assessment(conn, answer.answer_id)
    assert row is not None
    assert row.status == "queued"
    # The next try (the answer workflow after its Wait) claims it again and scores it
    assert workflow.assess_answer(deps_for(pool, CountingEngine()), answer.answer_id)["scored"]


def test_the_shared_budget_queues_calls_beyond_its_minute(pool: ConnectionPool) -> None:
    # Given a budget of 3 requests and 10,000 tokens a minute for the model
    deps = deps_for(pool)
    model = f"m-{uuid.uuid4()}"  # a window of its own: a rerun within the minute sees none
    take = budget_for(deps.transaction, model, {model: ModelLimits(rpm=3, tpm=10_000)})
    assert take is not None
    assert budget_for(deps.transaction, "other", {model: ModelLimits(rpm=3, tpm=10_000)}) is None
    # When 8 calls of 1,000 tokens try to take it at once (8 threads, one per interview)
    outcomes: list[float | None] = []
    lock = threading.Lock()

    def call() -> None:
        try:
            take(1000)
            result = None
        except BudgetExhausted as exc:
            result = exc.retry_after_s
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=call) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    # Then exactly 3 go (a minute turning meanwhile changes nothing: the window rolls); the
    # others are told to wait until the oldest call leaves the window (at most 61 s)
    admitted = [o for o in outcomes if o is None]
    waits = [o for o in outcomes if o is not None]
    assert len(outcomes) == 8
    assert len(admitted) == 3
    assert all(0 < w <= 61 for w in waits)
    # And tokens count too: a call that does not fit the minute's tokens waits
    t_model = f"t-{uuid.uuid4()}"
    tokens = budget_for(deps.transaction, t_model, {t_model: ModelLimits(rpm=100, tpm=1500)})
    assert tokens is not None
    tokens(1000)
    try:
        tokens(1000)
        raised = False
    except BudgetExhausted:
        raised = True
    assert raised


def test_the_shared_budget_counts_the_last_60_seconds_not_the_calendar_minute(
    pool: ConnectionPool,
) -> None:
    # Given a budget of 3 requests a minute, all taken 30 s ago (in the previous calendar
    # minute half the time: a budget per minute would start afresh)
    deps = deps_for(pool)
    model = f"rolling-{uuid.uuid4()}"
    take = budget_for(deps.transaction, model, {model: ModelLimits(rpm=3, tpm=1_000_000)})
    assert take is not None
    with pool.connection() as conn:
        conn.execute(
            "INSERT INTO analysis.llm_budget (model, window_start, requests, tokens)"
            " VALUES (%s, date_trunc('second', clock_timestamp() - interval '30 seconds'), 3, 30)",
            (model,),
        )
    # When a call tries now, Then it waits until those leave Groq's 60 s window (about 31 s)
    with pytest.raises(BudgetExhausted) as full:
        take(10)
    assert full.value.retry_after_s is not None
    assert 29 <= full.value.retry_after_s <= 32
    # And once they have left it (moved 62 s back), the call goes
    with pool.connection() as conn:
        conn.execute(
            "UPDATE analysis.llm_budget SET window_start = window_start - interval '32 seconds'"
            " WHERE model = %s",
            (model,),
        )
    take(10)


def test_a_step_that_meets_the_full_budget_waits_many_times_before_giving_up(
    pool: ConnectionPool,
) -> None:
    item = interview(spoken=(), choice_correct=None)
    (answer,) = item.completed.answers

    class Queued(CountingEngine):
        def assess(self, answer: AnswerInput) -> AnswerOutcome:
            raise BudgetExhausted("full", retry_after_s=20)

    deps = deps_for(pool, Queued())
    _deliver(pool, _submitted(item, answer))
    # Past Groq's own limit of waits (2 in these tests), a budget wait is still a wait
    waited = workflow.assess_answer(deps, answer.answer_id, waits=5)
    assert waited["status"] == "rate_limited"
    assert waited["waits"] == 6
    assert waited["waitS"] >= 20


def test_a_rate_limited_summary_in_load_is_left_to_the_summarize_step(
    pool: ConnectionPool,
) -> None:
    # Given every answer assessed as it arrived
    item = interview(spoken=(), choice_correct=None)
    (answer,) = item.completed.answers

    class SummaryLimited(CountingEngine):
        def summarize(self, items: list[SummaryItem]) -> SummaryOutcome:
            raise GroqRateLimited("limited", retry_after_s=2)

    engine = SummaryLimited()
    deps = deps_for(pool, engine)
    _deliver(pool, _submitted(item, answer))
    assert workflow.assess_answer(deps, answer.answer_id)["scored"] is True
    _deliver(pool, completed_event(item))
    # When Load meets a rate limit on the summary
    run = workflow.load(deps, _analysis_id(pool, item), 1, "offline", OFFLINE_MODEL)
    # Then it is not finished: the workflow goes on to its Summarize step (which waits)
    assert run["finished"] is False
    assert run["answerIds"] == []
    waited = workflow.summarize(deps, _analysis_id(pool, item), 1)
    assert waited["status"] == "rate_limited"


def test_the_one_answer_left_at_completion_is_assessed_in_load_and_the_result_stored(
    pool: ConnectionPool,
) -> None:
    # Given an interview whose one answer was not assessed before completion (the last answer,
    # submitted just before `complete`)
    item = interview(spoken=(), choice_correct=None)
    (answer,) = item.completed.answers
    engine = CountingEngine()
    deps = deps_for(pool, engine)
    _deliver(pool, completed_event(item))
    # When the workflow's Load runs
    run = workflow.load(deps, _analysis_id(pool, item), 1, "offline", OFFLINE_MODEL)
    # Then Load assessed it itself, summarised and stored: nothing for the Map
    assert run["inline"] == 1
    assert run["answerIds"] == []
    assert run["finished"] is True
    assert run["stored"]["status"] == "completed"
    assert engine.assessed == [answer.answer_id]
    assert engine.summaries == 1
    with pool.connection() as conn:
        view = hr.get_analysis(conn, item.company_id, item.invitation_id)
    assert view.status == "completed"
    assert view.llm_calls == 2
    assert [p.status for p in view.progress] == ["scored"]


def test_a_rate_limited_last_answer_in_load_is_left_to_the_map(pool: ConnectionPool) -> None:
    # Given one answer left at completion, and Groq limiting the first call
    item = interview(spoken=(), choice_correct=None)
    (answer,) = item.completed.answers

    class LimitedOnce(CountingEngine):
        limited = False

        def assess(self, answer: AnswerInput) -> AnswerOutcome:
            if not self.limited:
                self.limited = True
                raise GroqRateLimited("limited", retry_after_s=2)
            return super().assess(answer)

    engine = LimitedOnce()
    deps = deps_for(pool, engine)
    _deliver(pool, completed_event(item))
    analysis_id = _analysis_id(pool, item)
    # When Load tries it and meets the limit
    run = workflow.load(deps, analysis_id, 1, "offline", OFFLINE_MODEL)
    # Then the answer goes to the Map (whose step waits and retries), nothing is stored yet
    assert "inline" not in run
    assert run["answerIds"] == [str(answer.answer_id)]
    assert run["finished"] is False
    # And the Map's step then assesses it once, and the workflow ends as usual
    assert workflow.analyze_answer(deps, analysis_id, 1, answer.answer_id)["status"] == "done"
    assert workflow.summarize(deps, analysis_id, 1)["status"] == "done"
    assert workflow.store(deps, analysis_id, 1)["status"] == "completed"
    assert engine.assessed == [answer.answer_id]


def test_a_daily_quota_in_load_fails_the_step_after_one_call(pool: ConnectionPool) -> None:
    # Given one answer left at completion, and Groq's quota for the day used up
    item = interview(spoken=(), choice_correct=None)

    class NoQuota(CountingEngine):
        calls = 0

        def assess(self, answer: AnswerInput) -> AnswerOutcome:
            self.calls += 1
            raise GroqDailyQuotaExceeded("the day's quota is used up")

    engine = NoQuota()
    deps = deps_for(pool, engine)
    _deliver(pool, completed_event(item))
    # When Load tries it
    with pytest.raises(GroqDailyQuotaExceeded):
        workflow.load(deps, _analysis_id(pool, item), 1, "offline", OFFLINE_MODEL)
    # Then the step fails as the Map's would (never retried: MarkFailed with the reason), after
    # one call, not a second one through the Map
    assert engine.calls == 1
    assert engine.summaries == 0
