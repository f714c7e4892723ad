"""The local platform: bring it up (idempotent), deploy, tear down.

python -m scripts.stack up       PostgreSQL + LocalStack + migrations + deploy; prints ApiUrl
python -m scripts.stack deploy   build assets and deploy the CDK app onto LocalStack
python -m scripts.stack down     stop LocalStack (and every Lambda process it started)
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from scripts import localenv, web

if TYPE_CHECKING:
    from collections.abc import Mapping

    from mypy_boto3_cloudformation import CloudFormationClient
    from mypy_boto3_secretsmanager import SecretsManagerClient

CDKLOCAL = str(localenv.ROOT / "node_modules" / ".bin" / "cdklocal")
CTL = [sys.executable, str(localenv.ROOT / "localstack" / "ctl.py")]
STACK_DELETE_DEADLINE_S = 120.0


def _run(command: list[str]) -> None:
    subprocess.run(command, cwd=localenv.ROOT, env=localenv.local_env(), check=True)


def _cloudformation() -> CloudFormationClient:
    cloudformation: CloudFormationClient = localenv.client("cloudformation")
    return cloudformation


def _stack_status(name: str) -> str | None:
    try:
        stacks = _cloudformation().describe_stacks(StackName=name)["Stacks"]
    except ClientError:
        return None
    return str(stacks[0]["StackStatus"]) if stacks else None


def _ensure_bootstrapped() -> None:
    if _stack_status("CDKToolkit") in {"CREATE_COMPLETE", "UPDATE_COMPLETE"}:
        return
    _run(
        [
            CDKLOCAL,
            "bootstrap",
            f"aws://{localenv.ACCOUNT}/{localenv.REGION}",
            *localenv.CDK_CONTEXT,
        ]
    )


_FAILED = {"ROLLBACK_COMPLETE", "ROLLBACK_FAILED", "CREATE_FAILED", "DELETE_FAILED"}
_READY = {"CREATE_COMPLETE", "UPDATE_COMPLETE", "UPDATE_ROLLBACK_COMPLETE"}


def _platform_stacks() -> dict[str, str]:
    """Name -> status of every deployed stack of this stage (and the pre-split single stack)."""
    found: dict[str, str] = {}
    paginator = _cloudformation().get_paginator("describe_stacks")
    for page in paginator.paginate():
        for stack in page["Stacks"]:
            name = stack["StackName"]
            if name == localenv.STACK_NAME or name.startswith(f"{localenv.STACK_NAME}-"):
                found[name] = str(stack["StackStatus"])
    return {k: v for k, v in found.items() if v != "DELETE_COMPLETE"}


def _delete_and_wait(names: list[str], why: str) -> None:
    for name in names:
        print(f"{name}: {why}; deleting it before deploying")
        _cloudformation().delete_stack(StackName=name)
    deadline = time.monotonic() + STACK_DELETE_DEADLINE_S
    while set(names) & set(_platform_stacks()):
        if time.monotonic() > deadline:
            raise SystemExit(f"{names} were not deleted in time")
        time.sleep(1)  # poll interval within the deadline


def _clear_unusable_stacks() -> None:
    """A stack that failed its first create cannot be updated; the single stack of before the
    split (with nested stacks LocalStack cannot update) holds the names the new stacks take."""
    stacks = _platform_stacks()
    failed = [name for name, status in stacks.items() if status in _FAILED]
    if failed:
        _delete_and_wait(failed, "failed its create")
    if localenv.STACK_NAME in stacks:
        _delete_and_wait([localenv.STACK_NAME], "the single stack of before the split")


def _point_stage_at_current_deployment() -> None:
    """LocalStack 2026.3 leaves the stage on an old deployment when CDK replaces the deployment
    (we keep old ones locally, see stacks.py ApiDeploymentStack); point it at the current one."""
    outputs = localenv.stack_outputs()
    api_id, current = outputs["ApiId"], outputs["ApiDeploymentId"]
    apigateway = localenv.client("apigateway")
    stage = apigateway.get_stage(restApiId=api_id, stageName=localenv.STAGE)
    if stage["deploymentId"] != current:
        apigateway.update_stage(
            restApiId=api_id,
            stageName=localenv.STAGE,
            patchOperations=[{"op": "replace", "path": "/deploymentId", "value": current}],
        )
        print(f"stage {localenv.STAGE} now serves deployment {current}")


def _expected_stacks() -> set[str]:
    """Every stack the app defines (cdk/interview_platform/constants.py)."""
    sys.path.insert(0, str(localenv.ROOT / "cdk"))
    from interview_platform.constants import STACK_PARTS, stack_name  # noqa: PLC0415

    return {stack_name(localenv.STAGE, part) for part in STACK_PARTS}


def _hotswap_flags() -> list[str]:
    """Once every stack exists, code-only changes update the functions directly (about twice as
    fast locally) and anything else falls back to CloudFormation. While any stack is new (a
    first deployment, or a context added since) everything goes through CloudFormation: the
    CLI's hotswap path fails on a stack that does not exist."""
    stacks = _platform_stacks()
    ready = {name for name, status in stacks.items() if status in _READY}
    if _expected_stacks() <= ready:
        return ["--hotswap-fallback"]
    return []


