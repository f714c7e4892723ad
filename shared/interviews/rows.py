"""Interviews' database rows: one model per table, read by HR's use cases and the candidate's
flow alike (each reads the fields it needs; the queries select them all)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, field_validator

from shared.models.base import Model

QuestionType = Literal["video", "audio", "text", "multiple_choice"]
TemplateStatus = Literal["draft", "active", "archived"]
InvitationStatus = Literal["pending", "in_progress", "completed", "expired", "cancelled"]
CompletionReason = Literal["manual", "early_finish", "auto_timeout"]
AnswerKind = Literal["media", "text", "choice"]
MediaKind = Literal["video", "audio"]


class TemplateSettingsRow(Model):
    """The template settings the candidate's flow reads (the HR API validates them)."""

    model_config = ConfigDict(extra="ignore")

    language: Annotated[str, Field(max_length=16)] | None = None
    total_time_limit_s: Annotated[int, Field(ge=0)] | None = None
    show_timer: bool = True
    randomize_questions: bool = False
    retakes_allowed: bool = True
    think_time_default_s: Annotated[int, Field(ge=0)] | None = None


class TemplateRow(Model):
    id: uuid.UUID
    company_id: uuid.UUID
    created_by: uuid.UUID
    title: str
    description: str | None
    settings: dict[str, Any]
    scoring_weights: dict[str, float]
    status: TemplateStatus
    version: int
    published_at: datetime | None
    archived_at: datetime | None
    created_at: datetime
    updated_at: datetime
    question_count: int = 0


class ChoiceOption(Model):
    id: uuid.UUID
    text: str
    correct: bool


class QuestionRow(Model):
    id: uuid.UUID
    template_id: uuid.UUID
    company_id: uuid.UUID
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

    @field_validator("hints", mode="before")
    @classmethod
    def _hints_as_text(cls, value: Any) -> list[str]:
        return [str(item) for item in value or []]


class InvitationRow(Model):
    """An invitation with what its template says about the interview."""

    id: uuid.UUID
    company_id: uuid.UUID
    template_id: uuid.UUID
    created_by: uuid.UUID
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
    created_at: datetime
    updated_at: datetime
    template_title: str
    template_description: str | None
    template_settings: TemplateSettingsRow
    scoring_weights: dict[str, float]
    # The candidate's consent, given with the start (all three null before it; migration 0026).
    recording_consent_at: datetime | None = None
    ai_consent: bool | None = None
    ai_consent_at: datetime | None = None
    # The consent text's version the candidate was shown (migration 0042; null before it).
    consent_text_version: str | None = None


class AnswerRow(Model):
    id: uuid.UUID
    question_id: uuid.UUID
    attempt: int
    is_current: bool
    kind: AnswerKind
    upload_id: uuid.UUID | None
    media_key: str | None
    media_bytes: int | None
    media_content_type: str | None
    media_version_id: str | None = None
    text_answer: str | None
    selected_option_ids: list[uuid.UUID] | None
    submitted_at: datetime


class UploadRow(Model):
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
