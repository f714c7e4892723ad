"""Benchmark of HR's invitation list and the candidate's interview: `make bench-lists` ->
bench/results/lists.json. Runs against the deployed stack of the current stage (LOCALSTACK_PORT,
PLATFORM_LOCAL_STAGE, DB_NAME; the default stack otherwise), through API Gateway.

Measures:
  list_p50_1k_ms, list_p95_1k_ms       GET /v1/invitations (limit 20) in a company holding 1,000
                                       invitations: first pages and deep pages (via cursor)
  list_p50_100k_ms, list_p95_100k_ms   the same in a company holding 100,000
  list_ratio                           list_p95_100k_ms / list_p95_1k_ms (keyset pagination and
                                       the (company, [status,] created_at, id) indexes keep it ~1)
  list_p95_100k_status_ms              filtered by status at 100,000
  get_interview_p50_ms, get_interview_p95_ms
                                       the candidate's GET /v1/candidate/interview (by token)
  max_handler_import_ms                the slowest import of any functions/interviews/* handler
                                       (python -X importtime, median of 5, shipped .pyc), and
                                       import_<handler>_ms for each
Invitations are seeded with SQL (INSERT ... SELECT generate_series) and deleted afterwards.
"""

from __future__ import annotations

import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import psycopg

from bench._common import handler_import_ms, percentile, write_result
from layers import build as layer_build
from scripts import accounts, localenv
from shared.dal.db import conninfo_for
from shared.interviews.pagination import encode_cursor
from shared.settings import DatabaseSettings

PASSWORD = "correct horse 42 battery"
SIZES = {"1k": 1_000, "100k": 100_000}
WARMUP = 3
REQUESTS = 40  # per size: half first pages, half deep pages
IMPORT_RUNS = 5
ROOT = Path(__file__).resolve().parents[1]


def _ok(response: httpx.Response, status: int) -> Any:
    if response.status_code != status:
        raise SystemExit(f"{response.request.method} {response.request.url}: {response.text}")
    return response.json()


def _hr_with_company(api: httpx.Client, name: str) -> dict[str, str]:
    email = f"bench-{name}-{uuid.uuid4().hex[:8]}@example.com"
    _ok(api.post("v1/auth/register", json={"email": email, "password": PASSWORD}), 202)
    accounts.confirm_from_link_row(api, email)
    token = _ok(api.post("v1/auth/login", json={"email": email, "password": PASSWORD}), 200)
    headers = {"Authorization": f"Bearer {token['access_token']}"}
    _ok(api.post("v1/me/role", json={"role": "hr"}, headers=headers), 200)
    company = _ok(api.post("v1/companies", json={"name": f"Bench {name}"}, headers=headers), 201)
    template = _ok(api.post("v1/templates", json={"title": "Bench"}, headers=headers), 201)
    question = {"type": "text", "text": "Tell us about a hard bug you fixed."}
    _ok(api.post(f"v1/templates/{template['id']}/questions", json=question, headers=headers), 201)
    _ok(api.post(f"v1/templates/{template['id']}/publish", headers=headers), 200)
    return {**headers, "company": company["id"], "template": template["id"]}


def _seed(conn: psycopg.Connection[Any], company: str, template: str, count: int) -> None:
    """`count` invitations, one a second back in time, in a mix of statuses."""
    user = conn.execute(
        "SELECT created_by FROM interviews.templates WHERE id = %s", (template,)
    ).fetchone()
    assert user is not None
    conn.execute(
        "INSERT INTO interviews.invitations (company_id, template_id, created_by,"
        " candidate_email, candidate_name, status, token_hash, expires_at, created_at)"
        " SELECT %(company)s, %(template)s, %(user)s, 'c' || n || '@bench.example.com',"
        " 'Candidate ' || n,"
        " (ARRAY['pending','in_progress','completed','expired','cancelled'])[1 + n %% 5],"
        " sha256(convert_to(%(salt)s || n, 'UTF8')), now() + interval '7 days',"
        " now() - make_interval(secs => n)"
        " FROM generate_series(1, %(count)s) AS n",
        {
            "company": company,
            "template": template,
            "user": user[0],
            "count": count,
            "salt": uuid.uuid4().hex,
        },
    )
    conn.execute("ANALYZE interviews.invitations")


