"""The stack's configuration, read once from CDK context and validated."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from aws_cdk import Fn
from constructs import Node

from interview_platform.constants import STACK_NAME_PREFIX, local_web_origin

_STAGE = re.compile(r"^[a-z][a-z0-9-]{1,15}$")


def _port(value: object) -> int:
    port = int(str(value))
    if not 1 <= port <= 65535:
        raise ValueError(f"localDbPort {value!r}: a TCP port")
    return port


def _flag(value: object) -> bool:
    return str(value).strip().lower() in {"1", "true", "yes"}


def _sender(value: object) -> str:
    sender = str(value or "no-reply@interview-platform.dev")
    if not re.fullmatch(r"[^@\s]{1,64}@[A-Za-z0-9.-]{1,189}", sender):
        raise ValueError("senderEmail must be one email address")
    return sender


@dataclass(frozen=True, slots=True)
class StackConfig:
    stage: str
    local: bool
    local_endpoint: str
    frontend_origin: str
    db_secret_arn: str | None
    local_db_host: str
    local_db_name: str
    account: str | None
    region: str | None
    db_min_acu: float = 0.5
    db_max_acu: float = 8.0
    # Lambda SnapStart for the API's functions (AWS only; LocalStack does not snapshot).
    snap_start: bool = False
    # The From address of every email (SES verifies it; in AWS prefer a verified domain's).
    sender_email: str = "no-reply@interview-platform.dev"
    local_db_port: int = 5432
    # AWS without `frontendOrigin`: the origin is the web app's CloudFront distribution, made by
    # the Foundation and imported by name everywhere else (`frontend_origin` is then that import).
    origin_is_distribution: bool = False

    @property
    def stack_name(self) -> str:
        """The prefix of every stack's name (`<prefix>-<part>`, see constants.stack_name)."""
        return f"{STACK_NAME_PREFIX}-{self.stage}"

    @property
    def own_database(self) -> bool:
        """AWS without an imported database: the Foundation provisions one."""
        return not self.local and not self.db_secret_arn

    @classmethod
    def from_context(cls, node: Node) -> StackConfig:
        stage = str(node.try_get_context("stage") or "local")
        if not _STAGE.match(stage):
            raise ValueError(f"stage {stage!r}: 2-16 lower-case letters, digits or dashes")
        local = _flag(node.try_get_context("local") or "false")
        db_secret_arn = node.try_get_context("dbSecretArn")
        min_acu = float(node.try_get_context("dbMinAcu") or 0.5)
        max_acu = float(node.try_get_context("dbMaxAcu") or 8)
        if not 0.5 <= min_acu <= max_acu <= 256:
            raise ValueError("dbMinAcu and dbMaxAcu: 0.5 <= dbMinAcu <= dbMaxAcu <= 256")
        local_endpoint = str(node.try_get_context("localEndpoint") or "http://127.0.0.1:4566")
        given = node.try_get_context("frontendOrigin")
        if given and "*" in str(given):
            raise ValueError("frontendOrigin must be one origin, not a wildcard")
        if given:
            origin = str(given).rstrip("/")
        elif local:
            # The local web app: LocalStack's S3 website endpoint (constructs/web.py).
            port = urlsplit(local_endpoint).port or 4566
            origin = local_web_origin(stage, port)
        else:
            origin = Fn.import_value(f"{STACK_NAME_PREFIX}-{stage}-WebOrigin")
        return cls(
            stage=stage,
            local=local,
            local_endpoint=local_endpoint,
            frontend_origin=origin,
            origin_is_distribution=not local and not given,
            db_secret_arn=str(db_secret_arn) if db_secret_arn else None,
            local_db_host=str(node.try_get_context("localDbHost") or "127.0.0.1"),
            local_db_name=str(node.try_get_context("localDbName") or "interview"),
            local_db_port=_port(node.try_get_context("localDbPort") or 5432),
            account=node.try_get_context("account"),
            region=node.try_get_context("region"),
            db_min_acu=min_acu,
            db_max_acu=max_acu,
            snap_start=not local and _flag(node.try_get_context("snapStart") or "true"),
            sender_email=_sender(node.try_get_context("senderEmail")),
        )
