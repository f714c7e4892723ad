"""The reports' boundary models: what HR asks for and reads."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, model_validator

JobStatus = Literal["queued", "generating", "ready", "failed"]
ReportKind = Literal["candidate_pdf", "csv_export"]


class JobView(BaseModel):
    """A report being made, or made: its status while it is made, and a short-lived link to
    download it once it is ready."""

    job_id: UUID
    kind: ReportKind
    status: JobStatus = Field(description="queued, generating, ready or failed")
    revision: int = Field(description="Each regeneration is a new revision (a new file)")
    reason: str | None = Field(default=None, description="Why it failed")
    invitation_id: UUID | None = None
    template_id: UUID | None = None
    created_at: dt.datetime
    started_at: dt.datetime | None = None
    finished_at: dt.datetime | None = None
    bytes: int | None = None
    row_count: int | None = Field(default=None, description="CSV exports: rows written")
    download_url: str | None = Field(
        default=None, description="A presigned GET of the file (ready only), short-lived"
    )
    download_expires_at: dt.datetime | None = None


class ExportRequest(BaseModel):
    """A CSV export: one row per invitation of a template (or of the whole company), over an
    optional range of invitation dates."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    template_id: UUID | None = Field(
        default=None, description="The template; none: every template of the company"
    )
    from_date: dt.date | None = Field(
        default=None, alias="from", description="Invited on or after this day (UTC)"
    )
    to_date: dt.date | None = Field(
        default=None, alias="to", description="Invited on or before this day (UTC)"
    )
    excel: bool = Field(
        default=False, description="Start the file with a UTF-8 BOM, so Excel reads it as UTF-8"
    )

    @model_validator(mode="after")
    def _ordered(self) -> ExportRequest:
        if self.from_date and self.to_date and self.from_date > self.to_date:
            raise ValueError("'from' must not be after 'to'")
        return self


class Percentiles(BaseModel):
    count: int = Field(description="How many durations were measured")
    median_s: float | None = None
    p90_s: float | None = None


class FunnelStage(BaseModel):
    stage: Literal["invited", "started", "completed", "analysed", "advanced", "rejected"]
    count: int
    rate: float | None = Field(
        default=None, description="Share of the invited (0-1); null when nobody was invited"
    )


class ScoreBucket(BaseModel):
    low: int = Field(description="Lower bound of the overall score (inclusive)")
    high: int = Field(description="Upper bound (exclusive; 100 inclusive for the last)")
    count: int


class QuestionDropOff(BaseModel):
    position: int = Field(description="The question's position in its template")
    answered: int = Field(description="Candidates who started and answered it")
    stopped_after: int = Field(
        description="Candidates who answered it, nothing after it, and never completed"
    )


class FunnelView(BaseModel):
    template_id: UUID | None = None
    from_date: dt.date = Field(serialization_alias="from")
    to_date: dt.date = Field(serialization_alias="to")
    stages: list[FunnelStage]
    expired: int
    cancelled: int
    time_to_start: Percentiles
    time_to_complete: Percentiles
    recommendations: dict[Literal["hire", "consider", "reject"], int]
    scores: list[ScoreBucket]
    started_no_answer: int = Field(description="Started and answered nothing, never completed")
    drop_off: list[QuestionDropOff]
    method: str = Field(description="How the numbers were computed")


DateParam = Annotated[dt.date | None, Field(description="A day (UTC), YYYY-MM-DD")]
