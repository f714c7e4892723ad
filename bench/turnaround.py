"""Benchmark of the analysis turnaround: `make bench-turnaround` -> bench/results/turnaround.json.

On the local stage taken from the environment (LOCALSTACK_PORT, PLATFORM_LOCAL_STAGE, DB_NAME),
with the fake Groq answering every chat call in 400 ms (the stage's Groq secret points at it for
the run and is emptied afterwards):

  turnaround_s        from publishing ``invitation.completed`` (what the candidate's ``complete``
                      emits right after its commit) to the analysis row's ``completed_at`` (which
                      commits with ``analysis.completed`` in the outbox); a 5-answer interview
                      (4 spoken answers whose media is already processed, 1 text answer), all
                      Lambdas warm; median of RUNS runs
  floor_s             two sequential Groq calls: every answer in parallel, then the summary
                      (2 x 0.4 s)
  sequential_s        the same with the Map's MaxConcurrency at 1 (the Load function's
                      ANALYSIS_MAX_CONCURRENCY set to 1 for the run, then restored)
  tokens_per_answer   (prompt + completion tokens of the whole analysis) / analysed answers, with
                      the real prompts. ESTIMATE: the fake counts characters / 4 (no tokenizer is
                      installed); Groq's own usage would replace it with a real key
  cost_per_answer_usd that estimate at the price table in shared/analysis/settings.py
                      (openai/gpt-oss-120b: $0.15 input / $0.60 output per million tokens)
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from typing import Any

import psycopg

from bench._common import write_result
from fakes.groq.server import FakeGroqServer
from scripts import localenv
from shared.dal.db import conninfo_for
from shared.events import EventEnvelope
from shared.settings import DatabaseSettings
from tests.integration.analysis.fixtures import (
    OFF_TOPIC,
    STRONG,
    TEXT_ANSWER,
    Interview,
    completed_event,
    insert_transcripts,
    interview,
    media_events,
)

LATENCY_S = 0.4
RUNS = 3
DEADLINE_S = 120.0
SECRET_REFRESH_S = 3.0
SPOKEN = (STRONG, OFF_TOPIC, STRONG, TEXT_ANSWER)


def _put(events: Any, bus: str, envelopes: list[EventEnvelope]) -> None:
    answer = events.put_events(
        Entries=[
            {
                "EventBusName": bus,
                "Source": e.source,
                "DetailType": e.event_type,
                "Detail": json.dumps(e.to_detail()),
            }
            for e in envelopes
        ]
    )
    if answer["FailedEntryCount"]:
        raise SystemExit(f"PutEvents refused entries: {answer}")


def _poll(check: Any, what: str, interval_s: float = 0.02) -> Any:
    deadline = time.monotonic() + DEADLINE_S
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(interval_s)  # poll interval within the deadline
    raise SystemExit(f"timed out waiting for {what}")


def _one_run(db: psycopg.Connection[Any], events: Any, bus: str) -> dict[str, Any]:
    """A 5-answer interview whose media is processed; time completion -> analysis.completed."""
    item: Interview = interview(spoken=SPOKEN, text=TEXT_ANSWER, choice_correct=None)
    insert_transcripts(db, item)
    _put(events, bus, media_events(item))
    _poll(
        lambda: (
            db.execute(
                "SELECT count(*) FROM analysis.media_outcomes WHERE invitation_id = %s",
                (item.invitation_id,),
            ).fetchone()
            == (len(item.upload_ids),)
        ),
        "the media outcomes",
        0.05,
    )
    started = time.time()
    _put(events, bus, [completed_event(item)])
    row = _poll(
        lambda: db.execute(
            "SELECT status, extract(epoch FROM completed_at), prompt_tokens, completion_tokens,"
            " cost_usd, reason FROM analysis.analyses WHERE invitation_id = %s"
            " AND status <> 'running'",
            (item.invitation_id,),
        ).fetchone(),
        "the analysis",
    )
    if row[0] != "completed":
        raise SystemExit(f"analysis {row[0]}: {row[5]}")
    answers = len(item.completed.answers)
    return {
        "turnaround_s": float(row[1]) - started,
        "tokens_per_answer": (row[2] + row[3]) / answers,
        "cost_per_answer_usd": float(row[4]) / answers,
        "invitation_id": str(item.invitation_id),
    }


def _set_concurrency(function_name: str, value: str) -> None:
    lam = localenv.client("lambda")
    config = lam.get_function_configuration(FunctionName=function_name)
    variables = dict(config.get("Environment", {}).get("Variables", {}))
    variables["ANALYSIS_MAX_CONCURRENCY"] = value
    lam.update_function_configuration(
        FunctionName=function_name, Environment={"Variables": variables}
    )
    lam.get_waiter("function_updated_v2").wait(FunctionName=function_name)


def _series(db: psycopg.Connection[Any], events: Any, bus: str) -> list[dict[str, Any]]:
    _one_run(db, events, bus)  # warm every function of the path (cold starts excluded)
    return [_one_run(db, events, bus) for _ in range(RUNS)]


def _write_secret(value: dict[str, Any]) -> None:
    localenv.client("secretsmanager").put_secret_value(
        SecretId=f"interview-platform/{localenv.STAGE}/groq", SecretString=json.dumps(value)
    )


def main() -> int:
    outputs = localenv.stack_outputs()
    bus, load_fn = outputs["EventBusName"], outputs["AnalysisLoadFunctionName"]
    events = localenv.client("events")
    lam = localenv.client("lambda")
    original = lam.get_function_configuration(FunctionName=load_fn)["Environment"]["Variables"][
        "ANALYSIS_MAX_CONCURRENCY"
    ]
    settings = DatabaseSettings(name=localenv.DB_NAME, secret_arn=None)
    with (
        FakeGroqServer() as fake,
        psycopg.connect(conninfo_for(settings), autocommit=True) as db,
    ):
        fake.set_latency(LATENCY_S)
        _write_secret({"api_key": "fake-key-not-groq", "base_url": fake.base_url})
        time.sleep(SECRET_REFRESH_S)  # warm functions re-read the secret after its cache time
        try:
            parallel = _series(db, events, bus)
            _set_concurrency(load_fn, "1")
            sequential = _series(db, events, bus)
        finally:
            _set_concurrency(load_fn, original)
            _write_secret({"api_key": None, "base_url": None})
    for label, runs in (("parallel", parallel), ("sequential", sequential)):
        print(label, [round(r["turnaround_s"], 2) for r in runs], file=sys.stderr)
    write_result(
        "turnaround",
        {
            "turnaround_s": statistics.median(r["turnaround_s"] for r in parallel),
            "floor_s": 2 * LATENCY_S,
            "sequential_s": statistics.median(r["turnaround_s"] for r in sequential),
            "tokens_per_answer": statistics.median(r["tokens_per_answer"] for r in parallel),
            "cost_per_answer_usd": statistics.median(r["cost_per_answer_usd"] for r in parallel),
        },
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
