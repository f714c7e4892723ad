"""Run LocalStack in host mode (no Docker): start in the background, stop by PID, status.

    python localstack/ctl.py start|stop|status|logs

stdlib only: it runs before any project venv exists. State (PID, log, LocalStack's filesystem)
lives in localstack/.state/. Lambdas run as host processes through our `hostexec` executor.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
VENV_PYTHON = HERE / ".venv" / "bin" / "python"
STATE = Path(os.environ.get("LOCALSTACK_STATE_DIR", HERE / ".state"))
PID_FILE = STATE / "localstack.pid"
# LocalStack's own temporary files: above all each function version's unzipped code
# (<tmp>/lambda/awslambda-<region>-tasks/<id>/code, ~10 MB a function), which it never removes.
# With the system's /tmp, every deploy of a changed code asset left ~2.5 GB there for good (7.4 GB
# after three deploys). Nothing persists across a restart, so start and stop empty it.
LOCALSTACK_TMP = STATE / "tmp"
LOG_FILE = STATE / "localstack.log"
HOST = "127.0.0.1"
PORT = int(os.environ.get("LOCALSTACK_PORT", "4566"))
START_DEADLINE_S = float(os.environ.get("LOCALSTACK_START_DEADLINE_S", "90"))
STOP_GRACE_S = float(os.environ.get("LOCALSTACK_STOP_GRACE_S", "10"))
# The services the platform uses; LocalStack loads each lazily on first request.
SERVICES = (
    "apigateway,cloudformation,cloudwatch,events,iam,kms,lambda,logs,s3,scheduler,"
    "secretsmanager,ses,sns,sqs,ssm,stepfunctions,sts"
)


def _health_url() -> str:
    return f"http://{HOST}:{PORT}/_localstack/health"


def _healthy() -> bool:
    try:
        with urllib.request.urlopen(_health_url(), timeout=2) as response:  # noqa: S310
            return response.status == 200 and "services" in json.loads(response.read())
    except (OSError, ValueError):
        return False


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie is dead for our purposes.
    with contextlib.suppress(OSError):
        stat = Path(f"/proc/{pid}/stat").read_text()
        if stat.rsplit(")", 1)[1].split()[0] == "Z":
            return False
    return True


def _read_pid() -> int | None:
    try:
        pid = int(PID_FILE.read_text().strip())
    except (OSError, ValueError):
        return None
    return pid if _alive(pid) else None


def _port_taken() -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((HOST, PORT))
        except OSError:
            return True
    return False


def _runtime_python() -> str:
    """The interpreter Lambda functions (python3.12) run under."""
    explicit = os.environ.get("HOSTEXEC_PYTHON")
    if explicit:
        return explicit
    for candidate in (
        Path.home() / ".pyenv" / "versions" / "3.12.1" / "bin" / "python3.12",
        Path("/usr/bin/python3.12"),
        Path("/usr/local/bin/python3.12"),
    ):
        if candidate.exists():
            return str(candidate)
    sys.exit("no python3.12 found for Lambda functions: set HOSTEXEC_PYTHON")


def _environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VIRTUAL_ENV", "PYTHON"))}
    env.update(
        GATEWAY_LISTEN=f"{HOST}:{PORT}",
        # Hypercorn honours the listen address; the default (twisted) binds every interface.
        GATEWAY_SERVER="hypercorn",
        # Host mode: LocalStack must not think it is in a container (binds, paths, Docker).
        OVERRIDE_IN_DOCKER="0",
        FILESYSTEM_ROOT=str(STATE / "fs"),
        TMPDIR=str(LOCALSTACK_TMP),
        LOCALSTACK_VOLUME_DIR=str(STATE / "volume"),
        LAMBDA_RUNTIME_EXECUTOR="hostexec",
        HOSTEXEC_PYTHON=_runtime_python(),
        HOSTEXEC_WORK_DIR=str(STATE / "hostexec"),
        SERVICES=SERVICES,
        # No internet here: no DNS server, no certificate download, no analytics.
        DNS_ADDRESS="0",
        SKIP_SSL_CERT_DOWNLOAD="1",
        DISABLE_EVENTS="1",
        LOCALSTACK_HOST=f"{HOST}:{PORT}",
        # S3 checks presigned URLs' signatures and expiry (LocalStack skips both by default,
        # so a forged or expired URL would work locally and fail in AWS).
        S3_SKIP_SIGNATURE_VALIDATION="0",
        # Keep idle Lambda environments warm long enough for a benchmark or a test run.
        LAMBDA_KEEPALIVE_MS=os.environ.get("LAMBDA_KEEPALIVE_MS", "600000"),
        # SQS event sources long-poll (see cdk constructs/events.py); between two polls LocalStack
        # waits 1 s after a batch and backs off up to 10 s after an empty poll, during which
        # arriving events wait. AWS's pollers have no such gaps.
        LAMBDA_EVENT_SOURCE_MAPPING_POLL_INTERVAL_SEC="0.05",
        LAMBDA_EVENT_SOURCE_MAPPING_MAX_BACKOFF_ON_EMPTY_POLL_SEC="0.2",
    )
    return env


def _log_tail(lines: int = 30) -> str:
    try:
        return "\n".join(LOG_FILE.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def _warn_without_reaper(log_offset: int) -> None:
    """LocalStack on Python 3.13 leaks a thread stack per Lambda invoke without hostexec's
    reaper (README: threads LocalStack never joins); an old install of hostexec lacks it."""
    if os.environ.get("HOSTEXEC_THREAD_REAPER", "1") == "0":
        return
    with LOG_FILE.open("rb") as log:
        log.seek(log_offset)
        started = b"hostexec: thread reaper started" in log.read()
    if not started:
        print(
            "warning: hostexec's thread reaper did not start: LocalStack will run out of memory"
            " mappings under sustained load; run `make setup` to reinstall hostexec",
            file=sys.stderr,
        )


def start() -> int:
    pid = _read_pid()
    if pid is not None:
        if _healthy():
            print(f"LocalStack already running (pid {pid}) on http://{HOST}:{PORT}")
            return 0
        print(f"LocalStack (pid {pid}) is running but not healthy; stop it first", file=sys.stderr)
        return 1
    if _port_taken():
        print(
            f"port {HOST}:{PORT} is already taken by another process; stop it or set"
            " LOCALSTACK_PORT",
            file=sys.stderr,
        )
        return 2
    if not VENV_PYTHON.exists():
        print(f"{VENV_PYTHON} is missing: run `make setup`", file=sys.stderr)
        return 1
    STATE.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(LOCALSTACK_TMP, ignore_errors=True)  # a killed LocalStack's leftovers
    LOCALSTACK_TMP.mkdir()
    with LOG_FILE.open("ab") as log:
        log_offset = log.tell()
        process = subprocess.Popen(
            # Through our S3 guard: it adds the checks LocalStack's S3 leaves out (a POST
            # policy's signature, anonymous requests), reuses assumed-role clients
            # (hostexec/rolecache.py) and then runs localstack.runtime.main.
            [str(VENV_PYTHON), "-m", "hostexec.s3guard"],
            cwd=STATE,
            env=_environment(),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    PID_FILE.write_text(str(process.pid))
    deadline = time.monotonic() + START_DEADLINE_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            PID_FILE.unlink(missing_ok=True)
            print(f"LocalStack exited with {process.returncode}:\n{_log_tail()}", file=sys.stderr)
            return 1
        if _healthy():
            print(f"LocalStack ready (pid {process.pid}) on http://{HOST}:{PORT}; log: {LOG_FILE}")
            _warn_without_reaper(log_offset)
            return 0
        time.sleep(0.25)  # poll interval within the deadline
    print(f"LocalStack not healthy after {START_DEADLINE_S:.0f} s:\n{_log_tail()}", file=sys.stderr)
    _terminate(process.pid)
    return 1


def _runtime_pids() -> list[int]:
    """Lambda runtime processes that talk to this LocalStack (they carry its endpoint)."""
    marker = f"LOCALSTACK_RUNTIME_ENDPOINT=http://{HOST}:{PORT}/".encode()
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            if marker in (entry / "environ").read_bytes():
                pids.append(int(entry.name))
    return pids


def _signal_group(pid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, sig)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.kill(pid, sig)


def _wait_gone(pids: list[int], timeout_s: float) -> list[int]:
    deadline = time.monotonic() + timeout_s
    remaining = [p for p in pids if _alive(p)]
    while remaining and time.monotonic() < deadline:
        time.sleep(0.1)
        remaining = [p for p in remaining if _alive(p)]
    return remaining


def _terminate(pid: int) -> None:
    _signal_group(pid, signal.SIGTERM)
    if _wait_gone([pid], STOP_GRACE_S):
        _signal_group(pid, signal.SIGKILL)
        _wait_gone([pid], 5)


def stop() -> int:
    pid = _read_pid()
    if pid is not None:
        _terminate(pid)
    # Runtimes are in their own sessions and die with LocalStack; make sure none outlives it.
    leftovers = _runtime_pids()
    for runtime_pid in leftovers:
        _signal_group(runtime_pid, signal.SIGKILL)
    still = _wait_gone(leftovers, 5)
    PID_FILE.unlink(missing_ok=True)
    if still:
        print(f"processes still running after stop: {still}", file=sys.stderr)
        return 1
    shutil.rmtree(LOCALSTACK_TMP, ignore_errors=True)
    print("LocalStack stopped" if pid is not None else "LocalStack was not running")
    return 0


def status() -> int:
    pid = _read_pid()
    healthy = _healthy()
    print(json.dumps({"pid": pid, "healthy": healthy, "url": f"http://{HOST}:{PORT}"}))
    return 0 if pid is not None and healthy else 3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("command", choices=["start", "stop", "status", "logs"])
    command = parser.parse_args().command
    if command == "logs":
        print(_log_tail(200))
        sys.exit(0)
    sys.exit({"start": start, "stop": stop, "status": status}[command]())


if __name__ == "__main__":
    main()
