"""Python Lambda functions on LocalStack through the hostexec executor, via boto3.

Needs LocalStack running with ``LAMBDA_RUNTIME_EXECUTOR=hostexec`` at ``AWS_ENDPOINT_URL``.
"""

from __future__ import annotations

import textwrap
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any, NamedTuple
from urllib.parse import urlparse

import pytest
from hostexec_testlib import (
    LambdaFactory,
    invoke,
    processes_matching,
    wait_no_processes,
    wait_until,
)

pytestmark = pytest.mark.localstack


def code(source: str) -> dict[str, str | bytes]:
    return {"handler.py": textwrap.dedent(source)}


def test_returns_payload_and_receives_event_and_context(
    lambda_client: Any, lambda_factory: LambdaFactory
) -> None:
    name = lambda_factory.create_function(
        code(
            """
            def handler(event, context):
                return {
                    "event": event,
                    "function_name": context.function_name,
                    "function_version": context.function_version,
                    "invoked_function_arn": context.invoked_function_arn,
                    "memory_limit_in_mb": context.memory_limit_in_mb,
                    "aws_request_id": context.aws_request_id,
                    "log_group_name": context.log_group_name,
                    "log_stream_name": context.log_stream_name,
                    "remaining": context.get_remaining_time_in_millis(),
                }
            """
        ),
        timeout=10,
    )
    event = {"key": "value", "nested": {"list": [1, 2.5, None, True]}, "text": "ünïcode"}

    result = invoke(lambda_client, name, event)

    assert result.function_error is None
    payload = result.payload
    assert payload["event"] == event
    assert payload["function_name"] == name
    assert payload["function_version"] == "$LATEST"
    assert payload["invoked_function_arn"].endswith(f":function:{name}")
    assert payload["memory_limit_in_mb"] == "128"
    assert payload["aws_request_id"] == result.request_id
    assert payload["log_group_name"] == f"/aws/lambda/{name}"
    assert payload["log_stream_name"]
    assert 0 < payload["remaining"] <= 10_000


def test_warm_environment_is_reused_and_reaches_localstack(
    lambda_client: Any, lambda_factory: LambdaFactory, endpoint_url: str
) -> None:
    name = lambda_factory.create_function(
        code(
            """
            import json, os, urllib.request

            COUNTER = 0

            def handler(event, context):
                global COUNTER
                COUNTER += 1
                endpoint = os.environ["AWS_ENDPOINT_URL"]
                with urllib.request.urlopen(endpoint + "/_localstack/health", timeout=10) as r:
                    services = json.load(r)["services"]
                return {
                    "counter": COUNTER,
                    "pid": os.getpid(),
                    "endpoint": endpoint,
                    "lambda_service": services.get("lambda"),
                    "task_root": os.environ["LAMBDA_TASK_ROOT"],
                    "cwd": os.getcwd(),
                }
            """
        )
    )

    first = invoke(lambda_client, name).payload
    second = invoke(lambda_client, name).payload

    assert (first["counter"], second["counter"]) == (1, 2)
    assert first["pid"] == second["pid"]
    function_endpoint = urlparse(first["endpoint"])
    assert function_endpoint.hostname == "127.0.0.1"
    assert function_endpoint.port == urlparse(endpoint_url).port
    assert first["lambda_service"] in {"running", "available"}
    assert first["cwd"] == first["task_root"]


def test_unhandled_exception(lambda_client: Any, lambda_factory: LambdaFactory) -> None:
    name = lambda_factory.create_function(
        code(
            """
            def handler(event, context):
                raise ValueError("boom")
            """
        )
    )

    result = invoke(lambda_client, name, tail=True)

    assert result.function_error == "Unhandled"
    assert result.payload["errorType"] == "ValueError"
    assert result.payload["errorMessage"] == "boom"
    assert result.payload["stackTrace"]
    assert 'raise ValueError("boom")' in result.payload["stackTrace"][-1]
    assert "[ERROR] ValueError: boom" in result.log_tail


class InitFailure(NamedTuple):
    files: dict[str, str | bytes]
    handler: str
    error_type: str
    message: str | None


