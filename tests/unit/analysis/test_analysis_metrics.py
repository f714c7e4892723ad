"""The analysis's business metrics as CloudWatch reads them (embedded metric format on stdout;
Powertools writes each value as a list)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aws_lambda_powertools import Metrics

from shared.analysis.metrics import record_completed, record_failed


def _emitted(capsys: pytest.CaptureFixture[str]) -> list[dict[str, Any]]:
    return [json.loads(line) for line in capsys.readouterr().out.splitlines() if line]


def _metrics() -> Metrics:
    return Metrics(namespace="InterviewPlatformTest", service="analysis")


def test_a_completed_analysis_counts_with_its_latency_tokens_and_cost(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Given what the store step reported for a 5-answer analysis by Groq
    stored = {
        "status": "completed",
        "engine": "groq",
        "latencyMs": 1520,
        "promptTokens": 5000,
        "completionTokens": 1200,
        "costUsd": 0.00147,
        "answers": 5,
    }
    # When it is recorded
    record_completed(stored, _metrics())
    # Then one EMF document carries the count, latency, tokens per answer and cost, by engine
    (document,) = _emitted(capsys)
    (directive,) = document["_aws"]["CloudWatchMetrics"]
    assert directive["Namespace"] == "InterviewPlatformTest"
    assert ["engine", "service"] in [sorted(d) for d in directive["Dimensions"]]
    names = {m["Name"]: m["Unit"] for m in directive["Metrics"]}
    assert names == {
        "AnalysisCompleted": "Count",
        "AnalysisLatency": "Milliseconds",
        "LlmTokensPerAnswer": "Count",
        "LlmCostMicroUsd": "Count",
    }
    assert document["engine"] == "groq"
    assert document["AnalysisCompleted"] == [1.0]
    assert document["AnalysisLatency"] == [1520.0]
    assert document["LlmTokensPerAnswer"] == [1240.0]
    assert document["LlmCostMicroUsd"] == [1470.0]


def test_failures_count_by_who_ended_them_and_nothing_is_emitted_for_none(
    capsys: pytest.CaptureFixture[str],
) -> None:
    metrics = _metrics()
    record_failed(0, by="sweep", metrics=metrics)
    assert _emitted(capsys) == []
    record_failed(3, by="sweep", metrics=metrics)
    record_failed(1, by="workflow", metrics=metrics)
    sweep, workflow = _emitted(capsys)
    assert (sweep["by"], sweep["AnalysisFailed"]) == ("sweep", [3.0])
    assert (workflow["by"], workflow["AnalysisFailed"]) == ("workflow", [1.0])
