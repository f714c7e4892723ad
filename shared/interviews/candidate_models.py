"""The candidate's boundary models: settings, requests, responses and the rows they read.

The candidate never sees which option is correct nor the rubric: the response models have no
such fields, so nothing can leak them by accident.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from functools import lru_cache
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

MB = 1024 * 1024
QuestionType = Literal["video", "audio", "text", "multiple_choice"]
InvitationStatus = Literal["pending", "in_progress", "completed", "expired", "cancelled"]
MediaKind = Literal["video", "audio"]
VIDEO_TYPES = frozenset({"video/mp4", "video/webm", "video/quicktime"})
AUDIO_TYPES = frozenset({"audio/webm", "audio/mp4", "audio/mpeg", "audio/ogg", "audio/wav"})
ContentType = Literal[
    "video/mp4",
    "video/webm",
    "video/quicktime",
    "audio/webm",
    "audio/mp4",
    "audio/mpeg",
    "audio/ogg",
    "audio/wav",
]


class CandidateSettings(BaseSettings):
    """Limits of the candidate's flow (read once; `INTERVIEWS_*` in the environment)."""

    model_config = SettingsConfigDict(env_prefix="INTERVIEWS_", extra="ignore")

    video_max_bytes: Annotated[int, Field(ge=1, le=5 * 1024 * MB)] = 500 * MB
    audio_max_bytes: Annotated[int, Field(ge=1, le=5 * 1024 * MB)] = 100 * MB
    # A presigned URL lives at most 15 minutes.
    upload_url_ttl_s: Annotated[int, Field(ge=60, le=900)] = 900
    idle_timeout_s: Annotated[int, Field(ge=60, le=24 * 3600)] = 30 * 60
    # Past a template's total time limit, the answer in flight may still be uploaded and
    # submitted for this long; then the interview completes (auto_timeout).
    time_limit_grace_s: Annotated[int, Field(ge=0, le=3600)] = 120
    sweep_batch_size: Annotated[int, Field(ge=1, le=500)] = 50
    sweep_max_batches: Annotated[int, Field(ge=1, le=100)] = 20


@lru_cache(maxsize=1)
def get_candidate_settings() -> CandidateSettings:
    return CandidateSettings()


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


# ---- rows ----------------------------------------------------------------------------------
class TemplateSettingsRow(BaseModel):
    """The template settings the candidate's flow reads (the HR API validates them)."""

    model_config = ConfigDict(extra="ignore")

    language: Annotated[str, Field(max_length=16)] | None = None
    total_time_limit_s: Annotated[int, Field(ge=0)] | None = None
    show_timer: bool = True
    randomize_questions: bool = False
    retakes_allowed: bool = True
    think_time_default_s: Annotated[int, Field(ge=0)] | None = None


class InvitationRow(BaseModel):
    """An invitation with what its template says about the interview."""

    id: uuid.UUID
    company_id: uuid.UUID
    template_id: uuid.UUID
    candidate_name: str
    status: InvitationStatus
    expires_at: datetime
    started_at: datetime | None
    last_activity_at: datetime | None
    completed_at: datetime | None
    completion_reason: Literal["manual", "early_finish", "auto_timeout"] | None
    template_title: str
    template_description: str | None
    template_settings: TemplateSettingsRow
    scoring_weights: dict[str, float]


