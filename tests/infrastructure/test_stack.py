"""What the synthesized CloudFormation template promises, locally and for AWS."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from aws_cdk.assertions import Match, Template
from interview_platform import constants as c
from interview_platform.refs import Export, export_name

from tests.infrastructure.conftest import AWS_IMPORTED_DB_CONTEXT


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
        # The stack's own copy of the dependencies layer first; media steps add ffmpeg's.
        assert "DepsLayer" in props["Layers"][0]["Ref"]
        assert props["Handler"].startswith("functions.")


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
                        {
                            "AllowedOrigins": [
                                "http://interview-web-local.s3-website.localhost:4566"
                            ],
                            "ExposedHeaders": ["ETag"],
                        }
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
    # The database's secret (the app key, shared/appkey.py, is the other one).
    (secret_id,) = (
        name
        for name, secret in _resources(local_template, "AWS::SecretsManager::Secret").items()
        if not str(secret["Properties"].get("Name", "")).endswith("/app-key")
    )
    # The foundation's own functions name the secret; other stacks import its ARN.
    ours = ({"Ref": secret_id}, {"Fn::ImportValue": export_name("local", Export.DB_SECRET_ARN)})
    policies = _resources(local_template, "AWS::IAM::Policy")
    readers = []
    for policy in policies.values():
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            actions = statement["Action"]
            if (
                "secretsmanager:GetSecretValue"
                in (actions if isinstance(actions, list) else [actions])
                and statement["Resource"] in ours
            ):
                readers.extend(role["Ref"] for role in policy["Properties"]["Roles"])
            # No function may read every secret.
            assert not (
                "secretsmanager:GetSecretValue" in str(actions) and statement["Resource"] == "*"
            )
    assert any("Health" in role for role in readers)
    assert any("Migrate" in role for role in readers)
    assert any("IdentityLogin" in role for role in readers)
    # Functions that never touch the database get no access to its secret.
    assert not any(
        name in role for role in readers for name in ("OpenApi", "NotFound", "Authorizer", "Jwks")
    )


def test_aws_synth_can_import_an_existing_database_and_keeps_media(
    aws_imported_db_template: Template,
) -> None:
    template = aws_imported_db_template
    # No database secret of its own: the only secret made is the app key (shared/appkey.py).
    secrets = _resources(template, "AWS::SecretsManager::Secret")
    assert [s["Properties"]["Name"] for s in secrets.values()] == [
        "interview-platform/prod/app-key"
    ]
    template.resource_count_is("AWS::RDS::DBCluster", 0)
    template.resource_count_is("AWS::EC2::VPC", 0)
    buckets = _resources(template, "AWS::S3::Bucket")
    assert all(b["DeletionPolicy"] == "Retain" for b in buckets.values())
    # The given ARN is exported once and imported by every stack that uses the database.
    outputs = template.find_outputs(Export.DB_SECRET_ARN.value)
    assert outputs[Export.DB_SECRET_ARN.value]["Value"] == AWS_IMPORTED_DB_CONTEXT["dbSecretArn"]
    template.has_resource_properties(
        "AWS::Lambda::Function",
        {
            "TracingConfig": {"Mode": "Active"},
            "Environment": {
                "Variables": Match.object_like(
                    {
                        "DB_SECRET_ARN": {
                            "Fn::ImportValue": export_name("prod", Export.DB_SECRET_ARN)
                        }
                    }
                )
            },
        },
    )
    url = template.find_outputs(c.OUTPUT_API_URL)[c.OUTPUT_API_URL]["Value"]
    assert "execute-api" in str(url)


def test_aws_synth_provisions_its_own_database_behind_a_proxy(aws_template: Template) -> None:
    # Aurora PostgreSQL Serverless v2: encrypted, backed up, protected from deletion
    aws_template.has_resource(
        "AWS::RDS::DBCluster",
        {
            "Properties": Match.object_like(
                {
                    "Engine": "aurora-postgresql",
                    "StorageEncrypted": True,
                    "DeletionProtection": True,
                    "BackupRetentionPeriod": 7,
                    "ServerlessV2ScalingConfiguration": {"MinCapacity": 0.5, "MaxCapacity": 8},
                }
            ),
            "DeletionPolicy": "Snapshot",
        },
    )
    aws_template.has_resource_properties(
        "AWS::RDS::DBInstance", {"DBInstanceClass": "db.serverless"}
    )
    # RDS Proxy with TLS required, the secret rotating every 30 days
    aws_template.has_resource_properties("AWS::RDS::DBProxy", {"RequireTLS": True})
    aws_template.has_resource_properties(
        "AWS::SecretsManager::RotationSchedule",
        {"RotationRules": Match.object_like({"ScheduleExpression": "rate(30 days)"})},
    )
    # One NAT gateway, an S3 gateway endpoint, flow logs
    aws_template.resource_count_is("AWS::EC2::NatGateway", 1)
    aws_template.has_resource_properties("AWS::EC2::VPCEndpoint", {"VpcEndpointType": "Gateway"})
    aws_template.resource_count_is("AWS::EC2::FlowLog", 1)


def test_aws_functions_that_use_postgres_run_in_the_vpc_through_the_proxy(
    aws_template: Template,
) -> None:
    functions = _resources(aws_template, "AWS::Lambda::Function")
    platform = {
        name: fn["Properties"]
        for name, fn in functions.items()
        if str(fn["Properties"].get("Handler", "")).startswith("functions.")
    }
    for name, props in platform.items():
        env = props.get("Environment", {}).get("Variables", {})
        uses_db = "DB_SECRET_ARN" in env
        assert ("VpcConfig" in props) == uses_db, name
        if uses_db:
            assert env["DB_SSLMODE"] == "require", name
            assert "DB_PROXY_HOST" in env, name
    edge = [n for n in platform if "NotFound" in n or "OpenApi" in n or "Authorizer" in n]
    assert edge
    assert all("VpcConfig" not in platform[n] for n in edge)


def test_aws_deploy_ends_with_a_migrated_database(aws_template: Template) -> None:
    # A trigger (custom resource) invokes the Migrate function during the deploy
    migrate = [
        name
        for name, fn in _resources(aws_template, "AWS::Lambda::Function").items()
        if fn["Properties"].get("Handler") == "functions.platform.migrate.handler.handler"
    ]
    assert len(migrate) == 1
    triggers = _resources(aws_template, "Custom::Trigger")
    assert len(triggers) == 1
    (trigger,) = triggers.values()
    assert "FoundationFunctionsMigrate" in json.dumps(trigger["Properties"]["HandlerArn"])


def test_wildcard_frontend_origin_is_refused(
    synthesize: Callable[[dict[str, str]], Template],
) -> None:
    with pytest.raises(ValueError, match="wildcard"):
        synthesize({**AWS_IMPORTED_DB_CONTEXT, "frontendOrigin": "*"})


def test_health_may_ask_about_the_bucket_but_read_no_object(local_template: Template) -> None:
    # Issue 13, finding 18: HeadBucket needs s3:ListBucket on the bucket, nothing more.
    s3_statements = []
    for policy in _resources(local_template, "AWS::IAM::Policy").values():
        if not any("Health" in role["Ref"] for role in policy["Properties"]["Roles"]):
            continue
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            actions = statement["Action"]
            actions = actions if isinstance(actions, list) else [actions]
            if any(a.startswith("s3:") for a in actions):
                s3_statements.append((actions, statement["Resource"]))
    assert len(s3_statements) == 1
    [(actions, resource)] = s3_statements
    assert actions == ["s3:ListBucket"]
    # One resource, the bucket itself: not "<bucket>/*", so no object can be read
    assert not isinstance(resource, list)
    assert "/*" not in json.dumps(resource)


def test_every_gateway_answer_is_a_problem_with_cors_for_the_frontend(
    local_template: Template, aws_template: Template
) -> None:
    # Issue 13 (findings 12, 16): API Gateway's own answers (authorizer denials, throttling,
    # its 5xx) reach a browser on the frontend's origin as problem+json it may read.
    for template in (local_template, aws_template):
        answers = _resources(template, "AWS::ApiGateway::GatewayResponse")
        types = {a["Properties"]["ResponseType"] for a in answers.values()}
        assert {"DEFAULT_4XX", "DEFAULT_5XX", "THROTTLED", "ACCESS_DENIED"} <= types
        for answer in answers.values():
            props = answer["Properties"]
            headers = props["ResponseParameters"]
            assert headers["gatewayresponse.header.Content-Type"] == "'application/problem+json'"
            origin = headers["gatewayresponse.header.Access-Control-Allow-Origin"]
            if template is local_template:
                assert origin == "'http://interview-web-local.s3-website.localhost:4566'"
            else:  # the web app's distribution, imported from the Foundation by name
                assert origin == {
                    "Fn::Join": [
                        "",
                        ["'", {"Fn::ImportValue": "InterviewPlatform-prod-WebOrigin"}, "'"],
                    ]
                }
            assert headers["gatewayresponse.header.Vary"] == "'Origin'"
            assert "Retry-After" in headers["gatewayresponse.header.Access-Control-Expose-Headers"]
            body = json.loads(props["ResponseTemplates"]["application/json"])
            assert body["status"] == int(props["StatusCode"])
            assert body["type"].startswith("https://problems.interview-platform.dev/")
    aws = _resources(aws_template, "AWS::ApiGateway::GatewayResponse")
    assert "UNAUTHORIZED" in {a["Properties"]["ResponseType"] for a in aws.values()}
