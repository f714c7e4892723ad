"""Health logic: each probe is timed; any failing probe makes the platform degraded."""

from __future__ import annotations

import pytest

from shared.platform.health import check_health, run_probe


def _ok() -> None:
    return None


def _down() -> None:
    raise ConnectionRefusedError("connection refused at 127.0.0.1:5432")


def test_all_probes_passing_is_ok() -> None:
    report = check_health({"postgres": _ok, "s3": _ok}, service="svc", stage="local", version="1")

    assert report.status == "ok"
    assert set(report.checks) == {"postgres", "s3"}
    assert all(check.ok and check.detail is None for check in report.checks.values())


def test_one_failing_probe_is_degraded_with_a_generic_reason() -> None:
    report = check_health({"postgres": _down, "s3": _ok}, service="svc", stage="local", version="1")

    assert report.status == "degraded"
    assert report.checks["postgres"].ok is False
    # The route is public: no host, port or driver text for the caller; the log has it.
    assert report.checks["postgres"].detail == "unreachable"
    assert "127.0.0.1" not in report.model_dump_json()
    assert report.checks["s3"].ok is True


def test_probe_latency_comes_from_the_clock() -> None:
    ticks = iter([10.0, 10.25])

    check = run_probe(_ok, clock=lambda: next(ticks))

    assert check.latency_ms == 250.0


def test_failure_text_goes_to_the_log_not_the_report(caplog: pytest.LogCaptureFixture) -> None:
    def noisy() -> None:
        raise RuntimeError("password authentication failed for user secret-user")

    check = run_probe(noisy, name="postgres")

    assert check.detail == "unreachable"
    assert "secret-user" in caplog.text
