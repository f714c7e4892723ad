"""Database connection settings resolve from a Secrets Manager secret (RDS format) in AWS."""

from __future__ import annotations

import json
from collections.abc import Iterator

import boto3
import pytest
from moto import mock_aws
from psycopg.conninfo import conninfo_to_dict
from pydantic import ValidationError

from shared.dal.db import conninfo_for
from shared.settings import DatabaseSettings


@pytest.fixture
def secrets() -> Iterator[object]:
    with mock_aws():
        yield boto3.client(
            "secretsmanager",
            region_name="us-east-1",
            aws_access_key_id="test",
            aws_secret_access_key="test",
        )


def test_secret_wins_over_plain_settings(secrets: object) -> None:
    arn = secrets.create_secret(  # type: ignore[attr-defined]
        Name="db",
        SecretString=json.dumps(
            {
                "host": "db.internal",
                "port": 6432,
                "username": "app",
                "password": "pw",
                "dbname": "interview",
            }
        ),
    )["ARN"]
    settings = DatabaseSettings(secret_arn=arn, host="ignored")

    params = conninfo_to_dict(conninfo_for(settings, secrets))  # type: ignore[arg-type]

    assert params["host"] == "db.internal"
    assert params["port"] == "6432"
    assert params["user"] == "app"
    assert params["password"] == "pw"
    assert params["dbname"] == "interview"


def test_malformed_secret_is_refused(secrets: object) -> None:
    arn = secrets.create_secret(  # type: ignore[attr-defined]
        Name="broken", SecretString=json.dumps({"host": "x"})
    )["ARN"]

    with pytest.raises(ValidationError):
        conninfo_for(DatabaseSettings(secret_arn=arn), secrets)  # type: ignore[arg-type]


def test_plain_settings_without_password_omit_it() -> None:
    params = conninfo_to_dict(conninfo_for(DatabaseSettings(secret_arn=None, name="x")))

    assert params["dbname"] == "x"
    assert "password" not in params


def test_in_aws_the_proxy_host_replaces_the_host_the_secret_names(secrets: object) -> None:
    # Given the cluster's secret (its host is the cluster endpoint) and RDS Proxy's endpoint
    secret = {"host": "cluster.internal", "username": "platform", "password": "pw"}
    arn = secrets.create_secret(  # type: ignore[attr-defined]
        Name="cluster", SecretString=json.dumps({**secret, "dbname": "interview"})
    )["ARN"]
    settings = DatabaseSettings(secret_arn=arn, proxy_host="proxy.internal", sslmode="require")

    # When the connection string is built
    parts = conninfo_to_dict(conninfo_for(settings, secrets))  # type: ignore[arg-type]

    # Then functions reach the proxy, with TLS, as the secret's user
    assert parts["host"] == "proxy.internal"
    assert parts["sslmode"] == "require"
    assert parts["user"] == "platform"
