"""Names shared by the stack and the tests that look resources up."""

from __future__ import annotations

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
BUILD_DIR = REPO_ROOT / ".build"
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
