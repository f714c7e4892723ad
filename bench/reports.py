"""Benchmark of the reports: `make bench-reports` -> bench/results/reports.json.

Against the deployed stack of the current stage (LOCALSTACK_PORT, PLATFORM_LOCAL_STAGE,
DB_NAME), through API Gateway; the stage's Groq secret is emptied for the run, so the offline
engine analyses (its quotes and justifications fill the PDF as a model's would).

  pdf_p50_ms          a candidate's PDF made by the reports consumer Lambda: the job's
                      started_at -> finished_at (the interview, the analysis and the reviews read
                      from PostgreSQL, rendered by fpdf2 with the embedded fonts, put to S3),
                      median of PDF_RUNS regenerations asked through ``POST
                      /v1/invitations/{id}/report`` one after another (the PDF the analysis
                      made first is not counted: a cold start); a 6-question interview (5 text
                      answers with quotes, a multiple choice), HR's decision and a note
  pdf_kb              that PDF's size (the fonts subset to the characters used)
  csv_100k_s          a CSV export of a company's 100,000 invitations (four templates over 180
                      days) made by the consumer Lambda: the job's started_at -> finished_at
                      (server-side cursor, S3 multipart upload in 8 MiB parts)
  csv_peak_rss_mb     the consumer's "Max Memory Used" in the REPORT line (CloudWatch Logs) of
                      the invocation that made that export: the Lambda worker process's peak RSS
                      (ru_maxrss), as AWS reports it. The worker may have rendered a PDF before
                      (fonts loaded): the figure is the environment's peak, an upper bound of the
                      export's own
  funnel_100k_p95_ms  ``GET /v1/reports/funnel`` of that company through API Gateway (the whole
                      company and each template in turn, 180 days), p95 of FUNNEL_RUNS warm calls
                      (FUNNEL_WARM first, not counted); read off the daily rollup

The 100,000 invitations are written straight into the reports' read model
(reports.invitation_facts) in one INSERT ... SELECT generate_series with the bulk-load switch on
(reports.bulk_load: the per-row rollup trigger costs ~1-4 ms a row) and the company's rollup
rebuilt in one statement (reports.rebuild_funnel): ~10 s here.
"""

from __future__ import annotations

import json
import re
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

import httpx
import psycopg

from bench._common import percentile, write_result
from scripts import localenv
from scripts.main_job import CONSENT, TOKEN_HEADER, expect, invite, sign_up_hr
from shared.dal.db import conninfo_for
from shared.settings import DatabaseSettings
from tests.integration.analysis.fixtures import STRONG, TEXT_ANSWER

PDF_RUNS = 10
FUNNEL_WARM = 5
FUNNEL_RUNS = 60
ROWS = 100_000
TEMPLATES = 4
DAYS = 180
DEADLINE_S = 600.0
REPORT_LINE = re.compile(
    r"REPORT RequestId: \S+\s+Duration: ([\d.]+) ms.*Max Memory Used: (\d+) MB"
)

SEED = """
INSERT INTO reports.invitation_facts (invitation_id, company_id, template_id, candidate_name,
    candidate_email, invited_at, started_at, completed_at, analysis_status, analysed_at, overall,
    recommendation, relevance, completeness, clarity, depth, decision, decided_at,
    answered_positions)
SELECT gen_random_uuid(), %(company)s, (%(templates)s::uuid[])[1 + n %% %(template_count)s],
    'Candidate ' || n, 'candidate-' || n || '@example.com', inv, st, co,
    CASE WHEN co IS NOT NULL THEN 'completed' END,
    co + interval '2 minutes',
    CASE WHEN co IS NOT NULL THEN (n * 37) %% 101 END,
    CASE WHEN co IS NOT NULL THEN (ARRAY['hire', 'consider', 'reject'])[1 + n %% 3] END,
    CASE WHEN co IS NOT NULL THEN (n * 13) %% 101 END,
    CASE WHEN co IS NOT NULL THEN (n * 17) %% 101 END,
    CASE WHEN co IS NOT NULL THEN (n * 19) %% 101 END,
    CASE WHEN co IS NOT NULL THEN (n * 23) %% 101 END,
    CASE WHEN co IS NOT NULL AND n %% 5 = 0 THEN 'advance'
         WHEN co IS NOT NULL AND n %% 5 = 1 THEN 'reject' END,
    CASE WHEN co IS NOT NULL AND n %% 5 < 2 THEN co + interval '1 day' END,
    CASE WHEN st IS NULL THEN '{}'::smallint[]
         WHEN co IS NOT NULL THEN '{1,2,3,4,5}'::smallint[]
         ELSE (ARRAY[1, 2, 3])[1:1 + n %% 3]::smallint[] END
FROM (
    SELECT n, now() - (n %% %(days)s) * interval '1 day' - (n %% 1440) * interval '1 minute'
              - interval '1 hour' AS inv
    FROM generate_series(1, %(rows)s) n
) g,
LATERAL (SELECT CASE WHEN n %% 10 < 8 THEN inv + (60 + n %% 3000) * interval '1 second' END
         AS st) s,
LATERAL (SELECT CASE WHEN n %% 10 < 6 THEN st + (300 + n %% 2000) * interval '1 second' END
         AS co) c
"""


