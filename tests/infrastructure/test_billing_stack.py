"""What the billing construct promises in the synthesized template: the Stripe secret read only
where billing's state is needed, the quota's points of use, Stripe's webhook the one anonymous
billing route, and the dunning sweep on a schedule."""

from __future__ import annotations

import json
import re
from typing import Any

from aws_cdk.assertions import Template
from interview_platform.constructs.billing import QUOTA_USERS

from tests.infrastructure.test_platform_contract import _template_methods

STRIPE_SECRET = "interview-platform/local/stripe"
BILLING_FUNCTIONS = {"BillingAccount", "BillingCheckout", "BillingStripeWebhook"}


def _functions(template: Template) -> dict[str, dict[str, Any]]:
    """Our functions by their spec's name: the logical id is the stack's construct, then
    ``Functions``, the name and an 8-character hash (BillingFunctionsBillingSweep1A2B3C4D)."""
    found: dict[str, Any] = template.find_resources("AWS::Lambda::Function")
    named: dict[str, dict[str, Any]] = {}
    for logical_id, fn in found.items():
        if not fn["Properties"].get("Handler", "").startswith("functions."):
            continue
        match = re.fullmatch(r"[A-Za-z0-9]*?Functions([A-Za-z0-9]+)[0-9A-F]{8}", logical_id)
        assert match, logical_id
        named[match.group(1)] = fn
    return named


def _statements(template: Template, fn: dict[str, Any]) -> list[dict[str, Any]]:
    role = fn["Properties"]["Role"]["Fn::GetAtt"][0]
    policies: dict[str, Any] = template.find_resources("AWS::IAM::Policy")
    return [
        s
        for p in policies.values()
        if {"Ref": role} in p["Properties"]["Roles"]
        for s in p["Properties"]["PolicyDocument"]["Statement"]
    ]


def _reads_stripe(template: Template, fn: dict[str, Any]) -> bool:
    text = json.dumps(_statements(template, fn))
    return f"secret:{STRIPE_SECRET}-*" in text


def test_the_stripe_secret_is_read_only_by_billing_and_the_quotas_points_of_use(
    local_template: Template,
) -> None:
    # Given every function of the platform
    functions = _functions(local_template)
    assert set(functions) >= BILLING_FUNCTIONS | QUOTA_USERS, sorted(functions)
    # Then exactly billing's routes and the points of use may read Stripe's keys
    readers = {name for name, fn in functions.items() if _reads_stripe(local_template, fn)}
    assert readers == BILLING_FUNCTIONS | QUOTA_USERS
    # and only to read it
    for name in readers:
        actions = {
            action
            for s in _statements(local_template, functions[name])
            if f"secret:{STRIPE_SECRET}-*" in json.dumps(s["Resource"])
            for action in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])
        }
        assert actions <= {"secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"}, (
            name,
            actions,
        )
    # (the sweep only drops plans in the database: it needs no key)
    assert "BillingSweep" in functions
    assert "BillingSweep" not in readers


def test_the_quotas_points_of_use_know_the_secret_and_the_upgrade_page(
    local_template: Template,
) -> None:
    functions = _functions(local_template)
    for name in QUOTA_USERS | BILLING_FUNCTIONS | {"BillingSweep"}:
        env = functions[name]["Properties"]["Environment"]["Variables"]
        assert env["BILLING_SECRET_NAME"] == STRIPE_SECRET, name
        assert "BILLING_FRONTEND_ORIGIN" in env, name
        # locally a test sees new keys and a grace period's end within seconds
        assert env["BILLING_CACHE_S"] == "1", name
        assert env["BILLING_GRACE_S"] == "5", name


def test_in_aws_the_grace_period_and_cache_are_the_settings_defaults(
    aws_template: Template,
) -> None:
    for name in QUOTA_USERS | BILLING_FUNCTIONS:
        env = _functions(aws_template)[name]["Properties"]["Environment"]["Variables"]
        assert env["BILLING_SECRET_NAME"] == "interview-platform/prod/stripe"
        assert "BILLING_GRACE_S" not in env
        assert "BILLING_CACHE_S" not in env


def test_stripes_webhook_is_anonymous_and_every_other_billing_route_authorized(
    aws_stacks: dict[str, Template],
) -> None:
    methods = _template_methods(aws_stacks)
    billing = {key: auth for key, auth in methods.items() if key[0].startswith("/v1/billing")}
    assert billing == {
        ("/v1/billing", "GET"): "CUSTOM",
        ("/v1/billing/checkout", "POST"): "CUSTOM",
        ("/v1/billing/portal", "POST"): "CUSTOM",
        ("/v1/billing/stripe/webhook", "POST"): "NONE",
    }


def test_only_the_bearer_routes_read_the_signing_keys(local_template: Template) -> None:
    functions = _functions(local_template)
    for name in BILLING_FUNCTIONS | {"BillingSweep"}:
        env = functions[name]["Properties"]["Environment"]["Variables"]
        reads_keys = "jwt-signing-key-*" in json.dumps(_statements(local_template, functions[name]))
        bearer = name in {"BillingAccount", "BillingCheckout"}
        assert reads_keys == bearer, name
        assert ("AUTH_KEY_SECRET_NAME" in env) == bearer, name


def test_the_dunning_sweep_runs_every_minute(local_template: Template) -> None:
    sweep_id = next(
        logical_id
        for logical_id, fn in local_template.find_resources("AWS::Lambda::Function").items()
        if fn["Properties"].get("Handler") == "functions.billing.sweep.handler.handler"
    )
    rules: dict[str, Any] = local_template.find_resources("AWS::Events::Rule")
    targets = [
        rule["Properties"]
        for rule in rules.values()
        if any(
            t["Arn"] == {"Fn::GetAtt": [sweep_id, "Arn"]}
            for t in rule["Properties"].get("Targets", [])
        )
    ]
    assert len(targets) == 1
    assert targets[0]["ScheduleExpression"] == "rate(1 minute)"
    assert targets[0]["Targets"][0]["RetryPolicy"]["MaximumRetryAttempts"] == 0
