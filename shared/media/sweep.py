"""Every media answer ends: the sweep re-drives pipelines that stopped without finishing.

The state machine retries a database outage for about a minute and records every failure it
catches (MarkFailed), but an execution can still end without either: MarkFailed out of
retries while PostgreSQL stayed down (``MediaFailureNotRecorded``), the execution's own
timeout, an abort, or a start that never happened (the S3 event's execution failed before
Register could record the object). Left alone, the answer's media stays "uploaded" and its
analysis ``waiting`` for ever.

On a schedule the sweep finds
- unfinished assets whose execution is no longer running: it hands the asset to a new execution
  (named after the asset and the old execution, so concurrent sweeps start one) which Register
  lets through, and the pipeline runs again from the start. Every step is idempotent (outputs
  overwrite, ``complete``/``fail`` change an unfinished asset only, one event each), so a
  re-drive does nothing twice. Past ``max_age_s`` an asset is failed instead, with its reason.
- answers whose upload no asset names after ``min_age_s``: it starts the pipeline for the
  object as S3 would have (a duplicate start ends at Register, unique per object version).
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from shared.media import dal
from shared.media.errors import SweepUnavailable
from shared.media.models import FailureInput, S3Object, StepError
from shared.media.pipeline import Deps, mark_failed
from shared.observability import logger

RUNNING = "RUNNING"
MISSING = "MISSING"


@dataclass(frozen=True, slots=True)
class Workflow:
    """What the sweep asks of Step Functions and S3 (tests pass fakes of the same shape)."""

    state_machine_arn: str
    # execution ARN -> status (RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED, or MISSING)
    status: Callable[[str], str]
    # (name, input) -> starts an execution with that name (an existing one is fine)
    start: Callable[[str, Mapping[str, Any]], None]
    # (bucket, key) -> the object's current version id and size, or None when it is gone
    head: Callable[[str, str], tuple[str, int] | None]

    def execution_arn(self, name: str) -> str:
        return f"{self.state_machine_arn.replace(':stateMachine:', ':execution:', 1)}:{name}"


@dataclass(frozen=True, slots=True)
class SweepReport:
    checked: int = 0
    redriven: int = 0
    failed: int = 0
    started: int = 0
    unknown: int = 0


def s3_event(source: S3Object, event_id: str) -> dict[str, Any]:
    """The EventBridge "Object Created" event S3 sends, as the state machine receives it."""
    return {
        "id": event_id,
        "source": "aws.s3",
        "detail-type": "Object Created",
        "detail": {
            "bucket": {"name": source.bucket},
            "object": {
                "key": source.key,
                "version-id": source.version_id,
                "size": source.size_bytes,
            },
        },
    }


def redrive_name(asset_id: uuid.UUID, old_execution: str | None) -> str:
    """One name per (asset, ended execution): two sweeps deciding together start one."""
    digest = hashlib.sha256((old_execution or "").encode()).hexdigest()[:16]
    return f"redrive-{asset_id}-{digest}"


def sweep(
    deps: Deps,
    workflow: Workflow,
    *,
    bucket: str,
    min_age_s: float,
    max_age_s: float,
    limit: int,
) -> SweepReport:
    """Re-drive (or, past ``max_age_s``, fail) unfinished assets whose execution ended, and
    start the pipeline for submitted uploads no asset names; up to ``limit`` of each."""
    with deps.transaction() as conn:
        stuck = dal.unfinished_assets(conn, min_age_s=min_age_s, limit=limit)
        missing = dal.submitted_uploads_without_media(conn, min_age_s=min_age_s, limit=limit)
    outcomes = [_unfinished(deps, workflow, row, max_age_s) for row in stuck]
    outcomes += [_unregistered(workflow, bucket, row) for row in missing]
    return SweepReport(
        checked=len(outcomes),
        redriven=outcomes.count("redriven"),
        failed=outcomes.count("failed"),
        started=outcomes.count("started"),
        unknown=outcomes.count("unknown"),
    )


def _unfinished(deps: Deps, workflow: Workflow, row: Mapping[str, Any], max_age_s: float) -> str:
    asset_id: uuid.UUID = row["id"]
    old: str | None = row["execution_arn"]
    try:
        status = workflow.status(old) if old else MISSING
    except SweepUnavailable as exc:
        logger.warning(
            "execution status unknown", extra={"asset_id": str(asset_id), "error": str(exc)}
        )
        return "unknown"
    if status == RUNNING:
        return "running"
    if float(row["age_s"]) > max_age_s:
        # Given up on: failed as a timeout ("took too long"), with media.failed once.
        failure = FailureInput(
            error=StepError(error="States.Timeout", cause=""),
            asset_id=asset_id,
            correlation_id=f"media-sweep-{asset_id}",
        )
        published = mark_failed(failure, deps).published
        logger.warning("unfinished media failed by the sweep", extra={"asset_id": str(asset_id)})
        return "failed" if published else "raced"
    name = redrive_name(asset_id, old)
    with deps.transaction() as conn:
        if not dal.hand_over(conn, asset_id, old, workflow.execution_arn(name)):
            return "raced"  # another sweep (or a late step) got there first
    source = S3Object(
        bucket=row["bucket"],
        key=row["object_key"],
        version_id=row["version_id"],
        size_bytes=int(row["size_bytes"] or 0),
    )
    try:
        workflow.start(name, s3_event(source, name))
    except SweepUnavailable as exc:
        # The asset now names an execution that does not exist: the next sweep finds it
        # MISSING and hands it over again.
        logger.warning("re-drive not started", extra={"asset_id": str(asset_id), "error": str(exc)})
        return "unknown"
    logger.info(
        "media pipeline re-driven",
        extra={"asset_id": str(asset_id), "ended": status, "execution": name},
    )
    return "redriven"


def _unregistered(workflow: Workflow, bucket: str, row: Mapping[str, Any]) -> str:
    upload_id = str(row["upload_id"])
    try:
        head = workflow.head(bucket, row["object_key"])
        if head is None:
            return "gone"
        version_id, size = head
        source = S3Object(
            bucket=bucket, key=row["object_key"], version_id=version_id, size_bytes=size
        )
        name = f"sweep-{uuid.uuid4()}"
        workflow.start(name, s3_event(source, name))
    except SweepUnavailable as exc:
        logger.warning("pipeline not started", extra={"upload_id": upload_id, "error": str(exc)})
        return "unknown"
    logger.info("media pipeline started by the sweep", extra={"upload_id": upload_id})
    return "started"
