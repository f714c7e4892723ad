"""The REST API (API Gateway v1): one Lambda proxy integration per use case."""

from __future__ import annotations

import json

from aws_cdk import Fn
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from interview_platform.constants import API_VERSION_PREFIX

_PROBLEM_TYPE_BASE = "https://problems.interview-platform.dev/"
_PROBLEM_HEADERS = {
    "Content-Type": "'application/problem+json'",
}


def _problem_template(status: int, title: str, slug: str, detail: str) -> dict[str, str]:
    # API Gateway fills $context variables; the body must stay a valid RFC 9457 document.
    body = {"type": _PROBLEM_TYPE_BASE + slug, "title": title, "status": status, "detail": detail}
    return {"application/json": json.dumps(body)}


class Api(Construct):
    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        stage: str,
        frontend_origin: str,
        local_endpoint: str | None,
    ) -> None:
        super().__init__(scope, id)
        self.rest_api = apigw.RestApi(
            self,
            "RestApi",
            rest_api_name=f"interview-platform-{stage}",
            description="AI video interview platform",
            deploy_options=apigw.StageOptions(
                stage_name=stage,
                throttling_rate_limit=100,
                throttling_burst_limit=200,
            ),
            default_cors_preflight_options=apigw.CorsOptions(
                allow_origins=[frontend_origin],
                allow_headers=[
                    "Content-Type",
                    "Authorization",
                    "Idempotency-Key",
                    "X-Correlation-Id",
                    # The candidate's link token (shared/interviews/tokens.py TOKEN_HEADER).
                    "X-Invitation-Token",
                ],
                allow_methods=apigw.Cors.ALL_METHODS,
            ),
            cloud_watch_role=False,
            # LocalStack 2026.3 deletes the stage along with a replaced deployment (fixed upstream
            # later: localstack#13736); keeping old deployments locally avoids that delete.
            retain_deployments=local_endpoint is not None,
        )
        # Unknown routes: API Gateway's own answer is a 403 "Missing Authentication Token";
        # ours is a 404 problem document, like every other error of the API.
        for name, response_type in (
            ("NoRoute", apigw.ResponseType.MISSING_AUTHENTICATION_TOKEN),
            ("NoResource", apigw.ResponseType.RESOURCE_NOT_FOUND),
        ):
            self.rest_api.add_gateway_response(
                name,
                type=response_type,
                status_code="404",
                response_headers=_PROBLEM_HEADERS,
                templates=_problem_template(
                    404,
                    "Not Found",
                    "not-found",
                    "No route matches $context.httpMethod $context.path",
                ),
            )
        self.rest_api.add_gateway_response(
            "Default4xx",
            type=apigw.ResponseType.DEFAULT_4_XX,
            response_headers=_PROBLEM_HEADERS,
            templates=_problem_template(
                400, "Bad Request", "bad-request", "$context.error.message"
            ),
        )
        self.rest_api.add_gateway_response(
            "Default5xx",
            type=apigw.ResponseType.DEFAULT_5_XX,
            response_headers=_PROBLEM_HEADERS,
            templates=_problem_template(
                502, "Bad Gateway", "upstream-error", "$context.error.message"
            ),
        )
        self.v1 = self.rest_api.root.add_resource(API_VERSION_PREFIX)
        self._fallback: apigw.LambdaIntegration | None = None
        # Locally the API is reached through LocalStack's gateway path, which needs no DNS.
        self.url = (
            Fn.join(
                "",
                [
                    local_endpoint.rstrip("/"),
                    "/restapis/",
                    self.rest_api.rest_api_id,
                    f"/{stage}/_user_request_/",
                ],
            )
            if local_endpoint
            else self.rest_api.url
        )

    def set_fallback(self, function: lambda_.IFunction) -> None:
        """Send every request no route matches to `function` (404/405 as problem+json).

        Gateway responses already do this on AWS, but LocalStack applies only their status code,
        so unmatched paths ({proxy+}) and methods (ANY) reach a Lambda that answers the same way.
        """
        self._fallback = apigw.LambdaIntegration(
            function, proxy=True, allow_test_invoke=False, scope_permission_to_method=False
        )
        self.rest_api.root.add_method("ANY", self._fallback)
        self.rest_api.root.add_proxy(default_integration=self._fallback, any_method=True)
        self._add_fallback_methods(self.v1)

    def _add_fallback_methods(self, resource: apigw.IResource) -> None:
        resource.add_method("ANY", self._fallback)
        resource.add_proxy(default_integration=self._fallback, any_method=True)

    def route(self, path: str, method: str, function: lambda_.IFunction) -> apigw.Method:
        """Expose `function` at /v1/<path> for `method` (Lambda proxy integration)."""
        resource: apigw.IResource = self.v1
        for part in path.strip("/").split("/"):
            child = resource.get_resource(part)
            if child is None:
                child = resource.add_resource(part)
                if self._fallback is not None:
                    child.add_method("ANY", self._fallback)
            resource = child
        return resource.add_method(method, apigw.LambdaIntegration(function, proxy=True))
