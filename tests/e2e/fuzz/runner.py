"""Schemathesis over the whole openapi.json against the deployed local API, as each kind of
caller, with a bounded, seeded budget (issue 13: "fuzzing in make test").

A run fails on any 5xx, on an answer whose status the document does not list for that
operation, on a body that breaks its documented schema, and on a content type the document does
not give for that status (every error is documented as application/problem+json only, so a
problem in another shape fails here). Used by tests/e2e/fuzz/test_fuzz.py and bench/_fuzz.py.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from scripts import localenv
from tests.e2e.identity_actors import make_admin, make_hr_with_company
from tests.e2e.interviews.media_fixtures import make_interview

DOCUMENT = localenv.ROOT / "openapi.json"
ST = Path(sys.executable).with_name("st")
CONFIG = Path(__file__).with_name("schemathesis.toml")
CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "response_headers_conformance",
)


@dataclass(frozen=True)
class FuzzRun:
    caller: str
    cases: int
    server_errors: int
    failures: list[str]
    returncode: int
    output: str


def callers(api: httpx.Client) -> dict[str, dict[str, str]]:
    """The headers each kind of caller sends: none, HR's bearer token (with a company), the
    candidate's link token (a published interview with one invitation), an admin's token."""
    hr = make_hr_with_company(api, "fuzz-hr")
    interview = make_interview(api, make_hr_with_company(api, "fuzz-hr-link"))
    admin = make_admin(api)
    return {
        "anonymous": {},
        "hr": hr.headers(),
        "candidate": {"X-Invitation-Token": interview.token},
        "admin": admin.headers(),
    }


# Schemathesis' failure types that stand for a 5xx answer.
_SERVER_ERROR_TYPES = {"ServerError", "ContentTypeServerError"}


def _count(report: dict[str, Any]) -> tuple[int, int, list[str]]:
    """(cases, 5xx failures, failure lines) from schemathesis' JSON run report."""
    cases = int(report.get("test_cases", {}).get("generated", 0))
    server_errors = 0
    failures: list[str] = []
    for failure in report.get("failures", []):
        failures.append(
            f"{failure.get('code')} {failure.get('title')}: {failure.get('operations')}"
        )
        if failure.get("type") in _SERVER_ERROR_TYPES:
            server_errors += int(failure.get("count", 1))
    for error in report.get("errors", []):
        failures.append(f"error {error.get('title')} x{error.get('count')}")
    return cases, server_errors, failures


def run(
    caller: str,
    headers: dict[str, str],
    *,
    base_url: str,
    max_examples: int,
    seed: int,
    workdir: Path,
    phases: str = "fuzzing",
    max_time_s: int | None = None,
) -> FuzzRun:
    report = workdir / f"{caller}.json"
    command = [
        str(ST),
        "--config-file",
        str(CONFIG),
        "run",
        str(DOCUMENT),
        "--url",
        base_url.rstrip("/"),
        "--checks",
        ",".join(CHECKS),
        "--phases",
        phases,
        "--max-examples",
        str(max_examples),
        "--seed",
        str(seed),
        "--workers",
        "2",
        "--no-shrink",
        "--continue-on-failure",
        # A Lambda's cold start on LocalStack takes seconds; schemathesis' default is 10 s.
        "--request-timeout",
        "60",
        "--suppress-health-check",
        "all",
        "--report",
        "json",
        "--report-json-path",
        str(report),
        "--warnings",
        "off",
    ]
    if max_time_s:
        command += ["--max-time", str(max_time_s)]
    for name, value in headers.items():
        command += ["--header", f"{name}: {value}"]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    data = json.loads(report.read_text()) if report.exists() else {}
    cases, server_errors, failures = _count(data)
    return FuzzRun(caller, cases, server_errors, failures, result.returncode, result.stdout)
