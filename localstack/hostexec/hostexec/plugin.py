"""plux entry point: LocalStack looks executors up by name in this namespace."""

from __future__ import annotations

from typing import Any

from localstack.services.lambda_.invocation.plugins import RuntimeExecutorPlugin


class HostRuntimeExecutorPlugin(RuntimeExecutorPlugin):  # type: ignore[misc,unused-ignore]
    name = "hostexec"

    def load(self, *args: Any, **kwargs: Any) -> type:
        # Imported lazily, like LocalStack's docker plugin: plugin discovery must stay cheap and
        # must not pull in the Lambda service for processes that never run a function.
        from hostexec.executor import HostRuntimeExecutor

        return HostRuntimeExecutor
