"""What the whole deployment promises, read off the synthesized templates: stacks that can grow,
public routes exactly as the OpenAPI document says, and clean cdk-nag and cfn-lint reports."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import aws_sqs as sqs
from aws_cdk.assertions import Template
from interview_platform import constants as c
from interview_platform.config import StackConfig
from interview_platform.constructs.routes import RouteRecord
from interview_platform.stacks import build

from tests.infrastructure.conftest import (
    AWS_CONTEXT,
    LOCAL_CONTEXT,
    OUTDIR,
    new_app,
    platform_stacks,
)

OPENAPI = json.loads((Path(__file__).resolve().parents[2] / "openapi.json").read_text())
_BEARER = "bearerAuth"


def test_every_part_is_its_own_top_level_stack_with_no_nested_stacks(
    local_stacks: dict[str, Template], aws_stacks: dict[str, Template]
) -> None:
    for stacks in (local_stacks, aws_stacks):
        assert set(stacks) == set(c.STACK_PARTS)
        for template in stacks.values():
            template.resource_count_is("AWS::CloudFormation::Stack", 0)


@pytest.mark.parametrize("kind", ["local", "aws", "aws-imported-db"])
def test_no_stack_holds_more_than_200_resources(kind: str) -> None:
    for part, template in platform_stacks(kind).items():
        count = len(template.to_json().get("Resources", {}))
        assert count <= c.MAX_RESOURCES_PER_STACK, (kind, part, count)


# ---- the public routes, by contract ------------------------------------------------------


def _openapi_operations() -> dict[tuple[str, str], bool]:
    """(path, METHOD) -> needs a bearer token, as the OpenAPI document says."""
    default = OPENAPI.get("security", [])
    return {
        (path, method.upper()): any(_BEARER in s for s in operation.get("security", default))
        for path, operations in OPENAPI["paths"].items()
        for method, operation in operations.items()
    }


class _Resolver:
    """Full paths of API Gateway resources across stacks (Ref, ImportValue of an export, the
    RestApi's root)."""

    def __init__(self, stacks: dict[str, Template]) -> None:
        self.resources: dict[str, Any] = {}
        self.exports: dict[str, Any] = {}
        for template in stacks.values():
            body = template.to_json()
            self.resources.update(body.get("Resources", {}))
            for output in body.get("Outputs", {}).values():
                if "Export" in output:
                    self.exports[output["Export"]["Name"]] = output["Value"]

    def path(self, ref: Any) -> str:
        if "Fn::ImportValue" in ref:
            return self.path(self.exports[ref["Fn::ImportValue"]])
        if "Fn::GetAtt" in ref and ref["Fn::GetAtt"][1] == "RootResourceId":
            return ""
        resource = self.resources[ref["Ref"]]
        props = resource["Properties"]
        return f"{self.path(props['ParentId'])}/{props['PathPart']}"


def _template_methods(stacks: dict[str, Template]) -> dict[tuple[str, str], str]:
    """(path, METHOD) -> AuthorizationType of every routed method (not the ANY fallbacks)."""
    resolver = _Resolver(stacks)
    found: dict[tuple[str, str], str] = {}
    for resource in resolver.resources.values():
        if resource["Type"] != "AWS::ApiGateway::Method":
            continue
        props = resource["Properties"]
        if props["HttpMethod"] == "ANY":
            continue
        key = (resolver.path(props["ResourceId"]) or "/", props["HttpMethod"])
        assert key not in found, f"{key} is routed twice"
        found[key] = props.get("AuthorizationType", "NONE")
    return found


def test_public_routes_have_no_authorizer_in_aws_and_every_other_route_has_it(
    aws_stacks: dict[str, Template],
) -> None:
    # Given what the OpenAPI document says of each operation, and the AWS template's methods
    operations = _openapi_operations()
    methods = _template_methods(aws_stacks)
    # Then the two list the same operations
    assert set(methods) == set(operations)
    # and exactly the operations that need a bearer token sit behind the token authorizer
    public = {key for key, bearer in operations.items() if not bearer}
    assert {key for key, auth in methods.items() if auth == "NONE"} == public
    assert {key for key, auth in methods.items() if auth == "CUSTOM"} == set(operations) - public
    # and sign-up, sign-in, health and the candidate's flow are among the public ones
    for key in (
        ("/v1/auth/register", "POST"),
        ("/v1/auth/login", "POST"),
        ("/v1/auth/refresh", "POST"),
        ("/v1/auth/verify-email", "POST"),
        ("/v1/auth/password-reset", "POST"),
        ("/v1/auth/password-reset/confirm", "POST"),
        ("/v1/auth/confirm-email", "POST"),
        ("/.well-known/jwks.json", "GET"),
        ("/v1/health", "GET"),
        ("/v1/openapi.json", "GET"),
        ("/v1/candidate/interview", "GET"),
    ):
        assert key in public, key


def test_locally_no_route_has_an_authorizer(local_stacks: dict[str, Template]) -> None:
    # LocalStack's community API Gateway runs no Lambda authorizer: each function checks itself.
    methods = _template_methods(local_stacks)
    assert set(methods) == set(_openapi_operations())
    assert set(methods.values()) == {"NONE"}


def test_each_resource_has_one_fallback_method_and_no_options_mock(
    local_stacks: dict[str, Template],
) -> None:
    for template in local_stacks.values():
        methods = template.find_resources("AWS::ApiGateway::Method")
        assert not [m for m in methods.values() if m["Properties"]["HttpMethod"] == "OPTIONS"]
        resources = template.find_resources("AWS::ApiGateway::Resource")
        anys = [
            m["Properties"]["ResourceId"]
            for m in methods.values()
            if m["Properties"]["HttpMethod"] == "ANY"
        ]
        for logical_id in resources:
            assert anys.count({"Ref": logical_id}) == 1, logical_id


def _deployment_id(extra: RouteRecord | None) -> str:
    app = new_app(LOCAL_CONTEXT)
    platform = build(app, StackConfig.from_context(app.node))
    if extra is not None:
        platform.stacks[c.API_DEPLOYMENT].registry.records.append(extra)  # type: ignore[attr-defined]
    template = Template.from_stack(platform.stacks[c.API_DEPLOYMENT]).to_json()
    (found,) = [k for k, v in template["Resources"].items() if v["Type"].endswith("::Deployment")]
    return found


def test_the_deployment_changes_when_any_route_changes() -> None:
    # Given the API deployment's logical id
    before = _deployment_id(None)
    # Then it is stable while nothing changes, and new when any stack gains a route
    assert _deployment_id(None) == before
    assert _deployment_id(RouteRecord("/v1/me/new", "GET", "Identity/Me", True)) != before


# ---- cdk-nag and cfn-lint ----------------------------------------------------------------


REPORT = OUTDIR / "validation-report.json"


def _nagged_synth(*, with_a_finding: bool = False) -> None:
    REPORT.unlink(missing_ok=True)  # an earlier synth's report
    app = new_app({**AWS_CONTEXT, "nag": "true"})
    platform = build(app, StackConfig.from_context(app.node))
    if with_a_finding:
        # A queue without a dead-letter queue or TLS enforcement: SQS3 and SQS4.
        sqs.Queue(platform.stacks[c.FOUNDATION], "Unguarded")
    app.synth()


def test_cdk_nag_aws_solutions_reports_no_unacknowledged_finding() -> None:
    # cdk-nag 3 runs as a policy-validation plugin: synthesis fails on any finding that is not
    # acknowledged with its reason (cdk/interview_platform/nag.py)
    _nagged_synth()


def test_cdk_nag_would_fail_the_synth_on_a_new_finding() -> None:
    with pytest.raises(RuntimeError, match="ValidationFailed"):
        _nagged_synth(with_a_finding=True)
    report = REPORT.read_text()
    assert "AwsSolutions-SQS3" in report


@pytest.mark.parametrize("kind", ["local", "aws", "aws-imported-db"])
def test_cfn_lint_finds_no_error_in_any_template(kind: str) -> None:
    from cfnlint.api import ManualArgs, lint

    errors: list[str] = []
    for part, template in platform_stacks(kind).items():
        text = json.dumps(template.to_json())
        for match in lint(text, config=ManualArgs(regions=["us-east-1", "eu-west-1"])):
            if match.rule.id.startswith("E"):
                errors.append(f"{part}: {match}")
    assert not errors, "\n".join(errors)


# ---- SnapStart -------------------------------------------------------------------------


def _integration_uris(template: Template) -> list[str]:
    methods = template.find_resources("AWS::ApiGateway::Method")
    return [
        json.dumps(m["Properties"]["Integration"]["Uri"])
        for m in methods.values()
        if m["Properties"]["HttpMethod"] != "ANY"
    ]


def test_in_aws_the_api_calls_snapstarted_published_versions(aws_template: Template) -> None:
    # Given every API function's alias
    aliases = aws_template.find_resources("AWS::Lambda::Alias", {"Properties": {"Name": "live"}})
    functions = aws_template.find_resources("AWS::Lambda::Function")
    snapped = {n for n, f in functions.items() if "SnapStart" in f["Properties"]}
    # Then each routed method invokes an alias (a published version), never $LATEST
    uris = _integration_uris(aws_template)
    assert uris
    assert all(any(alias in uri for alias in aliases) for uri in uris)
    # and each aliased function has SnapStart on its published versions
    assert len(snapped) == len(aliases) > 30
    for name in snapped:
        assert functions[name]["Properties"]["SnapStart"] == {"ApplyOn": "PublishedVersions"}


def test_snapstart_is_off_locally_and_switchable_in_aws(local_template: Template) -> None:
    local_template.resource_count_is("AWS::Lambda::Alias", 0)
    app = new_app({**AWS_CONTEXT, "snapStart": "false"})
    platform = build(app, StackConfig.from_context(app.node))
    template = Template.from_stack(platform.stacks[c.IDENTITY])
    template.resource_count_is("AWS::Lambda::Alias", 0)
    assert all(
        "SnapStart" not in f["Properties"]
        for f in template.find_resources("AWS::Lambda::Function").values()
    )
