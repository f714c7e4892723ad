"""The analysis workflow's steps (one Lambda each): load -> analyze every answer (Map) ->
summarise -> score -> store and publish; mark failed on any caught error.

Steps pass ids, not documents: each reads what it needs and writes its own result, guarded by
the analysis's current attempt, so a stale or duplicate execution cannot overwrite a newer one.
No database connection is held while a model is being called.
"""

from __future__ import annotations

import json
import math
import random
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol
from uuid import UUID

from shared.analysis import dal, incremental, inputs, scoring
from shared.analysis.engine_offline import OFFLINE_MODEL
from shared.analysis.errors import (
    AnalysisNotRunning,
    AnalysisStepError,
    BudgetExhausted,
    GroqDailyQuotaExceeded,
    GroqRateLimited,
    GroqRequestRejected,
)
from shared.analysis.models import (
    AnswerInput,
    AnswerOutcome,
    CriterionResult,
    ScoredAnswer,
    SummaryItem,
    SummaryOutcome,
    Usage,
    Verdict,
    Weights,
)
from shared.analysis.settings import AnalysisSettings
from shared.analysis.transcripts import TranscriptSource
from shared.dal.sql import Conn
from shared.events.factory import new_event
from shared.events.outbox import enqueue
from shared.models.events.analysis import AnalysisCompleted, AnalysisFailed
from shared.models.events.interviews import CompletedAnswer, CompletedQuestion, InvitationCompleted
from shared.observability import logger

SOURCE = "platform.analysis"
# How long the Map's step looks for a result the answer workflow is computing before it waits
# in the state machine instead (polling every 50 ms, no connection held).
PENDING_POLL_S = 3.0
# Load assesses a last remaining answer itself and then summarises: only when that assessment
# took less than this (its re-asks and a slow Groq could otherwise take the summary's calls past
# the step's timeout); else the workflow's Summarize step does it.
INLINE_SUMMARY_WITHIN_S = 30.0
Connect = Callable[[], AbstractContextManager[Conn]]


class Engine(Protocol):
    name: str
    model: str

    def assess(self, answer: AnswerInput) -> AnswerOutcome: ...

    def summarize(self, items: list[SummaryItem]) -> SummaryOutcome: ...


@dataclass(frozen=True, slots=True)
class Deps:
    """What the steps need: a transaction factory (publishing its events after commit),
    the engine by name, the transcripts, the settings, and a source of jitter."""

    transaction: Connect
    engine_for: Callable[[str], Engine]
    transcripts: TranscriptSource
    settings: AnalysisSettings
    rng: random.Random
    # (engine, model) for work that starts now: Groq when a key is configured, else offline.
    available_engine: Callable[[], tuple[str, str]] = lambda: ("offline", OFFLINE_MODEL)


def _running(conn: Conn, analysis_id: UUID, attempt: int, *, lock: bool = False) -> dal.RunRow:
    row = dal.run_row(conn, analysis_id, lock=lock)
    if row is None or row.attempt != attempt or row.status != "running":
        raise AnalysisNotRunning(f"analysis {analysis_id} attempt {attempt} is not running")
    return row


# ---- load ---------------------------------------------------------------------------------


