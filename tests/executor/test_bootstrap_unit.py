"""Unit tests of the runtime bootstrap's pieces (no processes, no LocalStack)."""

from __future__ import annotations

import ast
import decimal
import json
import logging
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from hostexec import bootstrap
from hostexec.procs import LiveGroups, RingBuffer
from hostexec_testlib import wait_until


@pytest.fixture
def module_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A directory on sys.path for throwaway handler modules, unloaded afterwards."""
    monkeypatch.syspath_prepend(str(tmp_path))
    before = set(sys.modules)
    yield tmp_path
    for name in set(sys.modules) - before:
        del sys.modules[name]


# -- handler resolution --------------------------------------------------------------------


def test_resolves_dotted_handler(module_dir: Path) -> None:
    package = module_dir / "hx_pkg" / "sub"
    package.mkdir(parents=True)
    (module_dir / "hx_pkg" / "__init__.py").write_text("")
    (package / "__init__.py").write_text("")
    (package / "mod.py").write_text("def handle(event, context):\n    return event * 2\n")

    handler = bootstrap.resolve_handler("hx_pkg.sub.mod.handle")

    assert handler(21, None) == 42


def test_resolves_slash_module_path(module_dir: Path) -> None:
    (module_dir / "hx_dir").mkdir()
    (module_dir / "hx_dir" / "fn.py").write_text("def main(e, c):\n    return 'ok'\n")

    assert bootstrap.resolve_handler("hx_dir/fn.main")({}, None) == "ok"


def test_missing_module_is_import_module_error(module_dir: Path) -> None:
    with pytest.raises(bootstrap.HandlerFault) as caught:
        bootstrap.resolve_handler("hx_nothere.handler")

    assert caught.value.error_type == "Runtime.ImportModuleError"
    assert caught.value.message == (
        "Unable to import module 'hx_nothere': No module named 'hx_nothere'"
    )


def test_failing_import_inside_module_is_import_module_error(module_dir: Path) -> None:
    (module_dir / "hx_badimport.py").write_text("import hx_dependency_missing\n")

    with pytest.raises(bootstrap.HandlerFault) as caught:
        bootstrap.resolve_handler("hx_badimport.handler")

    assert caught.value.error_type == "Runtime.ImportModuleError"
    assert "hx_dependency_missing" in caught.value.message


def test_missing_function_fails_at_invoke_with_handler_not_found(module_dir: Path) -> None:
    (module_dir / "hx_nofunc.py").write_text("x = 1\n")

    # Like AWS: init succeeds, every invoke reports the fault.
    handler = bootstrap.resolve_handler("hx_nofunc.handler")
    with pytest.raises(bootstrap.HandlerFault) as caught:
        handler({}, None)

    assert caught.value.error_type == "Runtime.HandlerNotFound"
    assert caught.value.message == "Handler 'handler' missing on module 'hx_nofunc'"
    assert caught.value.to_payload("rid")["stackTrace"] == []


def test_handler_without_dot_is_malformed() -> None:
    with pytest.raises(bootstrap.HandlerFault) as caught:
        bootstrap.resolve_handler("handler")

    assert caught.value.error_type == "Runtime.MalformedHandlerName"
    assert caught.value.message.startswith("Bad handler 'handler': ")


def test_builtin_module_conflict() -> None:
    with pytest.raises(bootstrap.HandlerFault) as caught:
        bootstrap.resolve_handler("sys.exit")

    assert caught.value.error_type == "Runtime.BuiltInModuleConflict"


def test_syntax_error_is_user_code_syntax_error(module_dir: Path) -> None:
    (module_dir / "hx_syntax.py").write_text("def handler(:\n")

    with pytest.raises(bootstrap.HandlerFault) as caught:
        bootstrap.resolve_handler("hx_syntax.handler")

    assert caught.value.error_type == "Runtime.UserCodeSyntaxError"
    assert caught.value.message.startswith("Syntax error in module 'hx_syntax': ")
    assert "Line 1" in caught.value.trace[0]


# -- context --------------------------------------------------------------------------------


def test_context_attributes_and_remaining_time() -> None:
    environ = {
        "AWS_LAMBDA_FUNCTION_NAME": "fn",
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256",
        "AWS_LAMBDA_LOG_GROUP_NAME": "/aws/lambda/fn",
        "AWS_LAMBDA_LOG_STREAM_NAME": "2024/01/01/[$LATEST]abc",
    }
    deadline = int(time.time() * 1000) + 3000
    context = bootstrap.LambdaContext(
        request_id="rid",
        invoked_function_arn="arn:aws:lambda:us-east-1:000000000000:function:fn",
        deadline_epoch_ms=deadline,
        environ=environ,
    )

    assert context.function_name == "fn"
    assert context.function_version == "$LATEST"
    assert context.memory_limit_in_mb == "256"
    assert context.aws_request_id == "rid"
    assert context.log_group_name == "/aws/lambda/fn"
    assert context.log_stream_name == "2024/01/01/[$LATEST]abc"
    assert context.identity.cognito_identity_id is None
    assert context.client_context is None
    assert 2000 < context.get_remaining_time_in_millis() <= 3000


def test_remaining_time_never_negative() -> None:
    context = bootstrap.LambdaContext(
        request_id="rid",
        invoked_function_arn="arn",
        deadline_epoch_ms=int(time.time() * 1000) - 5000,
        environ={},
    )

    assert context.get_remaining_time_in_millis() == 0


def test_client_context_accepts_base64_json() -> None:
    raw = "eyJjbGllbnQiOiB7ImFwcF90aXRsZSI6ICJ0In0sICJjdXN0b20iOiB7ImsiOiAidiJ9fQ=="
    parsed = bootstrap.parse_client_context(raw)
    assert parsed is not None
    context = bootstrap.LambdaContext(
        request_id="r",
        invoked_function_arn="a",
        deadline_epoch_ms=0,
        client_context=parsed,
        environ={},
    )

    assert context.client_context is not None
    assert context.client_context.custom == {"k": "v"}
    assert context.client_context.client is not None
    assert context.client_context.client.app_title == "t"


# -- errors and marshalling -----------------------------------------------------------------


def test_timeout_message_format() -> None:
    error = bootstrap.timeout_error("8f5e-id", 1)

    assert error == {
        "errorMessage": "RequestId: 8f5e-id Error: Task timed out after 1.00 seconds",
        "errorType": "Sandbox.Timedout",
    }
    assert "after 900.00 seconds" in bootstrap.timeout_error("x", 900)["errorMessage"]


def test_exit_error_describes_signals_and_codes() -> None:
    assert bootstrap.exit_error("r", 3)["errorMessage"] == (
        "RequestId: r Error: Runtime exited with error: exit status 3"
    )
    crashed = bootstrap.exit_error("r", -signal.SIGSEGV)
    assert crashed["errorType"] == "Runtime.ExitError"
    assert crashed["errorMessage"].endswith("signal: segmentation fault")


def test_marshal_error_for_unserialisable_result() -> None:
    with pytest.raises(bootstrap.HandlerFault) as caught:
        bootstrap.marshal_response({"s": {1, 2}})

    assert caught.value.error_type == "Runtime.MarshalError"
    assert caught.value.message == (
        "Unable to marshal response: Object of type set is not JSON serializable"
    )


def test_marshal_decimal_and_unicode() -> None:
    body = bootstrap.marshal_response(
        {"n": decimal.Decimal("3"), "f": decimal.Decimal("1.5"), "s": "é"}
    )

    assert body == '{"n": 3, "f": 1.5, "s": "é"}'


def test_unmarshal_event() -> None:
    assert bootstrap.unmarshal_event("") == {}
    assert bootstrap.unmarshal_event('{"a": [1]}') == {"a": [1]}
    with pytest.raises(bootstrap.HandlerFault) as caught:
        bootstrap.unmarshal_event("{nope")
    assert caught.value.error_type == "Runtime.UnmarshalError"


def _raise_boom() -> None:
    raise ValueError("boom")


def test_error_from_exception_drops_runtime_frame() -> None:
    try:
        _raise_boom()
    except ValueError as exc:
        error = bootstrap.error_from_exception((ValueError, exc, exc.__traceback__), "rid")

    assert error["errorType"] == "ValueError"
    assert error["errorMessage"] == "boom"
    assert error["requestId"] == "rid"
    assert len(error["stackTrace"]) == 1
    assert "_raise_boom" in error["stackTrace"][0]
    log = bootstrap.format_error_log(error)
    assert log.startswith("[ERROR] ValueError: boom\nTraceback (most recent call last):\n")


def test_report_line() -> None:
    line = bootstrap.format_report(
        request_id="r",
        duration_ms=12.345,
        memory_size="128",
        max_memory_mb=30,
        init_duration_ms=101.5,
    )

    assert line == (
        "REPORT RequestId: r\tDuration: 12.35 ms\tBilled Duration: 13 ms\t"
        "Memory Size: 128 MB\tMax Memory Used: 30 MB\tInit Duration: 101.50 ms"
    )
    timed_out = bootstrap.format_report(
        request_id="r", duration_ms=1000.2, memory_size="128", max_memory_mb=1, status="timeout"
    )
    assert timed_out.endswith("\tStatus: timeout")


def test_json_log_format() -> None:
    record = logging.LogRecord("app", logging.ERROR, __file__, 1, "failed %s", ("x",), None)
    record.aws_request_id = "rid"
    try:
        _raise_boom()
    except ValueError:
        record.exc_info = sys.exc_info()

    entry = json.loads(bootstrap._JsonLogFormatter().format(record))

    assert entry["level"] == "ERROR"
    assert entry["message"] == "failed x"
    assert entry["logger"] == "app"
    assert entry["requestId"] == "rid"
    assert entry["errorType"] == "ValueError"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", entry["timestamp"])


# -- framing and output splitting -----------------------------------------------------------


def test_frames_round_trip_and_deadline() -> None:
    read_fd, write_fd = os.pipe()
    try:
        # Larger than a pipe's buffer: the reader must reassemble it from several reads.
        writer = threading.Thread(
            target=bootstrap.write_frame, args=(write_fd, {"a": "x" * 100_000})
        )
        writer.start()
        reader = bootstrap.FrameReader(read_fd)
        assert reader.read(time.monotonic() + 5) == {"a": "x" * 100_000}
        writer.join()
        with pytest.raises(TimeoutError):
            reader.read(time.monotonic() + 0.05)
        os.close(write_fd)
        write_fd = -1
        assert reader.read(time.monotonic() + 5) is None
    finally:
        os.close(read_fd)
        if write_fd >= 0:
            os.close(write_fd)


def test_mark_splitter_cuts_segments_across_chunk_boundaries() -> None:
    mark = b"\x00\x1emark\x1e\x00"
    splitter = bootstrap.MarkSplitter(mark)
    stream = b"init out\n" + mark + b"first " + b"invoke\n" + mark + b"tail"
    segments: list[bytes] = []
    committed = b""
    for index in range(len(stream)):  # one byte at a time: the marker is always split
        new_segments, new_committed = splitter.feed(stream[index : index + 1])
        segments += new_segments
        committed += new_committed

    assert segments == [b"init out\n", b"first invoke\n"]
    assert mark not in committed
    assert splitter.take_partial() == b"tail"


def test_mark_splitter_bounds_a_segment() -> None:
    splitter = bootstrap.MarkSplitter(b"|M|", limit=10)
    segments, _ = splitter.feed(b"x" * 25 + b"|M|")

    assert segments[0].startswith(b"x" * 10)
    assert b"15 bytes of output dropped" in segments[0]


# -- executor-side helpers ------------------------------------------------------------------


def test_ring_buffer_keeps_the_newest_bytes() -> None:
    buffer = RingBuffer(limit=10)
    for chunk in (b"aaaa", b"bbbb", b"cccc"):
        buffer.append(chunk)

    assert buffer.text() == "bbbbcccc"[-10:]
    assert len(buffer.text()) <= 10


def test_live_groups_kill_all_takes_the_whole_group() -> None:
    groups = LiveGroups()
    proc = subprocess.Popen(
        ["/bin/sh", "-c", "sleep 300 & sleep 300"],
        start_new_session=True,
    )
    groups.add(proc)

    groups.kill_all()

    assert proc.returncode == -signal.SIGKILL
    # The background sleep was in the group too; pgrep exits 1 once nothing matches.
    wait_until(
        lambda: subprocess.run(["pgrep", "-g", str(proc.pid)], check=False).returncode == 1,
        10,
        "processes left in the killed group",
    )


def test_bootstrap_is_stdlib_only() -> None:
    # It runs under the function's interpreter, where nothing but the stdlib is guaranteed.
    tree = ast.parse(Path(bootstrap.__file__).read_text())
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module.split(".")[0])
    assert imported <= set(sys.stdlib_module_names) | {"__future__"}, imported
