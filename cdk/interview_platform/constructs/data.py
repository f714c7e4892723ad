"""The system of record's connection: a Secrets Manager secret in the RDS secret format."""

from __future__ import annotations

import json

from aws_cdk import RemovalPolicy, SecretValue
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

LOCAL_DATABASE = {"username": "postgres", "password": ""}


class Data(Construct):
    """Locally the secret describes the developer's PostgreSQL (trust auth, no password);
    in AWS it is the existing database's secret, imported by ARN."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        local: bool,
        secret_arn: str | None,
        local_db_host: str = "127.0.0.1",
        local_db_name: str = "interview",
        local_db_port: int = 5432,
    ) -> None:
        super().__init__(scope, id)
        if secret_arn:
            self.secret: secretsmanager.ISecret = secretsmanager.Secret.from_secret_complete_arn(
                self, "DatabaseSecret", secret_arn
            )
            return
        if not local:
            raise ValueError("an AWS deployment needs the database secret's ARN")
        secret = secretsmanager.Secret(
            self,
            "DatabaseSecret",
            description="Local PostgreSQL connection (trust auth: there is no password)",
            secret_string_value=SecretValue.unsafe_plain_text(
                json.dumps(
                    {
                        "host": local_db_host,
                        "port": local_db_port,
                        "dbname": local_db_name,
                        **LOCAL_DATABASE,
                    }
                )
            ),
        )
        secret.apply_removal_policy(RemovalPolicy.DESTROY)
        self.secret = secret