def _deep_cursor(conn: psycopg.Connection[Any], company: str, count: int) -> str:
    """The cursor of the row in the middle of the company's list."""
    row = conn.execute(
        "SELECT created_at, id FROM interviews.invitations WHERE company_id = %s"
        " ORDER BY created_at DESC, id DESC OFFSET %s LIMIT 1",
        (company, count // 2),
    ).fetchone()
    assert row is not None
    return encode_cursor(row[0], row[1])


def _timed(api: httpx.Client, path: str, params: dict[str, Any], headers: dict[str, str]) -> float:
    started = time.perf_counter()
    response = api.get(path, params=params, headers=headers)
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        raise SystemExit(f"GET {path}: {response.status_code} {response.text}")
    return elapsed


def _list_ms(
    api: httpx.Client, hr: dict[str, str], deep: str, status: str | None = None
) -> list[float]:
    headers = {"Authorization": hr["Authorization"]}
    base: dict[str, Any] = {"limit": 20} | ({"status": status} if status else {})
    for _ in range(WARMUP):
        _timed(api, "v1/invitations", base, headers)
    timings = []
    for n in range(REQUESTS):
        params = base if n % 2 == 0 else {**base, "cursor": deep}
        timings.append(_timed(api, "v1/invitations", params, headers))
    return timings


def _interview_ms(api: httpx.Client, hr: dict[str, str]) -> list[float] | None:
    headers = {"Authorization": hr["Authorization"]}
    invitation = _ok(
        api.post(
            "v1/invitations",
            json={
                "template_id": hr["template"],
                "candidate_name": "Bench",
                "candidate_email": f"bench-{uuid.uuid4().hex[:8]}@example.com",
            },
            headers=headers,
        ),
        201,
    )
    token = {"X-Invitation-Token": invitation["link_token"]}
    probe = api.get("v1/candidate/interview", headers=token)
    if probe.status_code == 404 and "No route" in probe.text:
        print("get_interview: GET /v1/candidate/interview is not deployed; skipped")
        return None
    for _ in range(WARMUP):
        _timed(api, "v1/candidate/interview", {}, token)
    return [_timed(api, "v1/candidate/interview", {}, token) for _ in range(REQUESTS)]


def _handlers() -> list[str]:
    return sorted(
        ".".join(p.relative_to(ROOT).with_suffix("").parts)
        for p in (ROOT / "functions" / "interviews").glob("*/handler.py")
    )


def main() -> None:
    outputs = localenv.stack_outputs()
    conninfo = conninfo_for(DatabaseSettings(name=localenv.DB_NAME, secret_arn=None))
    metrics: dict[str, float] = {}
    with httpx.Client(base_url=outputs["ApiUrl"], timeout=60.0) as api:
        companies = {size: _hr_with_company(api, size) for size in SIZES}
        try:
            with psycopg.connect(conninfo, autocommit=True) as conn:
                for size, count in SIZES.items():
                    _seed(conn, companies[size]["company"], companies[size]["template"], count)
                deep = {s: _deep_cursor(conn, companies[s]["company"], c) for s, c in SIZES.items()}
            for size in SIZES:
                timings = _list_ms(api, companies[size], deep[size])
                metrics[f"list_p50_{size}_ms"] = percentile(timings, 50)
                metrics[f"list_p95_{size}_ms"] = percentile(timings, 95)
            status_timings = _list_ms(api, companies["100k"], deep["100k"], status="completed")
            metrics["list_p95_100k_status_ms"] = percentile(status_timings, 95)
            metrics["list_ratio"] = metrics["list_p95_100k_ms"] / metrics["list_p95_1k_ms"]
            interview = _interview_ms(api, companies["1k"])
            if interview is not None:
                metrics["get_interview_p50_ms"] = percentile(interview, 50)
                metrics["get_interview_p95_ms"] = percentile(interview, 95)
        finally:
            with psycopg.connect(conninfo, autocommit=True) as conn:
                for hr in companies.values():
                    conn.execute(
                        "DELETE FROM interviews.invitations WHERE template_id = %s",
                        (hr["template"],),
                    )
    layer_build.build_deps_layer()
    layer_build.build_code_asset()
    imports = {m: handler_import_ms(m, IMPORT_RUNS) for m in _handlers()}
    for module, ms in imports.items():
        metrics[f"import_{module.split('.')[-2]}_ms"] = ms
    metrics["max_handler_import_ms"] = max(imports.values())
    write_result("lists", metrics)


if __name__ == "__main__":
    main()
