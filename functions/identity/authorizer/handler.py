"""API Gateway TOKEN authorizer: verifies the bearer token in front of the protected routes.

Used in AWS only: LocalStack's community API Gateway (2026.3) does not run Lambda authorizers,
so locally the functions' own check (shared/auth/http.py) is the only one, and in AWS it is the
second. It never touches the database: suspension and roles are re-checked by each function.
It imports no web framework and no database driver (a short cold start).
"""

from __future__ import annotations

from typing import Any

from shared.auth.errors import AuthenticationError
from shared.auth.factory import verifier
from shared.auth.tokens import TokenVerifier
from shared.observability import logger

# API Gateway answers 401 exactly when an authorizer raises with this message.
UNAUTHORIZED = "Unauthorized"


def policy(principal: str, effect: str, resource: str, context: dict[str, str]) -> dict[str, Any]:
    return {
        "principalId": principal,
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [{"Action": "execute-api:Invoke", "Effect": effect, "Resource": resource}],
        },
        "context": context,
    }


def authorize(event: dict[str, Any], tokens: TokenVerifier) -> dict[str, Any]:
    """An Allow policy for a valid token; otherwise the exception API Gateway maps to 401."""
    scheme, _, token = str(event.get("authorizationToken", "")).partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Exception(UNAUTHORIZED)
    try:
        claims = tokens.verify(token.strip())
    except AuthenticationError:
        raise Exception(UNAUTHORIZED) from None
    # The method ARN with any stage/method/path: results may be cached across routes.
    arn_prefix = str(event["methodArn"]).split("/", 1)[0]
    return policy(
        claims.subject,
        "Allow",
        f"{arn_prefix}/*",
        {"sub": claims.subject, "role": claims.role or ""},
    )


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return authorize(event, verifier())
