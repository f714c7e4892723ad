"""The media pipeline's infrastructure: bucket -> EventBridge -> state machine, functions sized
for ffmpeg with their layers, least-privilege grants, the HR routes, and the ASL's guarantees."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aws_cdk.assertions import Match, Template
from interview_platform import asl
from interview_platform import constants as c
from interview_platform.constants import STATEMACHINES_DIR

from tests.infrastructure.conftest import AWS_CONTEXT, merged, synth_stacks

DEFINITION = STATEMACHINES_DIR / "media_pipeline.asl.json"
ASL = json.loads(asl.render(DEFINITION))
STEP_HANDLERS = {
    "register", "validate", "transcode", "thumbnail", "transcribe", "store", "mark_failed",
}  # fmt: skip


@pytest.fixture(scope="module")
def templates(local_stacks: dict[str, Template]) -> list[Template]:
    return list(local_stacks.values())


@pytest.fixture(scope="module")
def template(local_template: Template) -> Template:
    """The whole platform (bucket, HR routes)."""
    return local_template


@pytest.fixture(scope="module")
def workflow(local_stacks: dict[str, Template]) -> Template:
    """The media context's stack (steps, layers, state machine, rule)."""
    return local_stacks[c.MEDIA]


def _function(template: Template, module: str) -> dict[str, Any]:
    found = template.find_resources(
        "AWS::Lambda::Function",
        {"Properties": {"Handler": f"functions.media.{module}.handler.handler"}},
    )
    assert len(found) == 1, module
    return next(iter(found.values()))["Properties"]


