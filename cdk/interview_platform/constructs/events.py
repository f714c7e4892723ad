"""The event kernel's infrastructure: consumers of our bus (the bus itself and the outbox relay's
schedule are in the Foundation stack, cdk/interview_platform/stacks.py).

A :class:`Consumer` is one SQS queue with its dead-letter queue (maxReceiveCount 5, 14 days,
alarm on depth), an EventBridge rule on our bus feeding the queue, and the consumer Lambda reading
the queue in batches of 10 with partial-failure reporting.
"""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as sources
from aws_cdk import aws_sqs as sqs
from constructs import Construct

# Stack output keys (tests and scripts read these from cdk-outputs.json).
OUTPUT_EVENT_BUS_NAME = "EventBusName"
OUTPUT_AUDIT_QUEUE_URL = "AuditQueueUrl"
OUTPUT_AUDIT_DLQ_URL = "AuditDlqUrl"
OUTPUT_OUTBOX_RELAY_FUNCTION = "OutboxRelayFunctionName"

MAX_RECEIVE_COUNT = 5
DLQ_RETENTION = Duration.days(14)
BATCH_SIZE = 10
# Locally a failing message must reach its DLQ within seconds (5 receives); in AWS the
# visibility timeout is six times the function's timeout, as AWS recommends for SQS sources.
LOCAL_CONSUMER_TIMEOUT_S = 5
AWS_CONSUMER_TIMEOUT_S = 30
# LocalStack's SQS poller short-polls when no batching window is set and backs off on an empty
# queue (1 s after a batch, up to 10 s when idle), so an event waited 1-15 s for its consumer;
# Lambda's pollers in AWS long-poll and deliver within milliseconds. A window locally makes
# LocalStack long-poll too (WaitTimeSeconds; an SQS long poll returns at the first message, so it
# adds no wait). In AWS the window would hold back partial batches, so it stays 0 there.
LOCAL_LONG_POLL = Duration.seconds(20)


def consumer_timeouts_s(local: bool) -> tuple[int, int]:
    """(function timeout, queue visibility timeout) of a consumer, in seconds."""
    if local:
        return LOCAL_CONSUMER_TIMEOUT_S, LOCAL_CONSUMER_TIMEOUT_S
    return AWS_CONSUMER_TIMEOUT_S, 6 * AWS_CONSUMER_TIMEOUT_S


class Consumer(Construct):
    """One consumer of our bus: rule -> queue (+ DLQ and alarm) -> Lambda."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        bus: events.IEventBus,
        function: lambda_.Function,
        pattern: events.EventPattern,
        visibility_timeout: Duration,
        local: bool,
    ) -> None:
        super().__init__(scope, id)
        removal = RemovalPolicy.DESTROY if local else RemovalPolicy.RETAIN
        self.dlq = sqs.Queue(
            self,
            "Dlq",
            retention_period=DLQ_RETENTION,
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=not local,
            removal_policy=removal,
        )
        self.queue = sqs.Queue(
            self,
            "Queue",
            visibility_timeout=visibility_timeout,
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=not local,
            dead_letter_queue=sqs.DeadLetterQueue(
                max_receive_count=MAX_RECEIVE_COUNT, queue=self.dlq
            ),
            removal_policy=removal,
        )
        self.rule = events.Rule(
            self,
            "Rule",
            event_bus=bus,
            event_pattern=pattern,
            targets=[targets.SqsQueue(self.queue)],
        )
        function.add_event_source(
            sources.SqsEventSource(
                self.queue,
                batch_size=BATCH_SIZE,
                report_batch_item_failures=True,
                max_batching_window=LOCAL_LONG_POLL if local else None,
            )
        )
        self.dlq_alarm = depth_alarm(
            self,
            "DlqDepthAlarm",
            self.dlq,
            f"{id}: messages in the dead-letter queue (redrive after a fix)",
        )


def depth_alarm(scope: Construct, id: str, queue: sqs.IQueue, description: str) -> cloudwatch.Alarm:
    """An alarm as soon as ``queue`` (a dead-letter queue) holds any message."""
    return cloudwatch.Alarm(
        scope,
        id,
        alarm_description=description,
        metric=queue.metric_approximate_number_of_messages_visible(
            period=Duration.minutes(1), statistic="Maximum"
        ),
        threshold=0,
        comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluation_periods=1,
        treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
    )


def detail_type_prefixes(*prefixes: str) -> events.EventPattern:
    return events.EventPattern(
        detail_type=events.Match.any_of(*(events.Match.prefix(p) for p in prefixes))
    )
