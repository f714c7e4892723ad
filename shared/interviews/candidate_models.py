"""The candidate's HTTP boundary: request and response models (rows in `rows.py`).

The candidate never sees which option is correct nor the rubric: the response models have no
such fields, so nothing can leak them by accident.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from shared.interviews.rows import (
    AnswerKind,
    InvitationRow,
    InvitationStatus,
    QuestionType,
    TemplateSettingsRow,
)
from shared.interviews.settings import MB

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


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


# The versions of the consent text (recording, AI analysis) the candidate page has shown, oldest
# first; the page sends the one it shows with the start (web/src/candidate/app.tsx,
# CONSENT_TEXT_VERSION). A new wording gets a new version here and there; old ones stay valid
# for pages still open.
CONSENT_TEXT_VERSIONS: tuple[str, ...] = ("2026-12-02",)
CURRENT_CONSENT_TEXT_VERSION = CONSENT_TEXT_VERSIONS[-1]


# ---- rows ----------------------------------------------------------------------------------
# ---- requests ------------------------------------------------------------------------------
class StartRequest(_Request):
    """The candidate's consent, given with the start: to being recorded (required: without it
    there is no interview), and, separately, to AI analysis (declining it makes the analysis a
    human-only review: no AI model reads the answers, HR reviews them alone)."""

    recording: Literal[True] = Field(
        description="Consent to recording the answers; must be true to start"
    )
    ai_analysis: bool = Field(
        strict=True,
        description="Consent to AI analysis of the answers; false: a human-only review",
    )
    text_version: str | None = Field(
        default=None,
        max_length=40,
        description="The version of the consent text the candidate was shown (one of "
        f"{', '.join(CONSENT_TEXT_VERSIONS)}); stored with the consent. Null: not stated.",
    )

    @field_validator("text_version")
    @classmethod
    def _known_text_version(cls, value: str | None) -> str | None:
        if value is not None and value not in CONSENT_TEXT_VERSIONS:
            raise ValueError(
                f"unknown consent text version (known: {', '.join(CONSENT_TEXT_VERSIONS)})"
            )
        return value

    @field_validator("recording", mode="before")
    @classmethod
    def _recording_consented(cls, value: object) -> object:
        # A JSON boolean only (pydantic's Literal[True] takes 1 and 1.0 as True, even strictly).
        if value is False:
            raise ValueError("consent to recording is required to start the interview")
        if not isinstance(value, bool):
            raise ValueError("must be the boolean true")
        return value


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
class Consent(BaseModel):
    """The consent the candidate gave with the start (it never changes afterwards).
    Interviews started before consent was asked count as consented to both, at their start."""

    recording_at: datetime = Field(description="When the candidate consented to recording")
    ai_analysis: bool = Field(description="Whether the candidate consented to AI analysis")
    given_at: datetime = Field(description="When the AI analysis choice was given")
    text_version: str | None = Field(
        default=None,
        description="The version of the consent text the candidate was shown (null: started "
        "before versions were recorded, or not stated by the client)",
    )

    @classmethod
    def of(cls, row: InvitationRow) -> Consent | None:
        if row.recording_consent_at is None or row.ai_consent is None or row.ai_consent_at is None:
            return None
        return cls(
            recording_at=row.recording_consent_at,
            ai_analysis=row.ai_consent,
            given_at=row.ai_consent_at,
            text_version=row.consent_text_version,
        )


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
    consent: Consent | None = Field(default=None, description="Null until the interview starts")


class CandidateTemplate(BaseModel):
    title: str
    description: str | None
    settings: TemplateSettingsRow


class CandidateCompany(BaseModel):
    """Who is interviewing: the name the candidate's landing page shows."""

    name: str


class CandidateInterview(BaseModel):
    invitation: CandidateInvitation
    # The inviting company (None only if it was erased meanwhile).
    company: CandidateCompany | None = None
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
    consent: Consent | None = Field(default=None, description="Null until the interview starts")


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


# ---- a candidate's account: the invitations sent to their verified email (issue 19) ----------


class MyAnswer(BaseModel):
    """The candidate's own answer, as they gave it: no rating, note or score of anyone's."""

    answer_id: uuid.UUID
    question_id: uuid.UUID
    position: int
    question_text: str
    question_type: QuestionType
    kind: AnswerKind
    text: str | None = None
    selected_option_ids: list[uuid.UUID] | None = None
    media_status: str | None = Field(
        default=None,
        description="A recording's processing status: uploaded, validating, transcoding,"
        " transcribing, ready or failed (null for text and choice answers; 'uploaded' until"
        " the pipeline has seen it)",
    )
    submitted_at: datetime


class MyInvitation(BaseModel):
    invitation_id: uuid.UUID
    status: InvitationStatus
    template_title: str
    company_name: str
    invited_at: datetime
    expires_at: datetime
    started_at: datetime | None
    completed_at: datetime | None
    cancelled_at: datetime | None
    expired_at: datetime | None
    answers: list[MyAnswer]


class MyInvitationPage(BaseModel):
    items: list[MyInvitation]
    next_cursor: str | None
