"""Benchmark of the analysis turnaround: `make bench-turnaround` -> bench/results/turnaround.json.

Everything goes through API Gateway on the local stage taken from the environment
(LOCALSTACK_PORT, PLATFORM_LOCAL_STAGE, DB_NAME), with the fake Groq answering every call in
400 ms (the stage's Groq secret points at it for the run and is emptied afterwards). HR signs up
and publishes a 5-question template (4 audio questions and 1 text question); each candidate
starts, uploads 4 spoken answers (espeak-ng) through presigned POSTs, answers the text question,
and waits until the media pipeline has processed every upload and the analysis trigger has
recorded it. Then the candidate completes, and the clock runs:

  turnaround_s        from sending the candidate's ``POST /v1/candidate/interview/complete`` to the
                      analysis row's ``completed_at`` (which commits with ``analysis.completed`` in
                      the outbox); all Lambdas warm (one run first, not counted); median of RUNS
  turnaround_max_s    the slowest of those runs
  start_s             of which: ``complete`` sent -> the analysis row created by the trigger
                      (outbox -> EventBridge -> SQS -> trigger Lambda)
  floor_s             two sequential Groq calls: every answer in parallel, then the summary
                      (2 x 0.4 s)
  sequential_s        the same with the Map's MaxConcurrency at 1 (the Load function's
                      ANALYSIS_MAX_CONCURRENCY set to 1 for the run, then restored)
  tokens_per_answer   (prompt + completion tokens of the whole analysis, the summary included) /
                      analysed answers, with the real prompts: the fake counts them with o200k_base,
                      gpt-oss's tokenizer, plus harmony's framing. Not included: the system preamble
                      Groq adds and gpt-oss's reasoning tokens (we ask for low effort); with a real
                      key Groq's own usage is stored instead
  cost_per_answer_usd those tokens at the price table in shared/analysis/settings.py
                      (openai/gpt-oss-120b: $0.15 input / $0.60 output per million tokens)
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import psycopg

from bench._common import write_result
from fakes.groq.server import FakeGroqServer
from scripts import localenv
from scripts.main_job import (
    CONSENT,
    TOKEN_HEADER,
    expect,
    invite,
    recording,
    sign_up_hr,
    upload,
)
from shared.dal.db import conninfo_for
from shared.settings import DatabaseSettings
from tests.integration.analysis.fixtures import STRONG, TEXT_ANSWER

LATENCY_S = 0.4
RUNS = 5
SPOKEN_ANSWERS = 4
DEADLINE_S = 300.0
QUESTION = "How would you design a rate limiter for a public API?"


@dataclass(frozen=True)
class Candidate:
    invitation_id: str
    link: dict[str, str]


def _poll[T](check: Callable[[], T | None], what: str, interval_s: float = 0.02) -> T:
    deadline = time.monotonic() + DEADLINE_S
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(interval_s)  # poll interval within the deadline
    raise SystemExit(f"timed out waiting for {what}")


@dataclass(frozen=True)
class Template:
    id: str
    questions: dict[str, str]  # question id -> type


def _template(api: httpx.Client, hr: dict[str, str]) -> Template:
    """A published template: 4 audio questions and 1 text question."""
    template = expect(
        api.post("v1/templates", json={"title": "Turnaround", "settings": {}}, headers=hr), 201
    )
    questions: dict[str, str] = {}
    for kind in ["audio"] * SPOKEN_ANSWERS + ["text"]:
        body = {"type": kind, "text": QUESTION, "time_limit_s": 120}
        created = expect(
            api.post(f"v1/templates/{template['id']}/questions", json=body, headers=hr), 201
        )
        questions[str(created["question"]["id"])] = kind
    expect(api.post(f"v1/templates/{template['id']}/publish", headers=hr))
    return Template(str(template["id"]), questions)


def _candidate(
    api: httpx.Client, hr: dict[str, str], template: Template, speech: bytes
) -> Candidate:
    """Invited, started, every answer submitted; not completed."""
    invitation = invite(api, hr, template.id, "Bench Candidate")
    link = {TOKEN_HEADER: str(invitation["link_token"])}
    expect(api.post("v1/candidate/interview/start", json=CONSENT, headers=link))
    for question_id, kind in template.questions.items():
        body: dict[str, Any] = (
            {"upload_id": upload(api, link, question_id, speech, "audio/webm")}
            if kind == "audio"
            else {"text": TEXT_ANSWER}
        )
        expect(
            api.post(
                f"v1/candidate/interview/questions/{question_id}/answer", json=body, headers=link
            ),
            201,
        )
    return Candidate(str(invitation["id"]), link)


def _media_recorded(db: psycopg.Connection[Any], candidates: list[Candidate]) -> None:
    """Wait until the trigger has recorded every upload as ready (the media is processed)."""
    ids = [c.invitation_id for c in candidates]

    def ready() -> bool:
        row = db.execute(
            "SELECT count(*) FILTER (WHERE status = 'ready'), count(*)"
            " FROM analysis.media_outcomes WHERE invitation_id = ANY(%s::uuid[])",
            (ids,),
        ).fetchone()
        assert row is not None
        if row[1] > row[0]:
            raise SystemExit("an upload failed in the media pipeline")
        return bool(row[0] == SPOKEN_ANSWERS * len(ids))

    _poll(ready, "the media pipeline", 0.5)


def _complete(api: httpx.Client, db: psycopg.Connection[Any], c: Candidate) -> dict[str, Any]:
    """Complete the interview; time it to the analysis's completed_at."""
    sent = time.time()
    expect(api.post("v1/candidate/interview/complete", json={"reason": "manual"}, headers=c.link))
    row = _poll(
        lambda: db.execute(
            "SELECT status, extract(epoch FROM completed_at), extract(epoch FROM created_at),"
            " prompt_tokens, completion_tokens, cost_usd, engine, reason"
            " FROM analysis.analyses WHERE invitation_id = %s AND status <> 'running'",
            (c.invitation_id,),
        ).fetchone(),
        "the analysis",
    )
    status, completed_at, created_at, prompt, completion, cost, engine, reason = row
    if status != "completed" or engine != "groq":
        raise SystemExit(f"analysis {status} by the {engine} engine: {reason}")
    answers = SPOKEN_ANSWERS + 1
    return {
        "turnaround_s": float(completed_at) - sent,
        "start_s": float(created_at) - sent,
        "tokens_per_answer": (prompt + completion) / answers,
        "cost_per_answer_usd": float(cost) / answers,
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


def _write_secret(value: dict[str, Any]) -> None:
    localenv.client("secretsmanager").put_secret_value(
        SecretId=f"interview-platform/{localenv.STAGE}/groq", SecretString=json.dumps(value)
    )


def main() -> int:
    outputs = localenv.stack_outputs()
    load_fn = outputs["AnalysisLoadFunctionName"]
    original = localenv.client("lambda").get_function_configuration(FunctionName=load_fn)[
        "Environment"
    ]["Variables"]["ANALYSIS_MAX_CONCURRENCY"]
    settings = DatabaseSettings(name=localenv.DB_NAME, secret_arn=None)
    with (
        FakeGroqServer() as fake,
        psycopg.connect(conninfo_for(settings), autocommit=True) as db,
        httpx.Client(base_url=outputs["ApiUrl"], timeout=60.0) as api,
        tempfile.TemporaryDirectory() as tmp,
    ):
        fake.set_latency(LATENCY_S)
        fake.set_script([s.strip() + "." for s in STRONG.split(".") if s.strip()])
        # Locally the functions read the secret on every call; every measured run checks that
        # the groq engine did the analysis.
        _write_secret({"api_key": "fake-key-not-groq", "base_url": fake.base_url})
        try:
            speech = recording(Path(tmp) / "answer.webm", STRONG, video=False)
            hr, _company = sign_up_hr(api)
            template = _template(api, hr)
            # One extra interview per series warms every function of the path (not counted).
            candidates = [_candidate(api, hr, template, speech) for _ in range(2 * (RUNS + 1))]
            _media_recorded(db, candidates)
            parallel = [_complete(api, db, c) for c in candidates[: RUNS + 1]][1:]
            _set_concurrency(load_fn, "1")
            sequential = [_complete(api, db, c) for c in candidates[RUNS + 1 :]][1:]
        finally:
            _set_concurrency(load_fn, original)
            _write_secret({"api_key": None, "base_url": None})
    for label, runs in (("parallel", parallel), ("sequential", sequential)):
        print(label, [round(r["turnaround_s"], 2) for r in runs], file=sys.stderr)
    write_result(
        "turnaround",
        {
            "turnaround_s": statistics.median(r["turnaround_s"] for r in parallel),
            "turnaround_max_s": max(r["turnaround_s"] for r in parallel),
            "start_s": statistics.median(r["start_s"] for r in parallel),
            "floor_s": 2 * LATENCY_S,
            "sequential_s": statistics.median(r["turnaround_s"] for r in sequential),
            "tokens_per_answer": statistics.median(r["tokens_per_answer"] for r in parallel),
            "cost_per_answer_usd": statistics.median(r["cost_per_answer_usd"] for r in parallel),
        },
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
