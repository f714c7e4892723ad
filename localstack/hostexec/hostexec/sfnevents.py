"""Step Functions' execution status change events sent beside the execution, not in its way
(installed by the launcher, ``python -m hostexec.s3guard``).

LocalStack's ``Execution.start`` publishes the "Step Functions Execution Status Change" event
(to the default bus) with a synchronous PutEvents through its own gateway before the execution's
worker starts, and publishes again, synchronously, when the execution ends: every execution
waits for two EventBridge round trips on a busy process (20-60 ms each, more under load; py-spy
found them inside StartExecution). In AWS those events are delivered asynchronously and never
delay an execution, and nothing of ours consumes them.

Here the event's content is taken at the moment LocalStack publishes (a shallow copy of the
execution: its status, dates and output as they are then) and sent by one background thread,
in order. ``HOSTEXEC_SFN_EVENTS_ASYNC=0`` turns it off.
"""

from __future__ import annotations

import copy
import logging
import os
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

LOG = logging.getLogger(__name__)
# One thread: the events of an execution leave in the order LocalStack published them.
SENDER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="hostexec-sfn-events")


def install() -> bool:
    """Patch ``Execution.publish_execution_status_change_event``; whether it is patched."""
    if os.environ.get("HOSTEXEC_SFN_EVENTS_ASYNC", "1") == "0":
        LOG.warning(
            "hostexec: Step Functions status events synchronous (HOSTEXEC_SFN_EVENTS_ASYNC=0)"
        )
        return False
    from localstack.services.stepfunctions.backend.execution import Execution

    original = Execution.publish_execution_status_change_event
    if getattr(original, "__hostexec_async__", False):
        return True

    def publish_execution_status_change_event(self: Any) -> Future[None]:
        # The fields the event reads, as they are now (the execution goes on changing).
        snapshot = copy.copy(self)
        return SENDER.submit(original, snapshot)

    setattr(publish_execution_status_change_event, "__hostexec_async__", True)  # noqa: B010
    publish_execution_status_change_event.__doc__ = original.__doc__
    patched: Any = Execution
    patched.publish_execution_status_change_event = publish_execution_status_change_event
    return True
