"""Helpers shared by the hostexec executor tests (used by conftest.py and the test modules)."""

from __future__ import annotations

import base64
import contextlib
import io
import json
import os
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, TypeVar

REPO_ROOT = Path(__file__).resolve().parents[2]
HOSTEXEC_SRC = REPO_ROOT / "localstack" / "hostexec"
BOOTSTRAP = HOSTEXEC_SRC / "hostexec" / "bootstrap.py"
# hostexec is installed into LocalStack's venv, not ours; its LocalStack-free modules
# (bootstrap, procs) are imported from the source tree.
if str(HOSTEXEC_SRC) not in sys.path:
    sys.path.insert(0, str(HOSTEXEC_SRC))

ROLE_ARN = "arn:aws:iam::000000000000:role/lambda-role"
REGION = "us-east-1"

T = TypeVar("T")


def wait_until[T](
    probe: Callable[[], T | None], timeout: float, message: str, interval: float = 0.1
) -> T:
    """Poll ``probe`` until it returns something truthy; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s: {message}")
        time.sleep(interval)


def make_zip(files: dict[str, str | bytes], executables: tuple[str, ...] = ()) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
            mode = 0o755 if name in executables else 0o644
            info.external_attr = (0o100000 | mode) << 16
            archive.writestr(info, content)
    return buffer.getvalue()


def processes_matching(marker: str) -> list[int]:
    """PIDs (other than ours) whose environment or command line contains ``marker``."""
    needle = marker.encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        for part in ("environ", "cmdline"):
            try:
                if needle in (entry / part).read_bytes():
                    found.append(int(entry.name))
                    break
            except OSError:
                continue
    return found


def wait_no_processes(marker: str, timeout: float = 15.0) -> None:
    wait_until(
        lambda: not processes_matching(marker),
        timeout,
        f"processes still carry {marker!r}: {processes_matching(marker)}",
    )


# ---------------------------------------------------------------------------------------------
# LocalStack through boto3
# ---------------------------------------------------------------------------------------------


class LambdaFactory:
    """Creates uniquely named functions and layers; removes them afterwards."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.functions: list[str] = []
        self.layers: list[tuple[str, int]] = []

    def create_function(
        self,
        files: dict[str, str | bytes],
        *,
        handler: str = "handler.handler",
        timeout: int = 10,
        runtime: str = "python3.12",
        layers: list[str] | None = None,
        environment: dict[str, str] | None = None,
        wait: bool = True,
    ) -> str:
        name = f"hostexec-{uuid.uuid4().hex[:12]}"
        self.client.create_function(
            FunctionName=name,
            Runtime=runtime,
            Role=ROLE_ARN,
            Handler=handler,
            Code={"ZipFile": make_zip(files)},
            Timeout=timeout,
            MemorySize=128,
            Layers=layers or [],
            Environment={"Variables": environment or {}},
        )
        self.functions.append(name)
        if wait:
            self.client.get_waiter("function_active_v2").wait(
                FunctionName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 60}
            )
        return name

    def publish_layer(
        self, files: dict[str, str | bytes], executables: tuple[str, ...] = ()
    ) -> str:
        name = f"hostexec-layer-{uuid.uuid4().hex[:8]}"
        response = self.client.publish_layer_version(
            LayerName=name,
            Content={"ZipFile": make_zip(files, executables)},
            CompatibleRuntimes=["python3.12"],
        )
        self.layers.append((name, response["Version"]))
        arn: str = response["LayerVersionArn"]
        return arn

    def cleanup(self) -> None:
        for name in self.functions:
            with contextlib.suppress(self.client.exceptions.ResourceNotFoundException):
                self.client.delete_function(FunctionName=name)
        for name, version in self.layers:
            with contextlib.suppress(self.client.exceptions.ResourceNotFoundException):
                self.client.delete_layer_version(LayerName=name, VersionNumber=version)


@dataclass
class InvokeResult:
    payload: Any
    function_error: str | None
    request_id: str
    log_tail: str
    elapsed: float


def invoke(client: Any, name: str, event: Any = None, tail: bool = False) -> InvokeResult:
    kwargs: dict[str, Any] = {"FunctionName": name, "Payload": json.dumps(event or {})}
    if tail:
        kwargs["LogType"] = "Tail"
    started = time.monotonic()
    response = client.invoke(**kwargs)
    elapsed = time.monotonic() - started
    raw = response["Payload"].read()
    return InvokeResult(
        payload=json.loads(raw) if raw else None,
        function_error=response.get("FunctionError"),
        request_id=response["ResponseMetadata"]["RequestId"],
        log_tail=base64.b64decode(response.get("LogResult", "")).decode(errors="replace"),
        elapsed=elapsed,
    )


