"""Releases the stacks of threads that have finished but are still referenced.

Why: from Python 3.13 a ``threading.Thread`` is a joinable pthread until it is joined, or until
its Python object is freed (then CPython detaches it). Up to 3.12 every thread was detached at
start. Until then glibc keeps the finished thread's stack: an 8 MiB mapping plus a guard page,
two entries of the process's memory map (``vm.max_map_count``, 65,530 by default).

LocalStack (built for 3.11/3.12) keeps references to finished threads for ever and never joins
them: ``start_thread`` appends every thread to ``localstack.utils.threads.TMP_THREADS`` (a
shutdown list nobody prunes), which the Lambda service calls for each invocation (a thread that
records the CloudWatch metric), and Step Functions appends each execution's, branch's and
task's worker thread to the same list. On LocalStack's Python 3.13 every API request through
API Gateway -> Lambda therefore left one stack behind, until the map count hit the kernel's
limit and ``can't start new thread`` took the gateway down.

The reaper joins every finished thread (joining a finished thread returns at once and frees its
stack; a later join by its owner still returns at once) and drops finished threads from the
shutdown list, so neither the stacks nor the objects accumulate. It needs nothing of LocalStack
and is tested alone; ``hostexec.hooks`` starts it inside LocalStack.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from dataclasses import dataclass
from typing import Any

LOG = logging.getLogger(__name__)

DEFAULT_INTERVAL_S = 1.0


@dataclass(frozen=True)
class Reaped:
    joined: int
    pruned: int


def _finished(thread: threading.Thread) -> bool:
    # ident is set once start() has run; a thread appended to a list before its start is kept.
    return thread.ident is not None and not thread.is_alive()


def _known_threads() -> list[threading.Thread]:
    """Every Thread object not yet garbage-collected, finished or not.

    ``threading._dangling`` is CPython's own weak registry of them (the one ``_after_fork`` uses);
    without it (another interpreter) only the shutdown list's threads are reaped.
    """
    dangling = getattr(threading, "_dangling", None)
    if dangling is None:
        return []
    for _ in range(3):
        try:
            return list(dangling)
        except RuntimeError:  # a thread was created during the copy: take it again
            continue
    return []


def _keep_in_shutdown_list(item: Any) -> bool:
    if not isinstance(item, threading.Thread) or not _finished(item):
        return True  # thread pools, servers, threads still running or not yet started
    # A FuncThread with an on_stop callback expects stop() at shutdown, finished or not.
    return getattr(item, "on_stop", None) is not None


def reap(shutdown_list: list[Any] | None = None) -> Reaped:
    """Join every finished thread; remove finished threads from ``shutdown_list`` in place."""
    pruned = 0
    candidates = _known_threads()
    if shutdown_list is not None:
        for item in list(shutdown_list):
            if isinstance(item, threading.Thread):
                candidates.append(item)
            if not _keep_in_shutdown_list(item):
                # list.remove is atomic under the GIL; a concurrent append is never lost.
                with contextlib.suppress(ValueError):
                    shutdown_list.remove(item)
                    pruned += 1
    joined = 0
    current = threading.current_thread()
    for thread in {id(t): t for t in candidates}.values():
        if thread is current or not _finished(thread):
            continue
        try:
            thread.join(0)
        except RuntimeError:  # dummy threads (started outside threading) cannot be joined
            continue
        joined += 1
    return Reaped(joined=joined, pruned=pruned)


class ThreadReaper:
    """Runs ``reap`` every ``interval_s`` seconds on a daemon thread of its own."""

    def __init__(
        self, shutdown_list: list[Any] | None = None, interval_s: float = DEFAULT_INTERVAL_S
    ) -> None:
        self._shutdown_list = shutdown_list
        self._interval_s = interval_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.total_pruned = 0

    def start(self) -> None:
        if self._thread is not None:
            return
        self._thread = threading.Thread(
            target=self._run, name="hostexec-thread-reaper", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(self._interval_s + 5)

    def _run(self) -> None:
        while not self._stop.wait(self._interval_s):
            try:
                self.total_pruned += reap(self._shutdown_list).pruned
            except Exception:  # never let the reaper die: the leak would come back silently
                LOG.exception("hostexec: reaping finished threads failed")
