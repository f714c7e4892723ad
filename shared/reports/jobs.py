"""Report jobs: HR's use cases (ask for an export or a PDF again, read a job with its download
link, read the funnel) and the runner that makes a job's file (after the consumer's commit).

A job moves queued -> generating -> ready | failed, each step committed, so its status is
visible while it is made. A PDF job is one row per invitation; each request makes a new
revision (a new object key), and a run finishes only the revision it claimed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from uuid import UUID

from shared.dal.sql import Conn
from shared.errors import NotFoundError, UnprocessableError
from shared.events.factory import new_event
from shared.events.outbox import enqueue
from shared.models.events.reports import ReportFailed, ReportReady, ReportRequested
from shared.observability import logger
from shared.reports import dal, storage
from shared.reports.errors import ReportGenerationFailed
from shared.reports.models import ExportRequest, FunnelView, JobView
from shared.reports.settings import ReportsSettings

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

SOURCE = "platform.reports"
UNEXPECTED = "The report could not be made (an unexpected error; it was logged)."


@dataclass(frozen=True, slots=True)
class Deps:
    transaction: Callable[[], AbstractContextManager[Conn]]
    s3: Callable[[], S3Client]
    bucket: str
    settings: ReportsSettings
    now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC)


# ---- HR's use cases --------------------------------------------------------------------------


def _view(row: dict[str, Any], deps: Deps | None, stale_after_s: int) -> JobView:
    status, reason = row["status"], row["reason"]
    started = row["started_at"]
    if (
        status == "generating"
        and started is not None
        and (dt.datetime.now(dt.UTC) - started).total_seconds() > stale_after_s
    ):
        status, reason = "failed", "The report took too long to make; ask for it again."
    url = expires = None
    if status == "ready" and deps is not None and row["object_key"]:
        name = "report.pdf" if row["kind"] == "candidate_pdf" else "export.csv"
        url, expires = storage.download_url(
            deps.s3(), deps.bucket, row["object_key"], name, deps.settings.download_ttl_s
        )
    return JobView(
        job_id=row["id"],
        kind=row["kind"],
        status=status,
        revision=row["revision"],
        reason=reason,
        invitation_id=row["invitation_id"],
        template_id=row["template_id"],
        created_at=row["created_at"],
        started_at=started,
        finished_at=row["finished_at"],
        bytes=row["bytes"],
        row_count=row["row_count"],
        download_url=url,
        download_expires_at=expires,
    )


def _requested(conn: Conn, row: dict[str, Any], company_id: UUID, correlation_id: str) -> None:
    enqueue(
        conn,
        new_event(
            "report.requested",
            ReportRequested(job_id=row["id"], kind=row["kind"], revision=row["revision"]),
            source=SOURCE,
            correlation_id=correlation_id,
            tenant_id=company_id,
        ),
    )


def request_export(  # noqa: PLR0917 - the caller's parts
    conn: Conn,
    company_id: UUID | None,
    user_id: UUID,
    body: ExportRequest,
    correlation_id: str,
    settings: ReportsSettings,
) -> JobView:
    if company_id is None:
        raise UnprocessableError("Create or join a company first.")
    if (
        body.from_date
        and body.to_date
        and ((body.to_date - body.from_date).days > settings.max_range_days)
    ):
        raise UnprocessableError(f"A range is at most {settings.max_range_days} days.")
    row = dal.create_export(
        conn,
        company_id=company_id,
        template_id=body.template_id,
        params={
            "from": body.from_date.isoformat() if body.from_date else None,
            "to": body.to_date.isoformat() if body.to_date else None,
            "excel": body.excel,
        },
        requested_by=user_id,
    )
    _requested(conn, row, company_id, correlation_id)
    return _view(row, None, settings.stale_after_s)


def export_job(conn: Conn, company_id: UUID | None, job_id: UUID, deps: Deps) -> JobView:
    row = dal.job(conn, job_id, company_id) if company_id else None
    if row is None or row["kind"] != "csv_export":
        raise NotFoundError(f"No export {job_id}.")
    return _view(row, deps, deps.settings.stale_after_s)


def candidate_report(
    conn: Conn, company_id: UUID | None, invitation_id: UUID, deps: Deps
) -> JobView:
    row = dal.pdf_job(conn, company_id, invitation_id) if company_id else None
    if row is None:
        raise NotFoundError(
            f"No report for invitation {invitation_id} yet: it is made when the analysis ends."
        )
    return _view(row, deps, deps.settings.stale_after_s)


def regenerate_report(  # noqa: PLR0917 - the caller's parts
    conn: Conn,
    company_id: UUID | None,
    user_id: UUID,
    invitation_id: UUID,
    correlation_id: str,
    settings: ReportsSettings,
) -> JobView:
    """Make the invitation's PDF again (a new revision), e.g. after a failure."""
    existing = dal.pdf_job(conn, company_id, invitation_id) if company_id else None
    if company_id is None or existing is None:
        raise NotFoundError(
            f"No report for invitation {invitation_id}: it is made when the analysis ends."
        )
    row = dal.queue_pdf(
        conn, company_id=company_id, invitation_id=invitation_id, requested_by=user_id
    )
    _requested(conn, row, company_id, correlation_id)
    return _view(row, None, settings.stale_after_s)


