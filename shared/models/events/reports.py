"""Payloads of the reports context's events: a report asked for (an export, or a PDF made
again), and a report finished (ready to download, or failed with why)."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, Field

from shared.models.events import EventPayload

ReportKind = Literal["candidate_pdf", "csv_export"]


class ReportRequested(EventPayload):
    """A job to run: the reports consumer makes it (the route that asked answers at once)."""

    job_id: UUID
    kind: ReportKind
    revision: Annotated[int, Field(ge=1)]


class ReportReady(EventPayload):
    job_id: UUID
    kind: ReportKind
    revision: Annotated[int, Field(ge=1)]
    # candidate_pdf: the invitation; csv_export: the template (none: the whole company).
    invitation_id: UUID | None = None
    template_id: UUID | None = None
    bytes: Annotated[int, Field(ge=0)]
    row_count: Annotated[int, Field(ge=0)] | None = None


class ReportFailed(EventPayload):
    job_id: UUID
    kind: ReportKind
    revision: Annotated[int, Field(ge=1)]
    invitation_id: UUID | None = None
    template_id: UUID | None = None
    reason: Annotated[str, Field(min_length=1, max_length=500)]


REPORTS_EVENTS: dict[str, type[BaseModel]] = {
    "report.requested": ReportRequested,
    "report.ready": ReportReady,
    "report.failed": ReportFailed,
}
