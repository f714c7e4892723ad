"""The environment every local tool (cdklocal, tests, benchmarks) uses to reach LocalStack."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import boto3

ROOT = Path(__file__).resolve().parents[1]
# A second, isolated local platform (another port, stage and database) can run beside the
# default one: LOCALSTACK_PORT, LOCALSTACK_STATE_DIR, PLATFORM_LOCAL_STAGE, DB_NAME and
# DB_PORT (another PostgreSQL cluster).
PORT = int(os.environ.get("LOCALSTACK_PORT", "4566"))
ENDPOINT = f"http://127.0.0.1:{PORT}"
ACCOUNT = "000000000000"
REGION = "us-east-1"
STAGE = os.environ.get("PLATFORM_LOCAL_STAGE", "local")
DB_NAME = os.environ.get("DB_NAME", "interview")
DB_PORT = int(os.environ.get("DB_PORT", "5432"))
# Every stack's name starts with this (`InterviewPlatform-<stage>-<part>`, cdk/.../stacks.py).
STACK_NAME = f"InterviewPlatform-{STAGE}"
_DEFAULT = STAGE == "local"
OUTPUTS_FILE = ROOT / ("cdk-outputs.json" if _DEFAULT else f"cdk-outputs.{STAGE}.json")
CDK_OUT = ROOT / ("cdk.out" if _DEFAULT else f"cdk.out.{STAGE}")
CDK_CONTEXT = [
    "-c",
    f"stage={STAGE}",
    "-c",
    f"localEndpoint={ENDPOINT}",
    "-c",
    f"localDbName={DB_NAME}",
    "-c",
    f"localDbPort={DB_PORT}",
    "--output",
    str(CDK_OUT),
    # Opt-in extra context for local deploys, e.g. CDK_EXTRA_CONTEXT="analysisMaxConcurrency=2".
    *(arg for pair in os.environ.get("CDK_EXTRA_CONTEXT", "").split() for arg in ("-c", pair)),
]

AWS_ENV = {
    "AWS_ENDPOINT_URL": ENDPOINT,
    "AWS_ENDPOINT_URL_S3": ENDPOINT,
    "AWS_ACCESS_KEY_ID": "test",
    "AWS_SECRET_ACCESS_KEY": "test",
    "AWS_DEFAULT_REGION": REGION,
    "AWS_REGION": REGION,
    "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "1",
    "JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION": "1",
    "CDK_DISABLE_CLI_TELEMETRY": "1",
    "CDK_DISABLE_VERSION_CHECK": "1",
}


def local_env() -> dict[str, str]:
    return {**os.environ, **AWS_ENV}


def stack_names() -> list[str]:
    """The platform's deployed stacks, as `cdklocal deploy --outputs-file` recorded them."""
    data = json.loads(OUTPUTS_FILE.read_text(encoding="utf-8"))
    return sorted(name for name in data if name.startswith(f"{STACK_NAME}-"))


def stack_outputs() -> dict[str, str]:
    """Every stack's outputs in one mapping (output names are unique across the stacks)."""
    data = json.loads(OUTPUTS_FILE.read_text(encoding="utf-8"))
    outputs: dict[str, str] = {}
    for name, values in data.items():
        if name.startswith(f"{STACK_NAME}-"):
            outputs.update(values)
    return outputs


def web_origin() -> str:
    """The deployed web app's origin (the stack output WebUrl without its path): the one origin
    the API's CORS and the media bucket allow."""
    url = stack_outputs()["WebUrl"]
    scheme, _, rest = url.partition("://")
    return f"{scheme}://{rest.split('/', 1)[0]}"


def client(service: str, endpoint: str = ENDPOINT) -> Any:
    """A boto3 client for LocalStack (fixed test credentials)."""
    return boto3.client(  # type: ignore[call-overload]
        service,
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id="test",
        aws_secret_access_key="test",  # noqa: S106 - LocalStack's fixed test credentials
    )