def load(
    deps: Deps,
    analysis_id: UUID,
    attempt: int,
    engine: str,
    model: str,
    *,
    execution_arn: str | None = None,
) -> dict[str, Any]:
    """Fix the engine for this attempt, claim it for the execution running it (the sweep
    watches that execution; a duplicate start's execution finds the claim taken) and list the
    answers for the Map state."""
    skip = {"analysisId": str(analysis_id), "attempt": attempt, "skip": True, "finished": False}
    with deps.transaction() as conn:
        row = dal.run_row(conn, analysis_id, lock=True)
        if row is None or row.attempt != attempt or row.status != "running":
            # A stale start (or a human-only review, never running): nothing to do.
            return skip
        completed = InvitationCompleted.model_validate(row.completed)
        if not completed.ai_analysis:
            # The trigger never starts a workflow for these; should one start all the same,
            # the candidate's choice still holds: no engine is fixed, no model is called.
            logger.warning("workflow for a declined AI analysis skipped", extra=skip)
            return skip
        claimed = dal.set_engine(
            conn,
            analysis_id,
            attempt,
            engine=engine,
            model=model,
            prompt_version=deps.settings.prompt_version,
            execution_arn=execution_arn,
        )
        if not claimed:
            logger.info(
                "duplicate start skipped",
                extra={"analysis_id": str(analysis_id), "execution": execution_arn},
            )
            return skip
        # Answers assessed as they arrived (same engine and prompts) are this attempt's results
        # already: only the others go through the Map.
        reused = _reuse_assessed(
            conn, analysis_id, attempt, completed, Weights(**row.weights), engine,
            deps.settings.prompt_version,
        )  # fmt: skip
    remaining = [str(a.answer_id) for a in completed.answers if a.answer_id not in reused]
    run: dict[str, Any] = {
        "analysisId": str(analysis_id),
        "attempt": attempt,
        "engine": engine,
        "skip": False,
        "finished": False,
        "maxConcurrency": deps.settings.max_concurrency,
        "answerIds": remaining,
        "reused": len(reused),
    }
    started = time.monotonic()
    if len(remaining) == 1 and _assessed_inline(deps, analysis_id, attempt, UUID(remaining[0])):
        # The usual last answer (uploaded just before `complete`): assessed here, not through
        # the Map's three hops; it is this attempt's result like any the Map stores.
        remaining, run["answerIds"], run["inline"] = [], [], 1
    if not remaining and time.monotonic() - started < INLINE_SUMMARY_WITHIN_S:
        run["stored"] = _finish_at_once(deps, analysis_id, attempt)
        run["finished"] = run["stored"] is not None
    return run


def _assessed_inline(deps: Deps, analysis_id: UUID, attempt: int, answer_id: UUID) -> bool:
    """The one answer left, assessed in the Load step. Anything but a stored result (a rate
    limit, the answer workflow busy with it, a passing error of Groq's) leaves it to the Map,
    whose step retries and waits as the state machine says: False. What the Map would not retry
    either (the attempt superseded, the day's quota gone, a request Groq refuses) fails the
    step here, as it would there: one call, not a second one to the same refusal."""
    try:
        done = analyze_answer(deps, analysis_id, attempt, answer_id)
    except (AnalysisNotRunning, GroqDailyQuotaExceeded, GroqRequestRejected):
        raise
    except AnalysisStepError as exc:
        logger.info("the last answer is left to the Map", extra={"error": type(exc).__name__})
        return False
    return bool(done["status"] == "done")


def _finish_at_once(deps: Deps, analysis_id: UUID, attempt: int) -> dict[str, Any] | None:
    """Every answer was assessed as it arrived: what remains (the summary, the scoring) is done
    here, in the same step, three workflow hops less. Should the summary meet a rate limit or
    an error of Groq's, None: the workflow's own Summarize step does it, with its waits and
    retries."""
    try:
        summarized = summarize(deps, analysis_id, attempt)
    except AnalysisStepError as exc:
        logger.info("the summary is left to its step", extra={"error": type(exc).__name__})
        return None
    if summarized["status"] != "done":
        return None
    return store(deps, analysis_id, attempt)


def _reusable(
    early: dal.AssessmentRow | None, engine: str | None, prompt_version: str | None
) -> bool:
    return (
        early is not None
        and early.status == "scored"
        and early.outcome is not None
        and early.engine == engine
        and early.prompt_version == prompt_version
    )


