"""Billing: HR's plan, usage and limits, Stripe Checkout and the Customer Portal, Stripe's
webhook (public: its signature is the credential), and the dunning sweep (an EventBridge rule
every minute: the Scheduler never fires on LocalStack). Stripe's keys are the secret
``interview-platform/{stage}/stripe``; without them the platform runs in the no-billing mode.

The quota check runs in other contexts' functions (``QUOTA_USERS``), which read only whether
billing is on (``Foundation.allow_quota``).
"""

from __future__ import annotations

from aws_cdk import CfnOutput, Duration, Stack
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from interview_platform.constants import secret_name
from interview_platform.constructs.functions import FunctionSpec, PlatformFunctions
from interview_platform.constructs.routes import Routes
from interview_platform.refs import Foundation, allow_secret

OUTPUT_SWEEP_FUNCTION = "BillingSweepFunctionName"
OUTPUT_STRIPE_SECRET = "BillingStripeSecretName"  # noqa: S105 - an output's name
SWEEP_EVERY = Duration.minutes(1)
# The functions whose use case takes a plan's unit (shared/billing/public.py).
QUOTA_USERS = frozenset(
    {
        "InterviewsTemplateLifecycle",  # publish (and archive gives back)
        "InterviewsCreateInvitation",
        "InterviewsBulkInvitations",
        "IdentityCreateCompany",  # the owner's seat
        "IdentityCompanyMembers",
        "CandidateUploads",  # storage
    }
)
_MODULE = "functions.billing.{}.handler.handler"
# (name, module, routes, verifies bearer tokens)
_ROUTES: tuple[tuple[str, str, tuple[tuple[str, str], ...], bool], ...] = (
    ("BillingAccount", "account", (("billing", "GET"),), True),
    (
        "BillingCheckout",
        "checkout",
        (("billing/checkout", "POST"), ("billing/portal", "POST")),
        True,
    ),
    ("BillingStripeWebhook", "stripe_webhook", (("billing/stripe/webhook", "POST"),), False),
)


class Billing(Construct):
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
        stage = foundation.stage
        env = {**foundation.billing_env(), "DB_POOL_MAX_SIZE": "1"}
        key_secret_name = secret_name(stage, "jwt-signing-key")
        self.functions: dict[str, lambda_.Function] = {}
        for name, module, paths, bearer in _ROUTES:
            fn = functions.add(
                FunctionSpec(
                    name,
                    _MODULE.format(module),
                    timeout_s=20,
                    environment={**env, "AUTH_KEY_SECRET_NAME": key_secret_name} if bearer else env,
                )
            )
            allow_secret(fn, foundation.stripe_arn())
            if bearer:
                allow_secret(fn, foundation.key_ring_arn())
            for path, method in paths:
                routes.add(path, method, fn)
            self.functions[name] = fn

        self.sweep = functions.add(
            FunctionSpec("BillingSweep", _MODULE.format("sweep"), timeout_s=60, environment=env)
        )
        events.Rule(
            self,
            "SweepSchedule",
            description="Drop companies whose grace period after a failed payment is over",
            schedule=events.Schedule.rate(SWEEP_EVERY),
            targets=[targets.LambdaFunction(self.sweep, retry_attempts=0)],
        )
        stack = Stack.of(self)
        CfnOutput(stack, OUTPUT_SWEEP_FUNCTION, value=self.sweep.function_name)
        CfnOutput(stack, OUTPUT_STRIPE_SECRET, value=secret_name(stage, "stripe"))
