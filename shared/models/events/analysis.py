"""Payloads of the analysis context's events: an answer ready to be assessed, an analysis started,
completed or failed, or a human-only review ready (the candidate declined AI analysis)."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, Field

from shared.models.events import EventPayload

Recommendation = Literal["hire", "consider", "reject"]
AnalysisEngine = Literal["groq", "offline"]
Attempt = Annotated[int, Field(ge=1, le=100)]


class AnalysisStarted(EventPayload):
    """Starts the analysis workflow (an EventBridge rule targets the state machine)."""

    analysis_id: UUID
    invitation_id: UUID
    attempt: Attempt
    trigger: Literal["initial", "retry"]


class AnalysisCompleted(EventPayload):
    analysis_id: UUID
    invitation_id: UUID
    attempt: Attempt
    engine: AnalysisEngine
    model: Annotated[str, Field(min_length=1, max_length=200)]
    # None when no answer could be scored (every media failed, say): HR decides on their own.
    overall: Annotated[float, Field(ge=0, le=100)] | None = None
    recommendation: Recommendation | None = None
    answers_scored: Annotated[int, Field(ge=0, le=100)]
    answers_unscorable: Annotated[int, Field(ge=0, le=100)]


class AnalysisFailed(EventPayload):
    analysis_id: UUID
    invitation_id: UUID
    attempt: Attempt
    reason: Annotated[str, Field(min_length=1, max_length=2000)]


class AnalysisAnswerReady(EventPayload):
    """An answer is final (its transcript stored, or its text or choice submitted) and the
    candidate consented to AI analysis: a rule starts the answer workflow
    (statemachines/answer_analysis.asl.json), which assesses it before the interview completes."""

    answer_id: UUID
    invitation_id: UUID
    question_id: UUID


class AnalysisHumanReview(EventPayload):
    """The candidate declined AI analysis: no model read the answers, and the interview (its
    recordings, transcribed, and written answers) is ready for HR's own review. Published once
    per invitation, when the media is processed, where analysis.completed would have been."""

    analysis_id: UUID
    invitation_id: UUID
    reason: Annotated[str, Field(min_length=1, max_length=2000)]


ANALYSIS_EVENTS: dict[str, type[BaseModel]] = {
    "analysis.answer_ready": AnalysisAnswerReady,
    "analysis.started": AnalysisStarted,
    "analysis.completed": AnalysisCompleted,
    "analysis.failed": AnalysisFailed,
    "analysis.human_review": AnalysisHumanReview,
}
