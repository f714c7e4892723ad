"""Answers analysed as they arrive (issue 16): each answer is assessed as soon as it is final,
before the interview completes, so at ``complete`` only the summary and the scoring remain.

- An answer is *final* when ``response.submitted`` says so for a text or choice answer, or, for a
  media answer, once its transcript is stored (``media.transcribed``; ``media.processed`` and a
  ``media.failed`` that kept the transcript count too, whichever comes first). The trigger
  consumer records the answer version (``analysis.answer_assessments``, one row per answer id:
  a retake is a new answer and supersedes the earlier one) and, once final, queues it:
  ``analysis.answer_ready`` in the same transaction starts the answer workflow
  (``statemachines/answer_analysis.asl.json``).
- *Exactly once per answer version*: whoever moves the row to ``analysing`` (the answer workflow,
  or the interview's workflow if it gets there first) calls the model; the other waits for the
  result (the claim is a lease, so a crashed claimant's answer is taken over when it lapses).
- A retake supersedes that answer's result; the superseded call's usage stays on its row and is
  counted in the analysis's totals.
- Only a candidate who consented to AI analysis is assessed early (``response.submitted``
  carries the consent); the others never reach a model (see ``trigger``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, Literal
from uuid import UUID

from shared.analysis import dal, scoring
from shared.analysis.errors import GroqRateLimited
from shared.analysis.models import AnswerOutcome, Weights
from shared.dal.sql import Conn
from shared.events.envelope import EventEnvelope
from shared.events.factory import new_event
from shared.events.outbox import enqueue
from shared.models.events.analysis import AnalysisAnswerReady
from shared.models.events.interviews import (
    CompletedAnswer,
    CompletedQuestion,
    RequiredSkill,
    ResponseSubmitted,
    ScoringWeights,
)
from shared.observability import logger

SOURCE = "platform.analysis"
# A claim lasts a step's timeout (130 s in the workflows) and some: a claimant that died is
# taken over once it lapses, never while it may still be calling the model.
LEASE_S = 150.0
POLL_S = 0.05


@dataclass(frozen=True, slots=True)
class Subject:
    """An answer version as the analysis reads it (what response.submitted carried)."""

    question: CompletedQuestion
    answer: CompletedAnswer
    language: str | None
    weights: Weights
    skills: list[RequiredSkill]

    @classmethod
    def of(cls, row: dal.AssessmentRow) -> Subject:
        return cls(
            question=CompletedQuestion.model_validate(row.subject["question"]),
            answer=CompletedAnswer.model_validate(row.subject["answer"]),
            language=row.subject.get("language"),
            weights=Weights(**(row.subject.get("weights") or {})),
            skills=[RequiredSkill.model_validate(s) for s in row.subject.get("skills") or []],
        )


# ---- the trigger's side: record, supersede, queue -----------------------------------------


def on_submitted(conn: Conn, envelope: EventEnvelope, company_id: UUID) -> None:
    """response.submitted: the answer version is recorded, earlier versions of the question's
    answer superseded, and the answer queued when it is final already (text, choice, or media
    whose transcript came first)."""
    submitted = ResponseSubmitted.model_validate(envelope.payload)
    if submitted.ai_analysis is not True or submitted.question is None or submitted.answer is None:
        return  # declined AI analysis, or an event from before answers carried their subject
    row = dal.lock_trigger(conn, submitted.invitation_id, company_id)
    if row.company_id != company_id:
        logger.warning("response.submitted of another tenant ignored")
        return
    if row.started_at is not None:
        return  # the interview's analysis runs on its own snapshot
    subject = {
        "question": submitted.question.model_dump(mode="json"),
        "answer": submitted.answer.model_dump(mode="json"),
        "language": submitted.language,
        "weights": (submitted.scoring_weights or ScoringWeights()).model_dump(mode="json"),
        "skills": [s.model_dump(mode="json") for s in submitted.required_skills],
    }
    dal.add_assessment(
        conn,
        submitted.answer_id,
        company_id,
        submitted.invitation_id,
        submitted.question_id,
        submitted.attempt,
        submitted.kind,
        submitted.upload_id,
        subject,
    )
    superseded = dal.supersede_earlier(conn, submitted.invitation_id, submitted.question_id)
    if superseded:
        logger.info("a retake superseded an answer", extra={"answer_id": str(submitted.answer_id)})
    final = submitted.kind != "media" or (
        submitted.upload_id is not None
        and submitted.upload_id in dal.media_outcomes(conn, submitted.invitation_id)
    )
    if final:
        queue(conn, [submitted.answer_id], envelope)


def on_media(conn: Conn, upload_id: UUID, envelope: EventEnvelope) -> None:
    """The upload's transcript is stored (or the media ended without one): its answer is final."""
    queue(conn, dal.waiting_for_upload(conn, upload_id), envelope)


