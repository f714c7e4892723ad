"""What the reports construct promises in the synthesized template: its consumer hears every
event its projection handles, and its grants are narrow (reports/ only)."""

from __future__ import annotations

from typing import Any

from aws_cdk.assertions import Template
from interview_platform.constructs.reports import EVENT_TYPES

from shared.reports.projection import EVENT_TYPES as PROJECTED


def _statements(template: Template, module: str) -> list[dict[str, Any]]:
    handler = f"functions.reports.{module}.handler.handler"
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


def _s3_actions(statements: list[dict[str, Any]]) -> set[str]:
    actions: set[str] = set()
    for s in statements:
        given = s["Action"] if isinstance(s["Action"], list) else [s["Action"]]
        actions |= {a for a in given if a.startswith("s3:")}
    return actions


def test_the_rule_listens_to_every_event_the_projection_handles() -> None:
    assert sorted(PROJECTED) == list(EVENT_TYPES)


def test_the_consumer_has_its_queue_and_rule(local_template: Template) -> None:
    local_template.has_resource_properties(
        "AWS::Events::Rule", {"EventPattern": {"detail-type": list(EVENT_TYPES)}}
    )


def test_only_the_consumer_writes_reports_and_routes_only_read_them(
    local_template: Template,
) -> None:
    assert _s3_actions(_statements(local_template, "consumer")) == {
        "s3:PutObject",
        "s3:AbortMultipartUpload",
    }
    for module in ("candidate_report", "exports"):
        assert _s3_actions(_statements(local_template, module)) == {"s3:GetObject"}
    assert _s3_actions(_statements(local_template, "funnel")) == set()
    resources = [
        s["Resource"]
        for s in _statements(local_template, "consumer")
        if "s3:PutObject" in s["Action"]
    ]
    assert "reports/*" in str(resources)
