"""End-to-end: HTTP through API Gateway on LocalStack, to Lambdas running as host processes."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from scripts import localenv


@pytest.fixture(scope="session")
def outputs() -> dict[str, str]:
    if not localenv.OUTPUTS_FILE.exists():
        pytest.fail("cdk-outputs.json is missing: the stack is not deployed (run `make up`)")
    return localenv.stack_outputs()


@pytest.fixture(scope="session")
def api(outputs: dict[str, str]) -> Iterator[httpx.Client]:
    # Lambda cold starts on LocalStack take seconds; warm calls take milliseconds.
    with httpx.Client(base_url=outputs["ApiUrl"], timeout=60.0) as client:
        yield client


@pytest.fixture(scope="session")
def lambda_client() -> object:
    return localenv.client("lambda")
