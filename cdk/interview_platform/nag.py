"""cdk-nag's AwsSolutions pack over the platform, and each finding we accept, with its reason.

`make test` synthesizes the AWS app with the pack (tests/infrastructure/test_platform_contract.py)
and fails on any finding not acknowledged here. `cdk synth -c nag=true` runs the same check.
Acknowledgments are made where they apply: platform-wide ones on every stack, the rest on the
construct that has the finding.
"""

from __future__ import annotations

from aws_cdk import Acknowledgment, App, Stack, Validations
from constructs import IConstruct

# Findings every stack has by design.
PLATFORM_WIDE = {
    "AwsSolutions-IAM4": (
        "Only AWSLambdaBasicExecutionRole (its own log streams) and "
        "AWSLambdaVPCAccessExecutionRole (its ENIs) are attached: AWS keeps them to the minimum "
        "Lambda needs, and every grant of our own is an inline, narrowed statement"
    ),
    "AwsSolutions-IAM5": (
        "Wildcards scope within one resource only: object prefixes of the media bucket "
        "(raw/*, media/*, tmp/*, avatars/*, reports/*), the six random characters Secrets "
        "Manager appends to a secret's name, CDK's grant action groups (s3:GetObject*), "
        "executions of one state machine, and X-Ray and ENI actions that take no resource ARN"
    ),
    "AwsSolutions-L1": (
        "Python 3.12 on purpose: the dependencies layer is built from uv.lock as CPython 3.12 "
        "manylinux wheels (layers/build.py); a runtime upgrade is a deliberate change of both"
    ),
    "AwsSolutions-COG4": (
        "The platform issues and verifies its own JWTs (identity context, rotating key ring, "
        "JWKS) with a TOKEN Lambda authorizer; Cognito is not used"
    ),
}


def acknowledge(scope: IConstruct, rule: str, reason: str) -> None:
    Validations.of(scope).acknowledge(Acknowledgment(id=rule, reason=reason))


_IAM4 = PLATFORM_WIDE["AwsSolutions-IAM4"]
_IAM5 = PLATFORM_WIDE["AwsSolutions-IAM5"]
_MANAGED_POLICIES = (
    "AWSLambdaBasicExecutionRole",
    "AWSLambdaVPCAccessExecutionRole",
    "AmazonAPIGatewayPushToCloudWatchLogs",
)
# CDK's grant action groups: read, list and abort/delete within the granted prefix only.
_ACTION_GROUPS = ("s3:List*", "s3:GetObject*", "s3:GetBucket*", "s3:Abort*", "s3:DeleteObject*")
_MEDIA_PREFIXES = ("raw/*", "media/*", "tmp/*", "avatars/*", "reports/*", "*")


def finding_ids(stage: str) -> list[tuple[str, str]]:
    """The granular findings (cdk-nag 3 matches each finding exactly) every stack may have."""
    arn = "arn:<AWS::Partition>:{}:<AWS::Region>:<AWS::AccountId>:{}"
    ids = [("AwsSolutions-L1", PLATFORM_WIDE["AwsSolutions-L1"])]
    ids.append(("AwsSolutions-COG4", PLATFORM_WIDE["AwsSolutions-COG4"]))
    ids += [
        (f"AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/{p}]", _IAM4)
        for p in _MANAGED_POLICIES
    ]
    ids.append(("AwsSolutions-IAM5[Resource::*]", _IAM5))
    ids += [(f"AwsSolutions-IAM5[Action::{action}]", _IAM5) for action in _ACTION_GROUPS]
    bucket = f"InterviewPlatform-{stage}-MediaBucketArn"
    ids += [(f"AwsSolutions-IAM5[Resource::{bucket}/{p}]", _IAM5) for p in _MEDIA_PREFIXES]
    ids += [
        (f"AwsSolutions-IAM5[Resource::<StorageMediaBucket{suffix}.Arn>/{p}]", _IAM5)
        for suffix in ("",)
        for p in _MEDIA_PREFIXES
    ]
    for secret in ("jwt-signing-key", "groq", "app-key", "stripe"):
        resource = arn.format("secretsmanager", f"secret:interview-platform/{stage}/{secret}-*")
        ids.append((f"AwsSolutions-IAM5[Resource::{resource}]", _IAM5))
    for machine in ("analysis", "media-pipeline"):
        executions = arn.format("states", f"execution:interview-platform-{stage}-{machine}:*")
        ids.append((f"AwsSolutions-IAM5[Resource::{executions}]", _IAM5))
    # Sending email: any identity, but only From the deployment's sender (a condition).
    ids.append((f"AwsSolutions-IAM5[Resource::{arn.format('ses', 'identity/*')}]", _IAM5))
    return ids


def acknowledge_platform(stacks: list[Stack], stage: str) -> None:
    for stack in stacks:
        for rule, reason in finding_ids(stage):
            acknowledge(stack, rule, reason)


def acknowledge_invocations(state_machine: IConstruct, steps: list[IConstruct]) -> None:
    """A state machine may invoke its own steps' versions (``<function ARN>:*``)."""
    stack = Stack.of(state_machine)
    for step in steps:
        cfn = step.node.default_child
        if cfn is None:
            continue
        logical = stack.resolve(stack.get_logical_id(cfn))  # type: ignore[arg-type]
        acknowledge(
            state_machine,
            f"AwsSolutions-IAM5[Resource::<{logical}.Arn>:*]",
            "The workflow invokes its own step functions, any published version of them",
        )


def add_checks(app: App) -> None:
    """The AwsSolutions pack as a policy-validation plugin (cdk-nag 3): synth fails on findings."""
    from cdk_nag import AwsSolutionsChecks  # noqa: PLC0415 - only when checking

    Validations.of(app).add_plugins(AwsSolutionsChecks(app))
