"""Resilience (issue 13): a PostgreSQL outage mid-pipeline and mid-analysis on the local stack,
merged with the fuzzing, login-race and soak measurements when their modules exist.

`make bench-resilience` -> bench/results/resilience.json:
- outage_s: how long PostgreSQL was down; recovery_s: PostgreSQL back -> first 200 (target <= 5)
- lost, duplicated: expected outcomes missing / done more than once afterwards (targets 0)
- outage_probes_503, outage_probe_max_s: routes probed while down, all 503, the slowest answer
- and, from bench/_fuzz.py, bench/_login_race.py, bench/_soak.py (each `measure() -> dict`):
  fuzz_cases, fuzz_5xx, login_attempts_admitted_of_50, soak_requests, soak_failed,
  localstack_threads_growth, localstack_maps_growth, localstack_rss_mb

The outage stops the cluster the stage uses (by port); stopping `15 main` needs
OUTAGE_TEST_MAY_STOP_MAIN=1 (shared machines: other people's tests use it).

A run writes the figures it measured over the file's: a key this run did not measure (the
outage skipped on a shared machine, or parts left out with `--parts`) keeps its last value.
`python -m bench.resilience --parts bench._fuzz bench._login_race` runs only those parts.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import json
import os
import tempfile
from pathlib import Path

import httpx

from bench._common import RESULTS, write_result
from scripts import localenv, outage

PARTS = ("bench._fuzz", "bench._login_race", "bench._soak")


def measure_outage() -> dict[str, float]:
    cluster = outage.cluster_for_port(outage.stage_database().port)
    if cluster.name == "main" and os.environ.get("OUTAGE_TEST_MAY_STOP_MAIN") != "1":
        print("skipping the outage: the stage uses `main` (set OUTAGE_TEST_MAY_STOP_MAIN=1)")
        return {}
    with (
        httpx.Client(base_url=localenv.stack_outputs()["ApiUrl"], timeout=60.0) as api,
        tempfile.TemporaryDirectory() as workdir,
    ):
        result = outage.run(api, Path(workdir), hold_s=20.0, log=print)
    return {
        "outage_s": result.outage_s,
        "recovery_s": result.recovery_s,
        "lost": float(result.lost),
        "duplicated": float(result.duplicated),
        "outage_probes_503": float(sum(p.status == 503 for p in result.probes)),
        "outage_probes": float(len(result.probes)),
        "outage_probe_max_s": max((p.seconds for p in result.probes), default=0.0),
        "executions_running_after": float(result.executions_running),
        # Whether the stop really caught the pipeline and the analysis mid-way (1) or not (0).
        "media_in_flight": float(result.media_in_flight),
        "analysis_in_flight": float(result.analysis_in_flight),
    }


def merged(previous: dict[str, float], measured: dict[str, float]) -> dict[str, float]:
    """The previous run's figures with this run's over them (a key not measured now is kept)."""
    return {**previous, **measured}


def previous_metrics(path: Path = RESULTS / "resilience.json") -> dict[str, float]:
    if not path.exists():
        return {}
    return {k: float(v) for k, v in json.loads(path.read_text())["metrics"].items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--parts", nargs="*", choices=PARTS, default=list(PARTS))
    parser.add_argument("--no-outage", action="store_true", help="skip the outage")
    args = parser.parse_args()
    os.environ.update(localenv.AWS_ENV)
    metrics: dict[str, float] = {}
    for name in args.parts:
        if importlib.util.find_spec(name) is None:
            continue
        part = importlib.import_module(name)
        metrics.update({k: float(v) for k, v in part.measure().items()})
    if not args.no_outage:
        metrics.update(measure_outage())
    previous = previous_metrics()
    kept = sorted(set(previous) - set(metrics))
    if kept:
        print(f"kept from the last run (not measured now): {', '.join(kept)}")
    write_result("resilience", merged(previous, metrics))


if __name__ == "__main__":
    main()
