"""Schemathesis over the whole openapi.json against the deployed local API, as anonymous, HR,
the candidate (link token) and an admin: no 5xx, every status, body and content type as the
document says (issue 13). Bounded: a few examples per operation and caller, fixed seeds."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from tests.e2e.fuzz import runner

# Per operation and caller: with 58 operations and 4 callers about 500 cases (at 3 examples the
# run took 10 minutes on this busy 2-core machine).
MAX_EXAMPLES = 2
SEED = 13


@pytest.mark.timeout(900)
def test_the_api_keeps_its_documented_contract_under_fuzzing(
    api: httpx.Client, outputs: dict[str, str], tmp_path: Path
) -> None:
    callers = runner.callers(api)

    # Two callers at a time: the machine has two cores, and LocalStack runs every Lambda.
    with ThreadPoolExecutor(max_workers=2) as pool:
        runs = list(
            pool.map(
                lambda item: runner.run(
                    item[0],
                    item[1],
                    base_url=outputs["ApiUrl"],
                    max_examples=MAX_EXAMPLES,
                    seed=SEED,
                    workdir=tmp_path,
                ),
                callers.items(),
            )
        )

    report = {run.caller: (run.cases, run.failures) for run in runs}
    assert all(run.cases > 0 for run in runs), report
    failed = [run for run in runs if run.returncode != 0 or run.server_errors]
    # Schemathesis' own text names each failing case and how to reproduce it (curl).
    assert not failed, "\n\n".join(f"{run.caller}:\n{run.output[-8000:]}" for run in failed)
