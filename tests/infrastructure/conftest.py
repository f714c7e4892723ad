"""Synthesize the CDK app in-process, as `cdk synth` would, for assertions on the template."""

from __future__ import annotations

from collections.abc import Callable

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Template
from interview_platform.config import StackConfig
from interview_platform.stack import PlatformStack

from layers import build as layer_build

LOCAL_CONTEXT = {"stage": "local", "local": "true", "localEndpoint": "http://127.0.0.1:4566"}
AWS_CONTEXT = {
    "stage": "prod",
    "local": "false",
    "dbSecretArn": "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbCdEf",
    "frontendOrigin": "https://app.example.com",
}


@pytest.fixture(scope="session", autouse=True)
def _assets() -> None:
    """Function code and layer assets must exist for synthesis (built without Docker)."""
    layer_build.build_deps_layer()
    layer_build.build_media_layers()  # ffmpeg and speech layers of the media pipeline (issue 5)
    layer_build.build_code_asset()


def synth(context: dict[str, str]) -> Template:
    app = cdk.App(context=context)
    config = StackConfig.from_context(app.node)
    stack = PlatformStack(app, config.stack_name, config=config)
    return Template.from_stack(stack)


@pytest.fixture(scope="session")
def local_template() -> Template:
    return synth(LOCAL_CONTEXT)


@pytest.fixture(scope="session")
def aws_template() -> Template:
    return synth(AWS_CONTEXT)


@pytest.fixture
def synthesize() -> Callable[[dict[str, str]], Template]:
    return synth
