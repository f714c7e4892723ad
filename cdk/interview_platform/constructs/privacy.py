"""Data rights (issue 19): the candidate's export and erasure (by link token, or with a
candidate account), the company's retention period, the admins' audit log, and the privacy
sweep.

Erasing reaches every object version of an invitation: the raw uploads, the pipeline's outputs
and temporary files, and the reports' PDFs and CSV exports, all in the media bucket. So the
erasing functions (the candidate's and the sweep) may list versions and delete under those four
prefixes only; the export signs its media links with its own rights, so it may read raw/ and
media/ (never reports/ or tmp/). The sweep runs every five minutes on an EventBridge rule; the
tests invoke it (its output names it).
"""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from interview_platform.constructs.functions import FunctionSpec, PlatformFunctions
from interview_platform.constructs.routes import Routes
from interview_platform.refs import Foundation

_MODULE = "functions.privacy.{}.handler.handler"
OUTPUT_SWEEP_FUNCTION = "PrivacySweepFunctionName"
ERASED_PREFIXES = ("raw/*", "media/*", "tmp/*", "reports/*")
EXPORTED_PREFIXES = ("raw/*", "media/*")
SWEEP_EVERY = Duration.minutes(5)


class DataRights(Construct):
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
        self.candidate_data = functions.add_token_verifier(
            FunctionSpec("PrivacyCandidateData", _MODULE.format("candidate_data"), timeout_s=30)
        )
        for pattern in EXPORTED_PREFIXES:
            foundation.media_bucket.grant_read(self.candidate_data, pattern)
        self._allow_erasure(foundation, self.candidate_data)
        routes.add("candidate/data", "GET", self.candidate_data)
        routes.add("candidate/data/erasure", "POST", self.candidate_data)
        routes.add("privacy/data", "GET", self.candidate_data)
        routes.add("privacy/data/erasure", "POST", self.candidate_data)

        self.retention = functions.add_token_verifier(
            FunctionSpec("PrivacyRetention", _MODULE.format("retention"))
        )
        routes.add("privacy/retention", "GET", self.retention)
        routes.add("privacy/retention", "PUT", self.retention)

        self.audit_log = functions.add_token_verifier(
            FunctionSpec("PrivacyAuditLog", _MODULE.format("audit_log"), timeout_s=15)
        )
        routes.add("privacy/audit-log", "GET", self.audit_log)

        self.sweep = functions.add(
            FunctionSpec("PrivacySweep", _MODULE.format("sweep"), timeout_s=300)
        )
        self._allow_erasure(foundation, self.sweep)
        events.Rule(
            self,
            "SweepSchedule",
            description="Erase candidate data past retention; finish failed erasures",
            schedule=events.Schedule.rate(SWEEP_EVERY),
            targets=[targets.LambdaFunction(self.sweep, retry_attempts=0)],
        )

    @staticmethod
    def _allow_erasure(foundation: Foundation, fn: lambda_.Function) -> None:
        bucket = foundation.media_bucket
        for pattern in ERASED_PREFIXES:
            bucket.grant_delete(fn, pattern)  # s3:DeleteObject*: versions included
        fn.add_to_role_policy(
            iam.PolicyStatement(
                actions=["s3:ListBucketVersions", "s3:ListBucket"],
                resources=[bucket.bucket_arn],
                conditions={"StringLike": {"s3:prefix": list(ERASED_PREFIXES)}},
            )
        )
