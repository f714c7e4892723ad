"""The health Lambda, called in-process with an API Gateway event, against real dependencies."""

from __future__ import annotations

import importlib
import json
from types import ModuleType

import pytest

from shared.dal import aws, db
from shared.settings import get_database_settings, get_platform_settings
from tests.builders import FakeLambdaContext, apigw_rest_event


def _load_handler(monkeypatch: pytest.MonkeyPatch, **env: str) -> ModuleType:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    # Settings and clients are cached per process (as in Lambda); a test is a new "process".
    for cached in (get_platform_settings, get_database_settings, db.get_pool, aws.s3_client):
        cached.cache_clear()
    import functions.platform.health.handler as module

    return importlib.reload(module)


@pytest.fixture(autouse=True)
def _fresh_caches() -> None:
    yield
    for cached in (get_platform_settings, get_database_settings, db.get_pool, aws.s3_client):
        cached.cache_clear()


def test_reachable_dependencies_answer_200_ok(monkeypatch: pytest.MonkeyPatch, bucket: str) -> None:
    module = _load_handler(
        monkeypatch, PLATFORM_MEDIA_BUCKET=bucket, DB_NAME="postgres", PLATFORM_STAGE="itest"
    )

    response = module.handler(apigw_rest_event(), FakeLambdaContext())

    assert response["statusCode"] == 200
    body = json.loads(response["body"])
    assert body["status"] == "ok"
    assert body["stage"] == "itest"
    assert body["checks"]["postgres"]["ok"] is True
    assert body["checks"]["s3"]["ok"] is True
    assert response["headers"]["x-correlation-id"] == "sample-correlation-id"


def test_missing_bucket_answers_503_degraded(monkeypatch: pytest.MonkeyPatch) -> None:
    module = _load_handler(
        monkeypatch, PLATFORM_MEDIA_BUCKET="no-such-bucket-itest", DB_NAME="postgres"
    )

    response = module.handler(apigw_rest_event(), FakeLambdaContext())

    assert response["statusCode"] == 503
    body = json.loads(response["body"])
    assert body["status"] == "degraded"
    assert body["checks"]["postgres"]["ok"] is True
    assert body["checks"]["s3"]["ok"] is False
    # The route is public: the bucket's name and S3's error text stay in the log.
    assert body["checks"]["s3"]["detail"] == "unreachable"
    assert "no-such-bucket-itest" not in response["body"]


def test_unreachable_database_answers_503(monkeypatch: pytest.MonkeyPatch, bucket: str) -> None:
    module = _load_handler(
        monkeypatch, PLATFORM_MEDIA_BUCKET=bucket, DB_PORT="1", DB_CONNECT_TIMEOUT_S="1"
    )

    response = module.handler(apigw_rest_event(), FakeLambdaContext())

    assert response["statusCode"] == 503
    assert json.loads(response["body"])["checks"]["postgres"]["ok"] is False


def test_unknown_path_in_the_function_is_404_problem(
    monkeypatch: pytest.MonkeyPatch, bucket: str
) -> None:
    module = _load_handler(monkeypatch, PLATFORM_MEDIA_BUCKET=bucket)

    response = module.handler(apigw_rest_event(path="/v1/other"), FakeLambdaContext())

    assert response["statusCode"] == 404
    assert response["headers"]["content-type"] == "application/problem+json"
    # API Gateway passes the body through as is: it must be text, not base64.
    assert response["isBase64Encoded"] is False
    assert json.loads(response["body"])["status"] == 404
