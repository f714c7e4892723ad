"""The event kernel in the synthesized template: bus, consumer queues, ESM, alarm, grants."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aws_cdk.assertions import Match, Template
from interview_platform.constructs.events import (
    LOCAL_LONG_POLL,
    MAX_RECEIVE_COUNT,
    OUTPUT_AUDIT_DLQ_URL,
    OUTPUT_AUDIT_QUEUE_URL,
    OUTPUT_EVENT_BUS_NAME,
    OUTPUT_OUTBOX_RELAY_FUNCTION,
)
from interview_platform.refs import Export, export_name

from shared.events.audit import AUDITED_PREFIXES

FOURTEEN_DAYS_S = 14 * 24 * 3600


def _find(template: Template, kind: str, props: dict[str, Any] | None = None) -> dict[str, Any]:
    found: dict[str, Any] = template.find_resources(
        kind, {"Properties": Match.object_like(props)} if props else None
    )
    return found


def _audit(found: dict[str, Any]) -> dict[str, Any]:
    """The audit-log consumer's resources (the construct id is AuditLog); other contexts have
    consumers of their own."""
    return {logical_id: r for logical_id, r in found.items() if logical_id.startswith("AuditLog")}


def _logical_id(template: Template, kind: str, handler: str) -> str:
    if kind == "AWS::Lambda::Function":
        (logical_id,) = _find(template, kind, {"Handler": handler})
        return str(logical_id)
    raise ValueError(kind)


@pytest.fixture(params=["local", "aws"])
def template(request: pytest.FixtureRequest) -> Template:
    fixture: Template = request.getfixturevalue(f"{request.param}_template")
    return fixture


def test_one_custom_bus_named_for_the_stage(local_template: Template) -> None:
    local_template.resource_count_is("AWS::Events::EventBus", 1)
    local_template.has_resource_properties(
        "AWS::Events::EventBus", {"Name": "interview-platform-local"}
    )


def test_audit_queue_dead_letters_after_five_receives_into_a_14_day_dlq(
    template: Template,
) -> None:
    dlqs = _audit(_find(template, "AWS::SQS::Queue", {"MessageRetentionPeriod": FOURTEEN_DAYS_S}))
    assert len(dlqs) == 1
    (dlq_id,) = dlqs
    template.has_resource_properties(
        "AWS::SQS::Queue",
        {
            "RedrivePolicy": {
                "deadLetterTargetArn": {"Fn::GetAtt": [dlq_id, "Arn"]},
                "maxReceiveCount": MAX_RECEIVE_COUNT,
            },
            "SqsManagedSseEnabled": True,
        },
    )
    assert MAX_RECEIVE_COUNT == 5


def test_local_visibility_timeout_is_short_and_aws_one_covers_the_function(
    local_template: Template, aws_template: Template
) -> None:
    def consumer(template: Template) -> tuple[int, int]:
        (queue,) = _audit(
            _find(template, "AWS::SQS::Queue", {"RedrivePolicy": Match.any_value()})
        ).values()
        (function,) = _find(
            template,
            "AWS::Lambda::Function",
            {"Handler": "functions.platform.audit_consumer.handler.handler"},
        ).values()
        return queue["Properties"]["VisibilityTimeout"], function["Properties"]["Timeout"]

    local_visibility, local_timeout = consumer(local_template)
    aws_visibility, aws_timeout = consumer(aws_template)
    # 5 receives must reach the DLQ in well under a minute locally
    assert local_visibility * MAX_RECEIVE_COUNT < 60
    assert local_visibility >= local_timeout
    assert aws_visibility >= 6 * aws_timeout


def test_audit_function_reads_its_queue_in_batches_of_10_reporting_item_failures(
    template: Template,
) -> None:
    function_id = _logical_id(
        template, "AWS::Lambda::Function", "functions.platform.audit_consumer.handler.handler"
    )
    (queue_id,) = _audit(_find(template, "AWS::SQS::Queue", {"RedrivePolicy": Match.any_value()}))
    template.has_resource_properties(
        "AWS::Lambda::EventSourceMapping",
        {
            "FunctionName": {"Ref": function_id},
            "EventSourceArn": {"Fn::GetAtt": [queue_id, "Arn"]},
            "BatchSize": 10,
            "FunctionResponseTypes": ["ReportBatchItemFailures"],
        },
    )


def test_consumers_long_poll_locally_and_take_partial_batches_at_once_in_aws(
    local_template: Template, aws_template: Template
) -> None:
    """LocalStack short-polls with seconds-long back-off unless a batching window is set; in
    AWS a window would hold back partial batches."""

    def windows(template: Template) -> set[Any]:
        mappings = _find(template, "AWS::Lambda::EventSourceMapping").values()
        return {m["Properties"].get("MaximumBatchingWindowInSeconds") for m in mappings}

    assert windows(local_template) == {LOCAL_LONG_POLL.to_seconds()}
    assert windows(aws_template) == {None}


def test_audit_rule_on_our_bus_routes_identity_and_company_events_to_the_queue(
    template: Template,
) -> None:
    (bus_id,) = _find(template, "AWS::Events::EventBus")
    (queue_id,) = _audit(_find(template, "AWS::SQS::Queue", {"RedrivePolicy": Match.any_value()}))
    template.has_resource_properties(
        "AWS::Events::Rule",
        {
            "EventBusName": {"Ref": bus_id},
            "EventPattern": {"detail-type": [{"prefix": p} for p in AUDITED_PREFIXES]},
            "Targets": [Match.object_like({"Arn": {"Fn::GetAtt": [queue_id, "Arn"]}})],
        },
    )


def test_dlq_depth_alarm_fires_on_any_message(template: Template) -> None:
    (dlq_id,) = _audit(
        _find(template, "AWS::SQS::Queue", {"MessageRetentionPeriod": FOURTEEN_DAYS_S})
    )
    template.has_resource_properties(
        "AWS::CloudWatch::Alarm",
        {
            "MetricName": "ApproximateNumberOfMessagesVisible",
            "Namespace": "AWS/SQS",
            "Threshold": 0,
            "ComparisonOperator": "GreaterThanThreshold",
            "Dimensions": [{"Name": "QueueName", "Value": {"Fn::GetAtt": [dlq_id, "QueueName"]}}],
        },
    )


def test_relay_runs_every_minute_and_may_only_put_events_on_our_bus(template: Template) -> None:
    relay_id = _logical_id(
        template, "AWS::Lambda::Function", "functions.platform.outbox_relay.handler.handler"
    )
    (bus_id,) = _find(template, "AWS::Events::EventBus")
    template.has_resource_properties(
        "AWS::Events::Rule",
        {
            "ScheduleExpression": "rate(1 minute)",
            "Targets": [Match.object_like({"Arn": {"Fn::GetAtt": [relay_id, "Arn"]}})],
        },
    )
    template.has_resource_properties(
        "AWS::Lambda::Function",
        {
            "Handler": "functions.platform.outbox_relay.handler.handler",
            "Environment": {"Variables": Match.object_like({"EVENT_BUS_NAME": {"Ref": bus_id}})},
        },
    )
    put_events = [
        statement
        for policy in _find(template, "AWS::IAM::Policy").values()
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
        if "events:PutEvents"
        in (statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]])
    ]
    assert put_events, "somebody must be allowed to publish"
    # Our bus: by its ARN in the foundation's stack, by the foundation's export elsewhere.
    stage = "prod" if "InterviewPlatform-prod-" in json.dumps(template.to_json()) else "local"
    ours = (
        {"Fn::GetAtt": [bus_id, "Arn"]},
        {"Fn::ImportValue": export_name(stage, Export.EVENT_BUS_ARN)},
    )
    for statement in put_events:
        assert statement["Resource"] in ours


def test_the_consumer_cannot_publish(template: Template) -> None:
    consumer_role = _find(
        template,
        "AWS::Lambda::Function",
        {"Handler": "functions.platform.audit_consumer.handler.handler"},
    )
    (function,) = consumer_role.values()
    role_id = function["Properties"]["Role"]["Fn::GetAtt"][0]
    for policy in _find(template, "AWS::IAM::Policy").values():
        if {"Ref": role_id} in policy["Properties"]["Roles"]:
            assert "events:PutEvents" not in str(policy["Properties"]["PolicyDocument"])
    assert "EVENT_BUS_NAME" not in function["Properties"]["Environment"]["Variables"]


def test_stack_outputs_have_stable_names(local_template: Template) -> None:
    outputs = local_template.find_outputs("*")
    for name in (
        OUTPUT_EVENT_BUS_NAME,
        OUTPUT_AUDIT_QUEUE_URL,
        OUTPUT_AUDIT_DLQ_URL,
        OUTPUT_OUTBOX_RELAY_FUNCTION,
    ):
        assert name in outputs
