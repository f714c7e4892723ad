"""Notifications: the consumer of the events that cause email (rule -> SQS + DLQ -> Lambda),
the schedule that sends reminders and retries (an EventBridge rule, which fires on LocalStack;
EventBridge Scheduler does not), the sender's SES identity, SES's feedback (the configuration
set's event destination -> SNS topic -> SQS + DLQ -> the feedback consumer), and the routes for
preferences, one-click unsubscribe and the delivery log.
"""

from __future__ import annotations

from aws_cdk import Aws, CfnOutput, Duration, RemovalPolicy, Stack
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as sources
from aws_cdk import aws_ses as ses
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from interview_platform.constructs.events import (
    BATCH_SIZE,
    DLQ_RETENTION,
    LOCAL_LONG_POLL,
    MAX_RECEIVE_COUNT,
    Consumer,
    consumer_timeouts_s,
    depth_alarm,
)
from interview_platform.constructs.functions import FunctionSpec, PlatformFunctions
from interview_platform.constructs.routes import Routes
from interview_platform.refs import Foundation, allow_secret

OUTPUT_QUEUE_URL = "NotificationsQueueUrl"
OUTPUT_DLQ_URL = "NotificationsDlqUrl"
OUTPUT_SWEEP_FUNCTION = "NotificationsSweepFunctionName"
OUTPUT_SENDER = "NotificationsSender"
OUTPUT_FEEDBACK_TOPIC = "NotificationsFeedbackTopicArn"
OUTPUT_FEEDBACK_QUEUE_URL = "NotificationsFeedbackQueueUrl"
OUTPUT_FEEDBACK_DLQ_URL = "NotificationsFeedbackDlqUrl"
OUTPUT_CONFIGURATION_SET = "NotificationsConfigurationSet"
# What SES publishes to the feedback topic (scripts/stack.py creates the same locally, where
# CloudFormation has no AWS::SES::ConfigurationSet).
FEEDBACK_EVENTS = (
    ses.EmailSendingEvent.BOUNCE,
    ses.EmailSendingEvent.COMPLAINT,
    ses.EmailSendingEvent.DELIVERY,
    ses.EmailSendingEvent.REJECT,
)
SWEEP_EVERY = Duration.minutes(1)
# Must match shared/notifications/planning.py EVENT_TYPES (a test holds them together): what
# causes email, and what webhooks may carry.
EVENT_TYPES = (
    "analysis.completed",
    "analysis.failed",
    "analysis.human_review",
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
        self.configuration_set_name = configuration_set_name(stage)
        if not local:
            # Locally scripts/stack.py verifies it (LocalStack's EmailIdentity is a stub).
            ses.EmailIdentity(self, "Sender", identity=ses.Identity.email(sender))
        self._add_feedback(functions, local)
        env = {
            **foundation.app_key_env(),
            "NOTIFY_SENDER": sender,
            "NOTIFY_CONFIGURATION_SET": self.configuration_set_name,
            "NOTIFY_FRONTEND_ORIGIN": foundation.frontend_origin,
            "NOTIFY_API_URL": api_url,
            "DB_POOL_MAX_SIZE": "1",
            **(_LOCAL_WEBHOOKS if local else {}),
        }
        ses_arn = f"arn:{Aws.PARTITION}:ses:{Aws.REGION}:{Aws.ACCOUNT_ID}"
        send_email = iam.PolicyStatement(
            actions=["ses:SendRawEmail"],
            # Sending with a configuration set is authorized on it too.
            resources=[
                f"{ses_arn}:identity/*",
                f"{ses_arn}:configuration-set/{self.configuration_set_name}",
            ],
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
            # Verifying callers' tokens: the key ring's name, read access, nothing more.
            fn = functions.add_token_verifier(
                FunctionSpec(name, _MODULE.format(module), timeout_s=15, environment=env)
            )
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
            (OUTPUT_FEEDBACK_TOPIC, self.feedback_topic.topic_arn),
            (OUTPUT_FEEDBACK_QUEUE_URL, self.feedback_queue.queue_url),
            (OUTPUT_FEEDBACK_DLQ_URL, self.feedback_dlq.queue_url),
            (OUTPUT_CONFIGURATION_SET, self.configuration_set_name),
        ):
            CfnOutput(stack, output, value=value)

    def _add_feedback(self, functions: PlatformFunctions, local: bool) -> None:
        """SES's feedback: configuration set -> topic -> queue (+ DLQ and alarm) -> consumer."""
        key: kms.Key | None = None
        if not local:
            # SES publishes to an encrypted topic only with a customer managed key it may use.
            key = kms.Key(
                self,
                "FeedbackKey",
                description="SES feedback topic (recipient addresses)",
                enable_key_rotation=True,
            )
            key.add_to_resource_policy(
                iam.PolicyStatement(
                    principals=[iam.ServicePrincipal("ses.amazonaws.com")],
                    actions=["kms:GenerateDataKey*", "kms:Decrypt"],
                    resources=["*"],
                    conditions={"StringEquals": {"aws:SourceAccount": Aws.ACCOUNT_ID}},
                )
            )
        self.feedback_topic = sns.Topic(
            self,
            "FeedbackTopic",
            display_name="SES feedback",
            master_key=key,
            enforce_ssl=not local,
        )
        self.feedback_topic.add_to_resource_policy(
            iam.PolicyStatement(
                principals=[iam.ServicePrincipal("ses.amazonaws.com")],
                actions=["sns:Publish"],
                resources=[self.feedback_topic.topic_arn],
                conditions={
                    "StringEquals": {"aws:SourceAccount": Aws.ACCOUNT_ID},
                    "ArnLike": {
                        "aws:SourceArn": f"arn:{Aws.PARTITION}:ses:{Aws.REGION}:"
                        f"{Aws.ACCOUNT_ID}:configuration-set/{self.configuration_set_name}"
                    },
                },
            )
        )
        removal = RemovalPolicy.DESTROY if local else RemovalPolicy.RETAIN
        self.feedback_dlq = sqs.Queue(
            self,
            "FeedbackDlq",
            retention_period=DLQ_RETENTION,
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=not local,
            removal_policy=removal,
        )
        timeout_s, visibility_s = consumer_timeouts_s(local)
        self.feedback_queue = sqs.Queue(
            self,
            "FeedbackQueue",
            visibility_timeout=Duration.seconds(visibility_s),
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=not local,
            dead_letter_queue=sqs.DeadLetterQueue(
                max_receive_count=MAX_RECEIVE_COUNT, queue=self.feedback_dlq
            ),
            removal_policy=removal,
        )
        self.feedback_topic.add_subscription(subscriptions.SqsSubscription(self.feedback_queue))
        self.feedback_fn = functions.add(
            FunctionSpec(
                "NotificationsFeedback",
                _MODULE.format("feedback"),
                timeout_s=timeout_s,
                environment={"DB_POOL_MAX_SIZE": "1"},
            )
        )
        self.feedback_fn.add_event_source(
            sources.SqsEventSource(
                self.feedback_queue,
                batch_size=BATCH_SIZE,
                report_batch_item_failures=True,
                max_batching_window=LOCAL_LONG_POLL if local else None,
            )
        )
        depth_alarm(
            self,
            "FeedbackDlqDepthAlarm",
            self.feedback_dlq,
            "SES feedback: messages in the dead-letter queue (redrive after a fix)",
        )
        if not local:
            configuration_set = ses.ConfigurationSet(
                self, "ConfigurationSet", configuration_set_name=self.configuration_set_name
            )
            ses.ConfigurationSetEventDestination(
                self,
                "FeedbackDestination",
                configuration_set=configuration_set,
                destination=ses.EventDestination.sns_topic(self.feedback_topic),
                events=list(FEEDBACK_EVENTS),
            )


def configuration_set_name(stage: str) -> str:
    return f"interview-platform-{stage}"