def _reuse_assessed(  # noqa: PLR0917 - the attempt and its engine
    conn: Conn,
    analysis_id: UUID,
    attempt: int,
    completed: InvitationCompleted,
    weights: Weights,
    engine: str,
    prompt_version: str,
) -> set[UUID]:
    early = {r.answer_id: r for r in dal.assessments_of(conn, completed.invitation_id)}
    reused: set[UUID] = set()
    for answer in completed.answers:
        row = early.get(answer.answer_id)
        if row is None or not _reusable(row, engine, prompt_version):
            continue
        _, question = _find(completed, answer.answer_id)
        outcome, score = incremental.stored_outcome(row, weights)
        _store_result(conn, analysis_id, attempt, answer, question, outcome, score)
        reused.add(answer.answer_id)
    return reused


def _store_result(  # noqa: PLR0917 - one result's columns
    conn: Conn,
    analysis_id: UUID,
    attempt: int,
    answer: CompletedAnswer,
    question: CompletedQuestion,
    outcome: AnswerOutcome,
    score: float | None,
) -> None:
    dal.upsert_answer_result(
        conn,
        analysis_id=analysis_id,
        attempt=attempt,
        answer_id=answer.answer_id,
        question_id=question.question_id,
        position=question.position,
        kind=answer.kind,
        outcome=outcome,
        score=score,
    )


# ---- one answer ---------------------------------------------------------------------------


def rate_limit_wait_s(retry_after_s: float, waits: int, rng: random.Random) -> int:
    """Never sooner than retry-after; plus full jitter on an exponential backoff (1, 2, 4, 8 s
    cap), so the Map's parallel branches do not come back all at once."""
    backoff = min(8, 2**waits)
    return max(1, math.ceil(retry_after_s)) + rng.randint(0, backoff)


def _rate_limited(exc: GroqRateLimited, waits: int, deps: Deps) -> dict[str, Any] | None:
    # The shared budget's waits are a queue (the call was never sent), Groq's own 429s a
    # warning: many more of the first are waited out than of the second.
    limit = (
        deps.settings.max_budget_waits
        if isinstance(exc, BudgetExhausted)
        else deps.settings.max_rate_limit_waits
    )
    if exc.retry_after_s is None or waits >= limit:
        return None  # the workflow's Retry (backoff with full jitter) takes it from here
    return {
        "status": "rate_limited",
        "waitS": rate_limit_wait_s(exc.retry_after_s, waits, deps.rng),
        "waits": waits + 1,
    }


def _find(
    completed: InvitationCompleted, answer_id: UUID
) -> tuple[CompletedAnswer, CompletedQuestion]:
    answer = next((a for a in completed.answers if a.answer_id == answer_id), None)
    if answer is None:
        raise AnalysisNotRunning(f"answer {answer_id} is not part of this analysis")
    question = next(q for q in completed.questions if q.question_id == answer.question_id)
    return answer, question


def analyze_answer(
    deps: Deps, analysis_id: UUID, attempt: int, answer_id: UUID, waits: int = 0
) -> dict[str, Any]:
    """One answer of the attempt: its early assessment when one was scored meanwhile (no call),
    a wait while the answer workflow is calling the model for it, else the call (claimed, so
    the answer workflow will not make it too)."""
    with deps.transaction() as conn:
        row = _running(conn, analysis_id, attempt)
        completed = InvitationCompleted.model_validate(row.completed)
        answer, question = _find(completed, answer_id)
        weights = Weights(**row.weights)
        claim, early = incremental.claim(conn, answer_id)
        if claim == "done" and _reusable(early, row.engine, row.prompt_version):
            assert early is not None
            outcome, score = incremental.stored_outcome(early, weights)
            _store_result(conn, analysis_id, attempt, answer, question, outcome, score)
            return {"status": "done", "answerId": str(answer_id), "waits": waits, "reused": True}
        claimed = claim == "claimed"
        if claim != "busy":
            outcome, score, subject = inputs.prepare(
                conn, deps.transcripts, answer, question, completed.invitation_id,
                completed.language, completed.required_skills,
            )  # fmt: skip
    if claim == "busy":
        # The answer workflow is calling the model for this very version: its result usually
        # comes within a call's time, so look for it a few seconds first, then leave it to the
        # workflow's Wait (the claim lapses after incremental.LEASE_S; this step then takes it).
        early = incremental.await_scored(deps.transaction, answer_id, PENDING_POLL_S)
        if not _reusable(early, row.engine, row.prompt_version):
            return {"status": "pending", "waitS": 1, "waits": waits, "answerId": str(answer_id)}
        assert early is not None
        with deps.transaction() as conn:
            _running(conn, analysis_id, attempt)
            outcome, score = incremental.stored_outcome(early, weights)
            _store_result(conn, analysis_id, attempt, answer, question, outcome, score)
        return {"status": "done", "answerId": str(answer_id), "waits": waits, "reused": True}
    if subject is not None:
        called = _assess(deps, row.engine or "offline", subject, waits, claimed=claimed)
        if isinstance(called, dict):
            return called
        outcome, score = called, incremental.score_of(called, weights)
    with deps.transaction() as conn:
        _running(conn, analysis_id, attempt)
        if claimed:
            dal.store_assessment(
                conn, answer_id, engine=row.engine or "offline", model=row.model or "unknown",
                prompt_version=row.prompt_version or deps.settings.prompt_version,
                outcome=outcome, score=score,
            )  # fmt: skip
        _store_result(conn, analysis_id, attempt, answer, question, outcome, score)
    return {"status": "done", "answerId": str(answer_id), "waits": waits}


