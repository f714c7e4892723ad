"""The REST API (API Gateway v1): the API itself, its gateway responses, the fallback for
unmatched routes and the token authorizer. Routes are added by each context's own stack
(constructs/routes.py); the deployment and stage live in a stack of their own that depends on
every route (stacks.py)."""

from __future__ import annotations

import json
from dataclasses import dataclass

from aws_cdk import Aws, Fn, RemovalPolicy
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from interview_platform.constants import API_VERSION_PREFIX
from interview_platform.nag import acknowledge

_PROBLEM_TYPE_BASE = "https://problems.interview-platform.dev/"
# What a browser script may read (shared/http/edge.py gives the functions' answers the same).
_EXPOSED_HEADERS = "ETag, Location, Retry-After, WWW-Authenticate, Allow, X-Correlation-Id"


@dataclass(frozen=True)
class GatewayAnswer:
    """One of API Gateway's own answers, as an RFC 9457 problem with the CORS headers."""

    name: str
    response_type: apigw.ResponseType
    status: int
    title: str
    slug: str
    detail: str
    headers: tuple[tuple[str, str], ...] = ()


# Every answer API Gateway gives by itself (no function ran): the DEFAULT_* pair covers any type
# not listed, the listed ones get their own status in the body. API Gateway cannot vary a
# gateway response by the request's Origin, so these carry the configured origin whatever the
# caller's (a browser on another origin still reads nothing: the value is not its origin).
GATEWAY_ANSWERS: tuple[GatewayAnswer, ...] = (
    # Unknown routes: API Gateway's own answer is a 403 "Missing Authentication Token"; ours is
    # a 404 problem document, like every other error of the API.
    GatewayAnswer(
        "NoRoute",
        apigw.ResponseType.MISSING_AUTHENTICATION_TOKEN,
        404,
        "Not Found",
        "not-found",
        "No route matches $context.httpMethod $context.path",
    ),
    GatewayAnswer(
        "NoResource",
        apigw.ResponseType.RESOURCE_NOT_FOUND,
        404,
        "Not Found",
        "not-found",
        "No route matches $context.httpMethod $context.path",
    ),
    GatewayAnswer(
        "Unauthorized",
        apigw.ResponseType.UNAUTHORIZED,
        401,
        "Unauthorized",
        "unauthorized",
        "Authentication failed.",
        (("WWW-Authenticate", 'Bearer realm="interview-platform"'),),
    ),
    GatewayAnswer(
        "AccessDenied",
        apigw.ResponseType.ACCESS_DENIED,
        403,
        "Forbidden",
        "forbidden",
        "This caller may not do this.",
    ),
    GatewayAnswer(
        "ExpiredToken",
        apigw.ResponseType.EXPIRED_TOKEN,
        401,
        "Unauthorized",
        "unauthorized",
        "The token has expired.",
        (("WWW-Authenticate", 'Bearer realm="interview-platform"'),),
    ),
    GatewayAnswer(
        "Throttled",
        apigw.ResponseType.THROTTLED,
        429,
        "Too Many Requests",
        "too-many-requests",
        "Too many requests; try again in a second.",
        (("Retry-After", "1"),),
    ),
    GatewayAnswer(
        "QuotaExceeded",
        apigw.ResponseType.QUOTA_EXCEEDED,
        429,
        "Too Many Requests",
        "too-many-requests",
        "The request quota is used up.",
        (("Retry-After", "60"),),
    ),
    GatewayAnswer(
        "TooLarge",
        apigw.ResponseType.REQUEST_TOO_LARGE,
        413,
        "Content Too Large",
        "content-too-large",
        "The request is larger than the API accepts.",
    ),
    GatewayAnswer(
        "IntegrationTimeout",
        apigw.ResponseType.INTEGRATION_TIMEOUT,
        504,
        "Gateway Timeout",
        "upstream-timeout",
        "The request took too long; it may have been done: retry with the same Idempotency-Key.",
    ),
    GatewayAnswer(
        "IntegrationFailure",
        apigw.ResponseType.INTEGRATION_FAILURE,
        502,
        "Bad Gateway",
        "upstream-error",
        "The service failed to answer.",
    ),
    GatewayAnswer(
        "Default4xx",
        apigw.ResponseType.DEFAULT_4_XX,
        400,
        "Bad Request",
        "bad-request",
        "$context.error.message",
    ),
    GatewayAnswer(
        "Default5xx",
        apigw.ResponseType.DEFAULT_5_XX,
        502,
        "Bad Gateway",
        "upstream-error",
        "The service failed to answer.",
    ),
)


def _quoted(value: str) -> str:
    # A gateway response's header value is a mapping expression: a literal is in single quotes.
    return "'" + value.replace("'", "\\'") + "'"


def gateway_headers(answer: GatewayAnswer, frontend_origin: str) -> dict[str, str]:
    headers = {
        "Content-Type": "application/problem+json",
        "Access-Control-Allow-Origin": frontend_origin,
        "Access-Control-Expose-Headers": _EXPOSED_HEADERS,
        "Vary": "Origin",
        **dict(answer.headers),
    }
    return {name: _quoted(value) for name, value in headers.items()}