def _poll[T](check: Callable[[], T | None], what: str, interval_s: float = 0.1) -> T:
    deadline = time.monotonic() + DEADLINE_S
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(interval_s)  # poll interval within the deadline
    raise SystemExit(f"timed out waiting for {what}")


def _write_secret(value: dict[str, Any]) -> None:
    secrets = localenv.client("secretsmanager")
    name = f"interview-platform/{localenv.STAGE}/groq"
    try:
        secrets.put_secret_value(SecretId=name, SecretString=json.dumps(value))
    except secrets.exceptions.ResourceNotFoundException:
        secrets.create_secret(Name=name, SecretString=json.dumps(value))


def _analysed_interview(api: httpx.Client, hr: dict[str, str]) -> str:
    """A completed interview (5 text answers, a multiple choice), analysed and decided."""
    template = expect(
        api.post("v1/templates", json={"title": "Reports bench: backend"}, headers=hr), 201
    )
    questions: list[dict[str, Any]] = []
    choice = {
        "type": "multiple_choice",
        "text": "Which HTTP status code means too many requests?",
        "options": [{"text": "429", "correct": True}, {"text": "418", "correct": False}],
    }
    texts = [
        {"type": "text", "text": f"Question {n + 1}: how would you design it?"} for n in range(5)
    ]
    path = f"v1/templates/{template['id']}/questions"
    questions = [
        expect(api.post(path, json=question, headers=hr), 201)["question"]
        for question in (*texts, choice)
    ]
    expect(api.post(f"v1/templates/{template['id']}/publish", headers=hr))
    invitation = invite(api, hr, str(template["id"]), "Zoë Łukasiewicz 李小龍")
    link = {TOKEN_HEADER: str(invitation["link_token"])}
    expect(api.post("v1/candidate/interview/start", json=CONSENT, headers=link))
    for n, question in enumerate(questions):
        answer: dict[str, Any] = (
            {"option_ids": [o["id"] for o in question["options"] if o["correct"]]}
            if question["type"] == "multiple_choice"
            else {"text": STRONG if n % 2 else TEXT_ANSWER}
        )
        expect(
            api.post(
                f"v1/candidate/interview/questions/{question['id']}/answer",
                json=answer,
                headers=link,
            ),
            201,
        )
    expect(api.post("v1/candidate/interview/complete", json={"reason": "manual"}, headers=link))
    invitation_id = str(invitation["id"])

    def analysed() -> str | None:
        response = api.get(f"v1/invitations/{invitation_id}/analysis", headers=hr)
        status = response.json().get("status") if response.status_code == 200 else None
        return status if status in ("completed", "failed") else None

    if _poll(analysed, "the analysis", 0.5) != "completed":
        raise SystemExit("the analysis failed: no PDF to measure")
    expect(
        api.post(
            f"v1/invitations/{invitation_id}/decision",
            json={"decision": "advance", "note": "Clear trade-offs, concrete numbers."},
            headers=hr,
        )
    )
    return invitation_id


