"""Process plumbing for the executor, free of LocalStack imports so it can be tested alone.

The rule it serves: an execution environment never outlives LocalStack. Three layers make sure:
``stop()`` tears the environment's process group down; an atexit hook kills what is left when
LocalStack exits; PR_SET_PDEATHSIG kills the environment when LocalStack dies without running
either (SIGKILL, crash).
"""

from __future__ import annotations

import atexit
import collections
import contextlib
import ctypes
import os
import signal
import subprocess
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

_PR_SET_PDEATHSIG = 1


def _load_prctl() -> Callable[..., int] | None:
    try:
        prctl: Callable[..., int] = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    return prctl


# Resolved before any fork: the pre-exec hook runs between fork and exec in a multi-threaded
# parent, where loading a library or taking a lock could deadlock.
_PRCTL = _load_prctl()


def make_preexec(parent_pid: int) -> Callable[[], None]:
    """A ``preexec_fn`` that has the child SIGKILLed when its parent dies."""

    def preexec() -> None:
        if _PRCTL is not None:
            _PRCTL(
                ctypes.c_int(_PR_SET_PDEATHSIG),
                ctypes.c_ulong(signal.SIGKILL),
                ctypes.c_ulong(0),
                ctypes.c_ulong(0),
                ctypes.c_ulong(0),
            )
        # The parent died between fork and prctl: nobody would ever signal us.
        if os.getppid() != parent_pid:
            os._exit(1)

    return preexec


class Spawner:
    """Starts children from one long-lived thread.

    PR_SET_PDEATHSIG fires when the *thread* that forked the child ends, not the process, and
    LocalStack starts environments from pool threads that come and go.
    """

    def __init__(self) -> None:
        self._requests: collections.deque[
            tuple[dict[str, Any], Future[subprocess.Popen[bytes]]]
        ] = collections.deque()
        self._wakeup = threading.Condition()
        self._thread: threading.Thread | None = None

    def spawn(self, **popen_kwargs: Any) -> subprocess.Popen[bytes]:
        future: Future[subprocess.Popen[bytes]] = Future()
        with self._wakeup:
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="hostexec-spawner", daemon=True
                )
                self._thread.start()
            self._requests.append((popen_kwargs, future))
            self._wakeup.notify()
        return future.result()

    def _run(self) -> None:
        while True:
            with self._wakeup:
                while not self._requests:
                    self._wakeup.wait()
                kwargs, future = self._requests.popleft()
            try:
                future.set_result(subprocess.Popen(**kwargs))
            except BaseException as exc:
                future.set_exception(exc)


def signal_group(pgid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signum)


def terminate_process_group(proc: subprocess.Popen[bytes], grace_s: float) -> int:
    """SIGTERM the child's process group, SIGKILL it after ``grace_s``; reap the leader.

    The child must lead its own group (``start_new_session=True``).
    """
    pgid = proc.pid
    if proc.poll() is None:
        signal_group(pgid, signal.SIGTERM)
        try:
            proc.wait(grace_s)
        except subprocess.TimeoutExpired:
            signal_group(pgid, signal.SIGKILL)
            proc.wait()
    # Processes the handler started may outlive the leader in its group.
    signal_group(pgid, signal.SIGKILL)
    return proc.returncode


class LiveGroups:
    """Process groups still running; killed at interpreter exit."""

    def __init__(self) -> None:
        self._procs: dict[int, subprocess.Popen[bytes]] = {}
        self._lock = threading.Lock()

    def add(self, proc: subprocess.Popen[bytes]) -> None:
        with self._lock:
            self._procs[proc.pid] = proc

    def discard(self, proc: subprocess.Popen[bytes]) -> None:
        with self._lock:
            self._procs.pop(proc.pid, None)

    def kill_all(self) -> None:
        with self._lock:
            procs = list(self._procs.values())
            self._procs.clear()
        for proc in procs:
            signal_group(proc.pid, signal.SIGKILL)
        for proc in procs:
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(1)


LIVE_GROUPS = LiveGroups()
atexit.register(LIVE_GROUPS.kill_all)


class RingBuffer:
    """Keeps the most recent ``limit`` bytes written to it."""

    def __init__(self, limit: int) -> None:
        self._chunks: collections.deque[bytes] = collections.deque()
        self._size = 0
        self._limit = limit
        self._lock = threading.Lock()

    def append(self, data: bytes) -> None:
        with self._lock:
            self._chunks.append(data)
            self._size += len(data)
            while self._size > self._limit and len(self._chunks) > 1:
                self._size -= len(self._chunks.popleft())

    def text(self) -> str:
        with self._lock:
            data = b"".join(self._chunks)
        return data[-self._limit :].decode(errors="replace")