@pytest.mark.parametrize(
    "case",
    [
        pytest.param(
            InitFailure(
                code("import hx_missing_dependency\n"),
                "handler.handler",
                "Runtime.ImportModuleError",
                "Unable to import module 'handler': No module named 'hx_missing_dependency'",
            ),
            id="import-error",
        ),
        pytest.param(
            InitFailure(
                code("def other(event, context):\n    return 1\n"),
                "handler.handler",
                "Runtime.HandlerNotFound",
                "Handler 'handler' missing on module 'handler'",
            ),
            id="handler-not-found",
        ),
        pytest.param(
            InitFailure(
                code("def handler(event, context):\n    return 1\n"),
                "nosuchmodule.handler",
                "Runtime.ImportModuleError",
                "Unable to import module 'nosuchmodule': No module named 'nosuchmodule'",
            ),
            id="module-not-found",
        ),
        pytest.param(
            InitFailure(
                code("def handler(event, context:\n"),
                "handler.handler",
                "Runtime.UserCodeSyntaxError",
                None,
            ),
            id="syntax-error",
        ),
    ],
)
def test_init_failures_are_invoke_errors(
    lambda_client: Any, lambda_factory: LambdaFactory, case: InitFailure
) -> None:
    name = lambda_factory.create_function(case.files, handler=case.handler)

    # Every invoke reports it, promptly: a failed init must not wedge the environment.
    for _ in range(2):
        result = invoke(lambda_client, name)
        assert result.function_error == "Unhandled"
        assert result.payload["errorType"] == case.error_type
        if case.message is not None:
            assert result.payload["errorMessage"] == case.message
        assert result.elapsed < 15


def test_non_serialisable_result_is_marshal_error(
    lambda_client: Any, lambda_factory: LambdaFactory
) -> None:
    name = lambda_factory.create_function(
        code(
            """
            def handler(event, context):
                return {"a set": {1, 2}}
            """
        )
    )

    result = invoke(lambda_client, name)

    assert result.function_error == "Unhandled"
    assert result.payload["errorType"] == "Runtime.MarshalError"
    assert result.payload["errorMessage"] == (
        "Unable to marshal response: Object of type set is not JSON serializable"
    )


def test_timeout_is_enforced_and_function_recovers(
    lambda_client: Any, lambda_factory: LambdaFactory
) -> None:
    name = lambda_factory.create_function(
        code(
            """
            import time

            def handler(event, context):
                if event.get("hang"):
                    time.sleep(30)
                return "done"
            """
        ),
        timeout=1,
    )

    hung = invoke(lambda_client, name, {"hang": True}, tail=True)

    assert hung.elapsed < 8
    assert hung.function_error == "Unhandled"
    assert hung.payload["errorType"] == "Sandbox.Timedout"
    assert hung.payload["errorMessage"].endswith("Task timed out after 1.00 seconds")
    assert "Status: timeout" in hung.log_tail

    recovered = invoke(lambda_client, name)
    assert recovered.function_error is None
    assert recovered.payload == "done"


def test_crashing_process_is_exit_error_and_function_recovers(
    lambda_client: Any, lambda_factory: LambdaFactory
) -> None:
    name = lambda_factory.create_function(
        code(
            """
            import os

            def handler(event, context):
                if event.get("exit"):
                    os._exit(3)
                return "alive"
            """
        )
    )

    crashed = invoke(lambda_client, name, {"exit": True})
    recovered = invoke(lambda_client, name)

    assert crashed.function_error == "Unhandled"
    assert crashed.payload["errorType"] == "Runtime.ExitError"
    assert crashed.payload["errorMessage"].endswith("exit status 3")
    assert recovered.payload == "alive"


def test_logs_in_tail_and_cloudwatch(
    lambda_client: Any, logs_client: Any, lambda_factory: LambdaFactory
) -> None:
    name = lambda_factory.create_function(
        code(
            """
            import logging, sys

            logger = logging.getLogger()
            logger.setLevel(logging.INFO)

            def handler(event, context):
                print("print-" + event["marker"])
                logger.info("logging-%s", event["marker"])
                print("stderr-" + event["marker"], file=sys.stderr)
                return "ok"
            """
        )
    )
    marker = uuid.uuid4().hex

    result = invoke(lambda_client, name, {"marker": marker}, tail=True)

    tail = result.log_tail
    assert f"print-{marker}" in tail
    assert f"stderr-{marker}" in tail
    assert "[INFO]\t" in tail
    assert f"\t{result.request_id}\tlogging-{marker}" in tail
    assert f"START RequestId: {result.request_id} Version: $LATEST" in tail
    assert f"END RequestId: {result.request_id}" in tail
    assert f"REPORT RequestId: {result.request_id}\tDuration: " in tail
    assert "Init Duration: " in tail

    def cloudwatch_messages() -> str | None:
        try:
            events = logs_client.filter_log_events(logGroupName=f"/aws/lambda/{name}")["events"]
        except logs_client.exceptions.ResourceNotFoundException:
            return None
        text = "".join(event["message"] for event in events)
        wanted = (f"print-{marker}", f"logging-{marker}", f"REPORT RequestId: {result.request_id}")
        return text if all(part in text for part in wanted) else None

    wait_until(cloudwatch_messages, 30, "invocation logs in CloudWatch Logs")


