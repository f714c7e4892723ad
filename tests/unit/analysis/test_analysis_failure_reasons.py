"""What HR reads when an analysis fails (issue 13, finding 9): a code and a fixed text, never
the failing step's errorMessage or stack trace, which stay in the logs."""

from __future__ import annotations

import json

import pytest

from shared.analysis.sweep import Execution, stalled_reason
from shared.analysis.workflow import FAILURE_TEXTS, failure_reason

SECRET = (
    'connection to server at "10.0.3.7", port 5432 failed: FATAL: password authentication'
    ' failed for user "platform_rw"'
)


def _cause(message: str) -> str:
    return json.dumps(
        {"errorMessage": message, "errorType": "X", "stackTrace": ['  File "/var/task/x.py"']}
    )


@pytest.mark.parametrize(
    "error", ["DependencyUnavailable", "GroqServerError", "KeyError", "Lambda.Unknown"]
)
def test_the_reason_is_a_code_and_a_fixed_text(error: str) -> None:
    reason = failure_reason(error, _cause(SECRET))
    assert "10.0.3.7" not in reason
    assert "platform_rw" not in reason
    assert "/var/task" not in reason
    code, text = reason.split(": ", 1)
    if error in FAILURE_TEXTS:
        assert (code, text) == (error, FAILURE_TEXTS[error])
    else:
        assert (code, text) == ("Internal", "the analysis failed unexpectedly")


def test_a_cause_that_is_not_json_is_not_stored_either() -> None:
    assert "10.0.3.7" not in failure_reason("States.TaskFailed", SECRET)


def test_the_details_go_to_the_logs(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level("WARNING"):
        failure_reason("DependencyUnavailable", _cause(SECRET))
    [record] = [r for r in caplog.records if r.getMessage() == "analysis step failed"]
    assert "10.0.3.7" in record.__dict__["cause"]


def test_a_stalled_execution_keeps_its_cause_out_of_the_reason() -> None:
    reason = stalled_reason(Execution("FAILED", "States.TaskFailed", SECRET), 5, 900)
    assert reason is not None
    assert "10.0.3.7" not in reason