def _assess(
    deps: Deps, engine: str, subject: AnswerInput, waits: int, *, claimed: bool
) -> AnswerOutcome | dict[str, Any]:
    """The model's outcome for one answer, or the wait a rate limit asks for; a claimed
    version's claim goes back when the call does not succeed (the next one may take it)."""
    answer_id = subject.answer_id
    try:
        return deps.engine_for(engine).assess(subject)
    except GroqRateLimited as exc:
        if claimed:
            with deps.transaction() as conn:
                incremental.rate_limited_release(conn, answer_id, exc)
        wait = _rate_limited(exc, waits, deps)
        if wait is None:
            raise
        return {**wait, "answerId": str(answer_id)}
    except Exception:
        if claimed:
            with deps.transaction() as conn:
                dal.release_assessment(conn, answer_id)
        raise


def assess_answer(deps: Deps, answer_id: UUID, waits: int = 0) -> dict[str, Any]:
    """The answer workflow's step: assess one final answer version before the interview
    completes, once (a version someone else claimed, scored or superseded is skipped)."""
    with deps.transaction() as conn:
        claim, early = incremental.claim(conn, answer_id)
        if claim != "claimed":
            return {"status": "skipped", "answerId": str(answer_id), "why": claim}
        assert early is not None
        subject = incremental.Subject.of(early)
        outcome, score, model_input = inputs.prepare(
            conn, deps.transcripts, subject.answer, subject.question, early.invitation_id,
            subject.language, subject.skills,
        )  # fmt: skip
    engine, model = deps.available_engine()
    if model_input is not None:
        called = _assess(deps, engine, model_input, waits, claimed=True)
        if isinstance(called, dict):
            return called
        outcome, score = called, incremental.score_of(called, subject.weights)
    with deps.transaction() as conn:
        scored = dal.store_assessment(
            conn, answer_id, engine=engine, model=model,
            prompt_version=deps.settings.prompt_version, outcome=outcome, score=score,
        )  # fmt: skip
    logger.info("answer assessed early", extra={"answer_id": str(answer_id), "scored": scored})
    return {"status": "done", "answerId": str(answer_id), "waits": waits, "scored": scored}


def release_answer(deps: Deps, answer_id: UUID) -> dict[str, Any]:
    """The answer workflow gave up (its Catch): the claim goes back, so the interview's
    workflow assesses the answer at completion instead."""
    with deps.transaction() as conn:
        dal.release_assessment(conn, answer_id)
    return {"status": "released", "answerId": str(answer_id)}


# ---- summary ------------------------------------------------------------------------------


