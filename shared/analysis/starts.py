"""The analysis workflows started at once after the trigger's commit, beside the rules.

The trigger commits ``analysis.started`` (an interview's analysis) and ``analysis.answer_ready``
(an answer final before completion) to the outbox; rules on the bus start their state machines.
A rule's start takes its time (EventBridge's delivery: 0.2-0.3 s on the local stack, where a
direct StartExecution takes 0.02 s), and it sits on the path HR waits on. So the trigger also
starts each committed event's execution itself, with the input the rule gives (the event's id
and the payload fields the workflow reads) and the event's id as the execution's name:

- the rules stay, and remain the guarantee: a direct start that fails is only logged;
- a start from both is harmless: Step Functions answers a second start of the same name and
  input as the first (locally the rule names its execution after the same id), and in AWS,
  where the rule names its own, the later execution finds the attempt (or the answer's
  version) claimed and skips, as with any duplicate delivery.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from uuid import UUID

import psycopg
from botocore.exceptions import BotoCoreError, ClientError
from psycopg_pool import ConnectionPool

from shared.events.clients import after_commit_client
from shared.observability import logger

if TYPE_CHECKING:
    from mypy_boto3_stepfunctions import SFNClient


@dataclass(frozen=True, slots=True)
class Workflow:
    """Which state machine an event type starts, and the payload fields its input carries."""

    state_machine_arn: str
    fields: tuple[str, ...]


# The payload fields each rule passes (cdk/interview_platform/constructs/analysis.py).
ANALYSIS_FIELDS = ("analysisId", "attempt")
ANSWER_FIELDS = ("answerId",)

_COMMITTED = """
SELECT event_id, event_type, envelope FROM platform.outbox
WHERE event_id = ANY(%s::uuid[]) AND event_type = ANY(%s::text[])
ORDER BY created_at, event_id
"""


@lru_cache(maxsize=1)
def direct_start_client() -> SFNClient:
    """One brief try (the after-commit publisher's timeouts): the rule is there if it fails."""
    client: SFNClient = after_commit_client("stepfunctions")
    return client


def workflows(analysis_arn: str | None, answer_arn: str | None) -> dict[str, Workflow]:
    """The event types to start directly (none when the ARNs are not configured)."""
    found: dict[str, Workflow] = {}
    if analysis_arn:
        found["analysis.started"] = Workflow(analysis_arn, ANALYSIS_FIELDS)
    if answer_arn:
        found["analysis.answer_ready"] = Workflow(answer_arn, ANSWER_FIELDS)
    return found


def execution_input(event_id: UUID | str, detail: Mapping[str, Any], fields: Sequence[str]) -> str:
    """The input the rule would give: the event's id and these fields of its payload."""
    payload = detail.get("payload") or {}
    return json.dumps({"id": str(event_id), **{f: payload.get(f) for f in fields}})


def start_committed(
    pool: ConnectionPool,
    event_ids: Sequence[UUID],
    by_type: Mapping[str, Workflow],
    client: SFNClient,
) -> int:
    """Start the executions of those of ``event_ids`` that were committed and start a workflow;
    how many started (or were already running). Never raises: the rules start them anyway."""
    if not event_ids or not by_type:
        return 0
    try:
        with pool.connection() as conn:
            rows = conn.execute(_COMMITTED, (list(event_ids), list(by_type))).fetchall()
    except psycopg.Error:
        logger.warning("direct workflow starts skipped: the outbox could not be read")
        return 0
    started = 0
    for event_id, event_type, detail in rows:
        workflow = by_type[event_type]
        try:
            client.start_execution(
                stateMachineArn=workflow.state_machine_arn,
                name=str(event_id),
                input=execution_input(event_id, detail, workflow.fields),
            )
            started += 1
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            if code == "ExecutionAlreadyExists":
                continue  # the rule's start came first and has ended: nothing to do
            logger.warning(
                "direct workflow start failed; the rule starts it",
                extra={"event_type": event_type, "event_id": str(event_id), "code": code},
            )
        except BotoCoreError as exc:
            logger.warning(
                "direct workflow start failed; the rule starts it",
                extra={"event_type": event_type, "error": type(exc).__name__},
            )
    return started