def _ensure_groq_secret() -> None:
    """The media and analysis functions read Groq's key from this secret (issue 5). With
    GROQ_API_KEY set, it is written from it; otherwise an existing value (tests point it at the
    fake Groq) is kept, and a missing secret is created empty (the offline engines run).
    The key is never printed."""
    name = f"interview-platform/{localenv.STAGE}/groq"
    secrets = localenv.client("secretsmanager")
    key = os.environ.get("GROQ_API_KEY", "").strip()
    value = json.dumps({"api_key": key or None, "base_url": None})
    try:
        secrets.describe_secret(SecretId=name)
    except ClientError:
        secrets.create_secret(Name=name, SecretString=value)
        print(f"created {name} ({'from GROQ_API_KEY' if key else 'empty: offline engines'})")
        return
    if key:
        secrets.put_secret_value(SecretId=name, SecretString=value)
        print(f"updated {name} from GROQ_API_KEY")


# The operator's environment -> the Stripe secret's fields (shared/billing/config.py).
_STRIPE_ENV = {"secret_key": "STRIPE_SECRET_KEY", "webhook_secret": "STRIPE_WEBHOOK_SECRET"}
_STRIPE_PRICE_ENV = {"plus": "STRIPE_PRICE_PLUS", "pro": "STRIPE_PRICE_PRO"}


def stripe_secret_from_env(environ: Mapping[str, str]) -> dict[str, Any] | None:
    """The Stripe secret's value from STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET, STRIPE_PRICE_PLUS,
    STRIPE_PRICE_PRO and STRIPE_API_BASE (optional), or None when STRIPE_SECRET_KEY is unset."""
    values = {field: environ.get(var, "").strip() for field, var in _STRIPE_ENV.items()}
    if not values["secret_key"]:
        return None
    prices = {plan: environ.get(var, "").strip() for plan, var in _STRIPE_PRICE_ENV.items()}
    return {
        "secret_key": values["secret_key"],
        "webhook_secret": values["webhook_secret"] or None,
        "api_base": environ.get("STRIPE_API_BASE", "").strip() or None,
        "prices": {plan: price for plan, price in prices.items() if price},
    }


def ensure_stripe_secret(
    secrets: SecretsManagerClient, name: str, environ: Mapping[str, str]
) -> str:
    """Billing's functions read Stripe's keys from this secret (issue 18). With
    STRIPE_SECRET_KEY set it is written from the environment; otherwise an existing value (the
    e2e tests point it at the fake Stripe) is kept, and a missing secret is created empty (the
    no-billing mode). Returns what was done, for the log; the keys are never printed."""
    value = stripe_secret_from_env(environ)
    body = json.dumps(value if value is not None else {})
    try:
        secrets.describe_secret(SecretId=name)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") != "ResourceNotFoundException":
            raise
        secrets.create_secret(Name=name, SecretString=body)
        return "created from STRIPE_SECRET_KEY" if value else "created empty: no-billing mode"
    if value is None:
        return "kept"
    secrets.put_secret_value(SecretId=name, SecretString=body)
    return "updated from STRIPE_SECRET_KEY"


