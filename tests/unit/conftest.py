"""Unit tests use no network: no endpoint to the local stack, fake credentials (moto)."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _no_aws_endpoint(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
