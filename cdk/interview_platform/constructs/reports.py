"""Reports: the consumer that keeps the invitation facts and makes the PDFs and CSV exports
(rule -> SQS + DLQ -> Lambda), and HR's routes (a candidate's report, exports, the funnel).

Files go to the media bucket under ``reports/``: the consumer may write (and abort multipart
uploads) there, the routes that hand out download links may read there; nobody else.
"""

from __future__ import annotations

from aws_cdk import CfnOutput, Duration, Stack
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from interview_platform.constructs.events import Consumer
from interview_platform.constructs.functions import FunctionSpec, PlatformFunctions
from interview_platform.constructs.routes import Routes
from interview_platform.refs import Foundation, allow_publish

OUTPUT_QUEUE_URL = "ReportsQueueUrl"
OUTPUT_DLQ_URL = "ReportsDlqUrl"
OUTPUT_CONSUMER_FUNCTION = "ReportsConsumerFunctionName"
PREFIX = "reports/"
# Must match shared/reports/projection.py EVENT_TYPES (a test holds them together).
EVENT_TYPES = (
    "analysis.completed",
    "analysis.failed",
    "analysis.human_review",
    "candidate.decided",
    "invitation.cancelled",
    "invitation.completed",
    "invitation.created",
    "invitation.expired",
    "invitation.started",
    "report.requested",
    "response.submitted",
)
# An export of 100,000 rows takes seconds; a batch may hold several jobs.
_CONSUMER_TIMEOUT_S = 300
_MODULE = "functions.reports.{}.handler.handler"


class Reports(Construct):
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
        local = foundation.local
        objects = foundation.media_bucket.arn_for_objects(f"{PREFIX}*")
        db_env = {"DB_POOL_MAX_SIZE": "1"}

        self.consumer_fn = functions.add(
            FunctionSpec(
                "ReportsConsumer",
                _MODULE.format("consumer"),
                timeout_s=_CONSUMER_TIMEOUT_S,
                memory_mb=512,
                environment=db_env,
            )
        )
        self.consumer_fn.add_to_role_policy(
            iam.PolicyStatement(
                actions=["s3:PutObject", "s3:AbortMultipartUpload"], resources=[objects]
            )
        )
        allow_publish(foundation, self.consumer_fn)  # report.ready / report.failed
        self.consumer = Consumer(
            self,
            "Consumer",
            bus=foundation.bus,
            function=self.consumer_fn,
            pattern=events.EventPattern(detail_type=list(EVENT_TYPES)),
            visibility_timeout=Duration.seconds(_CONSUMER_TIMEOUT_S + 60),
            local=local,
        )

        self.routes: dict[str, lambda_.Function] = {}
        for name, module, paths, reads, publishes in (
            (
                "ReportsCandidate",
                "candidate_report",
                (
                    ("invitations/{invitation_id}/report", "GET"),
                    ("invitations/{invitation_id}/report", "POST"),
                ),
                True,
                True,
            ),
            (
                "ReportsExports",
                "exports",
                (("reports/exports", "POST"), ("reports/exports/{job_id}", "GET")),
                True,
                True,
            ),
            ("ReportsFunnel", "funnel", (("reports/funnel", "GET"),), False, False),
        ):
            # Verifying callers' tokens: the key ring's name, read access, nothing more.
            fn = functions.add_token_verifier(
                FunctionSpec(name, _MODULE.format(module), timeout_s=15, environment=db_env)
            )
            if reads:
                # Presigning a GET needs the right to read the object (and nothing else).
                fn.add_to_role_policy(
                    iam.PolicyStatement(actions=["s3:GetObject"], resources=[objects])
                )
            if publishes:
                allow_publish(foundation, fn)  # report.requested
            for path, method in paths:
                routes.add(path, method, fn)
            self.routes[name] = fn

        stack = Stack.of(self)
        for output, value in (
            (OUTPUT_QUEUE_URL, self.consumer.queue.queue_url),
            (OUTPUT_DLQ_URL, self.consumer.dlq.queue_url),
            (OUTPUT_CONSUMER_FUNCTION, self.consumer_fn.function_name),
        ):
            CfnOutput(stack, output, value=value)
