"""The runtime bootstrap as a process, driven like LocalStack drives it, without LocalStack.

A stand-in records what the runtime posts to the executor endpoint. These tests pin down the
process-level guarantees: timeouts and crashes are answered rather than hung on, and an
environment never outlives its owner, however that owner goes.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
import uuid
from collections.abc import Callable
from functools import partial
from pathlib import Path

from hostexec.procs import terminate_process_group
from hostexec_testlib import (
    BOOTSTRAP,
    HOSTEXEC_SRC,
    FakeExecutorEndpoint,
    RuntimeProcess,
    post_invoke,
    processes_matching,
    runtime_environment,
    wait_no_processes,
    wait_until,
)

Spawn = Callable[..., RuntimeProcess]

HANDLER = textwrap.dedent(
    """
    import logging
    import os
    import signal
    import subprocess
    import time

    print("module imported")
    COUNT = 0

    def handler(event, context):
        global COUNT
        COUNT += 1
        action = event.get("action")
        if action == "sleep":
            time.sleep(event["seconds"])
        elif action == "spin":
            while True:
                pass
        elif action == "exit":
            os._exit(event["code"])
        elif action == "detach-and-exit":
            # The child inherits every inheritable descriptor, then the worker dies.
            subprocess.Popen(["sleep", "30"], close_fds=False)
            os._exit(5)
        elif action == "segfault":
            os.kill(os.getpid(), signal.SIGSEGV)
        elif action == "spawn":
            # A process the handler leaves behind, and a worker that ignores SIGTERM.
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            subprocess.Popen(["sleep", "300"])
        print("handled", COUNT)
        logging.getLogger().warning("warned %s", COUNT)
        return {
            "count": COUNT,
            "pid": os.getpid(),
            "trace": os.environ.get("_X_AMZN_TRACE_ID"),
            "remaining": context.get_remaining_time_in_millis(),
        }
    """
)


def test_invoke_posts_logs_then_result(spawn_runtime: Spawn) -> None:
    runtime = spawn_runtime(HANDLER)

    first = runtime.invoke({})
    second = runtime.invoke({})

    assert first.kind == "response"
    assert first.json()["count"] == 1
    assert second.json()["count"] == 2
    assert second.json()["pid"] == first.json()["pid"]
    assert first.json()["trace"].startswith("Root=1-")
    assert 0 < first.json()["remaining"] <= 3000
    assert first.logs is not None
    assert second.logs is not None
    assert "module imported" in first.logs
    assert "module imported" not in second.logs
    lines = first.logs.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("START RequestId: "))
    assert lines[start + 1] == "handled 1"
    assert lines[start + 2].startswith("[WARNING]\t")
    assert lines[start + 2].endswith("\twarned 1")
    assert lines[-2].startswith("END RequestId: ")
    assert lines[-1].startswith("REPORT RequestId: ")
    assert "Init Duration: " in lines[-1]
    assert "Init Duration: " not in second.logs


def test_timeout_kills_worker_and_next_invoke_cold_starts(spawn_runtime: Spawn) -> None:
    runtime = spawn_runtime(HANDLER, timeout=1)
    warm_pid = runtime.invoke({}).json()["pid"]

    for action in ({"action": "sleep", "seconds": 30}, {"action": "spin"}):
        started = time.monotonic()
        result = runtime.invoke(action, timeout=10)
        elapsed = time.monotonic() - started

        assert result.kind == "error"
        assert result.json()["errorType"] == "Sandbox.Timedout"
        assert result.json()["errorMessage"].endswith("Task timed out after 1.00 seconds")
        assert elapsed < 3
        assert result.logs is not None
        assert "Status: timeout" in result.logs
        wait_until(partial(pid_gone, warm_pid), 5, "timed-out worker still running")

        recovered = runtime.invoke({})
        assert recovered.kind == "response"
        assert recovered.json()["count"] == 1  # a fresh worker: module state is gone
        warm_pid = recovered.json()["pid"]


def test_crashing_worker_is_exit_error(spawn_runtime: Spawn) -> None:
    runtime = spawn_runtime(HANDLER)

    exited = runtime.invoke({"action": "exit", "code": 7})
    crashed = runtime.invoke({"action": "segfault"})
    started = time.monotonic()
    detached = runtime.invoke({"action": "detach-and-exit"})
    detached_elapsed = time.monotonic() - started
    recovered = runtime.invoke({})

    assert exited.kind == "error"
    assert exited.json()["errorType"] == "Runtime.ExitError"
    assert exited.json()["errorMessage"].endswith("Runtime exited with error: exit status 7")
    assert crashed.json()["errorMessage"].endswith("signal: segmentation fault")
    # Noticed at once, not at the timeout, although a child outlives the worker.
    assert detached.json()["errorMessage"].endswith("exit status 5")
    assert detached_elapsed < 2
    assert recovered.kind == "response"


def test_init_error_answers_every_invoke(spawn_runtime: Spawn) -> None:
    runtime = spawn_runtime("import hx_no_such_dependency\n")

    for _ in range(2):
        result = runtime.invoke({})
        assert result.kind == "error"
        assert result.json()["errorType"] == "Runtime.ImportModuleError"
        assert result.json()["errorMessage"] == (
            "Unable to import module 'handler': No module named 'hx_no_such_dependency'"
        )
        assert result.logs is not None
        assert "[ERROR] Runtime.ImportModuleError" in result.logs


def test_slow_init_is_retried_within_the_first_invoke(spawn_runtime: Spawn) -> None:
    slow_import = "import time\ntime.sleep(1.5)\n" + HANDLER
    started = time.monotonic()
    runtime = spawn_runtime(slow_import, timeout=5, init_timeout=0.3)

    # Ready is not held up by the import: AWS moves a slow init into the first invoke.
    assert time.monotonic() - started < 1.4
    result = runtime.invoke({})

    assert result.kind == "response"
    assert result.json()["count"] == 1
    assert result.logs is not None
    assert "Phase: init\tStatus: timeout" in result.logs
    assert "module imported" in result.logs


def test_init_longer_than_the_function_timeout_times_out(spawn_runtime: Spawn) -> None:
    runtime = spawn_runtime("import time\ntime.sleep(30)\n", timeout=1, init_timeout=0.3)

    started = time.monotonic()
    result = runtime.invoke({}, timeout=10)

    assert time.monotonic() - started < 3
    assert result.json()["errorType"] == "Sandbox.Timedout"


def test_stop_takes_down_the_whole_group(spawn_runtime: Spawn) -> None:
    runtime = spawn_runtime(HANDLER)
    assert runtime.invoke({"action": "spawn"}).kind == "response"
    assert len(wait_until(lambda: processes_with(runtime.runtime_id, 3), 5, "3 processes")) >= 3

    started = time.monotonic()
    terminate_process_group(runtime.proc, 2.0)

    wait_no_processes(runtime.runtime_id, timeout=10)
    assert time.monotonic() - started < 5


def pid_gone(pid: int) -> bool:
    return not Path(f"/proc/{pid}").exists()


def processes_with(runtime_id: str, at_least: int) -> list[int]:
    found = processes_matching(f"LOCALSTACK_RUNTIME_ID={runtime_id}")
    return found if len(found) >= at_least else []


STAND_IN = textwrap.dedent(
    """
    # Plays LocalStack: starts one environment the way the executor does, then waits.
    import json, os, socket, subprocess, sys
    sys.path.insert(0, {src!r})
    from hostexec.procs import LIVE_GROUPS, Spawner, make_preexec

    env, cwd = json.loads(sys.argv[1]), sys.argv[2]
    listener = socket.create_server(("127.0.0.1", 0))
    proc = Spawner().spawn(
        args=[sys.executable, "-s", {bootstrap!r}, "--listen-fd", str(listener.fileno()),
              "--parent-pid", str(os.getpid())],
        env=env, cwd=cwd, pass_fds=(listener.fileno(),), start_new_session=True,
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        preexec_fn=make_preexec(os.getpid()),
    )
    LIVE_GROUPS.add(proc)
    print(json.dumps({{"port": listener.getsockname()[1], "pid": proc.pid}}), flush=True)
    listener.close()
    sys.stdin.readline()  # end of input: exit normally, as LocalStack does on SIGTERM
    """
)


def start_stand_in(
    tmp_path: Path, endpoint: FakeExecutorEndpoint
) -> tuple[subprocess.Popen[str], str, int]:
    runtime_id = uuid.uuid4().hex
    code_dir = tmp_path / "code"
    code_dir.mkdir()
    (code_dir / "handler.py").write_text(HANDLER)
    script = tmp_path / "stand_in.py"
    script.write_text(STAND_IN.format(src=str(HOSTEXEC_SRC), bootstrap=str(BOOTSTRAP)))
    env = runtime_environment(runtime_id, endpoint.url, code_dir, "handler.handler", 3)
    stand_in = subprocess.Popen(
        [sys.executable, str(script), json.dumps(env), str(code_dir)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert stand_in.stdout is not None
    port = json.loads(stand_in.stdout.readline())["port"]
    assert endpoint.ready_event(runtime_id).wait(15)
    # Leave a grandchild behind, which only a whole-group teardown reaches.
    assert post_invoke(port, endpoint, {"action": "spawn"}).kind == "response"
    assert wait_until(lambda: processes_with(runtime_id, 3), 5, "environment processes")
    return stand_in, runtime_id, port


def test_owner_killed_takes_environment_down(
    tmp_path: Path, fake_endpoint: FakeExecutorEndpoint
) -> None:
    stand_in, runtime_id, _ = start_stand_in(tmp_path, fake_endpoint)

    stand_in.kill()  # no atexit, no stop(): only the parent-death signal is left
    stand_in.wait()

    wait_no_processes(runtime_id, timeout=10)


def test_owner_exiting_takes_environment_down(
    tmp_path: Path, fake_endpoint: FakeExecutorEndpoint
) -> None:
    stand_in, runtime_id, _ = start_stand_in(tmp_path, fake_endpoint)

    assert stand_in.stdin is not None
    stand_in.stdin.close()
    assert stand_in.wait(10) == 0

    wait_no_processes(runtime_id, timeout=10)


def test_sigterm_to_supervisor_alone_kills_its_group(spawn_runtime: Spawn) -> None:
    runtime = spawn_runtime(HANDLER)
    assert runtime.invoke({"action": "spawn"}).kind == "response"
    assert wait_until(lambda: processes_with(runtime.runtime_id, 3), 5, "processes")

    os.kill(runtime.proc.pid, signal.SIGTERM)

    wait_no_processes(runtime.runtime_id, timeout=10)
