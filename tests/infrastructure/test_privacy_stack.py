"""What the data-rights functions (issue 19, in the candidate stack) are granted: the erasing
ones may list versions and delete under the four erased prefixes only; the export reads raw/
and media/ to sign its links and nothing else; the retention and audit-log routes touch no
bucket; the sweep runs on a schedule."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aws_cdk.assertions import Match, Template
from interview_platform import constants as c

from tests.infrastructure.test_interviews_candidate_stack import _actions

_MODULE = "functions.privacy.{}.handler.handler"


@pytest.fixture(scope="module")
def template(local_stacks: dict[str, Template]) -> Template:
    return local_stacks[c.CANDIDATE]


def _logical(template: Template, module: str) -> str:
    functions: dict[str, Any] = template.find_resources("AWS::Lambda::Function")
    return next(
        name
        for name, fn in functions.items()
        if fn["Properties"]["Handler"] == _MODULE.format(module)
    )


def _s3(template: Template, module: str) -> list[dict[str, Any]]:
    functions: dict[str, Any] = template.find_resources("AWS::Lambda::Function")
    role = functions[_logical(template, module)]["Properties"]["Role"]["Fn::GetAtt"][0]
    policies: dict[str, Any] = template.find_resources("AWS::IAM::Policy")
    return [
        s
        for p in policies.values()
        if {"Ref": role} in p["Properties"]["Roles"]
        for s in p["Properties"]["PolicyDocument"]["Statement"]
        if "s3:" in json.dumps(s["Action"])
    ]


def _patterns(statements: list[dict[str, Any]], action: str) -> set[str]:
    """The object patterns (what follows the bucket's ARN) granted ``action``."""
    found: set[str] = set()
    for statement in statements:
        if action not in _actions([statement]):
            continue
        resources = statement["Resource"]
        for resource in resources if isinstance(resources, list) else [resources]:
            if isinstance(resource, dict) and "Fn::Join" in resource:  # the bucket's objects
                found.add(str(resource["Fn::Join"][1][-1]).removeprefix("/"))
    return found


@pytest.mark.parametrize("module", ["candidate_data", "sweep"])
def test_erasing_functions_delete_and_list_versions_under_the_erased_prefixes_only(
    template: Template, module: str
) -> None:
    statements = _s3(template, module)
    assert _patterns(statements, "s3:DeleteObject*") == {"raw/*", "media/*", "tmp/*", "reports/*"}
    listed = [s for s in statements if "s3:ListBucketVersions" in _actions([s])]
    assert len(listed) == 1
    assert listed[0]["Condition"] == {
        "StringLike": {"s3:prefix": ["raw/*", "media/*", "tmp/*", "reports/*"]}
    }


def test_the_export_reads_raw_and_media_objects_only(template: Template) -> None:
    assert _patterns(_s3(template, "candidate_data"), "s3:GetObject*") == {"raw/*", "media/*"}


@pytest.mark.parametrize("module", ["retention", "audit_log"])
def test_the_hr_and_admin_routes_touch_no_bucket(template: Template, module: str) -> None:
    assert _s3(template, module) == []


def test_the_privacy_sweep_runs_every_five_minutes(template: Template) -> None:
    template.has_resource_properties(
        "AWS::Events::Rule",
        {
            "ScheduleExpression": "rate(5 minutes)",
            "Targets": Match.array_with(
                [Match.object_like({"Arn": {"Fn::GetAtt": [_logical(template, "sweep"), "Arn"]}})]
            ),
        },
    )
