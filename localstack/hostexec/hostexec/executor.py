"""LocalStack ``RuntimeExecutor`` that runs Python Lambda functions as host processes.

Each execution environment is one process group: ``bootstrap.py`` (the supervisor, under the
function's interpreter) and the worker process it starts for the handler. The supervisor speaks the
protocol LocalStack's Go init speaks in a container: ``POST /invoke`` on its own port, results
and logs posted to the executor endpoint under the gateway.

Configuration, from LocalStack's process environment:

* ``HOSTEXEC_PYTHON``: interpreter for ``python3.12`` functions;
  ``HOSTEXEC_PYTHON_3_13`` (etc.) for other ``python3.x`` runtimes. Without it, ``python3.X``
  on PATH, then pyenv's ``~/.pyenv/versions/3.X.*``.
* ``HOSTEXEC_WORK_DIR``: scratch space for merged layers and per-environment temp dirs
  (default: ``<tmp>/localstack-hostexec``).
* ``HOSTEXEC_INIT_TIMEOUT``: seconds the handler import may take at environment start before
  the init is retried inside the first invoke (default 10, AWS's init limit).
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import glob
import hashlib
import json
import logging
import os
import re
import shutil
import socket
import subprocess
import tempfile
import threading
from concurrent.futures import InvalidStateError
from pathlib import Path
from typing import Any

import localstack.config
from localstack.aws.api.lambda_ import PackageType
from localstack.services.lambda_.invocation.executor_endpoint import (
    ExecutorEndpoint,
    StatusErrorException,
)
from localstack.services.lambda_.invocation.lambda_models import (
    FunctionVersion,
    InvocationResult,
)
from localstack.services.lambda_.invocation.runtime_executor import (
    LambdaRuntimeException,
    RuntimeExecutor,
)

from hostexec.procs import (
    LIVE_GROUPS,
    RingBuffer,
    Spawner,
    make_preexec,
    terminate_process_group,
)

LOG = logging.getLogger(__name__)

BOOTSTRAP = Path(__file__).resolve().with_name("bootstrap.py")
BASE_PATH = "/usr/local/bin:/usr/bin:/bin"
STOP_GRACE_S = 2.0
# Environment output kept for get_logs(); older output is dropped first.
LOG_BUFFER_BYTES = 512 * 1024


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@functools.cache
def work_dir() -> Path:
    """This LocalStack process's scratch directory.

    One subdirectory per LocalStack process, so instances can share HOSTEXEC_WORK_DIR and the
    directories of killed instances can be told apart and swept.
    """
    configured = os.environ.get("HOSTEXEC_WORK_DIR", "").strip()
    base = Path(configured or Path(tempfile.gettempdir()) / "localstack-hostexec")
    base.mkdir(parents=True, exist_ok=True)
    for stale in base.glob("ls-*"):
        pid = stale.name.removeprefix("ls-")
        if pid.isdigit() and not _process_alive(int(pid)):
            shutil.rmtree(stale, ignore_errors=True)
    path = base / f"ls-{os.getpid()}"
    path.mkdir(exist_ok=True)
    atexit.register(_remove_work_dir, path)
    return path


def _remove_work_dir(path: Path) -> None:
    # Environments go first: their temp dirs are in here.
    LIVE_GROUPS.kill_all()
    shutil.rmtree(path, ignore_errors=True)


def _init_timeout() -> float:
    configured = os.environ.get("HOSTEXEC_INIT_TIMEOUT", "").strip()
    if configured:
        return float(configured)
    # Leave LocalStack's own startup timer room to see our ready report.
    return float(max(1, min(10, localstack.config.LAMBDA_RUNTIME_ENVIRONMENT_TIMEOUT - 2)))


# --------------------------------------------------------------------------------------------
# Interpreter discovery
# --------------------------------------------------------------------------------------------

_RUNTIME_RE = re.compile(r"^python(3\.\d+)$")
_interpreters: dict[tuple[str, str | None], str] = {}
_interpreters_lock = threading.Lock()


def runtime_python_version(runtime: str | None) -> str:
    match = _RUNTIME_RE.match(runtime or "")
    if not match:
        raise LambdaRuntimeException(
            f"The hostexec Lambda executor runs only python3.x runtimes, not {runtime!r}. "
            "Use a python3.x runtime or another LAMBDA_RUNTIME_EXECUTOR."
        )
    return match.group(1)


def _probe(candidate: str, version: str) -> str | None:
    """The real interpreter behind ``candidate`` if it runs and is ``version``.

    Asking the interpreter for sys.executable resolves wrappers such as pyenv shims, which only
    work with the caller's environment; the function later runs with a clean one.
    """
    try:
        completed = subprocess.run(
            [
                candidate,
                "-c",
                "import sys; print('%d.%d' % sys.version_info[:2]); print(sys.executable)",
            ],
            capture_output=True,
            text=True,
            timeout=20,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    lines = completed.stdout.split("\n")
    if completed.returncode != 0 or len(lines) < 2 or lines[0].strip() != version:
        return None
    return lines[1].strip() or None


def _candidates(version: str) -> list[str]:
    found: list[str] = []
    on_path = shutil.which(f"python{version}")
    if on_path:
        found.append(on_path)
    pyenv_root = os.environ.get("PYENV_ROOT") or os.path.expanduser("~/.pyenv")
    pattern = os.path.join(pyenv_root, "versions", f"{version}.*", "bin", f"python{version}")

    def patch_level(path: str) -> int:
        match = re.search(rf"/{re.escape(version)}\.(\d+)/", path)
        return int(match.group(1)) if match else -1

    found += sorted(glob.glob(pattern), key=patch_level, reverse=True)
    found.append(f"/root/.pyenv/versions/{version}.1/bin/python{version}")
    return list(dict.fromkeys(found))


def resolve_interpreter(runtime: str | None) -> str:
    version = runtime_python_version(runtime)
    explicit = os.environ.get(f"HOSTEXEC_PYTHON_{version.replace('.', '_')}", "").strip()
    if not explicit and version == "3.12":
        explicit = os.environ.get("HOSTEXEC_PYTHON", "").strip()
    key = (version, explicit or None)
    with _interpreters_lock:
        if key in _interpreters:
            return _interpreters[key]
        candidates = [explicit] if explicit else _candidates(version)
        for candidate in candidates:
            resolved = _probe(candidate, version)
            if resolved:
                _interpreters[key] = resolved
                return resolved
    hint = f"HOSTEXEC_PYTHON_{version.replace('.', '_')}"
    if version == "3.12":
        hint = "HOSTEXEC_PYTHON"
    raise LambdaRuntimeException(
        f"No working Python {version} interpreter for runtime {runtime} "
        f"(tried: {', '.join(candidates)}). Set {hint} to one."
    )


def check_runnable(function_version: FunctionVersion) -> str:
    """The interpreter to run ``function_version`` with; LambdaRuntimeException if none can."""
    cfg = function_version.config
    if cfg.package_type != PackageType.Zip or cfg.code is None:
        raise LambdaRuntimeException(
            "The hostexec Lambda executor runs only .zip package functions, "
            f"not {cfg.package_type} ones."
        )
    return resolve_interpreter(cfg.runtime)


# --------------------------------------------------------------------------------------------
# Layers
# --------------------------------------------------------------------------------------------


def opt_dir_for(function_version: FunctionVersion) -> Path:
    """Per-version stand-in for /opt. Keyed by revision: an update of $LATEST gets a new one."""
    identity = f"{function_version.qualified_arn}#{function_version.config.internal_revision}"
    digest = hashlib.sha256(identity.encode()).hexdigest()[:16]
    name = re.sub(r"[^A-Za-z0-9_.-]", "_", function_version.id.function_name)[:48]
    return work_dir() / "opt" / f"{name}-{digest}"


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif path.exists() or path.is_symlink():
        path.unlink()


def merge_tree(source: Path, target: Path) -> None:
    """Overlay ``source`` onto ``target``: later layers replace files of earlier ones, as when
    AWS extracts layers into /opt in order.

    Files are hard-linked where possible (layers can be large and are read-only in use).
    """
    target.mkdir(parents=True, exist_ok=True)
    for entry in os.scandir(source):
        src = Path(entry.path)
        dst = target / entry.name
        if entry.is_symlink():
            _remove(dst)
            dst.symlink_to(os.readlink(src))
        elif entry.is_dir():
            if dst.exists() and not dst.is_dir():
                _remove(dst)
            merge_tree(src, dst)
        else:
            _remove(dst)
            try:
                os.link(src, dst)
            except OSError:
                shutil.copy2(src, dst)


def build_opt_dir(function_version: FunctionVersion) -> Path:
    opt = opt_dir_for(function_version)
    if opt.is_dir():
        return opt
    staging = Path(tempfile.mkdtemp(prefix=opt.name + ".", dir=opt.parent.parent))
    try:
        opt_staging = staging / "opt"
        opt_staging.mkdir()
        for layer in function_version.config.layers or []:
            if layer.code is None:
                continue
            layer.code.prepare_for_execution()
            merge_tree(Path(layer.code.get_unzipped_code_location()), opt_staging)
        opt.parent.mkdir(parents=True, exist_ok=True)
        try:
            # A rename makes the directory appear complete or not at all.
            opt_staging.rename(opt)
        except OSError:
            if not opt.is_dir():
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return opt


_SPAWNER = Spawner()


# --------------------------------------------------------------------------------------------
# The executor
# --------------------------------------------------------------------------------------------


class HostRuntimeExecutor(RuntimeExecutor):  # type: ignore[misc,unused-ignore]
    executor_endpoint: ExecutorEndpoint

    def __init__(self, id: str, function_version: FunctionVersion) -> None:
        super().__init__(id=id, function_version=function_version)
        # The port is bound in start(); only the endpoint prefix is needed before that.
        self.executor_endpoint = ExecutorEndpoint(
            self.id, container_address="127.0.0.1", container_port=None
        )
        self.port: int | None = None
        self._proc: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()
        self._stopped = False
        self._output = RingBuffer(LOG_BUFFER_BYTES)
        self._env_dir = work_dir() / "env" / self.id

    # -- addresses ---------------------------------------------------------------------------

    def get_address(self) -> str:
        return "127.0.0.1"

    def get_endpoint_from_executor(self) -> str:
        return "127.0.0.1"

    def get_runtime_endpoint(self) -> str:
        port = localstack.config.GATEWAY_LISTEN[0].port
        prefix: str = self.executor_endpoint.get_endpoint_prefix()  # type: ignore[no-untyped-call,unused-ignore]
        return f"http://127.0.0.1:{port}{prefix}"

    # -- lifecycle ---------------------------------------------------------------------------

    def _child_env(self, env_vars: dict[str, Any], python: str, code_dir: Path) -> dict[str, str]:
        runtime = str(self.function_version.config.runtime)
        version = runtime_python_version(runtime)
        opt = opt_dir_for(self.function_version)
        tmp = self._env_dir / "tmp"
        tmp.mkdir(parents=True, exist_ok=True)
        # Nothing of LocalStack's own environment (its venv, credentials, config) leaks in.
        env = {
            "PATH": BASE_PATH,
            "HOME": os.environ.get("HOME") or str(Path.home()),
            "LANG": os.environ.get("LANG", "C.UTF-8"),
        }
        env.update({key: str(value) for key, value in env_vars.items()})

        def joined(*parts: str | None) -> str:
            return os.pathsep.join(part for part in parts if part)

        env["PYTHONPATH"] = joined(
            str(code_dir),
            str(opt / "python" / "lib" / f"python{version}" / "site-packages"),
            str(opt / "python"),
            env_vars.get("PYTHONPATH"),
        )
        # Layer tools win over same-named host tools: on AWS they would be the only copy.
        env["PATH"] = joined(str(opt / "bin"), os.path.dirname(python), env["PATH"])
        env["LD_LIBRARY_PATH"] = joined(
            str(code_dir / "lib"), str(opt / "lib"), env_vars.get("LD_LIBRARY_PATH")
        )
        env["LAMBDA_TASK_ROOT"] = str(code_dir)
        env["LAMBDA_RUNTIME_DIR"] = str(BOOTSTRAP.parent)
        env["AWS_EXECUTION_ENV"] = f"AWS_Lambda_{runtime}"
        env["TMPDIR"] = str(tmp)
        env["PYTHONUNBUFFERED"] = "1"
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        return env

    def start(self, env_vars: dict[str, Any]) -> None:
        self.executor_endpoint.start()
        with self._lock:
            if self._stopped:
                raise LambdaRuntimeException(f"Environment {self.id} was stopped before start")
            try:
                python = check_runnable(self.function_version)
            except LambdaRuntimeException as exc:
                # Surfaces as the invoke's function error, with the reason as its message.
                payload = {"errorType": "Runtime.UnsupportedRuntime", "errorMessage": str(exc)}
                raise StatusErrorException(
                    "Unsupported function", payload=json.dumps(payload).encode()
                ) from exc
            code = self.function_version.config.code
            assert code is not None
            code_dir = Path(code.get_unzipped_code_location())
            env = self._child_env(env_vars, python, code_dir)
            # The executor binds the port and hands the socket over, so concurrent
            # environments can never race for the same free port.
            listener = socket.create_server(("127.0.0.1", 0), backlog=64)
            try:
                self.port = listener.getsockname()[1]
                self.executor_endpoint.container_port = self.port
                argv = [
                    python,
                    "-s",
                    str(BOOTSTRAP),
                    "--listen-fd",
                    str(listener.fileno()),
                    "--init-timeout",
                    str(_init_timeout()),
                    "--parent-pid",
                    str(os.getpid()),
                ]
                proc = _SPAWNER.spawn(
                    args=argv,
                    env=env,
                    cwd=str(code_dir),
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.STDOUT,
                    pass_fds=(listener.fileno(),),
                    start_new_session=True,
                    preexec_fn=make_preexec(os.getpid()),
                )
            finally:
                listener.close()
            self._proc = proc
            LIVE_GROUPS.add(proc)
        LOG.debug(
            "hostexec environment %s for %s: pid %s, port %s",
            self.id,
            self.function_version.qualified_arn,
            proc.pid,
            self.port,
        )
        threading.Thread(
            target=self._watch, args=(proc,), name=f"hostexec-{self.id[:8]}", daemon=True
        ).start()
        self.executor_endpoint.wait_for_startup()  # type: ignore[no-untyped-call,unused-ignore]

    def _watch(self, proc: subprocess.Popen[bytes]) -> None:
        """Collect the environment's output; when it exits, fail whatever waits on it."""
        stream = proc.stdout
        assert stream is not None
        while chunk := os.read(stream.fileno(), 65536):
            self._output.append(chunk)
        returncode = proc.wait()
        stream.close()
        if self._stopped:
            return
        reason = f"exit status {returncode}" if returncode >= 0 else f"signal {-returncode}"
        tail = self._output.text()[-2000:].strip()
        message = f"Runtime exited with error: {reason}" + (f"\n{tail}" if tail else "")
        payload = json.dumps({"errorType": "Runtime.ExitError", "errorMessage": message}).encode()
        startup = self.executor_endpoint.startup_future
        if startup is not None and not startup.done():
            LOG.warning("hostexec environment %s exited before ready: %s", self.id, message)
            with contextlib.suppress(InvalidStateError):
                startup.set_exception(
                    StatusErrorException("Environment startup failed", payload=payload)
                )
            return
        invocation = self.executor_endpoint.invocation_future
        if invocation is not None and not invocation.done():
            LOG.warning("hostexec environment %s exited during an invoke: %s", self.id, message)
            with contextlib.suppress(InvalidStateError):
                invocation.set_result(
                    InvocationResult("", payload, is_error=True, logs=tail or message)
                )

    def stop(self) -> None:
        with self._lock:
            if self._stopped:
                return
            self._stopped = True
            proc = self._proc
        if proc is not None:
            terminate_process_group(proc, STOP_GRACE_S)
            LIVE_GROUPS.discard(proc)
        try:
            self.executor_endpoint.shutdown()
        except Exception as exc:  # never registered, or already shut down
            LOG.debug("hostexec: endpoint shutdown of %s: %s", self.id, exc)
        shutil.rmtree(self._env_dir, ignore_errors=True)

    # -- invocation --------------------------------------------------------------------------

    def invoke(self, payload: dict[str, str]) -> InvocationResult:
        proc = self._proc
        if proc is None or proc.poll() is not None:
            raise LambdaRuntimeException(f"hostexec environment {self.id} is not running")
        result: InvocationResult = self.executor_endpoint.invoke(payload)
        return result

    def get_logs(self) -> str:
        return self._output.text()

    # -- versions ----------------------------------------------------------------------------

    @classmethod
    def prepare_version(cls, function_version: FunctionVersion) -> None:
        try:
            check_runnable(function_version)
        except LambdaRuntimeException as exc:
            # Not raised: LocalStack cannot delete a function whose preparation failed (its
            # version manager is gone), which would wedge stack deletions. The function
            # becomes Active and each invoke answers with this reason instead.
            LOG.warning("hostexec cannot run %s: %s", function_version.qualified_arn, exc)
            return
        code = function_version.config.code
        assert code is not None
        code.prepare_for_execution()
        build_opt_dir(function_version)

    @classmethod
    def cleanup_version(cls, function_version: FunctionVersion) -> None:
        shutil.rmtree(opt_dir_for(function_version), ignore_errors=True)

    @classmethod
    def validate_environment(cls) -> bool:
        if not BOOTSTRAP.is_file():
            LOG.warning("hostexec: runtime bootstrap %s is missing", BOOTSTRAP)
            return False
        try:
            LOG.info(
                "hostexec: python3.12 functions run with %s", resolve_interpreter("python3.12")
            )
        except LambdaRuntimeException as exc:
            # Other python3.x runtimes may still have an interpreter: warn, do not fail.
            LOG.warning("hostexec: %s", exc)
        return True
