"""Interviews, HR side: templates, questions, invitations and review, one Lambda per use case.

Each function gets only what its use case needs: the database secret and the JWT key (every one
verifies the caller), PutEvents on our bus only for producers, and read access to the raw media
prefix only for the function that presigns playback URLs. In AWS the protected routes also sit
behind identity's token authorizer; locally each function's own check is the only one.
"""

from __future__ import annotations

from dataclasses import dataclass

from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from interview_platform.constants import secret_name
from interview_platform.constructs.billing import QUOTA_USERS
from interview_platform.constructs.functions import FunctionSpec, PlatformFunctions
from interview_platform.constructs.routes import Routes
from interview_platform.refs import Foundation, allow_publish, allow_secret

_MODULE = "functions.interviews.{}.handler.handler"
RAW_MEDIA_PREFIX = "raw/*"


@dataclass(frozen=True, slots=True)
class HrUseCase:
    name: str
    module: str
    routes: tuple[tuple[str, str], ...]
    publishes: bool = False
    plays_media: bool = False
    seals_links: bool = False


_TEMPLATE = "templates/{template_id}"
_QUESTIONS = _TEMPLATE + "/questions"
_INVITATION = "invitations/{invitation_id}"
# Other contexts (media, analysis) hang their invitation routes under this resource.
INVITATION_RESOURCE = _INVITATION

HR_USE_CASES = (
    HrUseCase("InterviewsCreateTemplate", "create_template", (("templates", "POST"),)),
    HrUseCase(
        "InterviewsReadTemplates", "read_templates", (("templates", "GET"), (_TEMPLATE, "GET"))
    ),
    HrUseCase(
        "InterviewsManageTemplate",
        "manage_template",
        ((_TEMPLATE, "PATCH"), (_TEMPLATE, "DELETE")),
    ),
    HrUseCase(
        "InterviewsTemplateLifecycle",
        "template_lifecycle",
        (
            (_TEMPLATE + "/publish", "POST"),
            (_TEMPLATE + "/archive", "POST"),
            (_TEMPLATE + "/duplicate", "POST"),
        ),
        publishes=True,
    ),
    HrUseCase(
        "InterviewsTemplateSkills",
        "template_skills",
        ((_TEMPLATE + "/skills", "GET"), (_TEMPLATE + "/skills", "PUT")),
    ),
    HrUseCase(
        "InterviewsManageQuestions",
        "manage_questions",
        (
            (_QUESTIONS, "POST"),
            (_QUESTIONS + "/order", "PUT"),
            (_QUESTIONS + "/{question_id}", "PATCH"),
            (_QUESTIONS + "/{question_id}", "DELETE"),
        ),
    ),
    HrUseCase(
        "InterviewsCreateInvitation",
        "create_invitation",
        (("invitations", "POST"),),
        publishes=True,
        seals_links=True,
    ),
    HrUseCase(
        "InterviewsBulkInvitations",
        "bulk_invitations",
        (("invitations/bulk", "POST"),),
        publishes=True,
        seals_links=True,
    ),
    HrUseCase("InterviewsListInvitations", "list_invitations", (("invitations", "GET"),)),
    HrUseCase(
        "InterviewsGetInvitation", "get_invitation", ((_INVITATION, "GET"),), plays_media=True
    ),
    HrUseCase(
        "InterviewsInvitationLifecycle",
        "invitation_lifecycle",
        (
            (_INVITATION + "/resend", "POST"),
            (_INVITATION + "/cancel", "POST"),
            (_INVITATION + "/extend", "POST"),
        ),
        publishes=True,
        seals_links=True,
    ),
    HrUseCase(
        "InterviewsReviewAnswer",
        "review_answer",
        ((_INVITATION + "/answers/{answer_id}/review", "PUT"),),
    ),
    HrUseCase(
        "InterviewsDecideInvitation",
        "decide_invitation",
        ((_INVITATION + "/decision", "POST"),),
        publishes=True,
    ),
)


class Interviews(Construct):
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
        key_secret_name = secret_name(foundation.stage, "jwt-signing-key")
        self.functions: dict[str, lambda_.Function] = {}
        for case in HR_USE_CASES:
            fn = functions.add(
                FunctionSpec(
                    case.name,
                    _MODULE.format(case.module),
                    timeout_s=15,
                    environment={
                        "AUTH_KEY_SECRET_NAME": key_secret_name,
                        **(foundation.app_key_env() if case.seals_links else {}),
                    },
                )
            )
            # Verifying callers' tokens: read the key ring, never create or change it.
            allow_secret(fn, foundation.key_ring_arn())
            if case.seals_links:
                # The new link token is sealed for the emails that carry it.
                allow_secret(fn, foundation.app_key_arn())
            if case.publishes:
                allow_publish(foundation, fn)
            if case.name in QUOTA_USERS:
                foundation.allow_quota(fn)
            if case.plays_media:
                foundation.media_bucket.grant_read(fn, RAW_MEDIA_PREFIX)
                # The media pipeline's outputs (MP4, thumbnail) are played back too.
                foundation.media_bucket.grant_read(fn, "media/*")
            for path, method in case.routes:
                routes.add(path, method, fn)
            self.functions[case.name] = fn