def _at(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _job_seconds(job: dict[str, Any]) -> float:
    return (_at(job["finished_at"]) - _at(job["started_at"])).total_seconds()


def _pdf(api: httpx.Client, hr: dict[str, str], invitation_id: str) -> tuple[list[float], int]:
    path = f"v1/invitations/{invitation_id}/report"

    def ready(after: int) -> dict[str, Any] | None:
        response = api.get(path, headers=hr)
        if response.status_code == 404:
            return None
        job = expect(response)
        if job["status"] == "failed":
            raise SystemExit(f"the PDF failed: {job['reason']}")
        return job if job["status"] == "ready" and job["revision"] > after else None

    # The analysis's PDF and the decision's (cold, not counted).
    last = _poll(lambda: ready(1), "the decision's PDF")
    times: list[float] = []
    for _ in range(PDF_RUNS):
        previous = expect(api.post(path, headers=hr), 202)["revision"] - 1
        last = _poll(lambda: ready(previous), "a regenerated PDF")  # noqa: B023 - called at once
        times.append(_job_seconds(last) * 1000)
    size = httpx.get(last["download_url"], timeout=60)
    if size.status_code != 200 or not size.content.startswith(b"%PDF-"):
        raise SystemExit(f"the PDF's download answered {size.status_code}")
    return times, len(size.content)


def _seed(db: psycopg.Connection[Any], company: str) -> list[str]:
    templates = [str(uuid.uuid4()) for _ in range(TEMPLATES)]
    started = time.monotonic()
    with db.transaction():
        db.execute("SET LOCAL reports.bulk_load = 'on'")
        db.execute(
            SEED,
            {
                "company": company,
                "templates": templates,
                "template_count": TEMPLATES,
                "rows": ROWS,
                "days": DAYS,
            },
        )
        db.execute("SELECT reports.rebuild_funnel(%s)", (company,))
    print(f"seeded {ROWS} facts in {time.monotonic() - started:.1f} s", file=sys.stderr)
    return templates


def _export(api: httpx.Client, hr: dict[str, str]) -> dict[str, Any]:
    created = expect(api.post("v1/reports/exports", json={}, headers=hr), 202)

    def ready() -> dict[str, Any] | None:
        job = expect(api.get(f"v1/reports/exports/{created['job_id']}", headers=hr))
        if job["status"] == "failed":
            raise SystemExit(f"the export failed: {job['reason']}")
        return job if job["status"] == "ready" else None

    job = _poll(ready, "the export", 0.25)
    if job["row_count"] != ROWS:
        raise SystemExit(f"the export has {job['row_count']} rows, not {ROWS}")
    return job


def _max_memory_mb(function_name: str, job: dict[str, Any]) -> float:
    """Max Memory Used of the consumer's first REPORT line after the export's job finished: the
    invocation that made it (its line is written when it returns)."""
    logs = localenv.client("logs")
    started_ms = int(_at(job["started_at"]).timestamp() * 1000)
    finished_ms = int(_at(job["finished_at"]).timestamp() * 1000)

    def found() -> int | None:
        try:
            events = logs.filter_log_events(
                logGroupName=f"/aws/lambda/{function_name}",
                startTime=started_ms,
                filterPattern="REPORT",
            )["events"]
        except logs.exceptions.ResourceNotFoundException:
            return None
        after = sorted(
            (e["timestamp"], int(m.group(2)))
            for e in events
            if e["timestamp"] >= finished_ms and (m := REPORT_LINE.search(e["message"]))
        )
        return after[0][1] if after else None

    return float(_poll(found, "the export's REPORT line", 1.0))


def _funnel(api: httpx.Client, hr: dict[str, str], templates: list[str]) -> list[float]:
    to = time.strftime("%Y-%m-%d", time.gmtime())
    # The seed's oldest invitation is DAYS days and a bit more ago (minutes and an hour back).
    since = time.strftime("%Y-%m-%d", time.gmtime(time.time() - (DAYS + 2) * 86_400))
    choices: list[dict[str, str]] = [{}, *({"template_id": t} for t in templates)]
    times: list[float] = []
    for n in range(FUNNEL_WARM + FUNNEL_RUNS):
        params = {"from": since, "to": to, **choices[n % len(choices)]}
        started = time.perf_counter()
        view = expect(api.get("v1/reports/funnel", params=params, headers=hr))
        elapsed = (time.perf_counter() - started) * 1000
        if n == 0 and view["stages"][0]["count"] != ROWS:
            raise SystemExit(f"the funnel counts {view['stages'][0]['count']}, not {ROWS}")
        if n >= FUNNEL_WARM:
            times.append(elapsed)
    return times


def main() -> int:
    outputs = localenv.stack_outputs()
    settings = DatabaseSettings(name=localenv.DB_NAME, secret_arn=None)
    _write_secret({"api_key": None, "base_url": None})  # the offline engine
    with (
        psycopg.connect(conninfo_for(settings), autocommit=True) as db,
        httpx.Client(base_url=outputs["ApiUrl"], timeout=60.0) as api,
    ):
        hr, _company = sign_up_hr(api)
        invitation_id = _analysed_interview(api, hr)
        pdf_ms, pdf_bytes = _pdf(api, hr, invitation_id)
        print("pdf ms", [round(t) for t in pdf_ms], file=sys.stderr)

        # A company of its own for the 100,000 (the PDF's interview stays out of its counts).
        big_hr, big_company = sign_up_hr(api)
        templates = _seed(db, big_company)
        job = _export(api, big_hr)
        csv_s = _job_seconds(job)
        rss_mb = _max_memory_mb(outputs["ReportsConsumerFunctionName"], job)
        print(f"export {job['bytes']} bytes in {csv_s:.1f} s, {rss_mb} MB", file=sys.stderr)
        funnel_ms = _funnel(api, big_hr, templates)
        print("funnel ms p50", round(statistics.median(funnel_ms), 1), file=sys.stderr)
    write_result(
        "reports",
        {
            "pdf_p50_ms": statistics.median(pdf_ms),
            "pdf_kb": pdf_bytes / 1024,
            "csv_100k_s": csv_s,
            "csv_peak_rss_mb": rss_mb,
            "funnel_100k_p95_ms": percentile(funnel_ms, 95),
        },
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
