"""Benchmark of the walking skeleton: `make bench-health` -> bench/results/health.json.

Runs in a fresh clone of the committed HEAD (a clean checkout: no venvs, no node_modules, no
LocalStack state; the machine's package caches are whatever they are), on the usual port, so the
developer's own stack is stopped first. Measures:
  make_up_clean_s   `make up` in the clean checkout (install, start, migrate, bootstrap, deploy)
  make_up_warm_s    `make up` again, everything installed and running
  redeploy_s        `make deploy` after a one-line code change
  health_cold_ms    first GET /v1/health through API Gateway after a deploy (new Lambda env)
  health_p50_ms, health_p95_ms   over 200 warm calls
  health_import_ms  import of the handler module (python -X importtime, median of 5 processes)
  localstack_rss_mb LocalStack's resident memory after the e2e and executor suites
"""

from __future__ import annotations

import json
import os
import re
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import httpx

from bench._common import percentile, write_result
from scripts.localenv import AWS_ENV

ROOT = Path(__file__).resolve().parents[1]
WARM_CALLS = 200
IMPORT_RUNS = 5
HANDLER_MODULE = "functions.platform.health.handler"


def _timed(command: list[str], cwd: Path) -> float:
    started = time.perf_counter()
    subprocess.run(command, cwd=cwd, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def _api_url(clone: Path) -> str:
    outputs = json.loads((clone / "cdk-outputs.json").read_text())
    # One entry per stack; the API's stage (and its URL) is in the ApiDeployment stack.
    return str(outputs["InterviewPlatform-local-ApiDeployment"]["ApiUrl"])


def _get_ms(client: httpx.Client) -> float:
    started = time.perf_counter()
    response = client.get("v1/health")
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        raise SystemExit(f"health answered {response.status_code}: {response.text}")
    return elapsed


def _import_ms(clone: Path) -> float:
    python = str(clone / ".venv" / "bin" / "python")
    build = clone / ".build"
    # As in Lambda: code and layer are read-only, so only the shipped .pyc files count.
    env = {
        **os.environ,
        "PYTHONPATH": f"{build / 'code'}:{build / 'layers' / 'deps' / 'python'}",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    runs = []
    pattern = re.compile(
        r"import time:\s+\d+\s+\|\s+(\d+)\s+\|\s+" + re.escape(HANDLER_MODULE) + "$"
    )
    for _ in range(IMPORT_RUNS):
        result = subprocess.run(
            [python, "-X", "importtime", "-c", f"import {HANDLER_MODULE}"],
            cwd=clone / ".build" / "code",
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        for line in result.stderr.splitlines():
            match = pattern.search(line)
            if match:
                runs.append(int(match.group(1)) / 1000)
    if not runs:
        raise SystemExit("could not read the handler's import time")
    return statistics.median(runs)


def _localstack_rss_mb(clone: Path) -> float:
    pid = (clone / "localstack" / ".state" / "localstack.pid").read_text().strip()
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise SystemExit("no VmRSS for LocalStack")


def main() -> None:
    subprocess.run(["make", "down"], cwd=ROOT, check=False, stdout=subprocess.DEVNULL)
    workdir = Path(tempfile.mkdtemp(prefix="bench-health-"))
    clone = workdir / "platform"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
    metrics: dict[str, float] = {}
    try:
        metrics["make_up_clean_s"] = _timed(["make", "up"], clone)
        metrics["make_up_warm_s"] = _timed(["make", "up"], clone)
        api_url = _api_url(clone)
        with httpx.Client(base_url=api_url, timeout=60.0) as client:
            metrics["health_cold_ms"] = _get_ms(client)
            warm = [_get_ms(client) for _ in range(WARM_CALLS)]
        metrics["health_p50_ms"] = percentile(warm, 50)
        metrics["health_p95_ms"] = percentile(warm, 95)
        metrics["health_import_ms"] = _import_ms(clone)

        logic = clone / "shared" / "logic" / "health.py"
        logic.write_text(logic.read_text() + "\n# bench: a one-line change\n")
        metrics["redeploy_s"] = _timed(["make", "deploy"], clone)
        with httpx.Client(base_url=api_url, timeout=60.0) as client:
            _get_ms(client)

        subprocess.run(
            [
                str(clone / ".venv" / "bin" / "python"),
                "-m",
                "pytest",
                "-q",
                "tests/e2e",
                "tests/executor",
            ],
            cwd=clone,
            check=True,
            env={**os.environ, **AWS_ENV},
        )
        metrics["localstack_rss_mb"] = _localstack_rss_mb(clone)
    finally:
        subprocess.run(["make", "down"], cwd=clone, check=False, stdout=subprocess.DEVNULL)
        shutil.rmtree(workdir, ignore_errors=True)
    write_result("health", metrics)


if __name__ == "__main__":
    main()
