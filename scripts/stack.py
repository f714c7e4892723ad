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
from typing import TYPE_CHECKING

from botocore.exceptions import ClientError

from scripts import localenv

if TYPE_CHECKING:
    from mypy_boto3_cloudformation import CloudFormationClient

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


def _clear_failed_stack() -> None:
    """A stack that failed its first create cannot be updated; delete it and start over."""
    status = _stack_status(localenv.STACK_NAME)
    if status not in {"ROLLBACK_COMPLETE", "ROLLBACK_FAILED", "CREATE_FAILED", "DELETE_FAILED"}:
        return
    print(f"{localenv.STACK_NAME} is {status}: deleting it before deploying again")
    _cloudformation().delete_stack(StackName=localenv.STACK_NAME)
    deadline = time.monotonic() + STACK_DELETE_DEADLINE_S
    while _stack_status(localenv.STACK_NAME) not in {None, "DELETE_COMPLETE"}:
        if time.monotonic() > deadline:
            raise SystemExit(f"{localenv.STACK_NAME} was not deleted in time")
        time.sleep(1)  # poll interval within the deadline


def _point_stage_at_current_deployment() -> None:
    """LocalStack 2026.3 leaves the stage on an old deployment when CDK replaces the deployment
    (we keep old ones locally, see constructs/api.py); point it at the stack's current one."""
    resources = _cloudformation().describe_stack_resources(StackName=localenv.STACK_NAME)
    current = [
        r["PhysicalResourceId"]
        for r in resources["StackResources"]
        if r["ResourceType"] == "AWS::ApiGateway::Deployment"
        # A replaced deployment we retain locally stays listed as DELETE_SKIPPED.
        and r.get("ResourceStatus") != "DELETE_SKIPPED"
    ]
    if len(current) != 1:
        raise SystemExit(f"expected one API deployment in the stack, found {current}")
    api_id = localenv.stack_outputs()["ApiId"]
    apigateway = localenv.client("apigateway")
    stage = apigateway.get_stage(restApiId=api_id, stageName=localenv.STAGE)
    if stage["deploymentId"] != current[0]:
        apigateway.update_stage(
            restApiId=api_id,
            stageName=localenv.STAGE,
            patchOperations=[{"op": "replace", "path": "/deploymentId", "value": current[0]}],
        )
        print(f"stage {localenv.STAGE} now serves deployment {current[0]}")


def _hotswap_flags() -> list[str]:
    """Once the stack exists, code-only changes update the functions directly (about twice as
    fast locally) and anything else falls back to CloudFormation. The first deployment always
    goes through CloudFormation: the CLI's hotswap path fails on a stack that does not exist."""
    if _stack_status(localenv.STACK_NAME) in {"CREATE_COMPLETE", "UPDATE_COMPLETE"}:
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


def deploy() -> None:
    _run([sys.executable, "layers/build.py"])
    _ensure_bootstrapped()
    _clear_failed_stack()
    _run(
        [
            CDKLOCAL,
            "deploy",
            localenv.STACK_NAME,
            "--require-approval",
            "never",
            "--outputs-file",
            str(localenv.OUTPUTS_FILE),
            "--progress",
            "events",
            *_hotswap_flags(),
            *localenv.CDK_CONTEXT,
        ]
    )
    _point_stage_at_current_deployment()
    _ensure_groq_secret()


def up() -> None:
    _run([sys.executable, "-m", "scripts.db", "ensure"])
    _run([sys.executable, "-m", "scripts.db", "migrate"])
    _run([*CTL, "start"])
    deploy()
    print(f"\nApiUrl: {localenv.stack_outputs()['ApiUrl']}")


def down() -> None:
    _run([*CTL, "stop"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("command", choices=["up", "deploy", "down"])
    command = parser.parse_args().command
    {"up": up, "deploy": deploy, "down": down}[command]()


if __name__ == "__main__":
    main()
