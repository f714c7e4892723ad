"""The analysis on the stage for real: events on the bus -> trigger consumer -> Step Functions
-> Lambdas -> fake Groq over HTTP. Duplicate and out-of-order triggers start one analysis; a
Groq fault storm leaves no analysis running."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any
from uuid import UUID

import psycopg
import pytest

from fakes.groq.server import FakeGroqServer, Fault
from scripts import localenv
from shared.analysis.starts import ANALYSIS_FIELDS, execution_input
from shared.events import EventEnvelope
from tests.e2e.analysis.conftest import analysis_row, wait_for
from tests.integration.analysis.fixtures import (
    OFF_TOPIC,
    STRONG,
    Interview,
    completed_event,
    insert_transcripts,
    interview,
    media_events,
)

Publish = Callable[[list[EventEnvelope]], None]
FINAL = ("completed", "failed")


def _executions_for(state_machine_arn: str, analysis_id: str) -> list[dict[str, Any]]:
    sfn = localenv.client("stepfunctions")
    found = []
    for execution in sfn.list_executions(stateMachineArn=state_machine_arn, maxResults=1000)[
        "executions"
    ]:
        described = sfn.describe_execution(executionArn=execution["executionArn"])
        if analysis_id in described.get("input", ""):
            found.append(described)
    return found


def test_duplicate_and_out_of_order_triggers_start_one_analysis(
    groq: FakeGroqServer,
    publish: Publish,
    db: psycopg.Connection[Any],
    outputs: dict[str, str],
) -> None:
    # Given an interview whose two videos are transcribed
    item = interview(spoken=(STRONG, OFF_TOPIC))
    insert_transcripts(db, item)
    first, second = media_events(item)
    completed, completed_again = completed_event(item), completed_event(item)
    # When the events arrive out of order, some twice, completion published twice
    publish([second, second])
    publish([completed])
    publish([first, completed_again, first, completed])
    # Then one analysis runs to completion
    row = wait_for(
        lambda: (r := analysis_row(db, item.invitation_id)) and r["status"] in FINAL and r,
        180,
        "the analysis to finish",
    )
    assert row["status"] == "completed", row
    assert row["engine"] == "groq"
    count = db.execute(
        "SELECT count(*) FROM analysis.analyses WHERE invitation_id = %s", (item.invitation_id,)
    ).fetchone()
    assert count == (1,)
    # And exactly one workflow execution did the work
    executions = wait_for(
        lambda: (
            (found := _executions_for(outputs["AnalysisStateMachineArn"], str(row["id"])))
            and all(e["status"] != "RUNNING" for e in found)
            and found
        ),
        30,
        "the executions to end",
    )
    assert [e["status"] for e in executions] == ["SUCCEEDED"]
    assert groq.calls["/openai/v1/chat/completions"] >= 3  # two answers + the summary


class StormDriver:
    """Keeps about half of the fake's calls faulty: mostly 429 with retry-after, some 500s,
    some malformed bodies (the fake serves queued faults to the next calls)."""

    CYCLE = ("rate_limit",) * 6 + ("server_error",) * 2 + ("malformed",) * 2

    def __init__(self, fake: FakeGroqServer, share: float = 0.5) -> None:
        self._fake = fake
        self._share = share
        self._stop = threading.Event()
        self._queued = 0
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> StormDriver:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stop.wait(0.05):
            stats = self._fake.stats()
            calls = sum(stats["calls"].values())
            if not stats["pending_faults"] and self._queued <= calls * self._share:
                kind = self.CYCLE[self._queued % len(self.CYCLE)]
                self._fake.fail_next(Fault(kind=kind, route="chat", retry_after_s=1))  # type: ignore[arg-type]
                self._queued += 1


@pytest.mark.timeout(900)
def test_a_groq_fault_storm_on_20_interviews_leaves_none_running(
    groq: FakeGroqServer,
    publish: Publish,
    db: psycopg.Connection[Any],
    outputs: dict[str, str],
) -> None:
    # Given 20 completed interviews (two spoken answers, a text and a multiple-choice each)
    items = [interview(spoken=(STRONG, OFF_TOPIC)) for _ in range(20)]
    for item in items:
        insert_transcripts(db, item)
    # When they are analysed while half of Groq's answers are faults
    with StormDriver(groq):
        # Candidates finish a few at a time (4 every 2 s), as they would on a busy morning.
        for start in range(0, len(items), 4):
            for item in items[start : start + 4]:
                publish([completed_event(item), *media_events(item)])
            time.sleep(2)  # the next wave of candidates, not a wait for a result

        def all_final() -> list[dict[str, Any]] | None:
            rows = [analysis_row(db, i.invitation_id) for i in items]
            if all(r is not None and r["status"] in FINAL for r in rows):
                return [r for r in rows if r is not None]
            return None

        rows = wait_for(all_final, 780, "every analysis to complete or fail", interval_s=2)
    # Then every analysis ended, each failure with a reason, none left running
    assert len(rows) == 20
    for row in rows:
        assert row["status"] in FINAL
        if row["status"] == "failed":
            assert row["reason"], row
    served = groq.stats()["faults_served"]
    assert served.get("rate_limit", 0) > 0
    assert served.get("server_error", 0) > 0
    assert served.get("malformed", 0) > 0
    completed = [r for r in rows if r["status"] == "completed"]
    assert completed, "the retries should carry most analyses through the storm"
    # And the workflow waited out retry-after in its own Wait state
    history_waits = 0
    sfn = localenv.client("stepfunctions")
    for row in completed[:3]:
        for execution in _executions_for(outputs["AnalysisStateMachineArn"], str(row["id"])):
            events = sfn.get_execution_history(
                executionArn=execution["executionArn"], maxResults=1000
            )["events"]
            history_waits += sum(
                1
                for e in events
                if e.get("stateEnteredEventDetails", {}).get("name") == "AnswerWaitRetryAfter"
            )
    assert history_waits > 0
    print(
        json.dumps({"completed": len(completed), "failed": 20 - len(completed), "faults": served})
    )


def test_a_daily_quota_fails_fast_and_hr_can_retry_without_rerecording(
    groq: FakeGroqServer,
    publish: Publish,
    db: psycopg.Connection[Any],
) -> None:
    # Given Groq says the quota is gone for hours
    item = interview(spoken=(STRONG,), text=None, choice_correct=None)
    insert_transcripts(db, item)
    groq.fail_next(Fault(kind="rate_limit", route="chat", retry_after_s=7200))
    publish([completed_event(item), *media_events(item)])
    row = wait_for(
        lambda: (r := analysis_row(db, item.invitation_id)) and r["status"] in FINAL and r,
        120,
        "the analysis to fail",
    )
    # Then it failed at once with the reason, after a single call
    assert row["status"] == "failed"
    assert row["reason"].startswith("GroqDailyQuotaExceeded")
    assert groq.calls["/openai/v1/chat/completions"] == 1


def _claimed_analysis(
    groq: FakeGroqServer,
    publish: Publish,
    db: psycopg.Connection[Any],
    *,
    groq_latency_s: float,
    spoken: tuple[str, ...] = (STRONG,),
) -> tuple[Interview, UUID, str]:
    """An analysis of ``spoken`` answers whose execution has claimed it (in Load) and now waits
    on a Groq call that takes ``groq_latency_s``: (interview, analysis id, execution ARN). One
    answer is assessed in Load itself; two or more go through the Map."""
    groq.set_latency(groq_latency_s)
    item = interview(spoken=spoken, text=None, choice_correct=None)
    insert_transcripts(db, item)
    publish([completed_event(item), *media_events(item)])
    analysis_id, arn = wait_for(
        lambda: db.execute(
            "SELECT id, execution_arn FROM analysis.analyses WHERE invitation_id = %s"
            " AND execution_arn IS NOT NULL",
            (item.invitation_id,),
        ).fetchone(),
        120,
        "the execution to claim the analysis",
    )
    return item, analysis_id, str(arn)


def test_an_execution_that_ends_without_a_result_is_swept_to_failed(
    groq: FakeGroqServer,
    publish: Publish,
    db: psycopg.Connection[Any],
    outputs: dict[str, str],
) -> None:
    # Given an analysis whose workflow is waiting in its Map on slow Groq calls (two answers:
    # the Map's steps store per answer, and only the summary's step would end the analysis; a
    # single answer is assessed and stored by Load, whose Lambda outlives a stopped execution)
    item, _analysis_id, arn = _claimed_analysis(
        groq, publish, db, groq_latency_s=15, spoken=(STRONG, OFF_TOPIC)
    )
    # When the execution is stopped from outside (no Catch runs), and the scheduled sweep runs
    sfn = localenv.client("stepfunctions")
    sfn.stop_execution(executionArn=arn, error="OperatorStop", cause="stopped by the test")
    # (AWS ends it ABORTED; LocalStack 2026.3, stopping it inside the Map, ends it FAILED with
    # States.Runtime. Either way no Catch runs and the analysis is left running.)
    ended = wait_for(
        lambda: (
            (status := sfn.describe_execution(executionArn=arn)["status"]) != "RUNNING" and status
        ),
        30,
        "the execution to end",
    )
    # (a healthy analysis ends in seconds: the sweep only asks about attempts running > 2 min)
    db.execute(
        "UPDATE analysis.analyses SET started_at = now() - interval '10 minutes'"
        " WHERE invitation_id = %s",
        (item.invitation_id,),
    )
    answer = localenv.client("lambda").invoke(
        FunctionName=outputs["AnalysisSweepFunctionName"],
        Payload=json.dumps({"detail-type": "Scheduled Event", "source": "aws.events"}),
    )
    report = json.loads(answer["Payload"].read())
    # Then the analysis ended failed, with the reason, and HR sees it as retryable
    assert "FunctionError" not in answer, report
    assert report["failed"] >= 1
    row = analysis_row(db, item.invitation_id)
    assert row is not None
    assert row["status"] == "failed"
    assert f"ended {ended}" in row["reason"]
    published = db.execute(
        "SELECT count(*) FROM platform.outbox WHERE event_type = 'analysis.failed'"
        " AND envelope->'payload'->>'analysisId' = %s",
        (str(row["id"]),),
    ).fetchone()
    assert published == (1,)


def test_a_redelivered_start_while_the_analysis_runs_does_no_second_analysis(
    groq: FakeGroqServer,
    publish: Publish,
    db: psycopg.Connection[Any],
    outputs: dict[str, str],
) -> None:
    # Given an analysis whose execution has claimed it and is waiting on Groq
    item, analysis_id, arn = _claimed_analysis(groq, publish, db, groq_latency_s=2)
    row = db.execute(
        "SELECT envelope FROM platform.outbox WHERE event_type = 'analysis.started'"
        " AND envelope->'payload'->>'analysisId' = %s",
        (str(analysis_id),),
    ).fetchone()
    assert row is not None
    envelope = EventEnvelope.model_validate(row[0])
    # When EventBridge delivers its analysis.started a second time: locally the rule names the
    # execution after the envelope's id, so that is the running execution again
    publish([envelope])
    # and when a second execution starts for it all the same (in AWS the rule names its own:
    # a redelivery, or the rule's start beside the trigger's, is a second execution)
    localenv.client("stepfunctions").start_execution(
        stateMachineArn=outputs["AnalysisStateMachineArn"],
        name=f"second-{uuid.uuid4()}",
        input=execution_input(envelope.event_id, envelope.to_detail(), ANALYSIS_FIELDS),
    )
    # Then both executions end, the second one without doing anything, and the analysis
    # completes once, by the first, with one Groq call per answer plus the summary
    executions = wait_for(
        lambda: (
            (found := _executions_for(outputs["AnalysisStateMachineArn"], str(analysis_id)))
            and len(found) == 2
            and all(e["status"] != "RUNNING" for e in found)
            and found
        ),
        120,
        "both executions to end",
    )
    assert [e["status"] for e in executions] == ["SUCCEEDED", "SUCCEEDED"]
    row = analysis_row(db, item.invitation_id)
    assert row is not None
    assert row["status"] == "completed"
    assert db.execute(
        "SELECT execution_arn FROM analysis.analyses WHERE id = %s", (analysis_id,)
    ).fetchone() == (arn,)
    assert groq.calls["/openai/v1/chat/completions"] == 2  # one answer + the summary
