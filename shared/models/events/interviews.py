"""Payloads of the interviews context's events (templates, invitations, answers, decisions).

`invitation.completed` carries what the analysis needs (questions with type and rubric, the
current answers with their media or text), so the analysis never reads the interviews schema.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, Field

from shared.models.events import EventPayload

QuestionType = Literal["video", "audio", "text", "multiple_choice"]
AnswerKind = Literal["media", "text", "choice"]
CompletionReason = Literal["manual", "early_finish", "auto_timeout"]
Title = Annotated[str, Field(min_length=1, max_length=200)]


class TemplatePublished(EventPayload):
    template_id: UUID
    title: Title
    version: Annotated[int, Field(ge=1)]
    question_count: Annotated[int, Field(ge=1, le=100)]
    actor_id: UUID


class TemplateArchived(EventPayload):
    template_id: UUID
    version: Annotated[int, Field(ge=1)]
    actor_id: UUID


class InvitationCreated(EventPayload):
    invitation_id: UUID
    template_id: UUID
    candidate_name: Annotated[str, Field(min_length=1, max_length=200)]
    candidate_email: Annotated[str, Field(min_length=3, max_length=254)]
    expires_at: datetime
    actor_id: UUID


class InvitationChanged(EventPayload):
    """invitation.resent (a new link), invitation.extended (a later expiry) and
    invitation.cancelled: the invitation as it now is."""

    invitation_id: UUID
    template_id: UUID
    expires_at: datetime
    actor_id: UUID


class InvitationStarted(EventPayload):
    invitation_id: UUID
    template_id: UUID
    started_at: datetime


class ChoiceOption(EventPayload):
    id: UUID
    text: Annotated[str, Field(min_length=1, max_length=500)]
    correct: bool


class CompletedQuestion(EventPayload):
    question_id: UUID
    position: Annotated[int, Field(ge=1)]
    type: QuestionType
    text: Annotated[str, Field(min_length=1, max_length=500)]
    rubric: Annotated[str, Field(max_length=2000)] | None = None
    time_limit_s: Annotated[int, Field(ge=1)]
    required: bool
    options: Annotated[list[ChoiceOption], Field(max_length=10)] | None = None


class CompletedAnswer(EventPayload):
    answer_id: UUID
    question_id: UUID
    attempt: Annotated[int, Field(ge=1)]
    kind: AnswerKind
    # media answers: the upload (its id is how media.processed / media.failed name it).
    upload_id: UUID | None = None
    media_key: Annotated[str, Field(max_length=512)] | None = None
    text: Annotated[str, Field(max_length=10000)] | None = None
    selected_option_ids: Annotated[list[UUID], Field(max_length=10)] | None = None


class ScoringWeights(EventPayload):
    relevance: Annotated[float, Field(ge=0, le=1)] = 0.25
    completeness: Annotated[float, Field(ge=0, le=1)] = 0.25
    clarity: Annotated[float, Field(ge=0, le=1)] = 0.25
    depth: Annotated[float, Field(ge=0, le=1)] = 0.25


class RequiredSkill(EventPayload):
    """A skill the interview's template requires (from the skills taxonomy): the analysis may
    note where an answer evidences it, with a verbatim quote."""

    skill_id: UUID
    name: Annotated[str, Field(min_length=1, max_length=100)]


class ResponseSubmitted(EventPayload):
    invitation_id: UUID
    question_id: UUID
    answer_id: UUID
    attempt: Annotated[int, Field(ge=1)]
    kind: AnswerKind
    upload_id: UUID | None = None
    # What the analysis needs to assess this answer as soon as it is final, before the
    # interview is completed (issue 16): the question and the answer as invitation.completed
    # will carry them, the interview's language and the candidate's consent to AI analysis.
    # Events from before carry none: the analysis then waits for invitation.completed.
    question: CompletedQuestion | None = None
    answer: CompletedAnswer | None = None
    language: Annotated[str, Field(max_length=16)] | None = None
    scoring_weights: ScoringWeights | None = None
    ai_analysis: bool | None = None
    # The template's required skills when the answer was submitted (issue 19).
    required_skills: list[RequiredSkill] = Field(default_factory=list, max_length=30)


class InvitationCompleted(EventPayload):
    invitation_id: UUID
    template_id: UUID
    reason: CompletionReason
    completed_at: datetime
    language: Annotated[str, Field(max_length=16)] | None = None
    scoring_weights: ScoringWeights = ScoringWeights()
    # The candidate's consent to AI analysis; false: a human-only review (no AI model reads the
    # answers). Events from before consent was asked carry none: consented.
    ai_analysis: bool = True
    # The template's required skills at completion; events from before carry none.
    required_skills: list[RequiredSkill] = Field(default_factory=list, max_length=30)
    questions: Annotated[list[CompletedQuestion], Field(max_length=100)]
    answers: Annotated[list[CompletedAnswer], Field(max_length=100)]


class InvitationExpired(EventPayload):
    invitation_id: UUID
    template_id: UUID
    previous_status: Literal["pending", "in_progress"]


class CandidateDecided(EventPayload):
    invitation_id: UUID
    decision: Literal["advance", "reject"]
    note: Annotated[str, Field(max_length=2000)] | None = None
    actor_id: UUID


INTERVIEWS_EVENTS: dict[str, type[BaseModel]] = {
    "template.published": TemplatePublished,
    "template.archived": TemplateArchived,
    "invitation.created": InvitationCreated,
    "invitation.resent": InvitationChanged,
    "invitation.extended": InvitationChanged,
    "invitation.cancelled": InvitationChanged,
    "invitation.started": InvitationStarted,
    "response.submitted": ResponseSubmitted,
    "invitation.completed": InvitationCompleted,
    "invitation.expired": InvitationExpired,
    "candidate.decided": CandidateDecided,
}