# ---------------------------------------------------------------------------------------------
# The bootstrap alone, with a stand-in for LocalStack's executor endpoint
# ---------------------------------------------------------------------------------------------


@dataclass
class RecordedInvocation:
    kind: str = ""
    body: bytes = b""
    logs: str | None = None
    done: threading.Event = field(default_factory=threading.Event)

    def json(self) -> Any:
        return json.loads(self.body)


class FakeExecutorEndpoint:
    """Records what a runtime posts to ``/_localstack_lambda/<id>/...``, as LocalStack's
    ExecutorEndpoint would, so the bootstrap can be driven without LocalStack."""

    def __init__(self) -> None:
        self.ready: dict[str, threading.Event] = {}
        self.invocations: dict[str, RecordedInvocation] = {}
        self._lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                parts = self.path.strip("/").split("/")
                # _localstack_lambda/<env>/status/<runtime>/ready
                # _localstack_lambda/<env>/invocations/<request>/(logs|response|error)
                if len(parts) == 5 and parts[2] == "status" and parts[4] == "ready":
                    fake.ready_event(parts[3]).set()
                elif len(parts) == 5 and parts[2] == "invocations":
                    record = fake.invocation(parts[3])
                    if parts[4] == "logs":
                        record.logs = json.loads(body)["logs"]
                    else:
                        record.kind, record.body = parts[4], body
                        record.done.set()
                self.send_response(202)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    def ready_event(self, runtime_id: str) -> threading.Event:
        with self._lock:
            return self.ready.setdefault(runtime_id, threading.Event())

    def invocation(self, request_id: str) -> RecordedInvocation:
        with self._lock:
            return self.invocations.setdefault(request_id, RecordedInvocation())

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@dataclass
class RuntimeProcess:
    proc: subprocess.Popen[bytes]
    runtime_id: str
    port: int
    endpoint: FakeExecutorEndpoint
    output_path: Path

    def invoke(self, event: Any, timeout: float = 30.0) -> RecordedInvocation:
        return post_invoke(self.port, self.endpoint, event, timeout, on_timeout=self.output)

    def output(self) -> str:
        return self.output_path.read_text(errors="replace")


def post_invoke(
    port: int,
    endpoint: FakeExecutorEndpoint,
    event: Any,
    timeout: float = 30.0,
    on_timeout: Callable[[], str] = str,
) -> RecordedInvocation:
    """Send an invoke as LocalStack does and wait for the runtime to post its result."""
    request_id = str(uuid.uuid4())
    body = json.dumps(
        {
            "invoke-id": request_id,
            "invoked-function-arn": "arn:aws:lambda:us-east-1:000000000000:function:fake",
            "payload": json.dumps(event),
            "trace-id": "Root=1-00000000-000000000000000000000000;Parent=0;Sampled=0",
        }
    ).encode()
    request = urllib.request.Request(f"http://127.0.0.1:{port}/invoke", data=body, method="POST")
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200
    record = endpoint.invocation(request_id)
    assert record.done.wait(timeout), f"no result for {request_id}: {on_timeout()}"
    return record


def runtime_environment(
    runtime_id: str, endpoint_url: str, code_dir: Path, handler: str, timeout: int
) -> dict[str, str]:
    """The environment the executor builds for a function, minus LocalStack's extras."""
    return {
        "PATH": f"{Path(sys.executable).parent}:/usr/local/bin:/usr/bin:/bin",
        "HOME": str(Path.home()),
        "LANG": "C.UTF-8",
        "PYTHONPATH": str(code_dir),
        "PYTHONUNBUFFERED": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
        "LAMBDA_TASK_ROOT": str(code_dir),
        "_HANDLER": handler,
        "AWS_LAMBDA_FUNCTION_NAME": f"fake-{runtime_id[:8]}",
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "128",
        "AWS_LAMBDA_FUNCTION_TIMEOUT": str(timeout),
        "AWS_LAMBDA_LOG_GROUP_NAME": "/aws/lambda/fake",
        "AWS_LAMBDA_LOG_STREAM_NAME": "stream",
        "LOCALSTACK_RUNTIME_ID": runtime_id,
        "LOCALSTACK_RUNTIME_ENDPOINT": f"{endpoint_url}/_localstack_lambda/{runtime_id}",
    }


def bootstrap_command(listen_fd: int, parent_pid: int, init_timeout: float = 10) -> list[str]:
    return [
        sys.executable,
        "-s",
        str(BOOTSTRAP),
        "--listen-fd",
        str(listen_fd),
        "--parent-pid",
        str(parent_pid),
        "--init-timeout",
        str(init_timeout),
    ]