def _ensure_stripe_secret() -> None:
    name = f"interview-platform/{localenv.STAGE}/stripe"
    done = ensure_stripe_secret(localenv.client("secretsmanager"), name, os.environ)
    if done != "kept":
        print(f"{name}: {done}")
    value = stripe_secret_from_env(os.environ)
    if value is not None and not (value["webhook_secret"] and value["prices"]):
        # Without a webhook secret billing stays off (config.py); without prices no upgrade.
        print(
            "warning: STRIPE_WEBHOOK_SECRET and STRIPE_PRICE_PLUS/STRIPE_PRICE_PRO are needed "
            "too: billing stays in the no-billing mode without a webhook secret"
        )


def deploy() -> None:
    _run([sys.executable, "layers/build.py"])
    _ensure_bootstrapped()
    _clear_unusable_stacks()
    command = [
        CDKLOCAL,
        "deploy",
        # Every stack, in dependency order; CDK skips those whose template did not change.
        "--all",
        "--concurrency",
        "3",
        "--require-approval",
        "never",
        "--outputs-file",
        str(localenv.OUTPUTS_FILE),
        "--progress",
        "events",
        *localenv.CDK_CONTEXT,
    ]
    hotswap = _hotswap_flags()
    try:
        _run([*command, *hotswap])
    except subprocess.CalledProcessError:
        if not hotswap:
            raise
        # The CLI hotswaps a state machine's definition through Cloud Control, which
        # LocalStack's community edition lacks ("HotswapFailed"); --hotswap-fallback does not
        # catch that. Deploying again through CloudFormation does.
        print("hotswap deploy failed; deploying again through CloudFormation")
        _run(command)
    _point_stage_at_current_deployment()
    _ensure_groq_secret()
    _ensure_stripe_secret()
    _verify_sender()
    _reconcile_rules()
    _reconcile_bucket_cors()
    _configure_feedback()
    web.publish()


def _verify_sender() -> None:
    """LocalStack's ``AWS::SES::EmailIdentity`` is a stub that fails every create (its
    provider raises NotImplementedError), so the local stage has none and the sender is
    verified here, with SES's own ``VerifyEmailIdentity`` (LocalStack refuses mail from an
    unverified address, as SES does)."""
    sender = localenv.stack_outputs().get("NotificationsSender")
    if sender:
        localenv.client("ses").verify_email_identity(EmailAddress=sender)


def _reconcile_rules() -> None:
    """LocalStack's ``AWS::Events::Rule`` cannot be updated (its provider's ``update`` raises
    NotImplementedError, and the stack still reports UPDATE_COMPLETE), so a changed event
    pattern or schedule never reaches a rule that already exists. After every deploy, each
    rule of the synthesized templates is compared with the live one and put again where they
    differ (the rule's name, bus, state and targets are kept)."""
    cfn = localenv.client("cloudformation")
    events = localenv.client("events")
    for path in sorted(localenv.CDK_OUT.glob(f"{localenv.STACK_NAME}-*.template.json")):
        template = json.loads(path.read_text())
        rules = {
            logical: resource["Properties"]
            for logical, resource in template.get("Resources", {}).items()
            if resource.get("Type") == "AWS::Events::Rule"
        }
        if not rules:
            continue
        stack = path.name.removesuffix(".template.json")
        physical = {
            r["LogicalResourceId"]: r.get("PhysicalResourceId", "")
            for r in cfn.describe_stack_resources(StackName=stack)["StackResources"]
        }
        for logical, props in rules.items():
            name = physical.get(logical, "").split("|")[-1]
            if not name:
                continue
            wanted = {k: props[k] for k in ("EventPattern", "ScheduleExpression") if k in props}
            resolved = _resolved(wanted, physical, _exports(cfn))
            if resolved is None:
                print(f"rule {name}: its template has intrinsics we cannot resolve; left as is")
                continue
            _reconcile_rule(events, name, resolved)
            _reconcile_target_inputs(events, name, props.get("Targets", []))


# CloudFormation's CorsRule keys -> S3's PutBucketCors keys.
_CORS_KEYS = {
    "AllowedHeaders": "AllowedHeaders",
    "AllowedMethods": "AllowedMethods",
    "AllowedOrigins": "AllowedOrigins",
    "ExposedHeaders": "ExposeHeaders",
    "MaxAge": "MaxAgeSeconds",
}


