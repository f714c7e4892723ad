"""The TOKEN authorizer (AWS only; LocalStack community does not run authorizers)."""

from __future__ import annotations

import pytest

from functions.identity.authorizer.handler import UNAUTHORIZED, authorize
from shared.auth.keys import KeyRing
from shared.auth.tokens import TokenVerifier, issue_access_token
from tests.unit.identity.test_identity_tokens import AUDIENCE, ISSUER, StaticRing, _signing_key

METHOD_ARN = "arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/GET/v1/me"


@pytest.fixture(scope="module")
def ring() -> KeyRing:
    return KeyRing((_signing_key(),))


def test_a_valid_token_is_allowed_with_subject_and_role(ring: KeyRing) -> None:
    token = issue_access_token(
        ring, subject="user-1", role="hr", issuer=ISSUER, audience=AUDIENCE, ttl_s=60
    ).token
    verifier = TokenVerifier(StaticRing(ring), issuer=ISSUER, audience=AUDIENCE)

    result = authorize({"authorizationToken": f"Bearer {token}", "methodArn": METHOD_ARN}, verifier)

    assert result["principalId"] == "user-1"
    assert result["context"] == {"sub": "user-1", "role": "hr"}
    (statement,) = result["policyDocument"]["Statement"]
    assert statement["Effect"] == "Allow"
    assert statement["Resource"] == "arn:aws:execute-api:eu-west-1:123456789012:abc123/*"


@pytest.mark.parametrize("header", ["", "Bearer", "Basic dXNlcjpwYXNz", "Bearer not.a.jwt"])
def test_anything_else_is_unauthorized(ring: KeyRing, header: str) -> None:
    verifier = TokenVerifier(StaticRing(ring), issuer=ISSUER, audience=AUDIENCE)

    with pytest.raises(Exception, match=f"^{UNAUTHORIZED}$"):
        authorize({"authorizationToken": header, "methodArn": METHOD_ARN}, verifier)
