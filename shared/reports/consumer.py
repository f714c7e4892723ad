"""The reports consumer's batch: each event's facts and jobs in its own deduplicated
transaction, then the jobs those transactions queued are made (PDFs, exports)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.dal.db import get_pool
from shared.events.consumer import EventConsumer, PostgresDeduplicator
from shared.reports.jobs import Deps, run_jobs
from shared.reports.projection import CONSUMER, on_event, tracking_jobs

consumer = EventConsumer(CONSUMER, on_event, PostgresDeduplicator.from_pool(get_pool))


def handle_batch(
    event: dict[str, Any], deps: Deps, context: LambdaContext | None = None
) -> dict[str, Any]:
    with tracking_jobs() as jobs:
        result = dict(consumer.handle_batch(event, context))
    # A rolled-back effect's job is not found queued (claim skips it).
    run_jobs(jobs, deps)
    return result
