"""Health: run each dependency probe, time it, and say whether the platform can serve."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping

from shared.observability import logger
from shared.platform.models import DependencyCheck, HealthReport

Probe = Callable[[], None]
"""A probe returns when its dependency answers and raises when it does not."""

# The route is public: a failure's own text (hosts, ports, bucket names, driver messages) goes to
# the log, the caller reads only that the dependency is unreachable.
UNREACHABLE = "unreachable"


def run_probe(
    probe: Probe, clock: Callable[[], float] = time.perf_counter, *, name: str = "dependency"
) -> DependencyCheck:
    started = clock()
    try:
        probe()
    # Any failure of a dependency, whatever its type, is a failed check.
    except Exception:
        logger.warning("health probe failed", extra={"dependency": name}, exc_info=True)
        return DependencyCheck(
            ok=False, latency_ms=round((clock() - started) * 1000, 2), detail=UNREACHABLE
        )
    return DependencyCheck(ok=True, latency_ms=round((clock() - started) * 1000, 2))


def check_health(
    probes: Mapping[str, Probe], *, service: str, stage: str, version: str
) -> HealthReport:
    checks = {name: run_probe(probe, name=name) for name, probe in probes.items()}
    status = "ok" if all(check.ok for check in checks.values()) else "degraded"
    return HealthReport(status=status, service=service, stage=stage, version=version, checks=checks)
