"""What the candidate flow's stack promises in the synthesized templates."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from aws_cdk.assertions import Match, Template
from interview_platform import constants as c
from interview_platform.config import StackConfig
from interview_platform.constructs.candidate import USE_CASES
from interview_platform.stacks import build

from tests.infrastructure.conftest import LOCAL_CONTEXT, new_app


@pytest.fixture(scope="module")
def local_template(local_stacks: dict[str, Template]) -> Template:
    """The candidate flow's own stack."""
    return local_stacks[c.CANDIDATE]


@pytest.fixture(scope="module")
def aws_template(aws_stacks: dict[str, Template]) -> Template:
    return aws_stacks[c.CANDIDATE]


_MODULE = "functions.interviews.{}.handler.handler"


def _functions(template: Template) -> dict[str, Any]:
    found: dict[str, Any] = template.find_resources("AWS::Lambda::Function")
    return found


def _logical(template: Template, module: str) -> str:
    handler = _MODULE.format(module)
    return next(
        name for name, fn in _functions(template).items() if fn["Properties"]["Handler"] == handler
    )


def _statements(template: Template, module: str) -> list[dict[str, Any]]:
    role = _functions(template)[_logical(template, module)]["Properties"]["Role"]["Fn::GetAtt"][0]
    policies: dict[str, Any] = template.find_resources("AWS::IAM::Policy")
    return [
        statement
        for policy in policies.values()
        if {"Ref": role} in policy["Properties"]["Roles"]
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
    ]


def _s3_statements(template: Template, module: str) -> list[dict[str, Any]]:
    return [s for s in _statements(template, module) if "s3:" in json.dumps(s["Action"])]


def _actions(statements: list[dict[str, Any]]) -> set[str]:
    found: set[str] = set()
    for statement in statements:
        value = statement["Action"]
        found |= set(value if isinstance(value, list) else [value])
    return found


def test_each_candidate_use_case_is_its_own_function(local_template: Template) -> None:
    handlers = {fn["Properties"]["Handler"] for fn in _functions(local_template).values()}
    for module in (
        "candidate_interview",
        "candidate_session",
        "candidate_uploads",
        "candidate_answer",
        "sweep",
    ):
        assert _MODULE.format(module) in handlers


@pytest.mark.parametrize(
    ("path", "method"),
    # A candidate's account (issue 19) signs in with a bearer token: behind the authorizer.
    [(path, method) for case in USE_CASES if not case.account for path, method in case.routes],
)
def test_every_candidate_route_is_a_lambda_proxy_method_without_an_authorizer(
    aws_template: Template, path: str, method: str
) -> None:
    # Given the route's resource path (the token is a header; no JWT authorizer in front)
    methods: dict[str, Any] = aws_template.find_resources(
        "AWS::ApiGateway::Method",
        {"Properties": {"HttpMethod": method, "Integration": {"Type": "AWS_PROXY"}}},
    )
    # The route's resource lives in the candidate's stack too, named after its path.
    name = "".join(ch for ch in f"/v1/{path}".title().replace("{", "By") if ch.isalnum())
    resource = re.compile(f"^RoutesResource{name}[0-9A-F]{{8}}$")
    candidates = [
        m
        for m in methods.values()
        if m["Properties"].get("AuthorizationType", "NONE") == "NONE"
        and resource.match(str(m["Properties"]["ResourceId"].get("Ref", "")))
    ]
    # Then at least one proxy method exists for it, and it carries no authorizer
    assert candidates, (path, method)


def test_upload_grants_are_scoped_to_raw_objects(local_template: Template) -> None:
    # Given the uploads and the answer functions' S3 statements
    for module in ("candidate_uploads", "candidate_answer"):
        statements = _s3_statements(local_template, module)
        assert statements, module
        # Then every S3 statement names only objects under raw/ (never the whole bucket)
        for statement in statements:
            resources = json.dumps(statement["Resource"])
            assert "/raw/*" in resources, (module, resources)

    # and only the uploads function may put (presign) or delete
    assert {"s3:PutObject", "s3:DeleteObject"} <= _actions(
        _s3_statements(local_template, "candidate_uploads")
    )
    answer_actions = _actions(_s3_statements(local_template, "candidate_answer"))
    assert "s3:PutObject" not in answer_actions
    assert "s3:DeleteObject" not in answer_actions
    assert "s3:GetObject*" in answer_actions or "s3:GetObject" in answer_actions


@pytest.mark.parametrize("module", ["candidate_interview", "candidate_session", "sweep"])
def test_functions_without_uploads_get_no_bucket_access(
    local_template: Template, module: str
) -> None:
    assert _s3_statements(local_template, module) == []


def test_every_candidate_function_reads_the_db_secret_and_may_publish_events(
    local_template: Template,
) -> None:
    for module in (*(case.module for case in USE_CASES), "sweep"):
        actions = _actions(_statements(local_template, module))
        assert "secretsmanager:GetSecretValue" in actions, module
        assert "events:PutEvents" in actions, module
        env = _functions(local_template)[_logical(local_template, module)]["Properties"][
            "Environment"
        ]["Variables"]
        assert "EVENT_BUS_NAME" in env, module
        assert "PLATFORM_MEDIA_BUCKET" in env, module


def test_the_sweep_runs_every_minute(local_template: Template) -> None:
    sweep = _logical(local_template, "sweep")
    local_template.has_resource_properties(
        "AWS::Events::Rule",
        {
            "ScheduleExpression": "rate(1 minute)",
            "Targets": Match.array_with(
                [Match.object_like({"Arn": {"Fn::GetAtt": [sweep, "Arn"]}})]
            ),
        },
    )


def test_the_api_deployment_waits_for_the_candidate_stack_which_alone_holds_its_routes(
    local_stacks: dict[str, Template],
) -> None:
    # Given the platform's stacks
    app = new_app(LOCAL_CONTEXT)
    platform = build(app, StackConfig.from_context(app.node))
    deployment = platform.stacks[c.API_DEPLOYMENT]
    # Then the API's deployment is made after the candidate's routes exist
    assert platform.stacks[c.CANDIDATE] in deployment.dependencies
    # and no other stack has a candidate function or resource
    for part, template in local_stacks.items():
        if part == c.CANDIDATE:
            continue
        handlers = {
            fn["Properties"]["Handler"]
            for fn in template.find_resources("AWS::Lambda::Function").values()
        }
        assert not any(h.startswith("functions.interviews.candidate") for h in handlers), part
        paths = [
            r["Properties"]["PathPart"]
            for r in template.find_resources("AWS::ApiGateway::Resource").values()
        ]
        assert "candidate" not in paths, part


def test_unmatched_methods_under_candidate_reach_the_fallback(local_template: Template) -> None:
    # Given every API resource of the candidate subtree / Then each has the ANY fallback method
    resources: dict[str, Any] = local_template.find_resources("AWS::ApiGateway::Resource")
    methods = local_template.find_resources(
        "AWS::ApiGateway::Method", {"Properties": {"HttpMethod": "ANY"}}
    )
    with_fallback = {m["Properties"]["ResourceId"]["Ref"] for m in methods.values()}
    # 13 of the candidate flow, 1 of candidate/invitations, 7 of data rights (issue 19)
    assert len(resources) == 21
    assert set(resources) == with_fallback