def _reconcile_bucket_cors() -> None:
    """LocalStack's stack update leaves an existing bucket's CORS rules as they were (seen when
    the web app's origin replaced http://localhost:5173: the stack said UPDATE_COMPLETE, the
    bucket kept the old origin, and every browser upload failed). After every deploy, each
    bucket's CORS rules of the synthesized templates are put on the live bucket."""
    cfn = localenv.client("cloudformation")
    s3 = localenv.client("s3")
    for path in sorted(localenv.CDK_OUT.glob(f"{localenv.STACK_NAME}-*.template.json")):
        template = json.loads(path.read_text())
        buckets = {
            logical: resource["Properties"]["CorsConfiguration"]["CorsRules"]
            for logical, resource in template.get("Resources", {}).items()
            if resource.get("Type") == "AWS::S3::Bucket"
            and "CorsConfiguration" in resource.get("Properties", {})
        }
        if not buckets:
            continue
        stack = path.name.removesuffix(".template.json")
        physical = {
            r["LogicalResourceId"]: r.get("PhysicalResourceId", "")
            for r in cfn.describe_stack_resources(StackName=stack)["StackResources"]
        }
        for logical, rules in buckets.items():
            name = physical.get(logical)
            wanted = [
                {_CORS_KEYS[k]: v for k, v in rule.items() if k in _CORS_KEYS} for rule in rules
            ]
            if name and not any(isinstance(v, dict) for r in wanted for v in r.values()):
                s3.put_bucket_cors(Bucket=name, CORSConfiguration={"CORSRules": wanted})
                origins = sorted({o for r in wanted for o in r.get("AllowedOrigins", [])})
                print(f"bucket {name}: CORS for {origins}")


def _exports(cfn: Any) -> dict[str, str]:
    found: dict[str, str] = {}
    for page in cfn.get_paginator("list_exports").paginate():
        found.update({e["Name"]: e["Value"] for e in page["Exports"]})
    return found


def _resolved(node: Any, physical: dict[str, str], exports: dict[str, str]) -> Any:
    """The template fragment with ``Fn::ImportValue`` (of a plain name) and ``Ref`` (of one of
    the stack's resources) replaced by their values; None when another intrinsic is left (a
    pattern must never be put with an unresolved intrinsic in it: it would match nothing)."""
    if isinstance(node, dict):
        if len(node) == 1 and (next(iter(node)) == "Ref" or next(iter(node)).startswith("Fn::")):
            return _intrinsic(node, physical, exports)
        out = {}
        for key, value in node.items():
            resolved = _resolved(value, physical, exports)
            if resolved is None and value is not None:
                return None
            out[key] = resolved
        return out
    if isinstance(node, list):
        items = [_resolved(item, physical, exports) for item in node]
        return None if any(i is None for i in items) else items
    return node


def _intrinsic(node: dict[str, Any], physical: dict[str, str], exports: dict[str, str]) -> Any:
    ((key, value),) = node.items()
    if not isinstance(value, str):
        return None
    if key == "Fn::ImportValue":
        return exports.get(value)
    if key == "Ref":
        return physical.get(value)
    return None


def _reconcile_rule(events: Any, name: str, props: dict[str, Any]) -> None:
    wanted_pattern = props.get("EventPattern")
    wanted_schedule = props.get("ScheduleExpression")
    for bus in _buses(events):
        try:
            live = events.describe_rule(Name=name, EventBusName=bus)
        except events.exceptions.ResourceNotFoundException:
            continue
        live_pattern = json.loads(live["EventPattern"]) if live.get("EventPattern") else None
        pattern_ok = not isinstance(wanted_pattern, dict) or live_pattern == wanted_pattern
        schedule_ok = not isinstance(wanted_schedule, str) or (
            live.get("ScheduleExpression") == wanted_schedule
        )
        if pattern_ok and schedule_ok:
            return
        change: dict[str, Any] = {"Name": name, "EventBusName": bus, "State": live["State"]}
        if isinstance(wanted_pattern, dict):
            change["EventPattern"] = json.dumps(wanted_pattern)
        if isinstance(wanted_schedule, str):
            change["ScheduleExpression"] = wanted_schedule
        events.put_rule(**change)
        print(f"rule {name}: applied the template's pattern/schedule (LocalStack skips updates)")
        return


# What a target hands on (one of them at most); the rest of a live target (its ARN, role, DLQ,
# retry policy) is kept as the stack made it.
_TARGET_INPUTS = ("Input", "InputPath", "InputTransformer")


