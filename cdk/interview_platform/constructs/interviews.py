"""Interviews, HR side: templates, questions, invitations and review, one Lambda per use case.

A CloudFormation stack holds at most 500 resources, so each function gets one invoke permission
for the whole API rather than two per method (what LambdaIntegration adds). A nested stack would
be the next step, but LocalStack 2026.3 cannot update one ("the update operation is not
implemented" for AWS::CloudFormation::Stack), so locally it would never change after creation.

Each function gets only what its use case needs: the database secret and the JWT key (every one
verifies the caller), PutEvents on our bus only for producers, and read access to the raw media
prefix only for the function that presigns playback URLs. In AWS the protected routes also sit
behind identity's token authorizer; locally each function's own check is the only one.
"""

from __future__ import annotations

from dataclasses import dataclass

from aws_cdk import Aws
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from interview_platform.constructs.api import Api
from interview_platform.constructs.events import PlatformEvents
from interview_platform.constructs.functions import FunctionSpec, PlatformFunctions

_MODULE = "functions.interviews.{}.handler.handler"
RAW_MEDIA_PREFIX = "raw/*"


@dataclass(frozen=True, slots=True)
class HrUseCase:
    name: str
    module: str
    routes: tuple[tuple[str, str], ...]
    publishes: bool = False
    plays_media: bool = False


_TEMPLATE = "templates/{template_id}"
_QUESTIONS = _TEMPLATE + "/questions"
_INVITATION = "invitations/{invitation_id}"

HR_USE_CASES = (
    HrUseCase("InterviewsCreateTemplate", "create_template", (("templates", "POST"),)),
    HrUseCase(
        "InterviewsReadTemplates", "read_templates", (("templates", "GET"), (_TEMPLATE, "GET"))
    ),
    HrUseCase(
        "InterviewsManageTemplate",
        "manage_template",
        ((_TEMPLATE, "PATCH"), (_TEMPLATE, "DELETE")),
    ),
    HrUseCase(
        "InterviewsTemplateLifecycle",
        "template_lifecycle",
        (
            (_TEMPLATE + "/publish", "POST"),
            (_TEMPLATE + "/archive", "POST"),
            (_TEMPLATE + "/duplicate", "POST"),
        ),
        publishes=True,
    ),
    HrUseCase(
        "InterviewsManageQuestions",
        "manage_questions",
        (
            (_QUESTIONS, "POST"),
            (_QUESTIONS + "/order", "PUT"),
            (_QUESTIONS + "/{question_id}", "PATCH"),
            (_QUESTIONS + "/{question_id}", "DELETE"),
        ),
    ),
    HrUseCase(
        "InterviewsCreateInvitation",
        "create_invitation",
        (("invitations", "POST"),),
        publishes=True,
    ),
    HrUseCase(
        "InterviewsBulkInvitations",
        "bulk_invitations",
        (("invitations/bulk", "POST"),),
        publishes=True,
    ),
    HrUseCase("InterviewsListInvitations", "list_invitations", (("invitations", "GET"),)),
    HrUseCase(
        "InterviewsGetInvitation", "get_invitation", ((_INVITATION, "GET"),), plays_media=True
    ),
    HrUseCase(
        "InterviewsInvitationLifecycle",
        "invitation_lifecycle",
        (
            (_INVITATION + "/resend", "POST"),
            (_INVITATION + "/cancel", "POST"),
            (_INVITATION + "/extend", "POST"),
        ),
    ),
    HrUseCase(
        "InterviewsReviewAnswer",
        "review_answer",
        ((_INVITATION + "/answers/{answer_id}/review", "PUT"),),
    ),
    HrUseCase(
        "InterviewsDecideInvitation",
        "decide_invitation",
        ((_INVITATION + "/decision", "POST"),),
        publishes=True,
    ),
)


class Interviews(Construct):
    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        functions: PlatformFunctions,
        api: Api,
        db_secret: secretsmanager.ISecret,
        media_bucket: s3.IBucket,
        platform_events: PlatformEvents,
        key_secret_name: str,
        token_authorizer: apigw.CfnAuthorizer | None = None,
    ) -> None:
        super().__init__(scope, id)
        key_arn = (
            f"arn:{Aws.PARTITION}:secretsmanager:{Aws.REGION}:{Aws.ACCOUNT_ID}"
            f":secret:{key_secret_name}-*"
        )
        self.functions: dict[str, lambda_.Function] = {}
        for case in HR_USE_CASES:
            fn = functions.add(
                FunctionSpec(
                    case.name,
                    _MODULE.format(case.module),
                    timeout_s=15,
                    environment={"AUTH_KEY_SECRET_NAME": key_secret_name},
                )
            )
            db_secret.grant_read(fn)
            # Verifying callers' tokens: read the key ring, never create or change it.
            fn.add_to_role_policy(
                iam.PolicyStatement(actions=["secretsmanager:GetSecretValue"], resources=[key_arn])
            )
            if case.publishes:
                platform_events.allow_publish(fn)
            if case.plays_media:
                media_bucket.grant_read(fn, RAW_MEDIA_PREFIX)
                # The media pipeline's outputs (MP4, thumbnail) are played back too.
                media_bucket.grant_read(fn, "media/*")
            # One invoke permission per function, for any method and stage of this API.
            fn.add_permission(
                "InvokedByApi",
                principal=iam.ServicePrincipal("apigateway.amazonaws.com"),
                source_arn=api.rest_api.arn_for_execute_api(),
            )
            integration = _proxy_to(fn)
            for path, method in case.routes:
                route = _resource(api, path).add_method(method, integration)
                if token_authorizer is not None:
                    _protect(route, token_authorizer)
            self.functions[case.name] = fn
        if token_authorizer is not None and api.rest_api.latest_deployment is not None:
            # Methods changed through the L1 escape hatch do not change the deployment's hash.
            api.rest_api.latest_deployment.add_to_logical_id({"interviewsHrAuthorizer": "token-v1"})


def _resource(api: Api, path: str) -> apigw.IResource:
    """/v1/<path>, created where missing the way Api.route does (with the API's 404/405
    fallback); other contexts may hang their own routes under these resources."""
    resource: apigw.IResource = api.v1
    for part in path.strip("/").split("/"):
        child = resource.get_resource(part)
        if child is None:
            child = resource.add_resource(part)
            # The same fallback integration Api.route attaches to every new resource.
            fallback = api._fallback
            if fallback is not None:
                child.add_method("ANY", fallback)
        resource = child
    return resource


def _proxy_to(fn: lambda_.IFunction) -> apigw.Integration:
    """A Lambda proxy integration without LambdaIntegration's per-method permissions."""
    return apigw.Integration(
        type=apigw.IntegrationType.AWS_PROXY,
        integration_http_method="POST",
        uri=(
            f"arn:{Aws.PARTITION}:apigateway:{Aws.REGION}:lambda:path/2015-03-31/functions/"
            f"{fn.function_arn}/invocations"
        ),
    )


def _protect(method: apigw.Method, authorizer: apigw.CfnAuthorizer) -> None:
    cfn = method.node.default_child
    if not isinstance(cfn, apigw.CfnMethod):
        raise TypeError("an API method without its CloudFormation resource")
    cfn.authorization_type = "CUSTOM"
    cfn.authorizer_id = authorizer.ref
