"""Settings are validated once; bad configuration fails at cold start, not mid-request."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from shared.settings import DatabaseSettings, PlatformSettings


def test_defaults_describe_the_local_database(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("DB_HOST", "DB_PORT", "DB_NAME", "DB_USER", "DB_SECRET_ARN"):
        monkeypatch.delenv(name, raising=False)

    settings = DatabaseSettings()

    assert (settings.host, settings.port, settings.name, settings.user) == (
        "127.0.0.1",
        5432,
        "interview",
        "postgres",
    )


def test_environment_overrides_and_is_validated(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DB_PORT", "70000")

    with pytest.raises(ValidationError, match="port"):
        DatabaseSettings()


def test_password_never_prints(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DB_PASSWORD", "hunter2-secret")

    settings = DatabaseSettings()

    assert "hunter2-secret" not in repr(settings)
    assert "hunter2-secret" not in str(settings.model_dump())


def test_wildcard_cors_origin_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLATFORM_FRONTEND_ORIGIN", "*")

    with pytest.raises(ValidationError, match="wildcard"):
        PlatformSettings()


def test_stage_must_be_a_slug(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLATFORM_STAGE", "Prod Stage")

    with pytest.raises(ValidationError, match="stage"):
        PlatformSettings()
