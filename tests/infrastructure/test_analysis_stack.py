"""What the analysis construct promises in the synthesized template."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from aws_cdk.assertions import Match, Template
from interview_platform import asl
from interview_platform.constructs.analysis import (
    ANSWER_DEFINITION_FILE,
    DEFINITION_FILE,
    OUTPUT_ANSWER_STATE_MACHINE_ARN,
    OUTPUT_LOAD_FUNCTION,
    OUTPUT_STATE_MACHINE_ARN,
    OUTPUT_SWEEP_FUNCTION,
    OUTPUT_TRIGGER_DLQ_URL,
    OUTPUT_TRIGGER_QUEUE_URL,
)

from shared.analysis.starts import ANALYSIS_FIELDS, ANSWER_FIELDS
from tests.infrastructure.conftest import LOCAL_CONTEXT

_GROQ_STEPS = ("load", "answer", "summarize", "assess")
_OTHER = ("store", "mark_failed", "trigger", "read", "retry", "sweep")


@pytest.fixture(scope="module")
def template(local_template: Template) -> Template:
    return local_template


def _function(template: Template, module: str) -> tuple[str, dict[str, Any]]:
    handler = f"functions.analysis.{module}.handler.handler"
    functions: dict[str, Any] = template.find_resources("AWS::Lambda::Function")
    return next((n, f) for n, f in functions.items() if f["Properties"]["Handler"] == handler)


def _statements(template: Template, module: str) -> list[dict[str, Any]]:
    _, fn = _function(template, module)
    role = fn["Properties"]["Role"]["Fn::GetAtt"][0]
    policies: dict[str, Any] = template.find_resources("AWS::IAM::Policy")
    return [
        s
        for p in policies.values()
        if {"Ref": role} in p["Properties"]["Roles"]
        for s in p["Properties"]["PolicyDocument"]["Statement"]
    ]


def test_only_the_steps_that_call_groq_can_read_its_secret(template: Template) -> None:
    for module in _GROQ_STEPS:
        assert "/groq-*" in json.dumps(_statements(template, module)), module
        env = _function(template, module)[1]["Properties"]["Environment"]["Variables"]
        assert env["GROQ_SECRET_NAME"] == "interview-platform/local/groq"
    for module in _OTHER:
        assert "/groq-*" not in json.dumps(_statements(template, module)), module


def test_the_map_concurrency_comes_from_a_cdk_setting(
    synthesize: Callable[[dict[str, str]], Template], template: Template
) -> None:
    env = _function(template, "load")[1]["Properties"]["Environment"]["Variables"]
    assert env["ANALYSIS_MAX_CONCURRENCY"] == "5"
    tuned = synthesize({**LOCAL_CONTEXT, "analysisMaxConcurrency": "2"})
    env = _function(tuned, "load")[1]["Properties"]["Environment"]["Variables"]
    assert env["ANALYSIS_MAX_CONCURRENCY"] == "2"


def _machine(template: Template, name: str) -> dict[str, Any]:
    machines: dict[str, Any] = template.find_resources("AWS::StepFunctions::StateMachine")
    return next(
        m
        for m in machines.values()
        if json.dumps(m["Properties"]["StateMachineName"]).endswith(f'-{name}"')
    )


@pytest.mark.parametrize(
    ("name", "definition", "functions"),
    [
        ("local-analysis", DEFINITION_FILE, 5),
        ("local-answer-analysis", ANSWER_DEFINITION_FILE, 1),
    ],
)
def test_each_state_machine_invokes_only_its_step_functions(
    template: Template, name: str, definition: Any, functions: int
) -> None:
    machine = _machine(template, name)
    # Deployed as rendered (retry policies expanded); its placeholders are the substituted ARNs.
    assert machine["Properties"]["DefinitionString"] == asl.render(definition)
    placeholders = set(re.findall(r"\$\{(\w+)\}", asl.render(definition)))
    assert set(machine["Properties"]["DefinitionSubstitutions"]) == placeholders
    assert len(placeholders) == functions
    role = machine["Properties"]["RoleArn"]["Fn::GetAtt"][0]
    policies: dict[str, Any] = template.find_resources("AWS::IAM::Policy")
    statements = [
        s
        for p in policies.values()
        if {"Ref": role} in p["Properties"]["Roles"]
        for s in p["Properties"]["PolicyDocument"]["Statement"]
    ]
    invoke = [s for s in statements if "lambda:InvokeFunction" in json.dumps(s["Action"])]
    assert invoke
    resources = [
        r
        for s in invoke
        for r in (s["Resource"] if isinstance(s["Resource"], list) else [s["Resource"]])
    ]
    assert "*" not in resources


def test_an_answer_ready_starts_the_answer_workflow(template: Template) -> None:
    template.has_resource_properties(
        "AWS::Events::Rule",
        {
            "EventPattern": {"detail-type": ["analysis.answer_ready"]},
            "Targets": Match.array_with(
                [
                    Match.object_like(
                        {"Arn": {"Ref": Match.string_like_regexp("AnswerStateMachine")}}
                    )
                ]
            ),
        },
    )
    assert OUTPUT_ANSWER_STATE_MACHINE_ARN in template.find_outputs("*")


def test_groq_budgets_come_from_a_cdk_setting_and_are_checked_at_synth(
    synthesize: Callable[[dict[str, str]], Template], template: Template
) -> None:
    env = _function(template, "assess")[1]["Properties"]["Environment"]["Variables"]
    assert "ANALYSIS_RATE_LIMITS" not in env
    limits = '{"openai/gpt-oss-120b": {"rpm": 30, "tpm": 8000}}'
    tuned = synthesize({**LOCAL_CONTEXT, "analysisRateLimits": limits})
    for module in _GROQ_STEPS:
        env = _function(tuned, module)[1]["Properties"]["Environment"]["Variables"]
        assert json.loads(env["ANALYSIS_RATE_LIMITS"]) == json.loads(limits), module
    with pytest.raises(ValueError, match="rpm and tpm"):
        synthesize({**LOCAL_CONTEXT, "analysisRateLimits": '{"m": {"rpm": 30}}'})


def test_analysis_started_starts_the_state_machine(template: Template) -> None:
    template.has_resource_properties(
        "AWS::Events::Rule",
        {
            "EventPattern": {"detail-type": ["analysis.started"]},
            "Targets": Match.array_with(
                [
                    Match.object_like(
                        {"Arn": {"Ref": Match.string_like_regexp("AnalysisStateMachine")}}
                    )
                ]
            ),
        },
    )


def test_the_trigger_consumes_completion_and_media_events_through_a_queue_with_a_dlq(
    template: Template,
) -> None:
    template.has_resource_properties(
        "AWS::Events::Rule",
        {
            "EventPattern": {
                "detail-type": [
                    "invitation.completed",
                    "response.submitted",
                    "media.transcribed",
                    "media.processed",
                    "media.failed",
                ]
            }
        },
    )
    template.has_resource_properties(
        "AWS::SQS::Queue",
        {"RedrivePolicy": Match.object_like({"maxReceiveCount": 5})},
    )
    name, _ = _function(template, "trigger")
    template.has_resource_properties(
        "AWS::Lambda::EventSourceMapping",
        {
            "FunctionName": {"Ref": name},
            "FunctionResponseTypes": ["ReportBatchItemFailures"],
        },
    )


def test_the_sweep_runs_every_5_minutes_and_may_only_describe_analysis_executions(
    template: Template,
) -> None:
    name, _ = _function(template, "sweep")
    template.has_resource_properties(
        "AWS::Events::Rule",
        {
            "ScheduleExpression": "rate(5 minutes)",
            "Targets": [Match.object_like({"Arn": {"Fn::GetAtt": [name, "Arn"]}})],
        },
    )
    statements = _statements(template, "sweep")
    (describe,) = [s for s in statements if "states:DescribeExecution" in json.dumps(s)]
    assert describe["Action"] == "states:DescribeExecution"
    assert ":execution:interview-platform-local-analysis:*" in json.dumps(describe["Resource"])
    assert "states:StopExecution" not in json.dumps(statements)
    assert "states:StartExecution" not in json.dumps(statements)
    assert OUTPUT_SWEEP_FUNCTION in template.find_outputs("*")


def test_hr_routes_and_stable_outputs(template: Template) -> None:
    template.has_resource_properties("AWS::ApiGateway::Resource", {"PathPart": "analysis"})
    template.has_resource_properties("AWS::ApiGateway::Resource", {"PathPart": "retry"})
    outputs = template.find_outputs("*")
    for name in (
        OUTPUT_STATE_MACHINE_ARN,
        OUTPUT_SWEEP_FUNCTION,
        OUTPUT_TRIGGER_QUEUE_URL,
        OUTPUT_TRIGGER_DLQ_URL,
        OUTPUT_LOAD_FUNCTION,
    ):
        assert name in outputs


def test_functions_hold_one_database_connection_and_the_trigger_outlasts_a_cold_start(
    template: Template,
) -> None:
    for module in (*_GROQ_STEPS, *_OTHER):
        env = _function(template, module)[1]["Properties"]["Environment"]["Variables"]
        assert env["DB_POOL_MAX_SIZE"] == "1", module
    assert _function(template, "trigger")[1]["Properties"]["Timeout"] == 20


def _rule_input_fields(template: Template, detail_type: str) -> tuple[str, set[str]]:
    """The state machine a rule starts (its logical id) and the payload fields its input takes."""
    rules: dict[str, Any] = template.find_resources(
        "AWS::Events::Rule", {"Properties": {"EventPattern": {"detail-type": [detail_type]}}}
    )
    ((_, rule),) = rules.items()
    (target,) = rule["Properties"]["Targets"]
    paths = target["InputTransformer"]["InputPathsMap"]
    fields = {p.removeprefix("$.detail.payload.") for p in paths.values() if "payload" in p}
    # The execution's "id" is our envelope's event id (LocalStack names the execution after it)
    template_ids = [k for k, p in paths.items() if p == "$.detail.eventId"]
    assert len(template_ids) == 1, paths
    return target["Arn"]["Ref"], fields


def test_the_trigger_starts_the_workflows_it_commits_with_the_rules_input(
    template: Template,
) -> None:
    # The trigger's direct starts (shared/analysis/starts.py) give each workflow what its rule
    # gives: the event's id and the same payload fields, else the two starts would differ.
    env = _function(template, "trigger")[1]["Properties"]["Environment"]["Variables"]
    machines = {}
    for detail_type, variable, fields in (
        ("analysis.started", "ANALYSIS_STATE_MACHINE_ARN", ANALYSIS_FIELDS),
        ("analysis.answer_ready", "ANALYSIS_ANSWER_STATE_MACHINE_ARN", ANSWER_FIELDS),
    ):
        machine, rule_fields = _rule_input_fields(template, detail_type)
        assert rule_fields == set(fields), detail_type
        assert env[variable] == {"Ref": machine}, variable
        machines[machine] = variable
    # And it may start those two machines, nothing else
    starts = [s for s in _statements(template, "trigger") if "states:StartExecution" in s["Action"]]
    assert sorted(json.dumps(s["Resource"]) for s in starts) == sorted(
        json.dumps({"Ref": m}) for m in machines
    )
