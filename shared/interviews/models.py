"""HR's HTTP boundary of interviews: request and response models, with limits.

HR sees everything about a question (correct options, rubric); the candidate's models, which
never carry them, live in `shared/interviews/candidate_models.py`; rows in `rows.py`.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)

from shared.analysis.public import AnalysisView, AnswerResultView
from shared.interviews.candidate_models import Consent
from shared.interviews.rows import (
    AnswerKind,
    ChoiceOption,
    CompletionReason,
    InvitationRow,
    InvitationStatus,
    QuestionRow,
    QuestionType,
    TemplateRow,
    TemplateStatus,
)
from shared.media.public import MediaView
from shared.models.fields import Email

Decision = Literal["advance", "reject"]

MAX_QUESTIONS = 100
MAX_BULK_ROWS = 100

Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Description = Annotated[str, StringConstraints(max_length=1000)]
QuestionText = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=10, max_length=500)
]
OptionText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
Hint = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Rubric = Annotated[str, StringConstraints(max_length=2000)]
TimeLimit = Annotated[int, Field(ge=30, le=600)]
ThinkTime = Annotated[int, Field(ge=0, le=600)]
Retakes = Annotated[int, Field(ge=0, le=10)]
Version = Annotated[int, Field(ge=1, le=2_000_000_000)]
Days = Annotated[int, Field(ge=1, le=30)]
CandidateName = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)
]
Note = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
Comment = Annotated[str, StringConstraints(max_length=2000)]


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


# ---- templates -----------------------------------------------------------------------------
class TemplateSettings(_Request):
    language: Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}(-[A-Z]{2})?$")] = "en"
    total_time_limit_s: Annotated[int, Field(ge=60, le=4 * 3600)] | None = None
    show_timer: bool = True
    randomize_questions: bool = False
    retakes_allowed: bool = True
    think_time_default_s: ThinkTime = 30


class ScoringWeights(_Request):
    relevance: Annotated[float, Field(ge=0, le=1)] = 0.25
    completeness: Annotated[float, Field(ge=0, le=1)] = 0.25
    clarity: Annotated[float, Field(ge=0, le=1)] = 0.25
    depth: Annotated[float, Field(ge=0, le=1)] = 0.25

    @model_validator(mode="after")
    def _sum_to_one(self) -> ScoringWeights:
        total = self.relevance + self.completeness + self.clarity + self.depth
        if abs(total - 1.0) > 1e-6:
            raise ValueError("the weights must add up to 1")
        return self


class TemplateCreate(_Request):
    title: Title
    description: Description | None = None
    settings: TemplateSettings = Field(default_factory=TemplateSettings)
    scoring_weights: ScoringWeights = Field(default_factory=ScoringWeights)


class TemplateUpdate(_Request):
    """Only the fields present change; `version` is the one the caller read (stale -> 409)."""

    version: Version
    title: Title | None = None
    description: Description | None = None
    settings: TemplateSettings | None = None
    scoring_weights: ScoringWeights | None = None

    @model_validator(mode="after")
    def _something(self) -> TemplateUpdate:
        if not self.model_fields_set - {"version"}:
            raise ValueError("give at least one field to change besides version")
        for name in ("title", "settings", "scoring_weights"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{name} cannot be null")
        return self

    def changes(self) -> dict[str, Any]:
        return self.model_dump(mode="json", include=self.model_fields_set - {"version"})


class TemplateSummary(BaseModel):
    id: uuid.UUID
    company_id: uuid.UUID
    title: str
    description: str | None
    status: TemplateStatus
    version: int
    question_count: int
    published_at: datetime | None
    archived_at: datetime | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, row: TemplateRow) -> TemplateSummary:
        return cls.model_validate(row.model_dump())


class TemplateOut(TemplateSummary):
    created_by: uuid.UUID
    settings: TemplateSettings
    scoring_weights: dict[str, float]
    questions: list[QuestionOut]

    @classmethod
    def with_questions(cls, row: TemplateRow, questions: list[QuestionRow]) -> TemplateOut:
        return cls.model_validate(
            {**row.model_dump(), "questions": [QuestionOut.of(q) for q in questions]}
        )


class TemplatePage(BaseModel):
    items: list[TemplateSummary]
    next_cursor: str | None


# ---- questions -----------------------------------------------------------------------------
class ChoiceOptionIn(_Request):
    text: OptionText
    correct: bool = False


def check_options(kind: str | None, options: list[Any] | None) -> None:
    """Multiple choice needs 2-10 options with at least one correct; other types none."""
    if kind == "multiple_choice":
        if options is None or not 2 <= len(options) <= 10:
            raise ValueError("a multiple-choice question needs 2 to 10 options")
        if not any(getattr(o, "correct", False) for o in options):
            raise ValueError("at least one option must be correct")
    elif options is not None:
        raise ValueError("only multiple-choice questions have options")


class QuestionCreate(_Request):
    type: QuestionType
    text: QuestionText
    time_limit_s: TimeLimit = 120
    # None: the template's think_time_default_s.
    think_time_s: ThinkTime | None = None
    max_retakes: Retakes = 0
    required: bool = True
    hints: Annotated[list[Hint], Field(max_length=5)] = Field(default_factory=list)
    rubric: Rubric | None = None
    options: Annotated[list[ChoiceOptionIn], Field(max_length=10)] | None = Field(
        default=None, validate_default=True
    )

    @field_validator("options")
    @classmethod
    def _options_fit_type(
        cls, value: list[ChoiceOptionIn] | None, info: ValidationInfo
    ) -> list[ChoiceOptionIn] | None:
        check_options(info.data.get("type"), value)
        return value


class QuestionUpdate(_Request):
    """Only the fields present change (null clears rubric; options follow the type's rule)."""

    type: QuestionType | None = None
    text: QuestionText | None = None
    time_limit_s: TimeLimit | None = None
    think_time_s: ThinkTime | None = None
    max_retakes: Retakes | None = None
    required: bool | None = None
    hints: Annotated[list[Hint], Field(max_length=5)] | None = None
    rubric: Rubric | None = None
    options: Annotated[list[ChoiceOptionIn], Field(max_length=10)] | None = None

    @model_validator(mode="after")
    def _something(self) -> QuestionUpdate:
        if not self.model_fields_set:
            raise ValueError("give at least one field to change")
        nullable = {"rubric", "options"}
        for name in self.model_fields_set - nullable:
            if getattr(self, name) is None:
                raise ValueError(f"{name} cannot be null")
        return self


class ReorderRequest(_Request):
    question_ids: Annotated[list[uuid.UUID], Field(min_length=1, max_length=MAX_QUESTIONS)]

    @field_validator("question_ids")
    @classmethod
    def _no_duplicates(cls, value: list[uuid.UUID]) -> list[uuid.UUID]:
        if len(set(value)) != len(value):
            raise ValueError("question ids must not repeat")
        return value


class QuestionOut(BaseModel):
    """A question as HR sees it: with the rubric and which options are correct."""

    id: uuid.UUID
    template_id: uuid.UUID
    position: int
    type: QuestionType
    text: str
    time_limit_s: int
    think_time_s: int
    max_retakes: int
    required: bool
    hints: list[str]
    rubric: str | None
    options: list[ChoiceOption] | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, row: QuestionRow) -> QuestionOut:
        return cls.model_validate(row.model_dump())


