"""bench/resilience.py writes what it measured over the last run's figures: a part left out
(the outage, skipped on a shared machine) keeps its last value, a part run now replaces it."""

from __future__ import annotations

import json
from pathlib import Path

from bench import resilience


def test_a_run_replaces_what_it_measured_and_keeps_what_it_did_not(tmp_path: Path) -> None:
    # Given a result file from a run that had the outage
    path = tmp_path / "resilience.json"
    path.write_text(json.dumps({"metrics": {"outage_s": 28.59, "lost": 0, "fuzz_5xx": 3}}))
    # When a run without the outage measures the fuzzing again
    metrics = resilience.merged(resilience.previous_metrics(path), {"fuzz_5xx": 0.0})
    # Then the outage's figures are kept and the fuzzing's replaced
    assert metrics == {"outage_s": 28.59, "lost": 0.0, "fuzz_5xx": 0.0}


def test_without_a_previous_file_only_the_measured_figures_are_written(tmp_path: Path) -> None:
    previous = resilience.previous_metrics(tmp_path / "absent.json")
    assert resilience.merged(previous, {"soak_failed": 0.0}) == {"soak_failed": 0.0}
