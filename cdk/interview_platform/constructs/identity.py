"""Identity and access: one Lambda per use case, their routes, and the JWT signing key's secret.

The signing key ring lives in Secrets Manager under a fixed name per stage; the first function
that needs it creates it (see shared/auth/keys.py). Grants are per function: verifiers read it,
issuers may also create it on first use, only the rotation function writes new versions.
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
from interview_platform.constructs.functions import FunctionSpec, PlatformFunctions

_MODULE = "functions.identity.{}.handler.handler"
# argon2id with m=64 MiB needs headroom; more memory also means more CPU on Lambda.
_HASHING_MEMORY_MB = 512


@dataclass(frozen=True, slots=True)
class _UseCase:
    name: str
    module: str
    routes: tuple[tuple[str, str], ...]
    memory_mb: int = 256
    # "read": verifies tokens; "issue": also creates the key ring on first use; "none": no key.
    key_access: str = "read"
    media: bool = False
    # Behind the token authorizer (AWS); public routes (register, login, refresh) are not.
    protected: bool = True


USE_CASES = (
    _UseCase(
        "IdentityRegister", "register", (("auth/register", "POST"),), _HASHING_MEMORY_MB, "none"
    ),
    _UseCase(
        "IdentityLogin",
        "login",
        (("auth/login", "POST"),),
        _HASHING_MEMORY_MB,
        "issue",
        protected=False,
    ),
    _UseCase(
        "IdentityRefresh",
        "refresh",
        (("auth/refresh", "POST"),),
        key_access="issue",
        protected=False,
    ),
    _UseCase("IdentityLogout", "logout", (("auth/logout", "POST"),)),
    _UseCase("IdentityMe", "me", (("me", "GET"),)),
    _UseCase("IdentitySelectRole", "select_role", (("me/role", "POST"),)),
    _UseCase("IdentityProfile", "profile", (("me/profile", "PATCH"),)),
    _UseCase(
        "IdentityAvatar",
        "avatar",
        (("me/avatar", "POST"), ("me/avatar/confirm", "POST")),
        media=True,
    ),
    _UseCase("IdentityAdminListUsers", "admin_list_users", (("admin/users", "GET"),)),
    _UseCase(
        "IdentityAdminManageUser",
        "admin_manage_user",
        (
            ("admin/users/{user_id}/role", "POST"),
            ("admin/users/{user_id}/suspend", "POST"),
            ("admin/users/{user_id}/activate", "POST"),
            ("admin/users/{user_id}", "DELETE"),
        ),
    ),
    _UseCase("IdentityCreateCompany", "create_company", (("companies", "POST"),)),
    _UseCase(
        "IdentityCompany",
        "company",
        (("companies/{company_id}", "GET"), ("companies/{company_id}/deactivate", "POST")),
    ),
    _UseCase(
        "IdentityCompanyMembers",
        "company_members",
        (
            ("companies/{company_id}/members", "GET"),
            ("companies/{company_id}/members", "POST"),
            ("companies/{company_id}/members/{user_id}", "DELETE"),
        ),
    ),
)


class Identity(Construct):
    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        stage: str,
        local: bool,
        functions: PlatformFunctions,
        api: Api,
        db_secret: secretsmanager.ISecret,
        media_bucket: s3.IBucket,
    ) -> None:
        super().__init__(scope, id)
        self.key_secret_name = f"interview-platform/{stage}/jwt-signing-key"
        key_arn = (
            f"arn:{Aws.PARTITION}:secretsmanager:{Aws.REGION}:{Aws.ACCOUNT_ID}"
            f":secret:{self.key_secret_name}-*"
        )
        env = {"AUTH_KEY_SECRET_NAME": self.key_secret_name}
        if local:
            # Locally every request comes from 127.0.0.1, so a per-source limit would only make
            # test runs lock each other out; the per-account limit still applies.
            env["AUTH_LOGIN_MAX_FAILURES_PER_SOURCE"] = "1000"
        self.authorizer_function = functions.add(
            FunctionSpec("IdentityAuthorizer", _MODULE.format("authorizer"), environment=env)
        )
        _grant_key(self.authorizer_function, key_arn, "read")
        # LocalStack's community API Gateway does not run Lambda authorizers: locally each
        # function's own check is the only one (it runs in AWS too, behind the authorizer).
        authorizer = None if local else self._token_authorizer(api, stage)
        self.functions: dict[str, lambda_.Function] = {}
        for case in USE_CASES:
            fn = functions.add(
                FunctionSpec(
                    case.name,
                    _MODULE.format(case.module),
                    memory_mb=case.memory_mb,
                    timeout_s=15,
                    environment=env,
                )
            )
            db_secret.grant_read(fn)
            _grant_key(fn, key_arn, case.key_access)
            if case.media:
                media_bucket.grant_put(fn, "avatars/*")
                media_bucket.grant_read(fn, "avatars/*")
            for path, method in case.routes:
                route = api.route(path, method, fn)
                if authorizer is not None and case.protected:
                    _protect(route, authorizer)
            self.functions[case.name] = fn

        self.jwks = functions.add(
            FunctionSpec("IdentityJwks", _MODULE.format("jwks"), environment=env)
        )
        _grant_key(self.jwks, key_arn, "issue")
        well_known = api.rest_api.root.add_resource(".well-known")
        well_known.add_resource("jwks.json").add_method(
            "GET", apigw.LambdaIntegration(self.jwks, proxy=True)
        )

        self.rotate_key = functions.add(
            FunctionSpec("IdentityRotateKey", _MODULE.format("rotate_key"), environment=env)
        )
        _grant_key(self.rotate_key, key_arn, "rotate")

    def _token_authorizer(self, api: Api, stage: str) -> apigw.CfnAuthorizer:
        fn = self.authorizer_function
        authorizer = apigw.CfnAuthorizer(
            self,
            "TokenAuthorizer",
            rest_api_id=api.rest_api.rest_api_id,
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
                f"{api.rest_api.rest_api_id}/authorizers/{authorizer.ref}"
            ),
        )
        api.rest_api.add_gateway_response(
            "Unauthorized",
            type=apigw.ResponseType.UNAUTHORIZED,
            status_code="401",
            response_headers={
                "Content-Type": "'application/problem+json'",
                "WWW-Authenticate": "'Bearer realm=\"interview-platform\"'",
            },
            templates={"application/json": _UNAUTHORIZED_BODY},
        )
        # Methods changed through the L1 escape hatch do not change the deployment's hash.
        if api.rest_api.latest_deployment is not None:
            api.rest_api.latest_deployment.add_to_logical_id({"identityAuthorizer": "token-v1"})
        return authorizer


_UNAUTHORIZED_BODY = (
    '{"type": "https://problems.interview-platform.dev/unauthorized", "title": "Unauthorized",'
    ' "status": 401, "detail": "Authentication failed."}'
)


def _protect(method: apigw.Method, authorizer: apigw.CfnAuthorizer) -> None:
    cfn = method.node.default_child
    if not isinstance(cfn, apigw.CfnMethod):
        raise TypeError("an API method without its CloudFormation resource")
    cfn.authorization_type = "CUSTOM"
    cfn.authorizer_id = authorizer.ref


def _grant_key(fn: lambda_.IFunction, key_arn: str, access: str) -> None:
    actions = {
        "none": [],
        "read": ["secretsmanager:GetSecretValue"],
        "issue": ["secretsmanager:GetSecretValue", "secretsmanager:CreateSecret"],
        "rotate": [
            "secretsmanager:GetSecretValue",
            "secretsmanager:CreateSecret",
            "secretsmanager:PutSecretValue",
        ],
    }[access]
    if actions:
        fn.add_to_role_policy(iam.PolicyStatement(actions=actions, resources=[key_arn]))
