"""localstack/ctl.py: start is idempotent, a taken port is a clear error, stop leaves nothing.

The full-cycle test runs a second LocalStack on its own port and state directory, so the stack
the other suites use is never touched.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import socket
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from scripts import localenv

ROOT = Path(__file__).resolve().parents[2]
CTL = [sys.executable, str(ROOT / "localstack" / "ctl.py")]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _ctl(command: str, port: int, state: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "LOCALSTACK_PORT": str(port), "LOCALSTACK_STATE_DIR": str(state)}
    return subprocess.run(
        [*CTL, command], env=env, capture_output=True, text=True, check=False, timeout=120
    )


def _pids_with(marker: bytes) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                if marker in (entry / "environ").read_bytes():
                    found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_taken_port_is_a_clear_error(tmp_path: Path) -> None:
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        port = squatter.getsockname()[1]

        result = _ctl("start", port, tmp_path)

    assert result.returncode == 2
    assert f"port 127.0.0.1:{port} is already taken" in result.stderr


def test_status_of_a_stopped_stack_is_not_healthy(tmp_path: Path) -> None:
    result = _ctl("status", _free_port(), tmp_path)

    status = json.loads(result.stdout)
    assert result.returncode == 3
    assert (status["pid"], status["healthy"]) == (None, False)


@pytest.fixture
def second_stack(tmp_path: Path) -> Iterator[tuple[int, Path]]:
    port = _free_port()
    started = _ctl("start", port, tmp_path)
    assert started.returncode == 0, started.stderr
    try:
        yield port, tmp_path
    finally:
        _ctl("stop", port, tmp_path)


def _zip(source: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", source)
    return buffer.getvalue()


def test_start_twice_is_a_noop_and_stop_leaves_no_process(
    second_stack: tuple[int, Path],
) -> None:
    port, state = second_stack
    pid = int((state / "localstack.pid").read_text())

    again = _ctl("start", port, state)

    assert again.returncode == 0
    assert "already running" in again.stdout
    assert int((state / "localstack.pid").read_text()) == pid

    # Given a Lambda environment running as a host process of this LocalStack
    client = localenv.client("lambda", f"http://127.0.0.1:{port}")
    client.create_function(
        FunctionName="ctl-probe",
        Runtime="python3.12",
        Role="arn:aws:iam::000000000000:role/lambda-role",
        Handler="app.handler",
        Code={"ZipFile": _zip("import os\ndef handler(e, c):\n    return os.getpid()\n")},
        Timeout=10,
    )
    client.get_waiter("function_active_v2").wait(
        FunctionName="ctl-probe", WaiterConfig={"Delay": 1, "MaxAttempts": 60}
    )
    invoked = client.invoke(FunctionName="ctl-probe", Payload=b"{}")
    runtime_pid = json.loads(invoked["Payload"].read())
    marker = f"LOCALSTACK_RUNTIME_ENDPOINT=http://127.0.0.1:{port}/".encode()
    assert _alive(runtime_pid)
    assert _pids_with(marker)
    # and its code unzipped by LocalStack under the stack's own state directory, not /tmp
    unzipped = list((state / "tmp" / "lambda").glob("awslambda-*-tasks/*/code/app.py"))
    assert len(unzipped) == 1

    # When the stack is stopped
    stopped = _ctl("stop", port, state)

    # Then neither LocalStack nor any runtime process of it is left
    assert stopped.returncode == 0, stopped.stderr
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and (_alive(pid) or _pids_with(marker)):
        time.sleep(0.1)
    assert not _alive(pid)
    assert not _alive(runtime_pid)
    assert _pids_with(marker) == []
    assert not (state / "localstack.pid").exists()
    # and LocalStack's temporary files are gone with it (they never were reused by a restart)
    assert not (state / "tmp").exists()
