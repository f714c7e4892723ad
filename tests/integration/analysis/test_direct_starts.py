"""The trigger's direct workflow starts (shared/analysis/starts.py) against real PostgreSQL and
LocalStack's Step Functions: only committed starts, the rule's input, once per event, and never
an error for the batch when Step Functions says no or cannot be reached."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest
from psycopg_pool import ConnectionPool

from scripts import localenv
from shared.analysis.starts import start_committed, workflows
from shared.events.envelope import EventEnvelope
from shared.events.factory import new_event
from shared.events.outbox import enqueue, tracking_enqueued
from shared.models.events.analysis import (
    AnalysisAnswerReady,
    AnalysisHumanReview,
    AnalysisStarted,
)
from tests.builders import unreachable_client

if TYPE_CHECKING:
    from mypy_boto3_stepfunctions import SFNClient

pytestmark = pytest.mark.localstack

# Each execution waits long enough to be running when the test looks (stopped afterwards).
_HOLD = {"StartAt": "Hold", "States": {"Hold": {"Type": "Wait", "Seconds": 120, "End": True}}}


@pytest.fixture
def sfn() -> SFNClient:
    client: SFNClient = localenv.client("stepfunctions")
    return client


@pytest.fixture
def machines(sfn: SFNClient) -> Iterator[tuple[str, str]]:
    tag = uuid.uuid4().hex[:8]
    arns = [
        sfn.create_state_machine(
            name=f"test-direct-{kind}-{tag}",
            definition=json.dumps(_HOLD),
            roleArn="arn:aws:iam::000000000000:role/test-direct-starts",
        )["stateMachineArn"]
        for kind in ("analysis", "answer")
    ]
    yield arns[0], arns[1]
    for arn in arns:
        for page in sfn.get_paginator("list_executions").paginate(
            stateMachineArn=arn, statusFilter="RUNNING"
        ):
            for item in page["executions"]:
                sfn.stop_execution(executionArn=item["executionArn"])
        sfn.delete_state_machine(stateMachineArn=arn)


def _executions(sfn: SFNClient, arn: str) -> dict[str, dict[str, Any]]:
    """name -> (status, input) of the machine's executions."""
    found: dict[str, dict[str, Any]] = {}
    for page in sfn.get_paginator("list_executions").paginate(stateMachineArn=arn):
        for item in page["executions"]:
            described = sfn.describe_execution(executionArn=item["executionArn"])
            found[item["name"]] = {
                "status": item["status"],
                "input": json.loads(described["input"]),
                "arn": item["executionArn"],
            }
    return found


def _events() -> tuple[EventEnvelope, EventEnvelope, EventEnvelope]:
    tenant = uuid.uuid4()
    started = new_event(
        "analysis.started",
        AnalysisStarted(
            analysis_id=uuid.uuid4(), invitation_id=uuid.uuid4(), attempt=2, trigger="retry"
        ),
        source="platform.analysis",
        correlation_id="test",
        tenant_id=tenant,
    )
    ready = new_event(
        "analysis.answer_ready",
        AnalysisAnswerReady(
            answer_id=uuid.uuid4(), invitation_id=uuid.uuid4(), question_id=uuid.uuid4()
        ),
        source="platform.analysis",
        correlation_id="test",
        tenant_id=tenant,
    )
    other = new_event(
        "analysis.human_review",
        AnalysisHumanReview(analysis_id=uuid.uuid4(), invitation_id=uuid.uuid4(), reason="r"),
        source="platform.analysis",
        correlation_id="test",
        tenant_id=tenant,
    )
    return started, ready, other


def test_only_committed_starts_run_with_the_rules_input_once_per_event(
    pool: ConnectionPool, sfn: SFNClient, machines: tuple[str, str]
) -> None:
    analysis_arn, answer_arn = machines
    by_type = workflows(analysis_arn, answer_arn)
    started, ready, other = _events()
    lost = _events()[0]
    # Given a committed analysis.started, an answer_ready and another event, and a start whose
    # transaction rolled back
    with tracking_enqueued() as enqueued:
        with pool.connection() as conn, conn.transaction():
            for event in (started, ready, other):
                enqueue(conn, event)
        with pool.connection() as conn:
            enqueue(conn, lost)
            conn.rollback()
    assert lost.event_id in enqueued
    # When the trigger starts what it committed
    assert start_committed(pool, enqueued, by_type, sfn) == 2
    # Then each workflow runs once, named after its event, with the input its rule gives
    analyses = _executions(sfn, analysis_arn)
    answers = _executions(sfn, answer_arn)
    assert set(analyses) == {str(started.event_id)}
    assert analyses[str(started.event_id)]["input"] == {
        "id": str(started.event_id),
        "analysisId": str(started.payload["analysisId"]),
        "attempt": 2,
    }
    assert set(answers) == {str(ready.event_id)}
    assert answers[str(ready.event_id)]["input"] == {
        "id": str(ready.event_id),
        "answerId": str(ready.payload["answerId"]),
    }
    # When the same starts come again (a redelivered batch, or the rule naming its execution
    # after the same event locally)
    assert start_committed(pool, enqueued, by_type, sfn) == 2
    # Then nothing runs twice
    assert len(_executions(sfn, analysis_arn)) == 1
    assert len(_executions(sfn, answer_arn)) == 1
    # And once an execution has ended, a start of the same name is refused quietly
    sfn.stop_execution(executionArn=analyses[str(started.event_id)]["arn"])
    assert start_committed(pool, [started.event_id], by_type, sfn) == 0
    assert len(_executions(sfn, analysis_arn)) == 1


def test_no_start_when_step_functions_cannot_be_reached_and_none_configured(
    pool: ConnectionPool,
) -> None:
    started, _ready, _other = _events()
    with pool.connection() as conn, conn.transaction():
        enqueue(conn, started)
    # A Step Functions that does not answer: the batch is not failed (the rule starts it)
    dead: SFNClient = unreachable_client("stepfunctions")
    arn = "arn:aws:states:us-east-1:000000000000:stateMachine:nowhere"
    assert start_committed(pool, [started.event_id], workflows(arn, arn), dead) == 0
    # No machines configured: nothing to do, nothing asked
    assert workflows(None, None) == {}
    assert start_committed(pool, [started.event_id], {}, dead) == 0