def test_environment_dying_at_startup_is_reported_not_hung(
    lambda_client: Any, lambda_factory: LambdaFactory
) -> None:
    # A function setting PYTHONHOME breaks its own interpreter before the runtime can start.
    name = lambda_factory.create_function(
        code("def handler(event, context):\n    return 1\n"),
        environment={"PYTHONHOME": "/nonexistent"},
    )

    result = invoke(lambda_client, name)

    assert result.elapsed < 15
    assert result.function_error == "Unhandled"
    assert result.payload["errorType"] == "Runtime.ExitError"
    assert "Runtime exited with error: exit status 1" in result.payload["errorMessage"]
    assert "Python" in result.payload["errorMessage"]  # the interpreter's own complaint


def test_layers_are_merged_in_order_on_path_and_pythonpath(
    lambda_client: Any, lambda_factory: LambdaFactory
) -> None:
    first = lambda_factory.publish_layer(
        {
            "python/layermod.py": "VALUE = 'first layer'\n",
            "python/onlyfirst.py": "VALUE = 'kept from the first layer'\n",
            "bin/sometool": "#!/bin/sh\necho tool says hi\n",
        },
        executables=("bin/sometool",),
    )
    second = lambda_factory.publish_layer(
        {"python/layermod.py": "VALUE = 'second layer'\n"},
    )
    name = lambda_factory.create_function(
        code(
            """
            import shutil, subprocess
            import layermod, onlyfirst

            def handler(event, context):
                tool = shutil.which("sometool")
                output = subprocess.run([tool], capture_output=True, text=True, check=True)
                return {
                    "layermod": layermod.VALUE,
                    "onlyfirst": onlyfirst.VALUE,
                    "tool": tool,
                    "tool_output": output.stdout.strip(),
                }
            """
        ),
        layers=[first, second],
    )

    result = invoke(lambda_client, name)

    assert result.function_error is None, result.payload
    assert result.payload["layermod"] == "second layer"  # later layers win, as in /opt
    assert result.payload["onlyfirst"] == "kept from the first layer"
    assert result.payload["tool"].endswith("/bin/sometool")
    assert result.payload["tool_output"] == "tool says hi"


def test_concurrent_invokes_run_in_separate_environments(
    lambda_client: Any, lambda_factory: LambdaFactory
) -> None:
    name = lambda_factory.create_function(
        code(
            """
            import os, time

            def handler(event, context):
                began = time.time()
                time.sleep(1)
                return {"pid": os.getpid(), "i": event["i"], "began": began, "ended": time.time()}
            """
        )
    )

    with ThreadPoolExecutor(max_workers=3) as pool:
        results = list(pool.map(lambda i: invoke(lambda_client, name, {"i": i}), range(3)))

    assert [r.function_error for r in results] == [None, None, None]
    assert sorted(r.payload["i"] for r in results) == [0, 1, 2]
    assert len({r.payload["pid"] for r in results}) == 3
    # The three handlers ran at once: every one began before any ended (on the host's one
    # clock), whatever the cold starts cost on a busy machine (a wall-clock bound on the three
    # invokes failed under load without saying anything about concurrency).
    began = max(r.payload["began"] for r in results)
    ended = min(r.payload["ended"] for r in results)
    assert began < ended, f"the handlers ran one after another ({began:.3f} >= {ended:.3f})"


def test_deleting_function_leaves_no_process(
    lambda_client: Any, lambda_factory: LambdaFactory
) -> None:
    name = lambda_factory.create_function(
        code(
            """
            import os, subprocess

            def handler(event, context):
                # Something the handler leaves running, which must go with the environment.
                subprocess.Popen(["sleep", "300"])
                return os.environ["LOCALSTACK_RUNTIME_ID"]
            """
        )
    )
    runtime_id = invoke(lambda_client, name).payload
    marker = f"AWS_LAMBDA_FUNCTION_NAME={name}\0"
    assert len(processes_matching(marker)) >= 3  # supervisor, worker, sleep
    assert processes_matching(f"LOCALSTACK_RUNTIME_ID={runtime_id}")

    lambda_client.delete_function(FunctionName=name)

    wait_no_processes(marker, timeout=20)


def test_unsupported_runtime_fails_invokes_with_a_reason(
    lambda_client: Any, lambda_factory: LambdaFactory
) -> None:
    # Active rather than Failed: LocalStack cannot delete a function whose preparation failed.
    name = lambda_factory.create_function(
        {"index.js": "exports.handler = async () => 1;\n"},
        handler="index.handler",
        runtime="nodejs20.x",
    )

    result = invoke(lambda_client, name)

    assert result.function_error == "Unhandled"
    assert result.payload["errorType"] == "Runtime.UnsupportedRuntime"
    assert "python3.x" in result.payload["errorMessage"]
    assert "nodejs20.x" in result.payload["errorMessage"]
    lambda_client.delete_function(FunctionName=name)