def funnel(  # noqa: PLR0917 - the query's parts
    conn: Conn,
    company_id: UUID | None,
    template_id: UUID | None,
    from_date: dt.date | None,
    to_date: dt.date | None,
    settings: ReportsSettings,
) -> FunnelView:
    from shared.reports import analytics  # noqa: PLC0415

    to_date = to_date or dt.datetime.now(dt.UTC).date()
    from_date = from_date or to_date - dt.timedelta(days=90)
    if from_date > to_date:
        raise UnprocessableError("'from' must not be after 'to'.")
    if (to_date - from_date).days > settings.max_range_days:
        raise UnprocessableError(f"A range is at most {settings.max_range_days} days.")
    rows = (
        dal.funnel_days(
            conn,
            company_id=company_id,
            template_id=template_id,
            from_date=from_date,
            to_date=to_date,
        )
        if company_id
        else []
    )
    return analytics.funnel(rows, template_id=template_id, from_date=from_date, to_date=to_date)


# ---- the runner ----------------------------------------------------------------------------


def run_jobs(jobs: list[tuple[UUID, int]], deps: Deps) -> dict[str, int]:
    report = {"ready": 0, "failed": 0, "skipped": 0}
    for job_id, revision in dict.fromkeys(jobs):
        report[run_job(job_id, revision, deps)] += 1
    return report


def run_job(job_id: UUID, revision: int, deps: Deps) -> str:
    """Make one job's file; "skipped" when another run has it or a newer revision replaced it."""
    with deps.transaction() as conn:
        job = dal.claim(conn, job_id, revision)
    if job is None:
        return "skipped"
    try:
        if job["kind"] == "candidate_pdf":
            key, size, rows = _make_pdf(job, deps)
        else:
            key, size, rows = _make_export(job, deps)
    except ReportGenerationFailed as exc:
        _fail(job, str(exc), deps)
        return "failed"
    except Exception:
        logger.exception("report failed", extra={"job_id": str(job_id), "kind": job["kind"]})
        _fail(job, UNEXPECTED, deps)
        return "failed"
    with deps.transaction() as conn:
        if dal.finish(conn, job_id, revision, key=key, size=size, rows=rows):
            _announce(conn, job, ReportReady, bytes=size, row_count=rows)
    logger.info("report ready", extra={"job_id": str(job_id), "kind": job["kind"], "bytes": size})
    return "ready"


def _announce(conn: Conn, job: dict[str, Any], model: type[Any], **fields: Any) -> None:
    enqueue(
        conn,
        new_event(
            "report.ready" if model is ReportReady else "report.failed",
            model(
                job_id=job["id"],
                kind=job["kind"],
                revision=job["revision"],
                invitation_id=job["invitation_id"],
                template_id=job["template_id"],
                **fields,
            ),
            source=SOURCE,
            correlation_id=str(job["id"]),
            tenant_id=job["company_id"],
        ),
    )


def _fail(job: dict[str, Any], reason: str, deps: Deps) -> None:
    with deps.transaction() as conn:
        if dal.fail(conn, job["id"], job["revision"], reason):
            _announce(conn, job, ReportFailed, reason=reason)


def _make_pdf(job: dict[str, Any], deps: Deps) -> tuple[str, int, None]:
    from shared.reports.document import candidate_report  # noqa: PLC0415
    from shared.reports.pdf import render  # noqa: PLC0415

    with deps.transaction() as conn:
        report = candidate_report(
            conn, job["company_id"], job["invitation_id"], revision=job["revision"], now=deps.now()
        )
    body = render(report)
    key = storage.pdf_key(job["company_id"], job["invitation_id"], job["revision"])
    storage.put_pdf(deps.s3(), deps.bucket, key, body)
    return key, len(body), None


def _make_export(job: dict[str, Any], deps: Deps) -> tuple[str, int, int]:
    from shared.reports.csv_export import write_csv  # noqa: PLC0415

    params = job["params"] or {}
    key = storage.export_key(job["company_id"], job["id"])
    writer = storage.MultipartWriter(deps.s3(), deps.bucket, key, "text/csv; charset=utf-8")
    try:
        with deps.transaction() as conn:
            rows = dal.export_rows(
                conn,
                company_id=job["company_id"],
                template_id=job["template_id"],
                from_date=dt.date.fromisoformat(params["from"]) if params.get("from") else None,
                to_date=dt.date.fromisoformat(params["to"]) if params.get("to") else None,
                fetch_rows=deps.settings.fetch_rows,
            )
            count, size = write_csv(
                rows,
                writer,
                part_size=deps.settings.part_size_bytes,
                excel=bool(params.get("excel")),
            )
        writer.complete()
    except BaseException:
        writer.abort()
        raise
    return key, size, count
