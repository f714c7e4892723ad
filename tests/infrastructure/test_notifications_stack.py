"""What the notifications construct promises in the synthesized template."""

from __future__ import annotations

import json
from typing import Any

from aws_cdk.assertions import Match, Template
from interview_platform.constructs.notifications import EVENT_TYPES

from shared.notifications.feedback import MAX_DELIVERIES
from shared.notifications.planning import EVENT_TYPES as PLANNED


def _function(template: Template, module: str) -> dict[str, Any]:
    handler = f"functions.notifications.{module}.handler.handler"
    functions: dict[str, Any] = template.find_resources("AWS::Lambda::Function")
    return next(f for f in functions.values() if f["Properties"]["Handler"] == handler)


def _statements(template: Template, handler: str) -> list[dict[str, Any]]:
    functions: dict[str, Any] = template.find_resources("AWS::Lambda::Function")
    fn = next(f for f in functions.values() if f["Properties"]["Handler"] == handler)
    role = fn["Properties"]["Role"]["Fn::GetAtt"][0]
    policies: dict[str, Any] = template.find_resources("AWS::IAM::Policy")
    return [
        s
        for p in policies.values()
        if {"Ref": role} in p["Properties"]["Roles"]
        for s in p["Properties"]["PolicyDocument"]["Statement"]
    ]


def test_the_rule_listens_to_every_event_that_causes_mail() -> None:
    assert PLANNED == EVENT_TYPES


def test_the_consumer_has_its_queue_and_the_sweep_a_schedule(local_template: Template) -> None:
    local_template.has_resource_properties(
        "AWS::Events::Rule",
        {"EventPattern": {"detail-type": list(EVENT_TYPES)}},
    )
    local_template.has_resource_properties(
        "AWS::Events::Rule", {"ScheduleExpression": "rate(1 minute)"}
    )
    # Locally there is none (scripts/stack.py verifies the sender): LocalStack's is a stub.
    assert local_template.find_resources("AWS::SES::EmailIdentity") == {}
    env = _function(local_template, "consumer")["Properties"]["Environment"]["Variables"]
    assert env["PLATFORM_APP_KEY_SECRET_NAME"] == "interview-platform/local/app-key"
    assert env["NOTIFY_SENDER"] == "no-reply@interview-platform.dev"


def test_in_aws_the_sender_is_an_ses_identity(aws_template: Template) -> None:
    aws_template.has_resource_properties(
        "AWS::SES::EmailIdentity", {"EmailIdentity": "no-reply@interview-platform.dev"}
    )


def test_only_the_senders_may_send_and_only_from_the_sender(local_template: Template) -> None:
    for module in ("consumer", "sweep"):
        sends = [
            s
            for s in _statements(
                local_template, f"functions.notifications.{module}.handler.handler"
            )
            if "ses:SendRawEmail" in json.dumps(s["Action"])
        ]
        assert sends
        assert sends[0]["Condition"] == {
            "StringEquals": {"ses:FromAddress": "no-reply@interview-platform.dev"}
        }
    for module in ("preferences", "messages", "unsubscribe", "webhooks"):
        text = json.dumps(
            _statements(local_template, f"functions.notifications.{module}.handler.handler")
        )
        assert "ses:" not in text, module


def test_the_app_key_is_generated_and_read_only_where_links_are_sealed_or_opened(
    local_template: Template,
) -> None:
    local_template.has_resource_properties(
        "AWS::SecretsManager::Secret",
        {"Name": "interview-platform/local/app-key", "GenerateSecretString": Match.any_value()},
    )
    readers = {
        "functions.identity.account_links.handler.handler",
        "functions.interviews.create_invitation.handler.handler",
        "functions.interviews.bulk_invitations.handler.handler",
        "functions.interviews.invitation_lifecycle.handler.handler",
        "functions.notifications.consumer.handler.handler",
        "functions.notifications.sweep.handler.handler",
        "functions.notifications.unsubscribe.handler.handler",
        "functions.notifications.webhooks.handler.handler",
    }
    functions: dict[str, Any] = local_template.find_resources("AWS::Lambda::Function")
    for fn in functions.values():
        handler = fn["Properties"]["Handler"]
        if not handler.startswith("functions."):
            continue
        reads = "/app-key-*" in json.dumps(_statements(local_template, handler))
        assert reads == (handler in readers), handler


