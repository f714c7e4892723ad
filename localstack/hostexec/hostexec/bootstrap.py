"""Lambda runtime "init" for the hostexec executor: runs under the *function's* interpreter.

Standard library only, and Python 3.12 compatible: this file is executed by the interpreter the
function's runtime names (python3.12), not by LocalStack's.

One environment is two processes, mirroring AWS's split between the runtime emulator and the
language runtime:

* the **supervisor** (default role) answers LocalStack's ``POST /invoke`` on its own port, posts
  ready/logs/results to LocalStack's executor endpoint, measures time, enforces the timeout and
  keeps one worker;
* the **worker** (``--worker``) imports the handler once (cold start) and runs invocations one at
  a time. A hung or crashed worker is SIGKILLed/reaped by the supervisor and the next invoke
  cold-starts a fresh one, which is how AWS recovers a sandbox after a timeout.

Supervisor and worker talk over two pipes carrying length-prefixed JSON frames. The worker's
stdout and stderr share one pipe (CloudWatch interleaves them too); after each phase the worker
writes a random marker to it, so the supervisor can cut exactly that phase's output even though
results travel on another pipe.
"""

from __future__ import annotations

# Only what the worker needs is imported here: the worker pays for every module before it can
# import the handler, on each cold start. The supervisor imports its own (HTTP, subprocess...)
# where it uses them.
import contextlib
import ctypes
import datetime
import importlib
import json
import logging
import math
import os
import resource
import select
import signal
import struct
import sys
import threading
import time
import traceback

# mypy reads this block; at run time it is skipped, so typing is never imported.
TYPE_CHECKING = False
if TYPE_CHECKING:
    import socket
    from collections.abc import Callable
    from types import TracebackType
    from typing import Any, NoReturn

    Handler = Callable[[Any, Any], Any]
    ErrorPayload = dict[str, Any]
    ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]

_PR_SET_PDEATHSIG = 1
_FRAME_HEADER = struct.Struct(">I")
# AWS's init phase limit; past it an on-demand init is retried inside the first invoke.
DEFAULT_INIT_TIMEOUT_S = 10.0
# How long to wait for the worker's output marker after its result arrived. The marker was
# written before the result, so it is normally already in the pipe.
_MARK_GRACE_S = 2.0
# Output of a single invocation beyond this is dropped (with a note) to bound supervisor memory.
MAX_INVOKE_LOG_BYTES = 8 * 1024 * 1024
RUNTIME_VERSION = "hostexec"


# --------------------------------------------------------------------------------------------
# Shared helpers
# --------------------------------------------------------------------------------------------


def set_parent_death_signal(expected_parent_pid: int | None, signum: int = signal.SIGKILL) -> None:
    """Have the kernel send ``signum`` to this process when its parent dies (Linux only).

    Checking the parent pid afterwards closes the race where the parent died before prctl ran:
    we would then have been re-parented already and would never get the signal.
    """
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(
            ctypes.c_int(_PR_SET_PDEATHSIG),
            ctypes.c_ulong(signum),
            ctypes.c_ulong(0),
            ctypes.c_ulong(0),
            ctypes.c_ulong(0),
        )
    except (OSError, AttributeError):
        return
    if expected_parent_pid is not None and os.getppid() != expected_parent_pid:
        os._exit(1)