class QuestionChange(BaseModel):
    """A question change's answer: the question (none after a delete) and the template's new
    version, which the next PATCH of the template must carry."""

    template_version: int
    question: QuestionOut | None = None


class QuestionOrder(BaseModel):
    template_version: int
    questions: list[QuestionOut]


# ---- invitations ---------------------------------------------------------------------------
class InvitationCreate(_Request):
    template_id: uuid.UUID
    candidate_name: CandidateName
    candidate_email: Email
    expires_in_days: Days = 7


class BulkCandidate(_Request):
    candidate_name: CandidateName
    candidate_email: Email


class InvitationBulkCreate(_Request):
    """One template, up to 100 candidates; each row is checked on its own (invalid rows are
    reported, not refused as a whole)."""

    template_id: uuid.UUID
    expires_in_days: Days = 7
    candidates: Annotated[
        list[dict[str, Annotated[str, StringConstraints(max_length=1000)] | None]],
        Field(min_length=1, max_length=MAX_BULK_ROWS),
    ]


class InvitationOut(BaseModel):
    id: uuid.UUID
    company_id: uuid.UUID
    template_id: uuid.UUID
    template_title: str
    candidate_email: str
    candidate_name: str
    status: InvitationStatus
    expires_at: datetime
    started_at: datetime | None
    last_activity_at: datetime | None
    completed_at: datetime | None
    completion_reason: CompletionReason | None
    cancelled_at: datetime | None
    expired_at: datetime | None
    last_sent_at: datetime
    send_count: int
    created_by: uuid.UUID
    created_at: datetime
    updated_at: datetime
    consent: Consent | None = Field(
        default=None,
        description="What the candidate consented to with the start (null before it);"
        " ai_analysis false: a human-only review, no AI scores",
    )

    @classmethod
    def of(cls, row: InvitationRow) -> InvitationOut:
        return cls.model_validate({**row.model_dump(), "consent": Consent.of(row)})


