"""Notifications: the consumer of the events that cause email (rule -> SQS + DLQ -> Lambda),
the schedule that sends reminders and retries (an EventBridge rule, which fires on LocalStack;
EventBridge Scheduler does not), the sender's SES identity, and the routes for preferences,
one-click unsubscribe and the delivery log.
"""

from __future__ import annotations

from aws_cdk import Aws, CfnOutput, Duration, Stack
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_ses as ses
from constructs import Construct

from interview_platform.constants import secret_name
from interview_platform.constructs.events import Consumer
from interview_platform.constructs.functions import FunctionSpec, PlatformFunctions
from interview_platform.constructs.routes import Routes
from interview_platform.refs import Foundation, allow_secret

OUTPUT_QUEUE_URL = "NotificationsQueueUrl"
OUTPUT_DLQ_URL = "NotificationsDlqUrl"
OUTPUT_SWEEP_FUNCTION = "NotificationsSweepFunctionName"
OUTPUT_SENDER = "NotificationsSender"
SWEEP_EVERY = Duration.minutes(1)
# Must match shared/notifications/planning.py EVENT_TYPES (a test holds them together): what
# causes email, and what webhooks may carry.
EVENT_TYPES = (
    "analysis.completed",
    "analysis.failed",
    "candidate.decided",
    "invitation.cancelled",
    "invitation.completed",
    "invitation.created",
    "invitation.expired",
    "invitation.extended",
    "invitation.resent",
    "invitation.started",
    "user.email_change_requested",
    "user.email_changed",
    "user.password_reset",
    "user.password_reset_requested",
    "user.registration_repeated",
    "user.verification_requested",
)
# Locally: webhook receivers on loopback over plain HTTP (tests), and retries minutes apart
# rather than hours.
_LOCAL_WEBHOOKS = {
    "NOTIFY_WEBHOOK_ALLOW_HTTP": "true",
    "NOTIFY_WEBHOOK_ALLOW_LOOPBACK": "true",
    "NOTIFY_WEBHOOK_RETRY_SCHEDULE_S": "2,4,8,16,32,64,128",
}
_MODULE = "functions.notifications.{}.handler.handler"


class Notifications(Construct):
    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        foundation: Foundation,
        functions: PlatformFunctions,
        routes: Routes,
        sender: str,
        api_url: str,
    ) -> None:
        super().__init__(scope, id)
        stage, local = foundation.stage, foundation.local
        self.sender = sender
        if not local:
            # Locally scripts/stack.py verifies it (LocalStack's EmailIdentity is a stub).
            ses.EmailIdentity(self, "Sender", identity=ses.Identity.email(sender))
        env = {
            **foundation.app_key_env(),
            "NOTIFY_SENDER": sender,
            "NOTIFY_FRONTEND_ORIGIN": foundation.frontend_origin,
            "NOTIFY_API_URL": api_url,
            "DB_POOL_MAX_SIZE": "1",
            **(_LOCAL_WEBHOOKS if local else {}),
        }
        send_email = iam.PolicyStatement(
            actions=["ses:SendRawEmail"],
            resources=[f"arn:{Aws.PARTITION}:ses:{Aws.REGION}:{Aws.ACCOUNT_ID}:identity/*"],
            conditions={"StringEquals": {"ses:FromAddress": sender}},
        )

        # A batch may post to webhook receivers (15 s each at most, 8 at a time).
        consumer_timeout_s, visibility_timeout_s = 60, 90
        self.consumer_fn = functions.add(
            FunctionSpec(
                "NotificationsConsumer",
                _MODULE.format("consumer"),
                timeout_s=consumer_timeout_s,
                environment=env,
            )
        )
        self.consumer = Consumer(
            self,
            "Consumer",
            bus=foundation.bus,
            function=self.consumer_fn,
            pattern=events.EventPattern(detail_type=list(EVENT_TYPES)),
            visibility_timeout=Duration.seconds(visibility_timeout_s),
            local=local,
        )
        self.sweep = functions.add(
            FunctionSpec(
                "NotificationsSweep", _MODULE.format("sweep"), timeout_s=60, environment=env
            )
        )
        events.Rule(
            self,
            "SweepSchedule",
            description="Queue due reminders and send every due email (retries included)",
            schedule=events.Schedule.rate(SWEEP_EVERY),
            targets=[targets.LambdaFunction(self.sweep, retry_attempts=0)],
        )
        for fn in (self.consumer_fn, self.sweep):
            fn.add_to_role_policy(send_email)
            allow_secret(fn, foundation.app_key_arn())

        key_secret_name = secret_name(stage, "jwt-signing-key")
        self.routes: dict[str, lambda_.Function] = {}
        for name, module, paths, needs_key in (
            (
                "NotificationsPreferences",
                "preferences",
                (("notifications/preferences", "GET"), ("notifications/preferences", "PATCH")),
                False,
            ),
            (
                "NotificationsUnsubscribe",
                "unsubscribe",
                (("notifications/unsubscribe", "GET"), ("notifications/unsubscribe", "POST")),
                True,
            ),
            ("NotificationsMessages", "messages", (("notifications/messages", "GET"),), False),
            (
                "NotificationsWebhooks",
                "webhooks",
                (
                    ("webhooks", "POST"),
                    ("webhooks", "GET"),
                    ("webhooks/{endpoint_id}", "PATCH"),
                    ("webhooks/{endpoint_id}", "DELETE"),
                    ("webhooks/{endpoint_id}/rotate-secret", "POST"),
                    ("webhooks/{endpoint_id}/ping", "POST"),
                    ("webhooks/{endpoint_id}/deliveries", "GET"),
                    ("webhooks/{endpoint_id}/deliveries/{delivery_id}/redeliver", "POST"),
                ),
                True,
            ),
        ):
            fn = functions.add(
                FunctionSpec(
                    name,
                    _MODULE.format(module),
                    timeout_s=15,
                    environment={**env, "AUTH_KEY_SECRET_NAME": key_secret_name},
                )
            )
            allow_secret(fn, foundation.key_ring_arn())
            if needs_key:
                allow_secret(fn, foundation.app_key_arn())
            for path, method in paths:
                routes.add(path, method, fn)
            self.routes[name] = fn

        stack = Stack.of(self)
        for output, value in (
            (OUTPUT_QUEUE_URL, self.consumer.queue.queue_url),
            (OUTPUT_DLQ_URL, self.consumer.dlq.queue_url),
            (OUTPUT_SWEEP_FUNCTION, self.sweep.function_name),
            (OUTPUT_SENDER, sender),
        ):
            CfnOutput(stack, output, value=value)
