"""What every benchmark shares: machine facts and the result file's shape."""

from __future__ import annotations

import json
import os
import platform
import re
import statistics
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def machine() -> dict[str, object]:
    mem_kb = 0
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            mem_kb = int(line.split()[1])
    return {
        "cpus": os.cpu_count(),
        "memory_gib": round(mem_kb / 1024 / 1024, 1),
        "platform": platform.platform(),
        "python": platform.python_version(),
    }


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    return statistics.quantiles(ordered, n=100, method="inclusive")[int(pct) - 1]


def _rounded(value: float) -> float:
    """Two decimals; small values (a cost per call in dollars) keep 3 significant digits."""
    if value == 0 or abs(value) >= 0.01:
        return round(value, 2)
    return float(f"{value:.3g}")


def write_result(name: str, metrics: dict[str, float]) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    document = {
        "name": name,
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "metrics": {k: _rounded(v) for k, v in metrics.items()},
    }
    path.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(document, indent=2))
    return path


def handler_import_ms(module: str, runs: int = 5) -> float:
    """Median cumulative import time of ``module`` as Lambda sees it: the built code asset and
    the deps layer (shipped .pyc), in a fresh interpreter each run."""
    from layers import build as layer_build

    code = layer_build.code_dir(layer_build.asset_key(module))
    env = {
        **os.environ,
        "PYTHONPATH": f"{code}:{layer_build.DEPS_DIR / 'python'}",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    pattern = re.compile(r"import time:\s+\d+\s+\|\s+(\d+)\s+\|\s+" + re.escape(module) + "$")
    found: list[float] = []
    for _ in range(runs):
        result = subprocess.run(
            [sys.executable, "-X", "importtime", "-c", f"import {module}"],
            cwd=code,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        found += [
            int(m.group(1)) / 1000 for m in map(pattern.search, result.stderr.splitlines()) if m
        ]
    if not found:
        raise SystemExit(f"could not read {module}'s import time")
    return statistics.median(found)
