"""The local deploy writes Stripe's keys from the operator's environment, as it does Groq's."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import boto3
import pytest
from moto import mock_aws

from scripts.stack import ensure_stripe_secret, stripe_secret_from_env

if TYPE_CHECKING:
    from mypy_boto3_secretsmanager import SecretsManagerClient

NAME = "interview-platform/test/stripe"
OPERATOR = {
    "STRIPE_SECRET_KEY": "sk_test_operator",
    "STRIPE_WEBHOOK_SECRET": "whsec_operator",
    "STRIPE_PRICE_PLUS": "price_plus",
    "STRIPE_PRICE_PRO": "price_pro",
}


@pytest.fixture
def secrets() -> Iterator[SecretsManagerClient]:
    with mock_aws():
        yield boto3.client("secretsmanager", region_name="us-east-1")


def _value(secrets: SecretsManagerClient) -> dict[str, Any]:
    value: dict[str, Any] = json.loads(secrets.get_secret_value(SecretId=NAME)["SecretString"])
    return value


def test_the_operators_keys_are_written_and_rewritten(secrets: SecretsManagerClient) -> None:
    # Given a stage without the secret, When the operator deploys with Stripe's keys
    assert ensure_stripe_secret(secrets, NAME, OPERATOR) == "created from STRIPE_SECRET_KEY"
    # Then the secret holds them in the shape billing reads
    assert _value(secrets) == {
        "secret_key": "sk_test_operator",
        "webhook_secret": "whsec_operator",
        "api_base": None,
        "prices": {"plus": "price_plus", "pro": "price_pro"},
    }
    # and a new key replaces it on the next deploy
    rotated = {**OPERATOR, "STRIPE_SECRET_KEY": "sk_test_rotated"}
    assert ensure_stripe_secret(secrets, NAME, rotated) == "updated from STRIPE_SECRET_KEY"
    assert _value(secrets)["secret_key"] == "sk_test_rotated"


def test_without_keys_a_missing_secret_is_empty_and_an_existing_one_kept(
    secrets: SecretsManagerClient,
) -> None:
    # Given no Stripe keys in the environment: the no-billing mode
    assert ensure_stripe_secret(secrets, NAME, {}) == "created empty: no-billing mode"
    assert _value(secrets) == {}
    # When a test points the secret at the fake Stripe and the stage is deployed again
    fake = {"secret_key": "sk_test_fake", "webhook_secret": "whsec_fake", "api_base": "http://x"}
    secrets.put_secret_value(SecretId=NAME, SecretString=json.dumps(fake))
    assert ensure_stripe_secret(secrets, NAME, {"STRIPE_SECRET_KEY": "  "}) == "kept"
    # Then the test's value is kept
    assert _value(secrets) == fake


def test_blank_fields_are_left_out() -> None:
    assert stripe_secret_from_env({}) is None
    value = stripe_secret_from_env({"STRIPE_SECRET_KEY": "sk_x", "STRIPE_PRICE_PRO": " "})
    assert value == {"secret_key": "sk_x", "webhook_secret": None, "api_base": None, "prices": {}}