def write_frame(fd: int, message: dict[str, Any]) -> None:
    data = json.dumps(message).encode()
    view = memoryview(_FRAME_HEADER.pack(len(data)) + data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


class FrameReader:
    """Reads length-prefixed JSON frames from a pipe, with an optional deadline."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self._buffer = bytearray()

    def read(self, deadline: float | None = None) -> dict[str, Any] | None:
        """Next frame; None at end of file; TimeoutError once ``deadline`` (monotonic) passes."""
        while True:
            if len(self._buffer) >= _FRAME_HEADER.size:
                (size,) = _FRAME_HEADER.unpack_from(self._buffer)
                end = _FRAME_HEADER.size + size
                if len(self._buffer) >= end:
                    frame = bytes(self._buffer[_FRAME_HEADER.size : end])
                    del self._buffer[:end]
                    message: dict[str, Any] = json.loads(frame)
                    return message
            wait: float | None = None
            if deadline is not None:
                wait = deadline - time.monotonic()
                if wait <= 0:
                    raise TimeoutError
            readable, _, _ = select.select([self.fd], [], [], wait)
            if not readable:
                continue
            chunk = os.read(self.fd, 1 << 20)
            if not chunk:
                return None
            self._buffer += chunk


def utc_timestamp() -> str:
    now = datetime.datetime.now(datetime.UTC)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"


# --------------------------------------------------------------------------------------------
# Errors, in the shapes AWS's Python runtime (awslambdaric) and the Lambda service produce
# --------------------------------------------------------------------------------------------


class HandlerFault(Exception):
    """A runtime-level failure with an AWS error type such as ``Runtime.ImportModuleError``."""

    def __init__(self, error_type: str, message: str, trace: list[str] | None = None) -> None:
        super().__init__(message)
        self.error_type = error_type
        self.message = message
        self.trace = trace or []

    def to_payload(self, request_id: str) -> ErrorPayload:
        return make_error(self.message, self.error_type, self.trace, request_id)


def make_error(
    message: str, error_type: str, stack_trace: list[str], request_id: str
) -> ErrorPayload:
    return {
        "errorMessage": message,
        "errorType": error_type,
        "requestId": request_id,
        "stackTrace": stack_trace,
    }


def error_from_exception(exc_info: ExcInfo, request_id: str) -> ErrorPayload:
    """Error payload for an exception raised by user code.

    The first traceback entry is the runtime's own call into the handler, which AWS leaves out.
    """
    exc_type, exc, tb = exc_info
    frames = traceback.extract_tb(tb.tb_next if tb is not None else None)
    return make_error(str(exc), exc_type.__name__, traceback.format_list(frames), request_id)


def timeout_error(request_id: str, timeout_s: float) -> ErrorPayload:
    # Current AWS (and LocalStack's own init) shape; older AWS put a timestamp in front instead.
    return {
        "errorMessage": (
            f"RequestId: {request_id} Error: Task timed out after {timeout_s:.2f} seconds"
        ),
        "errorType": "Sandbox.Timedout",
    }


def describe_exit(returncode: int) -> str:
    """Describe a process exit the way AWS does (it reports Go's ``ExitError`` text)."""
    if returncode < 0:
        try:
            name = signal.strsignal(-returncode) or f"signal {-returncode}"
        except ValueError:
            name = f"signal {-returncode}"
        return f"signal: {name.lower()}"
    return f"exit status {returncode}"


def exit_error(request_id: str, returncode: int | None) -> ErrorPayload:
    detail = describe_exit(returncode) if returncode is not None else "unknown exit status"
    return {
        "errorMessage": f"RequestId: {request_id} Error: Runtime exited with error: {detail}",
        "errorType": "Runtime.ExitError",
    }


def format_error_log(error: ErrorPayload) -> str:
    """The ``[ERROR] Type: message`` + traceback block AWS's runtime prints for an error."""
    description = "[ERROR]"
    if error.get("errorType"):
        description += f" {error['errorType']}"
    if error.get("errorMessage"):
        description += ":" if error.get("errorType") else ""
        description += f" {error['errorMessage']}"
    lines = [description]
    stack = error.get("stackTrace")
    if stack is not None:
        lines.append("Traceback (most recent call last):")
        for element in stack:
            lines.extend(element.splitlines() if element else [""])
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------------------------
# Worker: handler resolution, context, marshalling
# --------------------------------------------------------------------------------------------


def resolve_handler(spec: str) -> Handler:
    """Import the handler named by ``_HANDLER`` (``pkg.module.func``), as awslambdaric does."""
    try:
        module_name, function_name = spec.rsplit(".", 1)
    except ValueError as exc:
        raise HandlerFault("Runtime.MalformedHandlerName", f"Bad handler '{spec}': {exc}") from exc
    try:
        if module_name.split(".")[0] in sys.builtin_module_names:
            raise HandlerFault(
                "Runtime.BuiltInModuleConflict",
                f"Cannot use built-in module {module_name} as a handler module",
            )
        module = importlib.import_module(module_name.replace("/", "."))
    except ImportError as exc:
        raise HandlerFault(
            "Runtime.ImportModuleError", f"Unable to import module '{module_name}': {exc}"
        ) from exc
    except SyntaxError as exc:
        trace = [f'  File "{exc.filename}" Line {exc.lineno}\n    {exc.text}']
        raise HandlerFault(
            "Runtime.UserCodeSyntaxError",
            f"Syntax error in module '{module_name}': {exc}",
            trace,
        ) from exc
    handler = getattr(module, function_name, None)
    if handler is None:
        # AWS lets init succeed and fails every invoke with this fault.
        fault = HandlerFault(
            "Runtime.HandlerNotFound",
            f"Handler '{function_name}' missing on module '{module_name}'",
        )

        def missing_handler(event: Any, context: Any) -> Any:
            raise fault

        return missing_handler
    if not callable(handler):
        raise HandlerFault(
            "Runtime.HandlerNotFound",
            f"Handler '{function_name}' on module '{module_name}' is not callable",
        )
    handler_fn: Handler = handler
    return handler_fn


class _Record:
    """Plain attribute holder with a readable repr (AWS's runtime uses similar objects)."""

    def __repr__(self) -> str:
        fields = ", ".join(f"{key}={value!r}" for key, value in vars(self).items())
        return f"{type(self).__name__}({fields})"

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and vars(other) == vars(self)

    __hash__ = None  # type: ignore[assignment]


class CognitoIdentity(_Record):
    def __init__(
        self, cognito_identity_id: str | None = None, cognito_identity_pool_id: str | None = None
    ) -> None:
        self.cognito_identity_id = cognito_identity_id
        self.cognito_identity_pool_id = cognito_identity_pool_id


class Client(_Record):
    FIELDS = (
        "installation_id",
        "app_title",
        "app_version_name",
        "app_version_code",
        "app_package_name",
    )

    def __init__(self, values: dict[str, Any]) -> None:
        self.installation_id: str | None = values.get("installation_id")
        self.app_title: str | None = values.get("app_title")
        self.app_version_name: str | None = values.get("app_version_name")
        self.app_version_code: str | None = values.get("app_version_code")
        self.app_package_name: str | None = values.get("app_package_name")


class ClientContext(_Record):
    def __init__(
        self,
        client: Client | None = None,
        custom: dict[str, Any] | None = None,
        env: dict[str, Any] | None = None,
    ) -> None:
        self.client = client
        self.custom = custom
        self.env = env

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ClientContext:
        raw_client = data.get("client")
        client = Client(raw_client) if isinstance(raw_client, dict) else None
        return cls(client=client, custom=data.get("custom"), env=data.get("env"))


class LambdaContext:
    """The ``context`` argument, with the attributes of AWS's Python runtime."""

    def __init__(
        self,
        *,
        request_id: str,
        invoked_function_arn: str,
        deadline_epoch_ms: int,
        client_context: dict[str, Any] | None = None,
        cognito_identity: dict[str, Any] | None = None,
        environ: dict[str, str] | None = None,
    ) -> None:
        env = os.environ if environ is None else environ
        self.aws_request_id = request_id
        self.invoked_function_arn = invoked_function_arn
        self.function_name = env.get("AWS_LAMBDA_FUNCTION_NAME")
        self.function_version = env.get("AWS_LAMBDA_FUNCTION_VERSION")
        # A string on AWS as well: awslambdaric copies it from the environment unchanged.
        self.memory_limit_in_mb = env.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.log_group_name = env.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = env.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self.tenant_id: str | None = None
        identity = cognito_identity or {}
        self.identity = CognitoIdentity(
            cognito_identity_id=identity.get("cognitoIdentityId"),
            cognito_identity_pool_id=identity.get("cognitoIdentityPoolId"),
        )
        self.client_context: ClientContext | None = None
        if client_context is not None:
            self.client_context = ClientContext.from_dict(client_context)
        self._deadline_epoch_ms = deadline_epoch_ms

    def get_remaining_time_in_millis(self) -> int:
        remaining = self._deadline_epoch_ms - int(time.time() * 1000)
        return max(remaining, 0)

    def log(self, message: str) -> None:
        sys.stdout.write(message)
        sys.stdout.flush()

    def __repr__(self) -> str:
        return (
            f"LambdaContext([aws_request_id={self.aws_request_id},"
            f"function_name={self.function_name},"
            f"invoked_function_arn={self.invoked_function_arn}])"
        )


def parse_client_context(raw: Any) -> dict[str, Any] | None:
    """Client context arrives as JSON, possibly base64-encoded as in the Invoke API header."""
    if not raw:
        return None
    if isinstance(raw, dict):
        return raw
    import base64
    import binascii

    text = str(raw)
    try:
        decoded: Any = json.loads(text)
    except ValueError:
        try:
            decoded = json.loads(base64.b64decode(text, validate=True))
        except (ValueError, binascii.Error):
            return None
    return decoded if isinstance(decoded, dict) else None


class _LambdaJSONEncoder(json.JSONEncoder):
    # AWS serialises Decimal (common from DynamoDB) as a number rather than failing. A Decimal
    # can only exist if its module is loaded, so it is looked up rather than imported.
    def default(self, o: Any) -> Any:
        decimal = sys.modules.get("decimal")
        if decimal is not None and isinstance(o, decimal.Decimal):
            if o.is_nan():
                return math.nan
            return int(o) if o == o.to_integral_value() else float(o)
        return super().default(o)


def marshal_response(result: Any) -> str:
    try:
        return json.dumps(result, cls=_LambdaJSONEncoder, ensure_ascii=False, allow_nan=True)
    except (TypeError, ValueError) as exc:
        raise HandlerFault("Runtime.MarshalError", f"Unable to marshal response: {exc}") from exc


def unmarshal_event(payload: str) -> Any:
    if not payload:
        return {}
    try:
        return json.loads(payload)
    except ValueError as exc:
        raise HandlerFault("Runtime.UnmarshalError", f"Unable to unmarshal input: {exc}") from exc


class _RequestIdFilter(logging.Filter):
    def __init__(self) -> None:
        super().__init__()
        self.request_id = ""

    def filter(self, record: logging.LogRecord) -> bool:
        record.aws_request_id = self.request_id
        return True


class _JsonLogFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "timestamp": datetime.datetime.fromtimestamp(record.created, datetime.UTC).strftime(
                "%Y-%m-%dT%H:%M:%S.%fZ"
            ),
            "level": record.levelname,
            "message": record.getMessage(),
            "logger": record.name,
            "requestId": getattr(record, "aws_request_id", ""),
        }
        if record.exc_info and record.exc_info[0] is not None:
            entry["errorType"] = record.exc_info[0].__name__
            entry["errorMessage"] = str(record.exc_info[1])
            entry["stackTrace"] = traceback.format_tb(record.exc_info[2])
        return json.dumps(entry, default=str)


def install_lambda_logging(stream: Any) -> _RequestIdFilter:
    """Install the root handler AWS's runtime installs (so ``logging.basicConfig`` is a no-op).

    Like AWS, the root level stays WARNING unless advanced logging controls set a level.
    """
    logging.Formatter.converter = time.gmtime
    handler = logging.StreamHandler(stream)
    request_filter = _RequestIdFilter()
    handler.addFilter(request_filter)
    root = logging.getLogger()
    if os.environ.get("AWS_LAMBDA_LOG_FORMAT", "").upper() == "JSON":
        handler.setFormatter(_JsonLogFormatter())
    else:
        handler.setFormatter(
            logging.Formatter(
                "[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s",
                "%Y-%m-%dT%H:%M:%S",
            )
        )
    level = os.environ.get("AWS_LAMBDA_LOG_LEVEL", "").upper()
    if level:
        root.setLevel(level)
    root.addHandler(handler)
    return request_filter


class Worker:
    """Runs inside the worker process: init once, then one invocation per command frame."""

    def __init__(self, cmd_fd: int, result_fd: int, mark: bytes) -> None:
        self.commands = FrameReader(cmd_fd)
        self.result_fd = result_fd
        self.mark = mark
        self.handler: Handler | None = None
        self.log_filter = install_lambda_logging(sys.stdout)

    def _end_output_segment(self) -> None:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(OSError, ValueError):
                stream.flush()
        os.write(1, self.mark)

    def init(self) -> bool:
        error: ErrorPayload | None = None
        try:
            self.handler = resolve_handler(os.environ.get("_HANDLER", ""))
        except HandlerFault as fault:
            error = fault.to_payload("")
        except Exception:
            exc_type, exc, tb = sys.exc_info()
            assert exc_type is not None
            assert exc is not None
            error = make_error(
                str(exc),
                exc_type.__name__,
                traceback.format_list(traceback.extract_tb(tb)),
                "",
            )
        if error is not None:
            sys.stdout.write(format_error_log(error))
        self._end_output_segment()
        write_frame(self.result_fd, {"type": "init", "error": error})
        return error is None

    def invoke(self, command: dict[str, Any]) -> None:
        request_id = str(command.get("request_id", ""))
        self.log_filter.request_id = request_id
        trace_id = command.get("trace_id")
        if trace_id:
            os.environ["_X_AMZN_TRACE_ID"] = str(trace_id)
        else:
            os.environ.pop("_X_AMZN_TRACE_ID", None)
        context = LambdaContext(
            request_id=request_id,
            invoked_function_arn=str(command.get("invoked_function_arn", "")),
            deadline_epoch_ms=int(command["deadline_ms"]),
            client_context=parse_client_context(command.get("client_context")),
            cognito_identity=command.get("cognito_identity"),
        )
        assert self.handler is not None
        try:
            event = unmarshal_event(str(command.get("payload") or ""))
            body = marshal_response(self.handler(event, context))
            ok = True
        except HandlerFault as fault:
            error = fault.to_payload(request_id)
            sys.stdout.write(format_error_log(error))
            body, ok = json.dumps(error), False
        except Exception:
            exc_type, exc, tb = sys.exc_info()
            assert exc_type is not None
            assert exc is not None
            error = error_from_exception((exc_type, exc, tb), request_id)
            sys.stdout.write(format_error_log(error))
            body, ok = json.dumps(error), False
        self._end_output_segment()
        max_rss_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        write_frame(
            self.result_fd,
            {
                "type": "result",
                "ok": ok,
                "body": body,
                "max_memory_mb": math.ceil(max_rss_kib / 1024),
            },
        )

    def serve(self) -> None:
        if not self.init():
            # AWS's runtime also exits after reporting an init error; the next invoke re-inits.
            sys.exit(1)
        while True:
            command = self.commands.read()
            if command is None:
                return
            if command.get("type") == "invoke":
                self.invoke(command)


def worker_main(args: Arguments) -> None:
    if args.cmd_fd is None or args.result_fd is None:
        raise SystemExit("bootstrap: --worker needs --cmd-fd and --result-fd")
    set_parent_death_signal(args.parent_pid)
    # Processes the handler starts must not hold our pipes: a leaked write end would keep the
    # supervisor from seeing this worker die.
    os.set_inheritable(args.cmd_fd, False)
    os.set_inheritable(args.result_fd, False)
    # Keep the bootstrap's own directory off the import path: user modules must not be
    # shadowed by (or shadow) the executor's files.
    script_dir = os.path.dirname(os.path.abspath(__file__))
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != script_dir]
    sys.argv = [sys.argv[0]]
    Worker(args.cmd_fd, args.result_fd, bytes.fromhex(args.mark)).serve()


