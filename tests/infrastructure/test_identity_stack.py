"""What the identity construct promises in the synthesized template."""

from __future__ import annotations

from typing import Any

from aws_cdk.assertions import Match, Template
from interview_platform.constructs.identity import USE_CASES
from interview_platform.constructs.routes import needs_bearer


def _functions(template: Template) -> dict[str, Any]:
    found: dict[str, Any] = template.find_resources("AWS::Lambda::Function")
    return found


def _policies_of(template: Template, handler: str) -> list[dict[str, Any]]:
    logical = next(
        name for name, fn in _functions(template).items() if fn["Properties"]["Handler"] == handler
    )
    role = _functions(template)[logical]["Properties"]["Role"]["Fn::GetAtt"][0]
    policies: dict[str, Any] = template.find_resources("AWS::IAM::Policy")
    return [
        statement
        for policy in policies.values()
        if {"Ref": role} in policy["Properties"]["Roles"]
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
    ]


def _key_actions(statements: list[dict[str, Any]]) -> set[str]:
    actions: set[str] = set()
    for statement in statements:
        if "jwt-signing-key" in str(statement["Resource"]):
            value = statement["Action"]
            actions |= set(value if isinstance(value, list) else [value])
    return actions


def test_each_identity_use_case_is_its_own_function(local_template: Template) -> None:
    handlers = {fn["Properties"]["Handler"] for fn in _functions(local_template).values()}

    for use_case in (
        "register",
        "login",
        "refresh",
        "logout",
        "me",
        "select_role",
        "profile",
        "avatar",
        "admin_list_users",
        "admin_manage_user",
        "create_company",
        "company",
        "company_members",
        "jwks",
        "rotate_key",
        "authorizer",
    ):
        assert f"functions.identity.{use_case}.handler.handler" in handlers


def test_key_secret_grants_are_least_privilege(local_template: Template) -> None:
    me = _key_actions(_policies_of(local_template, "functions.identity.me.handler.handler"))
    login = _key_actions(_policies_of(local_template, "functions.identity.login.handler.handler"))
    register = _key_actions(
        _policies_of(local_template, "functions.identity.register.handler.handler")
    )
    rotate = _key_actions(
        _policies_of(local_template, "functions.identity.rotate_key.handler.handler")
    )

    assert me == {"secretsmanager:GetSecretValue"}
    assert login == {"secretsmanager:GetSecretValue", "secretsmanager:CreateSecret"}
    assert register == set()
    assert "secretsmanager:PutSecretValue" in rotate


def test_aws_puts_protected_routes_behind_an_uncached_token_authorizer(
    aws_template: Template,
) -> None:
    aws_template.has_resource_properties(
        "AWS::ApiGateway::Authorizer",
        {"Type": "TOKEN", "AuthorizerResultTtlInSeconds": 0},
    )
    functions: dict[str, Any] = aws_template.find_resources("AWS::Lambda::Function")
    identity_ids = {
        logical_id
        for logical_id, fn in functions.items()
        if str(fn["Properties"].get("Handler", "")).startswith("functions.identity.")
    }
    # With SnapStart the API invokes each function's alias.
    aliases: dict[str, Any] = aws_template.find_resources("AWS::Lambda::Alias")
    identity_ids |= {
        name
        for name, alias in aliases.items()
        if alias["Properties"]["FunctionName"].get("Ref") in identity_ids
    }
    methods: dict[str, Any] = aws_template.find_resources("AWS::ApiGateway::Method")
    # Other contexts protect their routes too; count the identity functions' methods only.
    custom = [
        m
        for m in methods.values()
        if m["Properties"].get("AuthorizationType") == "CUSTOM"
        and identity_ids & set(_referenced_ids(m["Properties"].get("Integration", {})))
    ]
    # What the OpenAPI document marks as needing a bearer token: everything but register,
    # login and refresh (register was once wrongly behind the authorizer: nobody could sign up).
    protected = sum(
        needs_bearer(f"/v1/{path}", method) for case in USE_CASES for path, method in case.routes
    )
    # with /me/identities (GET, POST), activate and /me/email (an email change); skills
    # (identity's code too) are the Skills stack's, counted in test_skills_stack.py
    skills_ids = {
        logical_id
        for logical_id, fn in functions.items()
        if fn["Properties"].get("Handler")
        in (
            "functions.identity.skills.handler.handler",
            "functions.identity.my_skills.handler.handler",
        )
    }
    skills_ids |= {
        name
        for name, alias in aliases.items()
        if alias["Properties"]["FunctionName"].get("Ref") in skills_ids
    }
    custom = [m for m in custom if not skills_ids & set(_referenced_ids(m["Properties"]))]
    assert len(custom) == protected == 21
    aws_template.has_resource_properties(
        "AWS::ApiGateway::GatewayResponse",
        {"ResponseType": "UNAUTHORIZED", "StatusCode": "401"},
    )


def _referenced_ids(node: Any) -> list[str]:
    """Every logical id a template fragment refers to (Ref / Fn::GetAtt), however nested."""
    if isinstance(node, dict):
        found: list[str] = []
        for key, value in node.items():
            if key == "Ref" and isinstance(value, str):
                found.append(value)
            elif key == "Fn::GetAtt" and isinstance(value, list) and value:
                found.append(str(value[0]))
            else:
                found.extend(_referenced_ids(value))
        return found
    if isinstance(node, list):
        return [ref for item in node for ref in _referenced_ids(item)]
    return []


def test_locally_no_authorizer_is_deployed(local_template: Template) -> None:
    local_template.resource_count_is("AWS::ApiGateway::Authorizer", 0)
    local_template.has_resource_properties(
        "AWS::Lambda::Function",
        {
            "Handler": "functions.identity.login.handler.handler",
            "MemorySize": 512,
            "Environment": {
                "Variables": Match.object_like(
                    {"AUTH_KEY_SECRET_NAME": "interview-platform/local/jwt-signing-key"}
                )
            },
        },
    )