def summary_items(
    completed: InvitationCompleted, results: list[dal.ResultRow]
) -> list[SummaryItem]:
    questions = {q.question_id: q for q in completed.questions}
    items = []
    for r in results:
        criteria = (
            {c: CriterionResult.model_validate(v) for c, v in r.criteria.items()}
            if r.criteria
            else None
        )
        items.append(
            SummaryItem(
                position=r.position,
                question=questions[r.question_id].text,
                kind=r.kind,
                score=float(r.score) if r.score is not None else None,
                criteria=criteria,
                unscorable_reason=r.unscorable_reason,
                flagged=r.flagged,
            )
        )
    return items


def summarize(deps: Deps, analysis_id: UUID, attempt: int, waits: int = 0) -> dict[str, Any]:
    with deps.transaction() as conn:
        row = _running(conn, analysis_id, attempt)
        items = summary_items(
            InvitationCompleted.model_validate(row.completed),
            dal.answer_results(conn, analysis_id, attempt),
        )
    try:
        summary = deps.engine_for(row.engine or "offline").summarize(items)
    except GroqRateLimited as exc:
        wait = _rate_limited(exc, waits, deps)
        if wait is None:
            raise
        return wait
    with deps.transaction() as conn:
        _running(conn, analysis_id, attempt)
        dal.store_summary(conn, analysis_id, attempt, summary)
    return {"status": "done", "waits": waits, "usage": summary.usage.model_dump()}


# ---- score, store and publish ----------------------------------------------------------------


def score(deps: Deps, analysis_id: UUID, attempt: int) -> dict[str, Any]:
    """Our code decides: overall score and recommendation (see shared.analysis.scoring)."""
    with deps.transaction() as conn:
        row = _running(conn, analysis_id, attempt)
        results = {r.answer_id: r for r in dal.answer_results(conn, analysis_id, attempt)}
    completed = InvitationCompleted.model_validate(row.completed)
    return verdict_for(completed, results, row).model_dump(mode="json")


def verdict_for(
    completed: InvitationCompleted, results: dict[UUID, dal.ResultRow], row: dal.RunRow
) -> Verdict:
    answered = {a.question_id: a for a in completed.answers}
    scored: list[ScoredAnswer] = []
    for question in sorted(completed.questions, key=lambda q: q.position):
        answer = answered.get(question.question_id)
        if answer is None:
            if question.required:
                scored.append(
                    ScoredAnswer(question_id=question.question_id, answer_id=None, score=0)
                )
            continue
        result = results.get(answer.answer_id)
        value = _as_float(result.score) if result is not None and not result.unscorable else None
        scored.append(
            ScoredAnswer(question_id=question.question_id, answer_id=answer.answer_id, score=value)
        )
    return scoring.verdict(
        scored,
        red_flags=row.red_flags,
        llm_verdict=row.llm_verdict,  # type: ignore[arg-type]
    )