def _problem_template(answer: GatewayAnswer) -> dict[str, str]:
    # API Gateway fills $context variables; the body must stay a valid RFC 9457 document.
    body = {
        "type": _PROBLEM_TYPE_BASE + answer.slug,
        "title": answer.title,
        "status": answer.status,
        "detail": answer.detail,
    }
    return {"application/json": json.dumps(body)}


class Api(Construct):
    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        stage: str,
        fallback: lambda_.IFunction,
        local: bool,
        frontend_origin: str,
    ) -> None:
        super().__init__(scope, id)
        self.rest_api = apigw.RestApi(
            self,
            "RestApi",
            rest_api_name=f"interview-platform-{stage}",
            description="AI video interview platform",
            # The deployment and stage are in the ApiDeployment stack, after every route.
            deploy=False,
            # In AWS the stage writes access and error logs, which needs the account's
            # API Gateway logging role (one per account and region, kept on stack deletion).
            cloud_watch_role=not local,
            cloud_watch_role_removal_policy=None if local else RemovalPolicy.RETAIN,
        )
        acknowledge(
            self.rest_api,
            "AwsSolutions-APIG2",
            "Every function validates its request with pydantic and answers 422 problem+json "
            "with field errors; a gateway validator would answer in another shape",
        )
        for answer in GATEWAY_ANSWERS:
            if answer.name == "Unauthorized" and local:
                continue  # only with the token authorizer (AWS): add_token_authorizer
            self._add_gateway_answer(answer, frontend_origin)
        self._frontend_origin = frontend_origin
        # Every request no route matches reaches `fallback` (404/405 as problem+json, and CORS
        # preflights). Gateway responses already do this on AWS, but LocalStack applies only
        # their status code, so unmatched paths ({proxy+}) and methods (ANY) reach a Lambda.
        self.fallback = fallback
        integration = apigw.Integration(
            type=apigw.IntegrationType.AWS_PROXY,
            integration_http_method="POST",
            uri=(
                f"arn:{Aws.PARTITION}:apigateway:{Aws.REGION}:lambda:path/2015-03-31/functions/"
                f"{fallback.function_arn}/invocations"
            ),
        )
        fallback.add_permission(
            "InvokedByApi",
            principal=iam.ServicePrincipal("apigateway.amazonaws.com"),
            source_arn=self.rest_api.arn_for_execute_api(),
        )
        self.v1 = self.rest_api.root.add_resource(API_VERSION_PREFIX)
        for resource in (self.rest_api.root, self.v1):
            for method in (
                resource.add_method("ANY", integration),
                resource.add_proxy(default_integration=integration, any_method=True).any_method,
            ):
                if method is not None:
                    acknowledge(
                        method,
                        "AwsSolutions-APIG4",
                        "The fallback answers 404/405 problem documents; it reads nothing",
                    )
        self.authorizer: apigw.CfnAuthorizer | None = None

    def _add_gateway_answer(self, answer: GatewayAnswer, frontend_origin: str) -> None:
        self.rest_api.add_gateway_response(
            answer.name,
            type=answer.response_type,
            status_code=str(answer.status),
            response_headers=gateway_headers(answer, frontend_origin),
            templates=_problem_template(answer),
        )

    def add_token_authorizer(self, stage: str, fn: lambda_.IFunction) -> apigw.CfnAuthorizer:
        """Identity's TOKEN authorizer (AWS only: LocalStack's community API Gateway does not
        run Lambda authorizers, so locally each function's own check is the only one)."""
        authorizer = apigw.CfnAuthorizer(
            self,
            "TokenAuthorizer",
            rest_api_id=self.rest_api.rest_api_id,
            name=f"identity-token-{stage}",
            type="TOKEN",
            identity_source="method.request.header.Authorization",
            authorizer_uri=(
                f"arn:{Aws.PARTITION}:apigateway:{Aws.REGION}:lambda:path/2015-03-31/functions/"
                f"{fn.function_arn}/invocations"
            ),
            # No caching: a suspended user's token must stop working at once.
            authorizer_result_ttl_in_seconds=0,
        )
        fn.add_permission(
            "InvokedByApiAuthorizer",
            principal=iam.ServicePrincipal("apigateway.amazonaws.com"),
            source_arn=(
                f"arn:{Aws.PARTITION}:execute-api:{Aws.REGION}:{Aws.ACCOUNT_ID}:"
                f"{self.rest_api.rest_api_id}/authorizers/{authorizer.ref}"
            ),
        )
        self.authorizer = authorizer
        return authorizer


def api_url(rest_api_id: str, stage: str, local_endpoint: str | None) -> str:
    """The stage's base URL; locally through LocalStack's gateway path, which needs no DNS."""
    if local_endpoint:
        return Fn.join(
            "",
            [local_endpoint.rstrip("/"), "/restapis/", rest_api_id, f"/{stage}/_user_request_/"],
        )
    return f"https://{rest_api_id}.execute-api.{Aws.REGION}.{Aws.URL_SUFFIX}/{stage}/"
