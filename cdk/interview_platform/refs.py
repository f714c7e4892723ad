"""What one stack gives the others: a fixed set of CloudFormation exports, imported by name.

Every value exported here is stable for the life of the platform (names, ARNs and ids of
resources that are never replaced), and the set is declared in one table rather than derived from
what consumers happen to use: CDK's automatic cross-stack references would remove an export when
its last consumer stops using it, which AWS refuses while another stack still imports it (and
LocalStack does not check, so a local deploy would pass where AWS fails). Consumers read exports
with ``Fn::ImportValue``; stacks that import declare their dependency explicitly.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from aws_cdk import Aws, CfnOutput, Fn, Stack
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from interview_platform.config import StackConfig
from interview_platform.constants import STACK_NAME_PREFIX, secret_name


class Export(StrEnum):
    # Foundation
    MEDIA_BUCKET_NAME = "MediaBucketName"
    MEDIA_BUCKET_ARN = "MediaBucketArn"
    EVENT_BUS_NAME = "EventBusName"
    EVENT_BUS_ARN = "EventBusArn"
    DB_SECRET_ARN = "DbSecretArn"  # noqa: S105 - an export's name, not a secret
    # Foundation, AWS with its own database: where functions that use PostgreSQL run
    VPC_ID = "VpcId"
    FUNCTION_SUBNET_IDS = "FunctionSubnetIds"
    FUNCTION_SECURITY_GROUP_ID = "FunctionSecurityGroupId"
    DB_PROXY_ENDPOINT = "DbProxyEndpoint"
    # Api
    REST_API_ID = "ApiId"
    REST_API_ROOT_ID = "ApiRootResourceId"
    API_V1_ID = "ApiV1ResourceId"
    FALLBACK_FUNCTION_ARN = "ApiFallbackFunctionArn"
    TOKEN_AUTHORIZER_ID = "ApiTokenAuthorizerId"  # noqa: S105 - an export name
    # Interviews: the resource other contexts hang their invitation routes under
    INVITATION_RESOURCE_ID = "ApiInvitationResourceId"


FUNCTION_AZS = 2


def export_name(stage: str, key: Export) -> str:
    return f"{STACK_NAME_PREFIX}-{stage}-{key.value}"


def export(stack: Stack, stage: str, key: Export, value: str) -> CfnOutput:
    """A stack output (named ``key``, as tests read it from cdk-outputs.json) and an export."""
    return CfnOutput(stack, key.value, value=value, export_name=export_name(stage, key))


def imported(stage: str, key: Export) -> str:
    return Fn.import_value(export_name(stage, key))


@dataclass(frozen=True, slots=True)
class Network:
    """Where functions that use PostgreSQL run in AWS: private subnets with a route out (NAT)
    and a security group the database proxy admits."""

    vpc: ec2.IVpc
    subnets: ec2.SubnetSelection
    security_group: ec2.ISecurityGroup
    proxy_endpoint: str


@dataclass(frozen=True, slots=True)
class Foundation:
    """The foundation's resources as a stack of a context sees them."""

    stage: str
    local: bool
    frontend_origin: str
    media_bucket: s3.IBucket
    bus: events.IEventBus
    db_secret: secretsmanager.ISecret
    network: Network | None

    def key_ring_arn(self) -> str:
        """The JWT signing key ring's secret, by name (it is created on first use)."""
        return secret_arn_pattern(secret_name(self.stage, "jwt-signing-key"))

    def groq_arn(self) -> str:
        return secret_arn_pattern(secret_name(self.stage, "groq"))


def secret_arn_pattern(name: str) -> str:
    """Secrets Manager appends six random characters to a secret's name in its ARN."""
    return f"arn:{Aws.PARTITION}:secretsmanager:{Aws.REGION}:{Aws.ACCOUNT_ID}:secret:{name}-*"


def import_foundation(scope: Construct, config: StackConfig) -> Foundation:
    """The foundation's exports, imported into ``scope``'s stack."""
    stage = config.stage
    bucket = s3.Bucket.from_bucket_attributes(
        scope,
        "MediaBucket",
        bucket_name=imported(stage, Export.MEDIA_BUCKET_NAME),
        bucket_arn=imported(stage, Export.MEDIA_BUCKET_ARN),
    )
    bus = events.EventBus.from_event_bus_attributes(
        scope,
        "Bus",
        event_bus_name=imported(stage, Export.EVENT_BUS_NAME),
        event_bus_arn=imported(stage, Export.EVENT_BUS_ARN),
        event_bus_policy="",
    )
    secret = secretsmanager.Secret.from_secret_complete_arn(
        scope, "DbSecret", imported(stage, Export.DB_SECRET_ARN)
    )
    network = None
    if config.own_database:
        subnet_ids = Fn.split(",", imported(stage, Export.FUNCTION_SUBNET_IDS), FUNCTION_AZS)
        vpc = ec2.Vpc.from_vpc_attributes(
            scope,
            "Vpc",
            vpc_id=imported(stage, Export.VPC_ID),
            availability_zones=[Fn.select(i, Fn.get_azs()) for i in range(FUNCTION_AZS)],
            private_subnet_ids=subnet_ids,
        )
        network = Network(
            vpc=vpc,
            subnets=ec2.SubnetSelection(
                subnets=[
                    ec2.Subnet.from_subnet_id(scope, f"FunctionSubnet{i}", subnet_id)
                    for i, subnet_id in enumerate(subnet_ids)
                ]
            ),
            security_group=ec2.SecurityGroup.from_security_group_id(
                scope,
                "FunctionSecurityGroup",
                imported(stage, Export.FUNCTION_SECURITY_GROUP_ID),
                allow_all_outbound=True,
            ),
            proxy_endpoint=imported(stage, Export.DB_PROXY_ENDPOINT),
        )
    return Foundation(
        stage=stage,
        local=config.local,
        frontend_origin=config.frontend_origin,
        media_bucket=bucket,
        bus=bus,
        db_secret=secret,
        network=network,
    )


def allow_publish(foundation: Foundation, function: lambda_.Function) -> None:
    """EVENT_BUS_NAME and PutEvents on our bus, nothing more."""
    function.add_environment("EVENT_BUS_NAME", foundation.bus.event_bus_name)
    foundation.bus.grant_put_events_to(function)


def allow_secret(function: lambda_.IFunction, arn_pattern: str, *actions: str) -> None:
    function.add_to_role_policy(
        iam.PolicyStatement(
            actions=list(actions or ["secretsmanager:GetSecretValue"]), resources=[arn_pattern]
        )
    )