class InvitationWithLink(InvitationOut):
    """The invitation with its link, shown once: on create and on resend. A replay of a create
    (same Idempotency-Key) answers without it (null): only the hash is stored; resend gives a
    new link."""

    link_token: str | None = None
    link_url: str | None = None


class BulkRowResult(BaseModel):
    index: int
    # over_limit: the company's plan has no interview left this month (issue 18).
    status: Literal["created", "duplicate", "invalid", "over_limit"]
    invitation: InvitationWithLink | None = None
    error: str | None = None


class BulkReport(BaseModel):
    created: int
    duplicate: int
    invalid: int
    over_limit: int = 0
    results: list[BulkRowResult]


class InvitationPage(BaseModel):
    items: list[InvitationOut]
    next_cursor: str | None


class ExtendRequest(_Request):
    days: Days


# ---- review --------------------------------------------------------------------------------
class ReviewRequest(_Request):
    rating: Annotated[int, Field(ge=1, le=5, strict=True)]
    comment: Comment | None = None


class ReviewOut(BaseModel):
    answer_id: uuid.UUID
    reviewer_id: uuid.UUID
    rating: int
    comment: str | None
    created_at: datetime
    updated_at: datetime


class DecisionRequest(_Request):
    decision: Decision
    note: Note | None = Field(default=None, validate_default=True)

    @field_validator("note")
    @classmethod
    def _reject_needs_note(cls, value: str | None, info: ValidationInfo) -> str | None:
        if info.data.get("decision") == "reject" and not value:
            raise ValueError("a rejection needs a note")
        return value


class DecisionOut(BaseModel):
    invitation_id: uuid.UUID
    decision: Decision
    note: str | None
    decided_by: uuid.UUID
    decided_at: datetime


class MediaReference(BaseModel):
    """The raw upload as the candidate sent it, with a short-lived presigned GET to play it."""

    upload_id: uuid.UUID | None
    key: str
    content_type: str | None
    bytes: int | None
    playback_url: str
    playback_expires_in: int


class AnswerOut(BaseModel):
    id: uuid.UUID
    question_id: uuid.UUID
    attempt: int
    kind: AnswerKind
    text: str | None
    selected_option_ids: list[uuid.UUID] | None
    media_ref: MediaReference | None
    submitted_at: datetime
    reviews: list[ReviewOut]
    # The media pipeline's progress, outputs and transcript (media answers, once uploaded), and
    # the AI's result for this answer (once analysed).
    media: MediaView | None = None
    analysis: AnswerResultView | None = None


class InvitationDetail(BaseModel):
    invitation: InvitationOut
    template: TemplateSummary
    questions: list[QuestionOut]
    answers: list[AnswerOut]
    decision: DecisionOut | None
    # The AI's analysis of the whole interview (or that it waits for media); null before the
    # interview is completed. The human decision above is stored apart and never overwrites it.
    analysis: AnalysisView | None = None


TemplateOut.model_rebuild()


class TemplateScoped(BaseModel):
    """What an Idempotency-Key of a POST under /v1/templates/{template_id} stands for: the
    template and the body, so reusing a key for another template is a conflict, not a replay."""

    template_id: uuid.UUID
    body: dict[str, Any] | None = None


# ---- a template's required skills (issue 19) ---------------------------------------------------
MAX_REQUIRED_SKILLS = 30


class TemplateSkillsUpdate(BaseModel):
    """The full list of the template's required skills (replaces the current one)."""

    model_config = ConfigDict(extra="forbid")

    skill_ids: Annotated[list[uuid.UUID], Field(max_length=MAX_REQUIRED_SKILLS)]

    @field_validator("skill_ids")
    @classmethod
    def _unique(cls, value: list[uuid.UUID]) -> list[uuid.UUID]:
        if len(set(value)) != len(value):
            raise ValueError("a skill is listed twice")
        return value


class RequiredSkill(BaseModel):
    id: uuid.UUID
    name: str
    category_name: str
    retired: bool = Field(description="Retired from the taxonomy since it was attached")


class TemplateSkills(BaseModel):
    template_id: uuid.UUID
    skills: list[RequiredSkill]
