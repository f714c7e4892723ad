"""The candidate's flow by link token (no account, no JWT) and the interviews sweep.

The whole `/v1/candidate` subtree lives in this context's stack. No route here needs a bearer
token: the candidate proves the invitation with its link token, which each function checks.

One Lambda per use case group, each with its own grants: the database secret for all; on the
media bucket only the `raw/` prefix, and only what each needs (presign/multipart: put and abort;
answer and multipart completion: read to HEAD the object; multipart completion may delete an
object that broke the rules); PutEvents on our bus for all (each may expire or complete an
invitation on the spot). The sweep runs every minute on an EventBridge schedule.
"""

from __future__ import annotations

from dataclasses import dataclass

from aws_cdk import Duration
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from interview_platform.constants import secret_name
from interview_platform.constructs.billing import QUOTA_USERS
from interview_platform.constructs.functions import FunctionSpec, PlatformFunctions
from interview_platform.constructs.routes import Routes
from interview_platform.refs import Foundation, allow_publish, allow_secret

_MODULE = "functions.interviews.{}.handler.handler"
RAW_PREFIX = "raw/*"
_UPLOADS = "candidate/interview/questions/{question_id}/uploads"


@dataclass(frozen=True, slots=True)
class _UseCase:
    name: str
    module: str
    routes: tuple[tuple[str, str], ...]
    # "none", "head" (read raw/), "upload" (put raw/), "multipart" (put, read, delete raw/)
    media: str = "none"
    # A candidate's account (bearer token), not the link's token: reads the JWT key ring.
    account: bool = False


USE_CASES = (
    _UseCase("CandidateInterview", "candidate_interview", (("candidate/interview", "GET"),)),
    _UseCase(
        "CandidateSession",
        "candidate_session",
        (
            ("candidate/interview/start", "POST"),
            ("candidate/interview/heartbeat", "POST"),
            ("candidate/interview/complete", "POST"),
        ),
    ),
    _UseCase(
        "CandidateUploads",
        "candidate_uploads",
        (
            (_UPLOADS, "POST"),
            (f"{_UPLOADS}/multipart", "POST"),
            (f"{_UPLOADS}/{{upload_id}}/parts", "POST"),
            (f"{_UPLOADS}/{{upload_id}}/complete", "POST"),
            (f"{_UPLOADS}/{{upload_id}}", "DELETE"),
        ),
        media="multipart",
    ),
    _UseCase(
        "CandidateAnswer",
        "candidate_answer",
        (("candidate/interview/questions/{question_id}/answer", "POST"),),
        media="head",
    ),
    _UseCase(
        "CandidateMyInvitations",
        "my_invitations",
        (("candidate/invitations", "GET"),),
        account=True,
    ),
)


class CandidateFlow(Construct):
    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        foundation: Foundation,
        functions: PlatformFunctions,
        routes: Routes,
        sweep_every: Duration | None = None,
    ) -> None:
        super().__init__(scope, id)
        media_bucket = foundation.media_bucket
        self.functions: dict[str, lambda_.Function] = {}
        for case in USE_CASES:
            environment = (
                {"AUTH_KEY_SECRET_NAME": secret_name(foundation.stage, "jwt-signing-key")}
                if case.account
                else {}
            )
            fn = functions.add(
                FunctionSpec(
                    case.name, _MODULE.format(case.module), timeout_s=15, environment=environment
                )
            )
            if case.account:
                # Verifying the account's token: read the key ring, never create or change it.
                allow_secret(fn, foundation.key_ring_arn())
            allow_publish(foundation, fn)
            if case.name in QUOTA_USERS:
                foundation.allow_quota(fn)
            if case.media in {"upload", "multipart"}:
                media_bucket.grant_put(fn, RAW_PREFIX)
            if case.media in {"head", "multipart"}:
                media_bucket.grant_read(fn, RAW_PREFIX)
            if case.media == "multipart":
                fn.add_to_role_policy(
                    iam.PolicyStatement(
                        actions=["s3:DeleteObject"],
                        resources=[media_bucket.arn_for_objects(RAW_PREFIX)],
                    )
                )
            for path, method in case.routes:
                routes.add(path, method, fn)
            self.functions[case.name] = fn

        self.sweep = functions.add(
            FunctionSpec("InterviewsSweep", _MODULE.format("sweep"), timeout_s=60)
        )
        allow_publish(foundation, self.sweep)
        self.schedule = events.Rule(
            self,
            "SweepSchedule",
            description="Expire overdue invitations; auto-complete interviews idle for 30 min",
            schedule=events.Schedule.rate(sweep_every or Duration.minutes(1)),
            targets=[targets.LambdaFunction(self.sweep, retry_attempts=0)],
        )
        self.functions["InterviewsSweep"] = self.sweep
