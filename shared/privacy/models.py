"""The boundary of the data-rights context: the candidate's export and erasure, the company's
retention period, and the admins' reading of the audit log. One model per boundary; requests
carry limits."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import ConfigDict, Field

from shared.models.base import Model

ErasureVia = Literal["link", "account", "retention"]
ErasureState = Literal["requested", "completed"]
MIN_RETENTION_DAYS = 30
MAX_RETENTION_DAYS = 3650


# ---- export ----------------------------------------------------------------------------------
class ExportConsent(Model):
    """What the candidate agreed to, and when (given once, with the interview's start)."""

    recording_consented_at: datetime | None
    ai_analysis: bool | None = Field(description="Whether they consented to AI analysis")
    ai_choice_at: datetime | None = Field(description="When the AI choice (yes or no) was given")
    text_version: str | None = Field(
        default=None,
        description="The version of the consent text shown; null: started before versions"
        " were recorded, or not stated by the client",
    )


class MediaLink(Model):
    """A presigned GET of one object, short-lived."""

    kind: Literal["recording", "playback", "thumbnail"]
    url: Annotated[str, Field(max_length=4096)]
    expires_in_s: int


class ExportTranscript(Model):
    text: str
    language: str | None = None


class ExportAnswer(Model):
    question_id: UUID
    question_position: int
    question_text: str
    kind: Literal["media", "text", "choice"]
    attempt: int
    is_current: bool
    submitted_at: datetime
    text: str | None = None
    selected_options: list[str] = Field(
        default_factory=list, description="The chosen options' texts (multiple choice)"
    )
    transcript: ExportTranscript | None = None
    media: list[MediaLink] = Field(default_factory=list)


class ExportDecision(Model):
    """HR's decision (its notes are the company's, not part of the export)."""

    decision: Literal["advance", "reject"]
    decided_at: datetime


class ErasureStatus(Model):
    invitation_id: UUID
    status: ErasureState
    requested_via: ErasureVia
    requested_at: datetime
    completed_at: datetime | None = None


class ExportInvitation(Model):
    invitation_id: UUID
    company: str
    template_title: str
    status: str
    candidate_name: str
    candidate_email: str
    invited_at: datetime
    expires_at: datetime
    started_at: datetime | None = None
    completed_at: datetime | None = None
    expired_at: datetime | None = None
    cancelled_at: datetime | None = None
    erased_at: datetime | None = None
    consent: ExportConsent
    answers: list[ExportAnswer]
    analysis: dict[str, Any] | None = Field(
        default=None,
        description="The AI analysis exactly as the company's HR sees it (scores, reasons,"
        " the quotes from the candidate's answers); null when there is none",
    )
    decision: ExportDecision | None = None
    erasure: ErasureStatus | None = None


class DataExport(Model):
    """Everything the platform keeps of a candidate's invitations (one, by link token; every
    one sent to a candidate account's verified email)."""

    model_config = ConfigDict(defer_build=True, title="DataExport")

    exported_at: datetime
    media_links_expire_in_s: int
    invitations: list[ExportInvitation]


# ---- erasure ---------------------------------------------------------------------------------
class ErasureResult(Model):
    """Each invitation's erasure: ``completed`` when everything is gone; ``requested`` when a
    step failed (the privacy sweep finishes it within minutes; the export reads its status)."""

    erasures: list[ErasureStatus]


# ---- retention -------------------------------------------------------------------------------
class RetentionIn(Model):
    model_config = ConfigDict(defer_build=True, extra="forbid")

    retention_days: Annotated[int, Field(ge=MIN_RETENTION_DAYS, le=MAX_RETENTION_DAYS)] | None = (
        Field(
            description="Erase candidates' data this many days after their invitation finished"
            " (completed, expired or cancelled); null keeps it until erased on request"
        )
    )


class RetentionOut(Model):
    company_id: UUID
    retention_days: int | None
    updated_at: datetime | None = None


# ---- the audit log ---------------------------------------------------------------------------
class AuditEntryOut(Model):
    id: int
    action: str = Field(description="The event type: e.g. media.viewed, user.role_changed")
    actor_id: UUID | None
    tenant_id: UUID | None
    occurred_at: datetime
    payload: dict[str, Any]


class AuditPage(Model):
    items: list[AuditEntryOut]
    next_cursor: str | None = None
