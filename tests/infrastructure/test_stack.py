"""What the synthesized CloudFormation template promises, locally and for AWS."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from aws_cdk.assertions import Match, Template
from interview_platform import constants as c

from tests.infrastructure.conftest import AWS_CONTEXT


def _resources(template: Template, kind: str) -> dict[str, Any]:
    found: dict[str, Any] = template.find_resources(kind)
    return found


def test_every_function_runs_python312_x86_with_the_deps_layer(local_template: Template) -> None:
    functions = _resources(local_template, "AWS::Lambda::Function")

    assert len(functions) >= 3
    for function in functions.values():
        props = function["Properties"]
        assert props["Runtime"] == "python3.12"
        assert props["Architectures"] == ["x86_64"]
        assert len(props["Layers"]) == 1
        assert props["Handler"].startswith("functions.")
    local_template.resource_count_is("AWS::Lambda::LayerVersion", 1)


def test_rest_api_routes_health_and_openapi(local_template: Template) -> None:
    local_template.resource_count_is("AWS::ApiGateway::RestApi", 1)
    paths = {
        r["Properties"]["PathPart"]
        for r in _resources(local_template, "AWS::ApiGateway::Resource").values()
    }
    assert {"v1", "health", "openapi.json"} <= paths
    local_template.has_resource_properties(
        "AWS::ApiGateway::Method",
        {"HttpMethod": "GET", "Integration": Match.object_like({"Type": "AWS_PROXY"})},
    )


def test_unknown_routes_answer_404_problem_json(local_template: Template) -> None:
    local_template.has_resource_properties(
        "AWS::ApiGateway::GatewayResponse",
        {
            "ResponseType": "MISSING_AUTHENTICATION_TOKEN",
            "StatusCode": "404",
            "ResponseParameters": {
                "gatewayresponse.header.Content-Type": "'application/problem+json'"
            },
        },
    )


def test_media_bucket_is_private_encrypted_and_cors_scoped(local_template: Template) -> None:
    local_template.has_resource_properties(
        "AWS::S3::Bucket",
        {
            "BucketEncryption": Match.object_like(
                {
                    "ServerSideEncryptionConfiguration": [
                        {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}
                    ]
                }
            ),
            "PublicAccessBlockConfiguration": {
                "BlockPublicAcls": True,
                "BlockPublicPolicy": True,
                "IgnorePublicAcls": True,
                "RestrictPublicBuckets": True,
            },
            "CorsConfiguration": {
                "CorsRules": [
                    Match.object_like(
                        {"AllowedOrigins": ["http://localhost:5173"], "ExposedHeaders": ["ETag"]}
                    )
                ]
            },
            "LifecycleConfiguration": {
                "Rules": Match.array_with(
                    [
                        Match.object_like(
                            {"AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1}}
                        )
                    ]
                )
            },
        },
    )


def test_outputs_have_stable_names(local_template: Template) -> None:
    outputs = local_template.find_outputs("*")

    for key in (
        c.OUTPUT_API_URL,
        c.OUTPUT_API_ID,
        c.OUTPUT_MEDIA_BUCKET,
        c.OUTPUT_DB_SECRET_ARN,
        c.OUTPUT_HEALTH_FUNCTION,
        c.OUTPUT_MIGRATE_FUNCTION,
    ):
        assert key in outputs


def test_local_api_url_goes_through_localstack_gateway(local_template: Template) -> None:
    url = local_template.find_outputs(c.OUTPUT_API_URL)[c.OUTPUT_API_URL]["Value"]

    parts = url["Fn::Join"][1]
    assert parts[0] == "http://127.0.0.1:4566/restapis/"
    assert parts[-1] == "/local/_user_request_/"


def test_database_secret_is_granted_by_name_and_not_to_edge_functions(
    local_template: Template,
) -> None:
    (secret_id,) = _resources(local_template, "AWS::SecretsManager::Secret")
    policies = _resources(local_template, "AWS::IAM::Policy")
    readers = []
    for policy in policies.values():
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            actions = statement["Action"]
            if "secretsmanager:GetSecretValue" in (
                actions if isinstance(actions, list) else [actions]
            ) and statement["Resource"] == {"Ref": secret_id}:
                readers.extend(role["Ref"] for role in policy["Properties"]["Roles"])
            # No function may read every secret.
            assert not (
                "secretsmanager:GetSecretValue" in str(actions) and statement["Resource"] == "*"
            )
    assert any("Health" in role for role in readers)
    assert any("Migrate" in role for role in readers)
    # Functions that never touch the database get no access to its secret.
    assert not any("OpenApi" in role or "NotFound" in role for role in readers)


def test_aws_synth_imports_the_database_secret_and_keeps_media(aws_template: Template) -> None:
    aws_template.resource_count_is("AWS::SecretsManager::Secret", 0)
    buckets = _resources(aws_template, "AWS::S3::Bucket")
    assert all(b["DeletionPolicy"] == "Retain" for b in buckets.values())
    aws_template.has_resource_properties(
        "AWS::Lambda::Function",
        {
            "TracingConfig": {"Mode": "Active"},
            "Environment": {
                "Variables": Match.object_like({"DB_SECRET_ARN": AWS_CONTEXT["dbSecretArn"]})
            },
        },
    )
    url = aws_template.find_outputs(c.OUTPUT_API_URL)[c.OUTPUT_API_URL]["Value"]
    assert "execute-api" in str(url)


def test_aws_synth_without_database_secret_is_refused(
    synthesize: Callable[[dict[str, str]], Template],
) -> None:
    context = {k: v for k, v in AWS_CONTEXT.items() if k != "dbSecretArn"}

    with pytest.raises(ValueError, match="dbSecretArn"):
        synthesize(context)


def test_wildcard_frontend_origin_is_refused(
    synthesize: Callable[[dict[str, str]], Template],
) -> None:
    with pytest.raises(ValueError, match="wildcard"):
        synthesize({**AWS_CONTEXT, "frontendOrigin": "*"})
