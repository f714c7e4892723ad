"""What the HR side of interviews promises in the synthesized template: one function per use case,
its routes, least-privilege grants, and (in AWS) the token authorizer in front."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest
from aws_cdk.assertions import Template
from interview_platform import constants as c
from interview_platform.constructs.interviews import HR_USE_CASES

_HANDLER = "functions.interviews.{}.handler.handler"


@pytest.fixture(scope="module")
def local_template(local_stacks: dict[str, Template]) -> Template:
    """The interviews (HR) context's own stack."""
    return local_stacks[c.INTERVIEWS]


@pytest.fixture(scope="module")
def aws_template(aws_stacks: dict[str, Template]) -> Template:
    return aws_stacks[c.INTERVIEWS]


def _function_ids(template: Template) -> dict[str, str]:
    """Handler -> logical id of every HR function."""
    found: Mapping[str, Any] = template.find_resources("AWS::Lambda::Function")
    return {fn["Properties"]["Handler"]: name for name, fn in found.items()}


def _statements(template: Template, handler: str) -> list[dict[str, Any]]:
    functions: Mapping[str, Any] = template.find_resources("AWS::Lambda::Function")
    logical = _function_ids(template)[handler]
    role = functions[logical]["Properties"]["Role"]["Fn::GetAtt"][0]
    policies: Mapping[str, Any] = template.find_resources("AWS::IAM::Policy")
    return [
        statement
        for policy in policies.values()
        if {"Ref": role} in policy["Properties"]["Roles"]
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
    ]


def _actions(statements: list[dict[str, Any]]) -> set[str]:
    actions: set[str] = set()
    for statement in statements:
        value = statement["Action"]
        actions |= set(value if isinstance(value, list) else [value])
    return actions


def _methods_of(template: Template, logical_id: str) -> list[dict[str, Any]]:
    """Methods that invoke the function or (SnapStart in AWS) its alias."""
    aliases: Mapping[str, Any] = template.find_resources(
        "AWS::Lambda::Alias", {"Properties": {"FunctionName": {"Ref": logical_id}}}
    )
    targets = {logical_id, *aliases}
    methods: Mapping[str, Any] = template.find_resources("AWS::ApiGateway::Method")
    return [
        m["Properties"]
        for m in methods.values()
        if any(t in str(m["Properties"].get("Integration", {}).get("Uri", "")) for t in targets)
    ]


def test_each_hr_use_case_is_its_own_function_with_its_routes(local_template: Template) -> None:
    ids = _function_ids(local_template)
    for case in HR_USE_CASES:
        handler = _HANDLER.format(case.module)
        assert handler in ids, handler
        methods = _methods_of(local_template, ids[handler])
        assert sorted(m["HttpMethod"] for m in methods) == sorted(m for _, m in case.routes)
    assert len(HR_USE_CASES) == 13


def test_every_hr_function_reads_the_db_secret_and_verifies_tokens_only(
    local_template: Template,
) -> None:
    for case in HR_USE_CASES:
        statements = _statements(local_template, _HANDLER.format(case.module))
        key = _actions([s for s in statements if "jwt-signing-key" in str(s["Resource"])])
        assert key == {"secretsmanager:GetSecretValue"}, case.module
        assert "secretsmanager:GetSecretValue" in _actions(statements)


def test_only_producers_may_publish_events(local_template: Template) -> None:
    for case in HR_USE_CASES:
        actions = _actions(_statements(local_template, _HANDLER.format(case.module)))
        assert ("events:PutEvents" in actions) is case.publishes, case.module
    publishers = {c.module for c in HR_USE_CASES if c.publishes}
    assert publishers == {
        "template_lifecycle",
        "create_invitation",
        "bulk_invitations",
        # resend, cancel and extend: invitation.resent|cancelled|extended (the candidate's email)
        "invitation_lifecycle",
        "decide_invitation",
    }


def test_only_the_review_read_may_read_media_and_nothing_may_write_it(
    local_template: Template,
) -> None:
    for case in HR_USE_CASES:
        statements = _statements(local_template, _HANDLER.format(case.module))
        s3 = [s for s in statements if any(a.startswith("s3:") for a in _actions([s]))]
        if case.module == "get_invitation":
            assert s3, "the playback signer needs s3:GetObject"
            # The raw upload and the pipeline's outputs (MP4, thumbnail), nothing else.
            readable = [str(s["Resource"]) for s in s3 if "GetObject" in str(s)]
            assert any("raw/*" in r for r in readable)
            assert any("media/*" in r for r in readable)
            assert all("raw/*" in r or "media/*" in r for r in readable)
            assert not any("Put" in a or "Delete" in a for a in _actions(s3))
        else:
            assert s3 == [], case.module


def test_api_gateway_may_invoke_each_function_through_one_api_scoped_permission(
    local_template: Template,
) -> None:
    permissions: Mapping[str, Any] = local_template.find_resources("AWS::Lambda::Permission")
    ids = _function_ids(local_template)
    for case in HR_USE_CASES:
        logical = ids[_HANDLER.format(case.module)]
        mine = [
            p
            for p in permissions.values()
            if logical in str(p["Properties"]["FunctionName"])
            and p["Properties"]["Principal"] == "apigateway.amazonaws.com"
        ]
        # one for every method and stage of our API (not two per method: the stack's budget)
        assert len(mine) == 1, case.module
        assert "/*/*/*" in str(mine[0]["Properties"]["SourceArn"])


def test_aws_puts_every_hr_route_behind_the_token_authorizer(aws_template: Template) -> None:
    ids = _function_ids(aws_template)
    for case in HR_USE_CASES:
        methods = _methods_of(aws_template, ids[_HANDLER.format(case.module)])
        assert methods
        assert all(m["AuthorizationType"] == "CUSTOM" for m in methods), case.module


def test_locally_hr_routes_rely_on_the_functions_own_check(local_template: Template) -> None:
    ids = _function_ids(local_template)
    for case in HR_USE_CASES:
        methods = _methods_of(local_template, ids[_HANDLER.format(case.module)])
        assert all(m.get("AuthorizationType", "NONE") == "NONE" for m in methods)
