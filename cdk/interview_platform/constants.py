"""Names shared by the stack and the tests that look resources up."""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
# Matches layers/build.py: an isolated local stage has its own build directory.
_LOCAL_STAGE = os.environ.get("PLATFORM_LOCAL_STAGE", "local")
BUILD_DIR = REPO_ROOT / (".build" if _LOCAL_STAGE == "local" else f".build.{_LOCAL_STAGE}")
CODE_ASSET_DIR = BUILD_DIR / "code"  # one directory per context (layers/build.py)
DEPS_LAYER_DIR = BUILD_DIR / "layers" / "deps"
STATEMACHINES_DIR = REPO_ROOT / "statemachines"

SERVICE_NAME = "interview-platform"
METRICS_NAMESPACE = "InterviewPlatform"
STACK_NAME_PREFIX = "InterviewPlatform"
API_VERSION_PREFIX = "v1"

# Stack output keys: tests and scripts read these from cdk-outputs.json.
OUTPUT_API_URL = "ApiUrl"
OUTPUT_API_ID = "ApiId"
OUTPUT_MEDIA_BUCKET = "MediaBucketName"
OUTPUT_DB_SECRET_ARN = "DbSecretArn"  # noqa: S105 - an output name, not a secret
OUTPUT_HEALTH_FUNCTION = "HealthFunctionName"
OUTPUT_MIGRATE_FUNCTION = "MigrateFunctionName"
OUTPUT_DEPLOYMENT_ID = "ApiDeploymentId"
OUTPUT_WEB_URL = "WebUrl"

# The stacks, one per part of the platform. Their names are `<STACK_NAME_PREFIX>-<stage>-<part>`.
FOUNDATION = "Foundation"
API = "Api"
IDENTITY = "Identity"
INTERVIEWS = "Interviews"
CANDIDATE = "Candidate"
MEDIA = "Media"
ANALYSIS = "Analysis"
NOTIFICATIONS = "Notifications"
REPORTS = "Reports"
BILLING = "Billing"
SKILLS = "Skills"
API_DEPLOYMENT = "ApiDeployment"
STACK_PARTS = (
    FOUNDATION,
    API,
    IDENTITY,
    INTERVIEWS,
    CANDIDATE,
    MEDIA,
    ANALYSIS,
    NOTIFICATIONS,
    REPORTS,
    BILLING,
    SKILLS,
    API_DEPLOYMENT,
)
# CloudFormation allows 500 resources a stack; ours stay far below so each context can grow.
MAX_RESOURCES_PER_STACK = 200


def stack_name(stage: str, part: str) -> str:
    return f"{STACK_NAME_PREFIX}-{stage}-{part}"


def secret_name(stage: str, purpose: str) -> str:
    """A platform secret's fixed name (the JWT key ring, Groq's key)."""
    return f"interview-platform/{stage}/{purpose}"


def local_web_bucket_name(stage: str) -> str:
    """The local web app's bucket: a fixed name, because the page's origin (so CORS) names it."""
    return f"interview-web-{stage}"


def local_web_origin(stage: str, port: int) -> str:
    """The local web app's origin: LocalStack's S3 website endpoint under ``*.localhost``, which
    browsers resolve to the loopback without DNS (constructs/web.py)."""
    return f"http://{local_web_bucket_name(stage)}.s3-website.localhost:{port}"