def _tasks(states: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    found: list[tuple[str, dict[str, Any]]] = []
    for name, state in states.items():
        if state["Type"] == "Task":
            found.append((name, state))
        for branch in state.get("Branches", []):
            found.extend(_tasks(branch["States"]))
    return found


def test_every_step_is_its_own_function(workflow: Template) -> None:
    for module in STEP_HANDLERS:
        _function(workflow, module)


def test_the_transcode_function_is_sized_for_ffmpeg_with_its_layer(workflow: Template) -> None:
    props = _function(workflow, "transcode")
    assert props["MemorySize"] >= 3008
    assert props["Timeout"] >= 600
    assert props["EphemeralStorage"] == {"Size": 4096}
    assert len(props["Layers"]) == 2  # dependencies + ffmpeg
    assert int(props["Environment"]["Variables"]["MEDIA_FFMPEG_TIMEOUT_S"]) < props["Timeout"]
    layers = workflow.find_resources(
        "AWS::Lambda::LayerVersion",
        {"Properties": {"Description": Match.string_like_regexp("ffmpeg")}},
    )
    assert len(layers) == 1


def test_only_the_transcribe_step_reads_the_groq_secret(workflow: Template) -> None:
    props = _function(workflow, "transcribe")
    assert props["Environment"]["Variables"]["GROQ_SECRET_NAME"] == "interview-platform/local/groq"
    assert "GROQ_SECRET_NAME" not in _function(workflow, "transcode")["Environment"]["Variables"]


def test_the_bucket_sends_events_to_eventbridge_and_expires_raw_and_tmp(template: Template) -> None:
    template.has_resource_properties(
        "AWS::S3::Bucket",
        {
            "NotificationConfiguration": {"EventBridgeConfiguration": {"EventBridgeEnabled": True}},
            "LifecycleConfiguration": {
                "Rules": Match.array_with(
                    [
                        Match.object_like({"Prefix": "raw/", "ExpirationInDays": 30}),
                        Match.object_like({"Prefix": "tmp/", "ExpirationInDays": 1}),
                    ]
                )
            },
        },
    )


def test_a_rule_on_raw_uploads_starts_the_state_machine(workflow: Template) -> None:
    workflow.has_resource_properties(
        "AWS::Events::Rule",
        {
            "EventPattern": {
                "source": ["aws.s3"],
                "detail-type": ["Object Created"],
                "detail": {"object": {"key": [{"prefix": "raw/"}]}, "bucket": Match.any_value()},
            },
            "Targets": [
                Match.object_like({"Arn": {"Ref": Match.string_like_regexp("StateMachine")}})
            ],
        },
    )


def test_the_state_machine_comes_from_the_file_with_only_arns_substituted(
    workflow: Template,
) -> None:
    machines = workflow.find_resources("AWS::StepFunctions::StateMachine")
    [machine] = machines.values()
    assert machine["Properties"]["DefinitionString"] == asl.render(DEFINITION)
    substitutions = machine["Properties"]["DefinitionSubstitutions"]
    assert set(substitutions) == {f"{n}FunctionArn" for n in (
        "Register", "Validate", "Transcode", "Thumbnail", "Transcribe", "Store",
        "MarkFailed")}  # fmt: skip
    assert all("Fn::GetAtt" in value for value in substitutions.values())


def test_every_task_has_a_timeout_and_explicit_retries_and_failures_are_caught() -> None:
    for name, task in _tasks(ASL["States"]):
        assert 0 < task["TimeoutSeconds"] <= 900, name
        for retry in task["Retry"]:
            assert "States.ALL" not in retry["ErrorEquals"], name
            # A database outage is waited out longer (about 1.5 minutes); anything else briefly.
            limit = 12 if retry["ErrorEquals"] == ["DependencyUnavailable"] else 4
            assert retry["MaxAttempts"] <= limit, name
    catches = {name: state["Catch"] for name, state in ASL["States"].items() if "Catch" in state}
    assert set(catches) == {"Register", "ProbeAndValidate", "ProcessMedia", "Store", "MarkFailed"}
    for name, catch in catches.items():
        if name != "MarkFailed":
            assert catch == [
                {
                    "ErrorEquals": ["DependencyUnavailable"],
                    "ResultPath": "$.error",
                    "Next": "LeftForTheSweep",
                },
                {"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "MarkFailed"},
            ]
    # Inside the parallel state only the playback branches catch (their own errors, returned);
    # the transcript branch's failures fail the parallel state, caught above.
    parallel = ASL["States"]["ProcessMedia"]
    assert parallel["Type"] == "Parallel"
    assert len(parallel["Branches"]) == 3
    inner = {
        name for b in parallel["Branches"] for name, st in b["States"].items() if "Catch" in st
    }
    assert inner == {"TranscodeMp4", "Thumbnail"}
    assert ASL["States"]["Failed"]["Type"] == "Fail"
    assert ASL["TimeoutSeconds"] <= 3600
    [transcribe] = [task for name, task in _tasks(ASL["States"]) if name == "Transcribe"]
    transcribe_retries = {e for r in transcribe["Retry"] for e in r["ErrorEquals"]}
    assert {"TranscriptionRateLimited", "TranscriptionUnavailable"} <= transcribe_retries


def test_a_database_outage_is_retried_with_backoff_in_every_step_and_mark_failed() -> None:
    # Given the database is down, every step (MarkFailed included) raises DependencyUnavailable
    for name, task in _tasks(ASL["States"]):
        retriers = [r for r in task["Retry"] if "DependencyUnavailable" in r["ErrorEquals"]]
        assert retriers, name
        retry = retriers[0]
        # Then it is retried for about a minute, with backoff and jitter
        assert retry["MaxAttempts"] >= 6, name
        assert retry["BackoffRate"] > 1, name
        assert retry["JitterStrategy"] == "FULL", name
        assert retry["IntervalSeconds"] * retry["MaxAttempts"] >= 10, name


def test_a_database_outage_past_every_retry_leaves_the_media_unfinished_for_the_sweep() -> None:
    # Given a step that ran out of retries with PostgreSQL still down
    for name in ("Register", "ProbeAndValidate", "ProcessMedia", "Store"):
        [first, *_] = ASL["States"][name]["Catch"]
        # Then it is caught before the catch-all, so MarkFailed never fails the answer for it
        assert first["ErrorEquals"] == ["DependencyUnavailable"], name
        left = ASL["States"][first["Next"]]
        # And the execution ends failed, without a state that writes: the asset stays
        # unfinished (or unregistered) and the media sweep re-drives it once the execution ended
        assert left["Type"] == "Fail", name
        assert left["Error"] == "DependencyUnavailable"
        assert "sweep" in left["Cause"]


def test_the_execution_ends_even_when_mark_failed_cannot_record_the_failure() -> None:
    # Given MarkFailed ran out of retries (the database is still down)
    mark_failed = ASL["States"]["MarkFailed"]
    catch = mark_failed["Catch"]
    # Then the execution still ends, failed, without touching the database again
    assert [c["ErrorEquals"] for c in catch] == [["States.ALL"]]
    assert "ResultPath" in catch[0]
    assert catch[0]["ResultPath"] != "$"
    unrecorded = ASL["States"][catch[0]["Next"]]
    assert unrecorded["Type"] == "Fail"
    assert unrecorded["Error"] == "MediaFailureNotRecorded"


def test_hr_routes_exist_for_reading_and_erasing_media(templates: list[Template]) -> None:
    methods = [
        props["Properties"]
        for t in templates
        for props in t.find_resources("AWS::ApiGateway::Method").values()
    ]
    resources = [
        props["Properties"]
        for t in templates
        for props in t.find_resources("AWS::ApiGateway::Resource").values()
    ]
    assert any(r["PathPart"] == "media" for r in resources)
    uris = [json.dumps(m.get("Integration", {})) for m in methods]
    assert any("MediaInvitationMedia" in u for u in uris)
    assert any("MediaDeleteInvitationMedia" in u for u in uris)


def test_the_delete_function_may_only_list_and_delete_media_prefixes(template: Template) -> None:
    policies = template.find_resources("AWS::IAM::Policy")
    mine = [
        p
        for name, p in policies.items()
        if name.startswith("MediaFunctionsMediaDeleteInvitationMedia")
    ]
    statements = json.dumps(mine)
    assert "s3:ListBucketVersions" in statements
    assert "s3:prefix" in statements
    assert "s3:PutObject" not in statements


def _bucket_grants(template: Template, module: str) -> str:
    """The S3 statements of a step function's role, as JSON text."""
    found = template.find_resources(
        "AWS::Lambda::Function",
        {"Properties": {"Handler": f"functions.media.{module}.handler.handler"}},
    )
    [fn] = found.values()
    role = fn["Properties"]["Role"]["Fn::GetAtt"][0]
    return json.dumps(
        [
            s
            for p in template.find_resources("AWS::IAM::Policy").values()
            if {"Ref": role} in p["Properties"]["Roles"]
            for s in p["Properties"]["PolicyDocument"]["Statement"]
            if any(str(a).startswith("s3:") for a in _actions(s))
        ]
    )


def _actions(statement: dict[str, Any]) -> list[str]:
    actions = statement["Action"]
    return actions if isinstance(actions, list) else [actions]


def test_transcribe_reads_the_upload_writes_only_tmp_and_store_reads_nothing_of_the_bucket(
    workflow: Template,
) -> None:
    # Transcribe is the whole transcript path: it reads the upload under raw/, keeps the WAV
    # under tmp/ and writes nothing else; Store, after the parallel state, finds the transcript
    # in the database and needs no object at all.
    transcript = json.loads(_bucket_grants(workflow, "transcribe"))
    reads = [s for s in transcript if "s3:GetObject*" in _actions(s)]
    writes = [s for s in transcript if any(a.startswith("s3:PutObject") for a in _actions(s))]
    assert reads, transcript
    assert writes, transcript
    assert all("/raw/*" in json.dumps(s["Resource"]) for s in reads)
    assert all("/tmp/*" in json.dumps(s["Resource"]) for s in writes)
    assert "/media/*" not in json.dumps(transcript)
    assert _bucket_grants(workflow, "store") == "[]"


def test_the_aws_synth_has_the_pipeline_too() -> None:
    templates = [merged(synth_stacks(AWS_CONTEXT))]
    assert any(
        t.find_resources(
            "AWS::Lambda::Function",
            {"Properties": {"Handler": "functions.media.transcode.handler.handler"}},
        )
        for t in templates
    )


def test_the_media_sweep_runs_every_minute_and_may_only_start_and_describe_the_pipeline(
    workflow: Template,
) -> None:
    found = workflow.find_resources(
        "AWS::Lambda::Function",
        {"Properties": {"Handler": "functions.media.sweep.handler.handler"}},
    )
    assert len(found) == 1
    [(name, fn)] = found.items()
    env = fn["Properties"]["Environment"]["Variables"]
    assert "MEDIA_STATE_MACHINE_ARN" in env
    workflow.has_resource_properties(
        "AWS::Events::Rule",
        {
            "ScheduleExpression": "rate(1 minute)",
            "Targets": [Match.object_like({"Arn": {"Fn::GetAtt": [name, "Arn"]}})],
        },
    )
    role = fn["Properties"]["Role"]["Fn::GetAtt"][0]
    statements = json.dumps(
        [
            s
            for p in workflow.find_resources("AWS::IAM::Policy").values()
            if {"Ref": role} in p["Properties"]["Roles"]
            for s in p["Properties"]["PolicyDocument"]["Statement"]
        ]
    )
    assert "states:StartExecution" in statements
    assert ":execution:interview-platform-local-media-pipeline:*" in statements
    assert "states:StopExecution" not in statements
    assert "s3:PutObject" not in statements
    assert "s3:DeleteObject" not in statements
    assert "MediaSweepFunctionName" in workflow.find_outputs("*")