def _logical_id(template: Template, kind: str, predicate: Any) -> str:
    found: dict[str, Any] = template.find_resources(kind)
    ids = [name for name, res in found.items() if predicate(res["Properties"])]
    assert len(ids) == 1, (kind, ids)
    return ids[0]


def test_ses_feedback_goes_topic_then_queue_with_dlq_then_its_consumer(
    local_template: Template,
) -> None:
    feedback = "functions.notifications.feedback.handler.handler"
    fn = _logical_id(local_template, "AWS::Lambda::Function", lambda p: p["Handler"] == feedback)
    mapping = _logical_id(
        local_template,
        "AWS::Lambda::EventSourceMapping",
        lambda p: p["FunctionName"] == {"Ref": fn},
    )
    props = local_template.to_json()["Resources"][mapping]["Properties"]
    assert props["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    queue = props["EventSourceArn"]["Fn::GetAtt"][0]
    queue_props = local_template.to_json()["Resources"][queue]["Properties"]
    assert queue_props["RedrivePolicy"]["maxReceiveCount"] == 5
    # the consumer drops feedback for an unknown message on that last delivery (no DLQ)
    assert queue_props["RedrivePolicy"]["maxReceiveCount"] == MAX_DELIVERIES
    topic = _logical_id(
        local_template, "AWS::SNS::Topic", lambda p: p.get("DisplayName") == "SES feedback"
    )
    local_template.has_resource_properties(
        "AWS::SNS::Subscription",
        {
            "Protocol": "sqs",
            "TopicArn": {"Ref": topic},
            "Endpoint": {"Fn::GetAtt": [queue, "Arn"]},
        },
    )
    # The feedback consumer reads the database only: it sends nothing.
    assert "ses:" not in json.dumps(_statements(local_template, feedback))
    # Locally scripts/stack.py makes the configuration set (CloudFormation skips the type).
    assert local_template.find_resources("AWS::SES::ConfigurationSet") == {}
    env = _function(local_template, "consumer")["Properties"]["Environment"]["Variables"]
    assert env["NOTIFY_CONFIGURATION_SET"] == "interview-platform-local"


def test_in_aws_the_configuration_set_publishes_feedback_to_the_encrypted_topic(
    aws_template: Template,
) -> None:
    aws_template.has_resource_properties(
        "AWS::SES::ConfigurationSet", {"Name": "interview-platform-prod"}
    )
    topic = _logical_id(
        aws_template, "AWS::SNS::Topic", lambda p: p.get("DisplayName") == "SES feedback"
    )
    aws_template.has_resource_properties(
        "AWS::SES::ConfigurationSetEventDestination",
        {
            "EventDestination": {
                "Enabled": True,
                "MatchingEventTypes": ["bounce", "complaint", "delivery", "reject"],
                "SnsDestination": {"TopicARN": {"Ref": topic}},
            }
        },
    )
    props = aws_template.to_json()["Resources"][topic]["Properties"]
    assert "KmsMasterKeyId" in props
    policies = json.dumps(aws_template.find_resources("AWS::SNS::TopicPolicy"))
    assert "ses.amazonaws.com" in policies
    for module in ("consumer", "sweep"):
        sends = [
            s
            for s in _statements(aws_template, f"functions.notifications.{module}.handler.handler")
            if "ses:SendRawEmail" in json.dumps(s["Action"])
        ]
        assert "configuration-set/interview-platform-prod" in json.dumps(sends), module