# --------------------------------------------------------------------------------------------
# Supervisor
# --------------------------------------------------------------------------------------------


def _partial_mark_start(buffer: bytes | bytearray, mark: bytes) -> int:
    """Index where a possible (incomplete) marker begins at the end of ``buffer``, else len."""
    start = max(0, len(buffer) - len(mark) + 1)
    for index in range(start, len(buffer)):
        if mark.startswith(bytes(buffer[index:])):
            return index
    return len(buffer)


class MarkSplitter:
    """Cuts a byte stream into segments at each occurrence of ``mark`` (the marker is dropped)."""

    def __init__(self, mark: bytes, limit: int = MAX_INVOKE_LOG_BYTES) -> None:
        self.mark = mark
        self.limit = limit
        self._pending = bytearray()
        self._current = bytearray()
        self._dropped = 0

    def feed(self, data: bytes) -> tuple[list[bytes], bytes]:
        """Returns the segments completed by ``data`` and the bytes newly committed."""
        self._pending += data
        segments: list[bytes] = []
        committed = bytearray()
        while (index := self._pending.find(self.mark)) >= 0:
            committed += self._commit(self._pending[:index])
            segments.append(self._finish())
            del self._pending[: index + len(self.mark)]
        cut = _partial_mark_start(self._pending, self.mark)
        committed += self._commit(self._pending[:cut])
        del self._pending[:cut]
        return segments, bytes(committed)

    def take_partial(self) -> bytes:
        self._commit(self._pending)
        self._pending.clear()
        return self._finish()

    def _commit(self, data: bytes | bytearray) -> bytes:
        room = self.limit - len(self._current)
        if len(data) > room:
            self._dropped += len(data) - max(room, 0)
            data = data[: max(room, 0)]
        self._current += data
        return bytes(data)

    def _finish(self) -> bytes:
        segment = bytes(self._current)
        if self._dropped:
            segment += f"\n[hostexec] {self._dropped} bytes of output dropped\n".encode()
        self._current.clear()
        self._dropped = 0
        return segment


