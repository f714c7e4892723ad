"""Fuzzing figures for bench/resilience.py: schemathesis over the whole openapi.json against the
deployed local API as anonymous, HR, candidate and admin (a larger budget than make test's).

measure() -> {"fuzz_cases": N, "fuzz_5xx": M}
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import httpx

from scripts import localenv
from tests.e2e.fuzz import runner

MAX_EXAMPLES = 10
SEED = 1013


def measure(max_examples: int = MAX_EXAMPLES, seed: int = SEED) -> dict[str, int]:
    base_url = localenv.stack_outputs()["ApiUrl"]
    with httpx.Client(base_url=base_url, timeout=60.0) as api:
        callers = runner.callers(api)
    cases = 0
    server_errors = 0
    with tempfile.TemporaryDirectory(prefix="fuzz-") as workdir:
        for caller, headers in callers.items():
            run = runner.run(
                caller,
                headers,
                base_url=base_url,
                max_examples=max_examples,
                seed=seed,
                workdir=Path(workdir),
                # Boundary values of every parameter first (empty, too long, wrong type), then
                # random ones.
                phases="coverage,fuzzing",
            )
            cases += run.cases
            server_errors += run.server_errors
    return {"fuzz_cases": cases, "fuzz_5xx": server_errors}


if __name__ == "__main__":
    print(measure())
