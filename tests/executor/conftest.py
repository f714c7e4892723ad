"""Fixtures for the tests of the hostexec Lambda runtime executor (localstack/hostexec).

Two kinds of test live here:

* against a running LocalStack started with ``LAMBDA_RUNTIME_EXECUTOR=hostexec``
  (``AWS_ENDPOINT_URL``, default ``http://127.0.0.1:4566``), through boto3;
* against the runtime bootstrap alone, spawned by the test with a stand-in for LocalStack's
  executor endpoint, for the process-level guarantees (teardown, no orphans).
"""

from __future__ import annotations

import os
import socket
import subprocess
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config
from hostexec_testlib import (
    REGION,
    FakeExecutorEndpoint,
    LambdaFactory,
    RuntimeProcess,
    bootstrap_command,
    runtime_environment,
)


@pytest.fixture(scope="session")
def endpoint_url() -> str:
    return os.environ.get("AWS_ENDPOINT_URL", "http://127.0.0.1:4566")


def _client_options(endpoint_url: str) -> dict[str, Any]:
    return {
        "endpoint_url": endpoint_url,
        "region_name": REGION,
        "aws_access_key_id": "test",
        "aws_secret_access_key": "test",
        # No retries: a retried invoke would hide a slow or failed one.
        "config": Config(retries={"max_attempts": 1}, read_timeout=120, max_pool_connections=20),
    }


@pytest.fixture(scope="session")
def lambda_client(endpoint_url: str) -> Any:
    return boto3.client("lambda", **_client_options(endpoint_url))


@pytest.fixture(scope="session")
def logs_client(endpoint_url: str) -> Any:
    return boto3.client("logs", **_client_options(endpoint_url))


@pytest.fixture
def lambda_factory(lambda_client: Any) -> Iterator[LambdaFactory]:
    factory = LambdaFactory(lambda_client)
    yield factory
    factory.cleanup()


@pytest.fixture
def fake_endpoint() -> Iterator[FakeExecutorEndpoint]:
    endpoint = FakeExecutorEndpoint()
    yield endpoint
    endpoint.close()


@pytest.fixture
def spawn_runtime(
    fake_endpoint: FakeExecutorEndpoint, tmp_path: Path
) -> Iterator[Callable[..., RuntimeProcess]]:
    """Start the bootstrap as the executor does: own session, inherited listening socket."""
    from hostexec.procs import make_preexec, terminate_process_group

    started: list[RuntimeProcess] = []

    def spawn(
        code: str, *, handler: str = "handler.handler", timeout: int = 3, init_timeout: float = 10
    ) -> RuntimeProcess:
        runtime_id = uuid.uuid4().hex
        code_dir = tmp_path / runtime_id / "code"
        code_dir.mkdir(parents=True)
        (code_dir / "handler.py").write_text(code)
        output_path = tmp_path / runtime_id / "output.log"
        listener = socket.create_server(("127.0.0.1", 0))
        with listener, output_path.open("wb") as output:
            proc = subprocess.Popen(
                bootstrap_command(listener.fileno(), os.getpid(), init_timeout),
                env=runtime_environment(runtime_id, fake_endpoint.url, code_dir, handler, timeout),
                cwd=code_dir,
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
                pass_fds=(listener.fileno(),),
                start_new_session=True,
                preexec_fn=make_preexec(os.getpid()),  # noqa: PLW1509 - calls only prctl
            )
            port = listener.getsockname()[1]
        runtime = RuntimeProcess(proc, runtime_id, port, fake_endpoint, output_path)
        started.append(runtime)
        assert fake_endpoint.ready_event(runtime_id).wait(15), runtime.output()
        return runtime

    yield spawn
    for runtime in started:
        terminate_process_group(runtime.proc, 2.0)
