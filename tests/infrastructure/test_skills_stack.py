"""What the skills stack promises: every skills route in its own stack and none in Identity's,
outside the subtrees Identity's stack owns (/v1/admin, /v1/me), each behind the token authorizer
in AWS, and its functions only reading the signing key."""

from __future__ import annotations

from typing import Any

from aws_cdk.assertions import Template
from interview_platform import constants as c
from interview_platform.constructs.skills import USE_CASES

from tests.infrastructure.test_platform_contract import _template_methods

SKILLS_ROUTES = {(f"/v1/{path}", method) for _, _, routes in USE_CASES for path, method in routes}


def _routed(stacks: dict[str, Template], part: str) -> dict[tuple[str, str], str]:
    """The (path, METHOD) -> AuthorizationType of one context stack's routes (the Api stack
    resolves the imported /v1; its own routes are left out)."""
    api_only = _template_methods({c.API: stacks[c.API]})
    both = _template_methods({c.API: stacks[c.API], part: stacks[part]})
    return {key: auth for key, auth in both.items() if key not in api_only}


def test_the_skills_stack_routes_the_taxonomy_and_my_skills_and_identity_none_of_them(
    local_stacks: dict[str, Template],
) -> None:
    skills = _routed(local_stacks, c.SKILLS)
    identity = _routed(local_stacks, c.IDENTITY)

    assert set(skills) == SKILLS_ROUTES
    assert len(SKILLS_ROUTES) == 11
    assert not any("skill" in path for path, _ in identity), sorted(identity)


def test_no_skills_path_is_under_the_subtrees_identity_owns() -> None:
    for path, _ in SKILLS_ROUTES:
        assert not path.startswith(("/v1/admin/", "/v1/me/")), path
        assert path not in ("/v1/admin", "/v1/me"), path


def test_every_skills_route_is_behind_the_token_authorizer_in_aws(
    aws_stacks: dict[str, Template],
) -> None:
    skills = _routed(aws_stacks, c.SKILLS)

    assert set(skills) == SKILLS_ROUTES
    assert set(skills.values()) == {"CUSTOM"}, skills


def test_skills_functions_read_the_signing_key_and_never_write_it(
    local_stacks: dict[str, Template],
) -> None:
    template = local_stacks[c.SKILLS]
    functions: dict[str, Any] = template.find_resources("AWS::Lambda::Function")
    ours = {
        logical: fn
        for logical, fn in functions.items()
        if str(fn["Properties"].get("Handler", "")).startswith("functions.identity.")
    }
    assert {fn["Properties"]["Handler"] for fn in ours.values()} == {
        "functions.identity.skills.handler.handler",
        "functions.identity.my_skills.handler.handler",
    }
    policies: dict[str, Any] = template.find_resources("AWS::IAM::Policy")
    for fn in ours.values():
        role = fn["Properties"]["Role"]["Fn::GetAtt"][0]
        key_actions: set[str] = set()
        for policy in policies.values():
            if {"Ref": role} not in policy["Properties"]["Roles"]:
                continue
            for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
                if "jwt-signing-key" in str(statement["Resource"]):
                    action = statement["Action"]
                    key_actions |= set(action if isinstance(action, list) else [action])
        assert key_actions == {"secretsmanager:GetSecretValue"}, fn["Properties"]["Handler"]