class OptionRow(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: uuid.UUID
    text: str
    correct: bool = False


class QuestionRow(BaseModel):
    id: uuid.UUID
    position: int
    type: QuestionType
    text: str
    time_limit_s: int
    think_time_s: int
    max_retakes: int
    required: bool
    hints: list[str]
    rubric: str | None
    options: list[OptionRow] | None

    @field_validator("hints", mode="before")
    @classmethod
    def _hints_as_text(cls, value: Any) -> list[str]:
        return [str(item) for item in value or []]


class AnswerRow(BaseModel):
    id: uuid.UUID
    question_id: uuid.UUID
    attempt: int
    is_current: bool
    kind: Literal["media", "text", "choice"]
    upload_id: uuid.UUID | None
    media_key: str | None
    text_answer: str | None
    selected_option_ids: list[uuid.UUID] | None
    submitted_at: datetime


class UploadRow(BaseModel):
    id: uuid.UUID
    company_id: uuid.UUID
    invitation_id: uuid.UUID
    question_id: uuid.UUID
    object_key: str
    content_type: str
    media_kind: MediaKind
    max_bytes: int
    multipart_upload_id: str | None
    expires_at: datetime


# ---- requests ------------------------------------------------------------------------------
class UploadRequest(_Request):
    content_type: ContentType
    size_bytes: Annotated[int, Field(ge=1, le=5 * 1024 * MB)]


class UploadIntent(BaseModel):
    """What an upload request's Idempotency-Key stands for (its request hash)."""

    question_id: uuid.UUID
    content_type: str
    size_bytes: int
    multipart: bool


class PartsRequest(_Request):
    part_numbers: Annotated[
        list[Annotated[int, Field(ge=1, le=10000)]], Field(min_length=1, max_length=100)
    ]

    @field_validator("part_numbers")
    @classmethod
    def _distinct(cls, value: list[int]) -> list[int]:
        if len(set(value)) != len(value):
            raise ValueError("part numbers must be distinct")
        return value


class CompletedPart(_Request):
    part_number: Annotated[int, Field(ge=1, le=10000)]
    etag: Annotated[str, Field(min_length=1, max_length=128)]


class CompleteUploadRequest(_Request):
    parts: Annotated[list[CompletedPart], Field(min_length=1, max_length=10000)]

    @field_validator("parts")
    @classmethod
    def _ascending(cls, value: list[CompletedPart]) -> list[CompletedPart]:
        numbers = [part.part_number for part in value]
        if numbers != sorted(set(numbers)):
            raise ValueError("parts must be distinct and in ascending part_number order")
        return value


class AnswerRequest(_Request):
    """Exactly one of: an upload (media questions), text, or chosen options."""

    upload_id: uuid.UUID | None = None
    text: Annotated[str, Field(min_length=1, max_length=10_000)] | None = None
    option_ids: Annotated[list[uuid.UUID], Field(min_length=1, max_length=10)] | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> AnswerRequest:
        given = [v for v in (self.upload_id, self.text, self.option_ids) if v is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of upload_id, text, option_ids")
        if self.option_ids is not None and len(set(self.option_ids)) != len(self.option_ids):
            raise ValueError("option_ids must be distinct")
        return self


class CompleteRequest(_Request):
    reason: Literal["manual", "early_finish"]


# ---- responses -----------------------------------------------------------------------------
class CandidateOption(BaseModel):
    id: uuid.UUID
    text: str


class CandidateQuestion(BaseModel):
    id: uuid.UUID
    position: int = Field(description="Position in the order this candidate sees")
    type: QuestionType
    text: str
    time_limit_s: int
    think_time_s: int
    max_retakes: int
    required: bool
    hints: list[str]
    options: list[CandidateOption] | None = None


class QuestionProgress(BaseModel):
    question_id: uuid.UUID
    answered: bool
    attempts_used: int
    retakes_left: int


class CandidateInvitation(BaseModel):
    id: uuid.UUID
    status: InvitationStatus
    candidate_name: str
    expires_at: datetime
    started_at: datetime | None
    # When the template's total time limit runs out (started and limited interviews only).
    time_limit_ends_at: datetime | None = None
    completed_at: datetime | None
    completion_reason: str | None


class CandidateTemplate(BaseModel):
    title: str
    description: str | None
    settings: TemplateSettingsRow


class CandidateInterview(BaseModel):
    invitation: CandidateInvitation
    template: CandidateTemplate
    questions: list[CandidateQuestion]
    progress: list[QuestionProgress]


class StatusOut(BaseModel):
    invitation_id: uuid.UUID
    status: InvitationStatus
    started_at: datetime | None
    last_activity_at: datetime | None
    completed_at: datetime | None
    completion_reason: str | None


class PresignedPost(BaseModel):
    upload_id: uuid.UUID
    key: str
    url: str
    fields: dict[str, str]
    max_bytes: int
    expires_at: datetime


class MultipartStarted(BaseModel):
    upload_id: uuid.UUID
    key: str
    max_bytes: int
    expires_at: datetime


class PartUrl(BaseModel):
    part_number: int
    url: str


class PartUrls(BaseModel):
    upload_id: uuid.UUID
    parts: list[PartUrl]
    expires_at: datetime


class UploadCompleted(BaseModel):
    upload_id: uuid.UUID
    key: str
    size_bytes: int


class CandidateAnswer(BaseModel):
    answer_id: uuid.UUID
    question_id: uuid.UUID
    attempt: int
    kind: Literal["media", "text", "choice"]
    upload_id: uuid.UUID | None = None
    retakes_left: int
    submitted_at: datetime
