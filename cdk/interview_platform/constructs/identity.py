"""Identity and access: one Lambda per use case, their routes, and the JWT signing key's secret.

The signing key ring lives in Secrets Manager under a fixed name per stage; the first function
that needs it creates it (see shared/auth/keys.py). Grants are per function: verifiers read it,
issuers may also create it on first use, only the rotation function writes new versions.
"""

from __future__ import annotations

from dataclasses import dataclass

from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from interview_platform.constants import secret_name
from interview_platform.constructs.billing import QUOTA_USERS
from interview_platform.constructs.functions import FunctionSpec, PlatformFunctions
from interview_platform.constructs.routes import Routes
from interview_platform.refs import Foundation, allow_publish, allow_secret

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
    # Derives or checks emailed links' tokens (the app key's `account-link` purpose).
    app_key: bool = False


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
    ),
    _UseCase(
        "IdentityRefresh",
        "refresh",
        (("auth/refresh", "POST"),),
        key_access="issue",
    ),
    _UseCase("IdentityLogout", "logout", (("auth/logout", "POST"),)),
    # The emailed account links (verification, password reset, email change): one function,
    # so that Identity's stack stays under 200 resources in AWS.
    _UseCase(
        "IdentityAccountLinks",
        "account_links",
        (
            ("auth/verify-email", "POST"),
            ("auth/password-reset", "POST"),
            ("auth/password-reset/confirm", "POST"),
            ("me/email", "POST"),
            ("auth/confirm-email", "POST"),
        ),
        _HASHING_MEMORY_MB,
        app_key=True,
    ),
    _UseCase(
        "IdentityMe",
        "me",
        (("me", "GET"), ("me/identities", "GET"), ("me/identities", "POST")),
    ),
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
        (
            ("companies/{company_id}", "GET"),
            ("companies/{company_id}/deactivate", "POST"),
            ("companies/{company_id}/activate", "POST"),
        ),
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


def identity_env(foundation: Foundation) -> dict[str, str]:
    env = {"AUTH_KEY_SECRET_NAME": secret_name(foundation.stage, "jwt-signing-key")}
    if foundation.local:
        # Locally every request comes from 127.0.0.1, so a per-source limit would only make
        # test runs lock each other out; the per-account limit still applies.
        env["AUTH_LOGIN_MAX_FAILURES_PER_SOURCE"] = "1000"
        env["AUTH_REGISTER_MAX_PER_SOURCE"] = "1000000"
    return env


class Identity(Construct):
    """Identity's use cases and their routes (the token authorizer itself is in the Api stack,
    beside the API it guards)."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        foundation: Foundation,
        functions: PlatformFunctions,
        routes: Routes,
    ) -> None:
        super().__init__(scope, id)
        self.key_secret_name = secret_name(foundation.stage, "jwt-signing-key")
        key_arn = foundation.key_ring_arn()
        env = identity_env(foundation)
        self.functions: dict[str, lambda_.Function] = {}
        for case in USE_CASES:
            fn = functions.add(
                FunctionSpec(
                    case.name,
                    _MODULE.format(case.module),
                    memory_mb=case.memory_mb,
                    timeout_s=15,
                    environment={**env, **(foundation.app_key_env() if case.app_key else {})},
                )
            )
            grant_key(fn, key_arn, case.key_access)
            if case.name in QUOTA_USERS:
                foundation.allow_quota(fn)
            if case.app_key:
                allow_secret(fn, foundation.app_key_arn())
            if case.media:
                foundation.media_bucket.grant_put(fn, "avatars/*")
                foundation.media_bucket.grant_read(fn, "avatars/*")
            for path, method in case.routes:
                routes.add(path, method, fn)
            allow_publish(foundation, fn)
            self.functions[case.name] = fn

        self.jwks = functions.add(
            FunctionSpec("IdentityJwks", _MODULE.format("jwks"), environment=env, database=False)
        )
        grant_key(self.jwks, key_arn, "issue")
        routes.add("/.well-known/jwks.json", "GET", self.jwks)

        self.rotate_key = functions.add(
            FunctionSpec(
                "IdentityRotateKey", _MODULE.format("rotate_key"), environment=env, database=False
            )
        )
        grant_key(self.rotate_key, key_arn, "rotate")


def grant_key(fn: lambda_.IFunction, key_arn: str, access: str) -> None:
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
