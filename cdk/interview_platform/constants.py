"""Names shared by the stack and the tests that look resources up."""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
# Matches layers/build.py: an isolated local stage has its own build directory.
_LOCAL_STAGE = os.environ.get("PLATFORM_LOCAL_STAGE", "local")
BUILD_DIR = REPO_ROOT / (".build" if _LOCAL_STAGE == "local" else f".build.{_LOCAL_STAGE}")
CODE_ASSET_DIR = BUILD_DIR / "code"
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