def _reconcile_target_inputs(events: Any, name: str, wanted: list[dict[str, Any]]) -> None:
    """The same skipped update for a rule's targets: a target whose input (InputPath, Input or
    InputTransformer) changed in the template gets it on the live rule."""
    by_id = {t["Id"]: t for t in wanted if isinstance(t, dict) and isinstance(t.get("Id"), str)}
    for bus in _buses(events):
        try:
            live = events.list_targets_by_rule(Rule=name, EventBusName=bus)["Targets"]
        except events.exceptions.ResourceNotFoundException:
            continue
        changed = []
        for target in live:
            template = by_id.get(target["Id"])
            if template is None:
                continue
            inputs = {k: template[k] for k in _TARGET_INPUTS if k in template}
            if any(not isinstance(v, str | dict) for v in inputs.values()):
                continue  # an intrinsic in the input: left as the stack made it
            if inputs != {k: target[k] for k in _TARGET_INPUTS if k in target}:
                changed.append({
                    **{k: v for k, v in target.items() if k not in _TARGET_INPUTS},
                    **inputs,
                })  # fmt: skip
        if changed:
            events.put_targets(Rule=name, EventBusName=bus, Targets=changed)
            print(f"rule {name}: applied the template's target input (LocalStack skips updates)")
        return


def _buses(events: Any) -> list[str]:
    return [b["Name"] for b in events.list_event_buses()["EventBuses"]]


FEEDBACK_DESTINATION = "feedback-topic"
# As the CDK construct's FEEDBACK_EVENTS (cdk/interview_platform/constructs/notifications.py).
FEEDBACK_EVENT_TYPES = ("bounce", "complaint", "delivery", "reject")


def _configure_feedback() -> None:
    """CloudFormation on LocalStack has no ``AWS::SES::ConfigurationSet`` (unsupported types
    are skipped silently), so the configuration set the mail is sent with, and its event
    destination to the feedback topic, are made here through SES's API, as in AWS the stack
    does; idempotently (a destination to another topic, from an earlier stack, is replaced)."""
    outputs = localenv.stack_outputs()
    name, topic = (
        outputs.get("NotificationsConfigurationSet"),
        outputs.get("NotificationsFeedbackTopicArn"),
    )
    if not name or not topic:
        return
    ses = localenv.client("ses")
    try:
        found = ses.describe_configuration_set(
            ConfigurationSetName=name, ConfigurationSetAttributeNames=["eventDestinations"]
        )
    except ses.exceptions.ConfigurationSetDoesNotExistException:
        ses.create_configuration_set(ConfigurationSet={"Name": name})
        found = {}
    wanted = {
        "Name": FEEDBACK_DESTINATION,
        "Enabled": True,
        "MatchingEventTypes": list(FEEDBACK_EVENT_TYPES),
        "SNSDestination": {"TopicARN": topic},
    }
    existing = [d for d in found.get("EventDestinations") or [] if d]
    for destination in existing:
        same = (
            destination.get("Name") == FEEDBACK_DESTINATION
            and destination.get("SNSDestination", {}).get("TopicARN") == topic
            and sorted(destination.get("MatchingEventTypes") or []) == sorted(FEEDBACK_EVENT_TYPES)
            and destination.get("Enabled") is True
        )
        if same:
            return
        ses.delete_configuration_set_event_destination(
            ConfigurationSetName=name, EventDestinationName=destination["Name"]
        )
    ses.create_configuration_set_event_destination(
        ConfigurationSetName=name, EventDestination=wanted
    )
    print(f"SES configuration set {name}: feedback to {topic}")


def up() -> None:
    _run([sys.executable, "-m", "scripts.db", "ensure"])
    _run([sys.executable, "-m", "scripts.db", "migrate"])
    _run([*CTL, "start"])
    deploy()
    outputs = localenv.stack_outputs()
    print(f"\nApiUrl: {outputs['ApiUrl']}\nWebUrl: {outputs['WebUrl']}")


def down() -> None:
    _run([*CTL, "stop"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("command", choices=["up", "deploy", "down"])
    command = parser.parse_args().command
    {"up": up, "deploy": deploy, "down": down}[command]()


if __name__ == "__main__":
    main()
