"""Skills: the taxonomy (admins write categories and skills, anyone signed in reads them) and
a candidate's own skills. Its own stack: with these routes Identity's stack held more than 200
resources. The paths stay outside ``/v1/admin`` and ``/v1/me``, which Identity's stack owns
(a path's resources belong to one stack); the role checks are the handlers' own.

The code is identity's (``shared/identity/skills*.py``, ``functions/identity/skills``,
``functions/identity/my_skills``): a skill is part of a user's profile and the taxonomy the
admins keep; only the deployment is apart. A template's required skills stay with Interviews.
"""

from __future__ import annotations

from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from interview_platform.constructs.functions import FunctionSpec, PlatformFunctions
from interview_platform.constructs.identity import grant_key, identity_env
from interview_platform.constructs.routes import Routes
from interview_platform.refs import Foundation, allow_publish

_MODULE = "functions.identity.{}.handler.handler"
# (name, module, routes)
USE_CASES: tuple[tuple[str, str, tuple[tuple[str, str], ...]], ...] = (
    (
        "SkillsTaxonomy",
        "skills",
        (
            ("skill-categories", "GET"),
            ("skill-categories", "POST"),
            ("skill-categories/{category_id}", "PATCH"),
            ("skill-categories/{category_id}/retire", "POST"),
            ("skills", "GET"),
            ("skills", "POST"),
            ("skills/{skill_id}", "PATCH"),
            ("skills/{skill_id}/retire", "POST"),
        ),
    ),
    (
        "SkillsMine",
        "my_skills",
        (
            ("my-skills", "GET"),
            ("my-skills/{skill_id}", "PUT"),
            ("my-skills/{skill_id}", "DELETE"),
        ),
    ),
)


class Skills(Construct):
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
        env = identity_env(foundation)
        key_arn = foundation.key_ring_arn()
        self.functions: dict[str, lambda_.Function] = {}
        for name, module, paths in USE_CASES:
            fn = functions.add(
                FunctionSpec(name, _MODULE.format(module), timeout_s=15, environment=env)
            )
            # Verifies bearer tokens locally (no authorizer there); publishes skill.* events.
            grant_key(fn, key_arn, "read")
            allow_publish(foundation, fn)
            for path, method in paths:
                routes.add(path, method, fn)
            self.functions[name] = fn
