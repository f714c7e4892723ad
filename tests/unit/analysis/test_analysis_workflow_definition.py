"""The analysis state machine's definition: explicit error names that match our exceptions,
jittered backoff, bounded concurrency from a setting, every task bounded in time, every
failure caught into mark-failed."""

from __future__ import annotations

import json
import re
from typing import Any

from interview_platform import asl
from interview_platform.constants import STATEMACHINES_DIR

from shared.analysis import errors

ASL = STATEMACHINES_DIR / "analysis.asl.json"


def _definition() -> dict[str, Any]:
    """The definition as CDK deploys it (retry policies expanded)."""
    definition: dict[str, Any] = json.loads(asl.render(ASL))
    return definition


def _states(definition: dict[str, Any]) -> dict[str, dict[str, Any]]:
    found = dict(definition["States"])
    for state in definition["States"].values():
        if state["Type"] == "Map":
            found.update(_states(state["ItemProcessor"]))
    return found


def test_retry_and_catch_name_errors_our_steps_really_raise() -> None:
    states = _states(_definition())
    named = {
        name
        for s in states.values()
        for r in s.get("Retry", [])
        for name in r["ErrorEquals"]
        if not name.startswith(("States.", "Lambda.", "Sandbox."))
    }
    expected = {*errors.RETRYABLE, *errors.RETRYABLE_DEPENDENCY, *errors.FATAL}
    assert named == expected | {"MalformedCompletion", "AnalysisNotRunning"}
    for name in named:
        assert issubclass(getattr(errors, name), errors.AnalysisStepError)


def test_daily_quota_and_rejected_requests_are_never_retried() -> None:
    for name, state in _states(_definition()).items():
        retriers = state.get("Retry", [])
        if name == "MarkFailed" or not retriers:
            continue
        # The first retrier that matches decides: the fatal errors' one allows no attempt.
        first = retriers[0]
        assert set(errors.FATAL) <= set(first["ErrorEquals"]), name
        assert first["MaxAttempts"] == 0


def test_mark_failed_retries_anything_so_a_failure_is_always_recorded() -> None:
    retry = _definition()["States"]["MarkFailed"]["Retry"]
    assert retry[0]["ErrorEquals"] == ["States.ALL"]
    assert retry[0]["MaxAttempts"] >= 3


def test_every_retry_uses_full_jitter() -> None:
    for state in _states(_definition()).values():
        for retry in state.get("Retry", []):
            if retry["MaxAttempts"]:
                assert retry["JitterStrategy"] == "FULL"


def test_the_map_is_bounded_by_a_setting_and_waits_out_retry_after() -> None:
    definition = _definition()
    the_map = definition["States"]["AnalyseAnswers"]
    assert the_map["MaxConcurrencyPath"] == "$.run.maxConcurrency"
    inner = the_map["ItemProcessor"]["States"]
    assert inner["AnswerWaitRetryAfter"]["SecondsPath"] == "$.waitS"


def test_every_task_has_a_timeout_and_every_step_but_mark_failed_is_caught() -> None:
    definition = _definition()
    for name, state in _states(definition).items():
        if state["Type"] == "Task":
            assert state["TimeoutSeconds"] <= 130, name
    for name, state in definition["States"].items():
        if state["Type"] in ("Task", "Map") and name != "MarkFailed":
            assert state["Catch"][0]["ErrorEquals"] == ["States.ALL"], name
            assert state["Catch"][0]["Next"] == "MarkFailed"


def test_only_function_arns_are_substituted() -> None:
    placeholders = set(re.findall(r"\$\{(\w+)\}", asl.render(ASL)))
    assert placeholders
    assert all(p.endswith("FunctionArn") for p in placeholders)