def queue(conn: Conn, answer_ids: list[UUID], envelope: EventEnvelope) -> None:
    for row in dal.queue_assessments(conn, answer_ids):
        enqueue(
            conn,
            new_event(
                "analysis.answer_ready",
                AnalysisAnswerReady(
                    answer_id=row.answer_id,
                    invitation_id=row.invitation_id,
                    question_id=row.question_id,
                ),
                source=SOURCE,
                correlation_id=envelope.correlation_id,
                tenant_id=row.company_id,
                causation_id=envelope.event_id,
            ),
        )


# ---- assessing one version, once -----------------------------------------------------------

Claim = Literal["claimed", "done", "busy", "missing"]


def claim(conn: Conn, answer_id: UUID) -> tuple[Claim, dal.AssessmentRow | None]:
    """claimed: the caller calls the model; done: scored or superseded already; busy: another
    claimant holds it; missing: no such version was recorded (the caller does it alone)."""
    row = dal.assessment(conn, answer_id, lock=True)
    if row is None:
        return "missing", None
    if row.status in ("scored", "superseded"):
        return "done", row
    if dal.claim_assessment(conn, answer_id, LEASE_S):
        return "claimed", row
    return "busy", row


def stored_outcome(row: dal.AssessmentRow, weights: Weights) -> tuple[AnswerOutcome, float | None]:
    """The assessed version's outcome and its score under ``weights`` (the analysis's; a choice
    answer's score is its own, computed without a model)."""
    assert row.outcome is not None
    outcome = AnswerOutcome.model_validate(row.outcome)
    if outcome.criteria is not None and not outcome.unscorable:
        return outcome, score_of(outcome, weights)
    return outcome, float(row.score) if row.score is not None else None


def score_of(outcome: AnswerOutcome, weights: Weights) -> float | None:
    return (
        scoring.answer_score(outcome.criteria, weights)
        if outcome.criteria is not None and not outcome.unscorable
        else None
    )


def rate_limited_release(conn: Conn, answer_id: UUID, exc: GroqRateLimited) -> None:
    """A rate limit before the call: the claim goes back, so the next one to come may take it."""
    dal.release_assessment(conn, answer_id)
    logger.info(
        "assessment waits for the rate limit",
        extra={"answer_id": str(answer_id), "retry_after_s": exc.retry_after_s},
    )


def as_json(outcome: AnswerOutcome) -> dict[str, Any]:
    return outcome.model_dump(mode="json")


def await_scored(
    transaction: Callable[[], AbstractContextManager[Conn]], answer_id: UUID, within_s: float
) -> dal.AssessmentRow | None:
    """The version's assessment once it is scored (polled, no connection held between looks),
    or None when it is not within ``within_s`` (or was given back)."""
    deadline = time.monotonic() + within_s
    while True:
        with transaction() as conn:
            row = dal.assessment(conn, answer_id)
        if row is None or row.status != "analysing":
            return row if row is not None and row.status == "scored" else None
        if time.monotonic() >= deadline:
            return None
        time.sleep(POLL_S)  # poll interval within the deadline