class Mailbox:
    """A minimal thread-safe FIFO (the queue module is not worth its import time here)."""

    def __init__(self) -> None:
        import collections

        self._items: collections.deque[Any] = collections.deque()
        self._ready = threading.Condition()

    def put(self, item: Any) -> None:
        with self._ready:
            self._items.append(item)
            self._ready.notify()

    def get(self, timeout: float | None = None) -> Any:
        """The oldest item; None if nothing arrives within ``timeout`` seconds."""
        with self._ready:
            if not self._ready.wait_for(lambda: self._items, timeout):
                return None
            return self._items.popleft()


class OutputCollector:
    """Drains a worker's stdout/stderr pipe in a thread and hands out per-phase segments."""

    def __init__(self, fd: int, mark: bytes, mirror: Callable[[bytes], None]) -> None:
        self._fd = fd
        self._splitter = MarkSplitter(mark)
        self._mirror = mirror
        self._lock = threading.Lock()
        self._segments = Mailbox()
        self.eof = threading.Event()
        self._thread = threading.Thread(target=self._run, name="worker-output", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            while chunk := os.read(self._fd, 65536):
                with self._lock:
                    segments, committed = self._splitter.feed(chunk)
                if committed:
                    self._mirror(committed)
                for segment in segments:
                    self._segments.put(segment)
        except OSError:
            pass
        finally:
            self.eof.set()
            os.close(self._fd)

    def next_segment(self, timeout: float) -> bytes | None:
        segment: bytes | None = self._segments.get(timeout)
        return segment

    def take_partial(self, wait_for_eof: float = 0.0) -> bytes:
        """Output since the last marker, e.g. of a killed worker.

        Waits briefly for end of file so output still in the pipe is included; a grandchild
        holding the pipe open must not stall the invoke, hence the bound.
        """
        if wait_for_eof:
            self.eof.wait(wait_for_eof)
        with self._lock:
            return self._splitter.take_partial()


class WorkerHandle:
    """The supervisor's view of one worker process."""

    def __init__(self, mirror: Callable[[bytes], None]) -> None:
        import subprocess

        mark = b"\x00\x1ehostexec-" + os.urandom(16).hex().encode() + b"\x1e\x00"
        cmd_read, cmd_write = os.pipe()
        result_read, result_write = os.pipe()
        argv = [sys.executable]
        if sys.flags.no_user_site:
            argv.append("-s")
        argv += [
            os.path.abspath(__file__),
            "--worker",
            "--cmd-fd",
            str(cmd_read),
            "--result-fd",
            str(result_write),
            "--mark",
            mark.hex(),
            "--parent-pid",
            str(os.getpid()),
        ]
        output_read, output_write = os.pipe()
        try:
            self.proc = subprocess.Popen(
                argv,
                stdin=subprocess.DEVNULL,
                stdout=output_write,
                stderr=output_write,
                pass_fds=(cmd_read, result_write),
                close_fds=True,
            )
        except BaseException:
            for fd in (cmd_write, result_read, output_read):
                os.close(fd)
            raise
        finally:
            for fd in (cmd_read, result_write, output_write):
                os.close(fd)
        self.started = time.monotonic()
        self.cmd_fd = cmd_write
        self.results = FrameReader(result_read)
        self.output = OutputCollector(output_read, mark, mirror)
        self.init_duration_ms: float | None = None
        self.served = 0

    def peak_memory_mb(self) -> int:
        try:
            with open(f"/proc/{self.proc.pid}/status", encoding="ascii") as status:
                for line in status:
                    if line.startswith("VmHWM:"):
                        return math.ceil(int(line.split()[1]) / 1024)
        except (OSError, ValueError, IndexError):
            pass
        return 0

    def send(self, message: dict[str, Any]) -> bool:
        try:
            write_frame(self.cmd_fd, message)
        except OSError:
            return False
        return True

    def kill(self) -> int | None:
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                self.proc.kill()
        return self.reap()

    def reap(self, timeout: float = 5.0) -> int | None:
        import subprocess

        try:
            code = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            code = self.proc.wait()
        self.close()
        return code

    def close(self) -> None:
        for fd in (self.cmd_fd, self.results.fd):
            with contextlib.suppress(OSError):
                os.close(fd)
        self.cmd_fd = self.results.fd = -1


class InitOutcome:
    def __init__(
        self,
        worker: WorkerHandle | None,
        error: ErrorPayload | None,
        status: str | None,
        logs: bytes,
    ) -> None:
        self.worker = worker
        self.error = error
        self.status = status
        self.logs = logs


class InvokeOutcome:
    def __init__(
        self,
        *,
        body: str,
        is_error: bool,
        logs: bytes,
        max_memory_mb: int,
        status: str | None = None,
        error_type: str | None = None,
        extra_log: str = "",
    ) -> None:
        self.body = body
        self.is_error = is_error
        self.logs = logs
        self.max_memory_mb = max_memory_mb
        self.status = status
        self.error_type = error_type
        self.extra_log = extra_log

    @classmethod
    def failure(cls, error: ErrorPayload, status: str, logs: bytes = b"") -> InvokeOutcome:
        """An error the runtime itself reports (init failure, timeout), not the handler."""
        error_type = error.get("errorType") if status == "error" else None
        return cls(
            body=json.dumps(error),
            is_error=True,
            logs=logs,
            max_memory_mb=0,
            status=status,
            error_type=error_type,
        )


def format_report(
    *,
    request_id: str,
    duration_ms: float,
    memory_size: str,
    max_memory_mb: int,
    init_duration_ms: float | None = None,
    status: str | None = None,
    error_type: str | None = None,
) -> str:
    fields = [
        f"REPORT RequestId: {request_id}",
        f"Duration: {duration_ms:.2f} ms",
        f"Billed Duration: {max(1, math.ceil(duration_ms))} ms",
        f"Memory Size: {memory_size} MB",
        f"Max Memory Used: {max_memory_mb} MB",
    ]
    if init_duration_ms is not None:
        fields.append(f"Init Duration: {init_duration_ms:.2f} ms")
    if status:
        fields.append(f"Status: {status}")
    if error_type:
        fields.append(f"Error Type: {error_type}")
    return "\t".join(fields)


class LocalStackClient:
    """Posts to the executor endpoint LocalStack registered for this environment."""

    def __init__(self, endpoint: str) -> None:
        self.endpoint = endpoint.rstrip("/")
        self._opener: Any = None

    def post(self, path: str, body: bytes, attempts: int = 5) -> None:
        # Imported on first use, while the first worker is already importing the handler.
        import urllib.error
        import urllib.request

        if self._opener is None:
            # Never route the callback through a proxy the function's environment configures.
            self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        url = self.endpoint + path
        delay = 0.1
        for attempt in range(attempts):
            request = urllib.request.Request(  # noqa: S310 - the URL is LocalStack's, http only
                url, data=body, method="POST", headers={"Content-Type": "application/json"}
            )
            try:
                with self._opener.open(request, timeout=30) as response:
                    response.read()
                return
            except urllib.error.HTTPError:
                raise
            except OSError:  # URLError included
                if attempt == attempts - 1:
                    raise
                time.sleep(delay)  # back-off between connection retries, not a poll
                delay *= 2


def make_invoke_server(sock: socket.socket, invocations: Mailbox) -> Any:
    """The HTTP server LocalStack sends ``POST /invoke`` to, on the socket it was handed."""
    import http.server

    class InvokeRequestHandler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            if self.path.rstrip("/") != "/invoke":
                self._reply(404, b"not found")
                return
            length = int(self.headers.get("Content-Length") or 0)
            try:
                request = json.loads(self.rfile.read(length) or b"{}")
            except ValueError:
                self._reply(400, b"invalid JSON")
                return
            invocations.put(request)
            # LocalStack only checks that the request was accepted; the result is posted back.
            self._reply(200, b"OK")

        def _reply(self, status: int, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            # Access logs would end up among the function's own output.
            return

    server = http.server.ThreadingHTTPServer(
        sock.getsockname()[:2], InvokeRequestHandler, bind_and_activate=False
    )
    server.daemon_threads = True
    server.socket.close()
    server.socket = sock
    return server


class Supervisor:
    def __init__(self, sock: socket.socket, init_timeout_s: float) -> None:
        self.client = LocalStackClient(os.environ["LOCALSTACK_RUNTIME_ENDPOINT"])
        self.runtime_id = os.environ["LOCALSTACK_RUNTIME_ID"]
        self.timeout_s = float(os.environ.get("AWS_LAMBDA_FUNCTION_TIMEOUT") or 3)
        self.memory_size = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE") or "128"
        self.version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION") or "$LATEST"
        self.init_timeout_s = init_timeout_s
        self.invocations = Mailbox()
        self.sock = sock
        self.worker: WorkerHandle | None = None
        # An init failure at environment start is answered on the next invoke, as AWS folds a
        # failed on-demand init into the first invocation.
        self.pending_init_error: ErrorPayload | None = None
        self.carry_logs = b""
        self._stdout_lock = threading.Lock()

    # Output of the whole environment goes to our stdout, which the executor keeps for
    # LocalStack's get_logs().
    def mirror(self, data: bytes) -> None:
        with self._stdout_lock:
            try:
                sys.stdout.buffer.write(data)
                sys.stdout.buffer.flush()
            except (OSError, ValueError):
                pass

    def say(self, text: str) -> None:
        self.mirror(text.encode())

    def shutdown(self, signum: int, frame: Any) -> NoReturn:
        """Take the whole environment down: the worker and whatever the handler started."""
        if os.getpgrp() == os.getpid():
            # We lead the environment's process group (the executor starts us in a new
            # session), so this reaches grandchildren too, and ends with ourselves.
            os.killpg(os.getpgrp(), signal.SIGKILL)
        worker = self.worker
        if worker is not None and worker.proc.poll() is None:
            worker.proc.kill()
        os._exit(0)

    def run(self, parent_pid: int | None = None) -> None:
        signal.signal(signal.SIGTERM, self.shutdown)
        signal.signal(signal.SIGINT, self.shutdown)
        # The executor's pre-exec hook asked for SIGKILL on LocalStack's death; now that the
        # handler above exists, SIGTERM lets it clean up the whole group instead, including
        # processes a handler started, which a SIGKILL of this process alone would orphan.
        set_parent_death_signal(parent_pid, signal.SIGTERM)
        # The worker starts first: its interpreter start and handler import overlap with the
        # HTTP server's imports here. LocalStack sends nothing before the ready report, and
        # the socket already listens.
        worker = self.spawn_worker()
        server = make_invoke_server(self.sock, self.invocations)
        threading.Thread(target=server.serve_forever, name="invoke-server", daemon=True).start()
        outcome = self.await_init(worker, worker.started + self.init_timeout_s)
        self.carry_logs = outcome.logs
        if outcome.worker is not None:
            self.worker = outcome.worker
        elif outcome.status == "timeout":
            # Like AWS: an init that outlives the init phase is retried within the first invoke.
            self.carry_logs += (
                f"INIT_REPORT Init Duration: {self.init_timeout_s * 1000:.2f} ms\t"
                "Phase: init\tStatus: timeout\n"
            ).encode()
        else:
            self.pending_init_error = outcome.error
        self.client.post(f"/status/{self.runtime_id}/ready", b"{}")
        while True:
            self.handle_invoke(self.invocations.get())

    def spawn_worker(self) -> WorkerHandle:
        major, minor = sys.version_info[:2]
        self.say(f"INIT_START Runtime Version: python:{major}.{minor}.{RUNTIME_VERSION}\n")
        return WorkerHandle(self.mirror)

    def start_worker(self, deadline: float) -> InitOutcome:
        """Spawn a worker and wait, until ``deadline``, for it to import the handler."""
        return self.await_init(self.spawn_worker(), deadline)

    def await_init(self, worker: WorkerHandle, deadline: float) -> InitOutcome:
        major, minor = sys.version_info[:2]
        prefix = f"INIT_START Runtime Version: python:{major}.{minor}.{RUNTIME_VERSION}\n".encode()
        try:
            message = worker.results.read(deadline)
        except TimeoutError:
            worker.kill()
            logs = prefix + worker.output.take_partial(wait_for_eof=0.5)
            return InitOutcome(None, None, "timeout", logs)
        if message is None:
            code = worker.reap()
            logs = prefix + worker.output.take_partial(wait_for_eof=0.5)
            return InitOutcome(None, exit_error("", code), "error", logs)
        segment = worker.output.next_segment(_MARK_GRACE_S)
        logs = prefix + (segment if segment is not None else worker.output.take_partial())
        error = message.get("error")
        if error is not None:
            worker.reap()
            return InitOutcome(None, error, "error", logs)
        worker.init_duration_ms = (time.monotonic() - worker.started) * 1000
        return InitOutcome(worker, None, None, logs)

    def run_on_worker(
        self, worker: WorkerHandle, request: dict[str, Any], deadline: float, deadline_ms: int
    ) -> InvokeOutcome:
        request_id = str(request.get("invoke-id", ""))
        sent = worker.send(
            {
                "type": "invoke",
                "request_id": request_id,
                "payload": request.get("payload", ""),
                "invoked_function_arn": request.get("invoked-function-arn", ""),
                "trace_id": request.get("trace-id"),
                "client_context": request.get("client-context"),
                "cognito_identity": request.get("cognito-identity"),
                "deadline_ms": deadline_ms,
            }
        )
        message: dict[str, Any] | None = None
        if sent:
            try:
                message = worker.results.read(deadline)
            except TimeoutError:
                memory = worker.peak_memory_mb()
                worker.kill()
                self.worker = None
                return InvokeOutcome(
                    body=json.dumps(timeout_error(request_id, self.timeout_s)),
                    is_error=True,
                    logs=worker.output.take_partial(wait_for_eof=0.5),
                    max_memory_mb=memory,
                    status="timeout",
                    extra_log=(
                        f"{utc_timestamp()} {request_id} Task timed out after "
                        f"{self.timeout_s:.2f} seconds\n"
                    ),
                )
        if message is None:
            memory = worker.peak_memory_mb()
            code = worker.reap()
            self.worker = None
            error = exit_error(request_id, code)
            return InvokeOutcome(
                body=json.dumps(error),
                is_error=True,
                logs=worker.output.take_partial(wait_for_eof=0.5),
                max_memory_mb=memory,
                status="error",
                error_type=error["errorType"],
            )
        segment = worker.output.next_segment(_MARK_GRACE_S)
        return InvokeOutcome(
            body=str(message.get("body", "null")),
            is_error=not message.get("ok", False),
            logs=segment if segment is not None else worker.output.take_partial(),
            max_memory_mb=int(message.get("max_memory_mb") or 0),
        )

    def handle_invoke(self, request: dict[str, Any]) -> None:
        request_id = str(request.get("invoke-id", ""))
        started = time.monotonic()
        deadline = started + self.timeout_s
        deadline_ms = int(time.time() * 1000 + self.timeout_s * 1000)
        prelude, self.carry_logs = self.carry_logs, b""
        init_duration: float | None = None

        outcome: InvokeOutcome | None = None
        if self.pending_init_error is not None:
            error, self.pending_init_error = self.pending_init_error, None
            outcome = InvokeOutcome.failure(error, "error")
        elif self.worker is None or self.worker.proc.poll() is not None:
            if self.worker is not None:
                self.worker.reap()
                self.worker = None
            init = self.start_worker(deadline)
            prelude += init.logs
            if init.worker is not None:
                self.worker = init.worker
            elif init.status == "timeout":
                outcome = InvokeOutcome.failure(
                    timeout_error(request_id, self.timeout_s), "timeout"
                )
            else:
                error = init.error or exit_error(request_id, None)
                outcome = InvokeOutcome.failure(error, "error")

        if outcome is None:
            worker = self.worker
            assert worker is not None
            if worker.served == 0:
                init_duration = worker.init_duration_ms
            worker.served += 1
            outcome = self.run_on_worker(worker, request, deadline, deadline_ms)
        duration_ms = (time.monotonic() - started) * 1000

        body_logs = outcome.logs
        if body_logs and not body_logs.endswith(b"\n"):
            body_logs += b"\n"
        start_line = f"START RequestId: {request_id} Version: {self.version}\n"
        end_lines = (
            outcome.extra_log
            + f"END RequestId: {request_id}\n"
            + format_report(
                request_id=request_id,
                duration_ms=duration_ms,
                memory_size=self.memory_size,
                max_memory_mb=outcome.max_memory_mb,
                init_duration_ms=init_duration,
                status=outcome.status,
                error_type=outcome.error_type,
            )
            + "\n"
        )
        self.say(start_line)
        self.say(end_lines)
        logs = prelude.decode(errors="replace") + start_line
        logs += body_logs.decode(errors="replace") + end_lines
        try:
            self.client.post(f"/invocations/{request_id}/logs", json.dumps({"logs": logs}).encode())
            kind = "error" if outcome.is_error else "response"
            self.client.post(f"/invocations/{request_id}/{kind}", outcome.body.encode())
        except OSError as exc:  # urllib's errors included
            self.say(f"[hostexec] could not report invocation {request_id}: {exc}\n")


def supervisor_main(args: Arguments) -> None:
    import socket

    if args.listen_fd is not None:
        os.set_inheritable(args.listen_fd, False)
        sock = socket.socket(fileno=args.listen_fd)
    else:
        sock = socket.create_server(("127.0.0.1", args.port))
    Supervisor(sock, args.init_timeout).run(args.parent_pid)


class Arguments:
    """``--worker`` and ``--name value`` options.

    Only the executor and the supervisor start this script, so argparse (and its import time
    on every cold start) is not needed.
    """

    def __init__(self, argv: list[str]) -> None:
        self.worker = False
        values: dict[str, str] = {}
        items = iter(argv)
        for item in items:
            if item == "--worker":
                self.worker = True
            elif item.startswith("--"):
                value = next(items, None)
                if value is None:
                    raise SystemExit(f"bootstrap: {item} needs a value")
                values[item[2:]] = value
            else:
                raise SystemExit(f"bootstrap: unexpected argument {item!r}")

        def number(name: str) -> int | None:
            return int(values[name]) if name in values else None

        self.cmd_fd = number("cmd-fd")
        self.result_fd = number("result-fd")
        self.mark = values.get("mark", "")
        self.parent_pid = number("parent-pid")
        self.listen_fd = number("listen-fd")
        self.port = number("port") or 0
        self.init_timeout = float(values.get("init-timeout", DEFAULT_INIT_TIMEOUT_S))


def main(argv: list[str] | None = None) -> None:
    args = Arguments(sys.argv[1:] if argv is None else argv)
    if args.worker:
        worker_main(args)
    else:
        supervisor_main(args)


if __name__ == "__main__":
    main()
