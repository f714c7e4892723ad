"""Synthesize the CDK app in-process, as `cdk synth` would, for assertions on the templates.

The platform is several stacks (cdk/interview_platform/stacks.py). Most assertions are about the
platform as a whole, so ``local_template`` and ``aws_template`` merge every stack's resources
and outputs into one template (logical ids are unique across the stacks; the merge checks it);
``local_stacks`` and ``aws_stacks`` give each stack's own template.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Template
from interview_platform.config import StackConfig
from interview_platform.stacks import build

from layers import build as layer_build

LOCAL_CONTEXT = {"stage": "local", "local": "true", "localEndpoint": "http://127.0.0.1:4566"}
# AWS with its own database (VPC, Aurora Serverless v2, RDS Proxy) and the web app on its
# CloudFront distribution's origin: what `cdk deploy` gives.
AWS_CONTEXT = {"stage": "prod", "local": "false"}
# AWS with an existing database imported by its secret, and the web app on an origin of its own.
AWS_IMPORTED_DB_CONTEXT = {
    **AWS_CONTEXT,
    "dbSecretArn": "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbCdEf",
    "frontendOrigin": "https://app.example.com",
}


@pytest.fixture(scope="session", autouse=True)
def _assets() -> None:
    """Function code and layer assets must exist for synthesis (built without Docker)."""
    layer_build.build_deps_layer()
    layer_build.build_media_layers()  # ffmpeg and speech layers of the media pipeline (issue 5)
    layer_build.build_code_asset()


# One output directory for every app the tests synthesize, removed when the session ends. Each
# `cdk.App()` without one makes its own /tmp/cdk.outXXXX with a copy of every asset (~700 MB: the
# layers and the code) and never removes it: one run of these tests left tens of GB in /tmp. In one
# directory an asset already staged is neither copied nor hashed again.
OUTDIR = Path(tempfile.mkdtemp(prefix="cdk-test-out-"))
atexit.register(shutil.rmtree, OUTDIR, ignore_errors=True)


def new_app(context: dict[str, str]) -> cdk.App:
    """An app that synthesizes into the tests' one output directory."""
    return cdk.App(context=context, outdir=str(OUTDIR))


def synth_stacks(context: dict[str, str]) -> dict[str, Template]:
    """Part name (Foundation, Api, Identity, ...) -> that stack's template."""
    app = new_app(context)
    config = StackConfig.from_context(app.node)
    platform = build(app, config)
    return {part: Template.from_stack(stack) for part, stack in platform.stacks.items()}


def merged(stacks: dict[str, Template]) -> Template:
    document: dict[str, Any] = {"Resources": {}, "Outputs": {}}
    for part, template in stacks.items():
        body = template.to_json()
        for section in ("Resources", "Outputs"):
            for key, value in body.get(section, {}).items():
                if key in document[section]:
                    raise AssertionError(f"{section} {key} of {part} is also in another stack")
                document[section][key] = value
    return Template.from_json(document)


@cache
def platform_stacks(kind: str) -> dict[str, Template]:
    """Each stack's template for "local", "aws" (its own database) or "aws-imported-db";
    synthesized once per session."""
    context = {
        "local": LOCAL_CONTEXT,
        "aws": AWS_CONTEXT,
        "aws-imported-db": AWS_IMPORTED_DB_CONTEXT,
    }[kind]
    return synth_stacks(context)


@pytest.fixture(scope="session")
def local_stacks() -> dict[str, Template]:
    return platform_stacks("local")


@pytest.fixture(scope="session")
def aws_stacks() -> dict[str, Template]:
    return platform_stacks("aws")


@pytest.fixture(scope="session")
def local_template(local_stacks: dict[str, Template]) -> Template:
    return merged(local_stacks)


@pytest.fixture(scope="session")
def aws_template(aws_stacks: dict[str, Template]) -> Template:
    return merged(aws_stacks)


@pytest.fixture(scope="session")
def aws_imported_db_template() -> Template:
    return merged(platform_stacks("aws-imported-db"))


def synth(context: dict[str, str]) -> Template:
    return merged(synth_stacks(context))


@pytest.fixture
def synthesize() -> Callable[[dict[str, str]], Template]:
    return synth
