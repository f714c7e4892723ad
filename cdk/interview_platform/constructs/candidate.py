"""The candidate's flow by link token (no account, no JWT) and the interviews sweep.

A nested stack (a CloudFormation stack holds at most 500 resources): the whole `/v1/candidate`
subtree lives here (its API resources, their CORS preflight, the 404/405 fallback and the
methods), hanging off the parent's REST API. Every integration here is a plain Lambda proxy with
one invoke permission per function for the API: a per-method permission names the stage, which
depends on the deployment, which depends on this stack (a cycle). The parent's deployment
depends on this stack, so route changes redeploy the API.

One Lambda per use case group, each with its own grants: the database secret for all; on the
media bucket only the `raw/` prefix, and only what each needs (presign/multipart: put and abort;
answer and multipart completion: read to HEAD the object; multipart completion may delete an
object that broke the rules); PutEvents on our bus for all (each may expire or complete an
invitation on the spot). The sweep runs every minute on an EventBridge schedule.
"""

from __future__ import annotations

from dataclasses import dataclass

from aws_cdk import Aws, Duration, NestedStack
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from interview_platform.constructs.api import Api
from interview_platform.constructs.events import PlatformEvents
from interview_platform.constructs.functions import FunctionSpec, PlatformFunctions

_MODULE = "functions.interviews.{}.handler.handler"
RAW_PREFIX = "raw/*"
_UPLOADS = "candidate/interview/questions/{question_id}/uploads"


@dataclass(frozen=True, slots=True)
class _UseCase:
    name: str
    module: str
    routes: tuple[tuple[str, str], ...]
    # "none", "head" (read raw/), "upload" (put raw/), "multipart" (put, read, delete raw/)
    media: str = "none"


USE_CASES = (
    _UseCase("CandidateInterview", "candidate_interview", (("candidate/interview", "GET"),)),
    _UseCase(
        "CandidateSession",
        "candidate_session",
        (
            ("candidate/interview/start", "POST"),
            ("candidate/interview/heartbeat", "POST"),
            ("candidate/interview/complete", "POST"),
        ),
    ),
    _UseCase(
        "CandidateUploads",
        "candidate_uploads",
        (
            (_UPLOADS, "POST"),
            (f"{_UPLOADS}/multipart", "POST"),
            (f"{_UPLOADS}/{{upload_id}}/parts", "POST"),
            (f"{_UPLOADS}/{{upload_id}}/complete", "POST"),
            (f"{_UPLOADS}/{{upload_id}}", "DELETE"),
        ),
        media="multipart",
    ),
    _UseCase(
        "CandidateAnswer",
        "candidate_answer",
        (("candidate/interview/questions/{question_id}/answer", "POST"),),
        media="head",
    ),
)


class CandidateFlow(NestedStack):
    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        stage: str,
        local: bool,
        common_env: dict[str, str],
        api: Api,
        db_secret: secretsmanager.ISecret,
        media_bucket: s3.IBucket,
        platform_events: PlatformEvents,
        fallback: lambda_.IFunction,
        sweep_every: Duration | None = None,
    ) -> None:
        super().__init__(scope, id, description="Interviews, the candidate's flow and the sweep")
        # Same code asset and dependencies layer as the parent's functions, built once.
        functions = PlatformFunctions(
            self, "Functions", stage=stage, common_env=common_env, local=local
        )
        self._api = api
        self._resources: dict[str, apigw.Resource] = {}
        # Unmatched methods under /v1/candidate reach the API's fallback (404/405 problem+json).
        self._fallback = _proxy_to(fallback)
        fallback.add_permission(
            "InvokedByCandidateRoutes",
            principal=iam.ServicePrincipal("apigateway.amazonaws.com"),
            source_arn=api.rest_api.arn_for_execute_api(),
        )
        self.functions: dict[str, lambda_.Function] = {}
        for case in USE_CASES:
            fn = functions.add(FunctionSpec(case.name, _MODULE.format(case.module), timeout_s=15))
            db_secret.grant_read(fn)
            platform_events.allow_publish(fn)
            if case.media in {"upload", "multipart"}:
                media_bucket.grant_put(fn, RAW_PREFIX)
            if case.media in {"head", "multipart"}:
                media_bucket.grant_read(fn, RAW_PREFIX)
            if case.media == "multipart":
                fn.add_to_role_policy(
                    iam.PolicyStatement(
                        actions=["s3:DeleteObject"],
                        resources=[media_bucket.arn_for_objects(RAW_PREFIX)],
                    )
                )
            fn.add_permission(
                "InvokedByApi",
                principal=iam.ServicePrincipal("apigateway.amazonaws.com"),
                source_arn=api.rest_api.arn_for_execute_api(),
            )
            integration = _proxy_to(fn)
            for path, method in case.routes:
                apigw.Method(
                    self,
                    _logical(path) + method.title(),
                    resource=self._resource(path),
                    http_method=method,
                    integration=integration,
                )
            self.functions[case.name] = fn

        self.sweep = functions.add(
            FunctionSpec("InterviewsSweep", _MODULE.format("sweep"), timeout_s=60)
        )
        db_secret.grant_read(self.sweep)
        platform_events.allow_publish(self.sweep)
        self.schedule = events.Rule(
            self,
            "SweepSchedule",
            description="Expire overdue invitations; auto-complete interviews idle for 30 min",
            schedule=events.Schedule.rate(sweep_every or Duration.minutes(1)),
            targets=[targets.LambdaFunction(self.sweep, retry_attempts=0)],
        )
        self.functions["InterviewsSweep"] = self.sweep

        deployment = api.rest_api.latest_deployment
        if deployment is not None:
            # The parent's deployment must follow this stack's routes.
            deployment.node.add_dependency(self)
            deployment.add_to_logical_id(
                {
                    "candidateFlow": [
                        f"{c.module} {method} {path}"
                        for c in USE_CASES
                        for path, method in c.routes
                    ]
                }
            )

    def _resource(self, path: str) -> apigw.IResource:
        """/v1/<path>, created in this stack (with the fallback) where missing."""
        resource: apigw.IResource = self._api.v1
        prefix = ""
        for part in path.strip("/").split("/"):
            prefix = f"{prefix}/{part}"
            if prefix not in self._resources:
                child = apigw.Resource(
                    self, "Resource" + _logical(prefix), parent=resource, path_part=part
                )
                child.add_method("ANY", self._fallback)
                self._resources[prefix] = child
            resource = self._resources[prefix]
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


def _logical(path: str) -> str:
    return "".join(ch for ch in path.title().replace("{", "By").replace("_", "") if ch.isalnum())