def _as_float(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None


def store(deps: Deps, analysis_id: UUID, attempt: int) -> dict[str, Any]:
    """Score (our rules, see :func:`verdict_for`), then completed with totals and
    analysis.completed, all in one transaction (one workflow step: a Lambda hop less)."""
    with deps.transaction() as conn:
        row = _running(conn, analysis_id, attempt, lock=True)
        results = dal.answer_results(conn, analysis_id, attempt)
        verdict = verdict_for(
            InvitationCompleted.model_validate(row.completed),
            {r.answer_id: r for r in results},
            row,
        )
        # The summary, every answer's call, and what superseded answer versions cost.
        superseded = dal.superseded_usage(conn, row.invitation_id)
        usage = Usage(
            prompt_tokens=row.prompt_tokens
            + sum(r.prompt_tokens for r in results)
            + superseded.prompt_tokens,
            completion_tokens=row.completion_tokens
            + sum(r.completion_tokens for r in results)
            + superseded.completion_tokens,
            calls=row.llm_calls + sum(r.llm_calls for r in results) + superseded.calls,
        )
        cost = deps.settings.cost_usd(usage) if row.engine == "groq" else 0.0
        dal.set_answer_scores(conn, analysis_id, attempt, verdict)
        latency_ms = dal.complete(
            conn, analysis_id, attempt, verdict=verdict, usage=usage, cost_usd=cost
        )
        unscorable = sum(1 for a in verdict.answers if a.answer_id is not None and a.score is None)
        enqueue(
            conn,
            new_event(
                "analysis.completed",
                AnalysisCompleted(
                    analysis_id=analysis_id,
                    invitation_id=row.invitation_id,
                    attempt=attempt,
                    engine=row.engine or "offline",
                    model=row.model or "unknown",
                    overall=verdict.overall,
                    recommendation=verdict.recommendation,
                    answers_scored=sum(1 for a in verdict.answers if a.score is not None),
                    answers_unscorable=unscorable,
                ),
                source=SOURCE,
                correlation_id=f"analysis-{analysis_id}",
                tenant_id=row.company_id,
            ),
        )
    logger.info("analysis completed", extra={"analysis_id": str(analysis_id)})
    return {
        "status": "completed",
        "overall": verdict.overall,
        "recommendation": verdict.recommendation,
        "basis": verdict.basis,
        "engine": row.engine or "offline",
        "latencyMs": latency_ms,
        "promptTokens": usage.prompt_tokens,
        "completionTokens": usage.completion_tokens,
        "costUsd": cost,
        "answers": len(results),
    }


# ---- failure ------------------------------------------------------------------------------


# What HR reads when an attempt fails: a fixed text per error name. The Lambda's errorMessage
# and stack trace (which can hold SQL, hosts, paths or the provider's words) go to the logs only.
FAILURE_TEXTS: dict[str, str] = {
    "GroqDailyQuotaExceeded": "the daily request quota is used up",
    "GroqRateLimited": "the AI provider kept rate limiting the analysis",
    "GroqServerError": "the AI provider kept failing",
    "GroqTimeout": "the AI provider did not answer in time",
    "GroqRequestRejected": "the AI provider refused the request",
    "MalformedCompletion": "the AI provider's reply could not be read",
    "DependencyUnavailable": "a platform dependency was unavailable",
    "AnalysisNotRunning": "the attempt was superseded",
    "States.Timeout": "the analysis took too long and was stopped",
    "States.TaskFailed": "a step of the analysis failed",
}
UNEXPECTED = "Internal"


def failure_reason(error: str, cause: str | None) -> str:
    """The reason HR reads for the state machine's caught error: its code and a fixed text,
    never the error's own message (that is logged here, with the cause)."""
    detail = cause or ""
    try:
        parsed = json.loads(detail)
    except (TypeError, ValueError):
        parsed = None
    if isinstance(parsed, dict) and isinstance(parsed.get("errorMessage"), str):
        detail = parsed["errorMessage"]
    cause_text = " ".join(detail.split())[:4000]
    logger.warning("analysis step failed", extra={"error": error[:200], "cause": cause_text})
    if error in FAILURE_TEXTS:
        return f"{error}: {FAILURE_TEXTS[error]}"
    return f"{UNEXPECTED}: the analysis failed unexpectedly"


def mark_failed(deps: Deps, analysis_id: UUID, attempt: int, reason: str) -> dict[str, Any]:
    with deps.transaction() as conn:
        row = dal.run_row(conn, analysis_id, lock=True)
        if row is None or not dal.fail(conn, analysis_id, attempt, reason):
            return {"status": "unchanged"}
        enqueue(
            conn,
            new_event(
                "analysis.failed",
                AnalysisFailed(
                    analysis_id=analysis_id,
                    invitation_id=row.invitation_id,
                    attempt=attempt,
                    reason=reason[:2000],
                ),
                source=SOURCE,
                correlation_id=f"analysis-{analysis_id}",
                tenant_id=row.company_id,
            ),
        )
    logger.warning("analysis failed", extra={"analysis_id": str(analysis_id), "reason": reason})
    return {"status": "failed", "reason": reason}
