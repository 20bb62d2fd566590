"""The runtime inside one local Lambda execution environment: one process, one function, many invocations.

`lambdas` starts it as `python -I -S worker.py REQUEST_FD RESPONSE_FD LIFELINE_FD` with the function's
environment and cwd: isolated and without `site`, so it starts with the standard library alone and the first
frame says what else the function may import. It speaks length-prefixed JSON frames over those two dedicated
pipes, so whatever the function writes to stdout/stderr (captured by the parent as logs) can never corrupt
the protocol.

Frames (4-byte big-endian length, then UTF-8 JSON):
  parent -> worker  {"handler": ..., "path": [...]}                      once, first
  worker -> parent  {"init": ms} or {"init": ms, "e": error}             once, answer to the above
  parent -> worker  {"id": request id, "dl": deadline epoch ms, "arn": invoked ARN, "ev": event}
  worker -> parent  {"d": duration ms, "m": max RSS MB, "p": result | "b": base64 bytes | "e": error}

It mirrors the AWS Python runtime (awslambdaric): the same handler resolution and error shapes, a root
logging handler with the request id, a context object, `_X_AMZN_TRACE_ID` per invocation. Stdlib only.
"""

from __future__ import annotations

import base64
import contextlib
import decimal
import importlib
import json
import logging
import math
import os
import resource
import signal
import sys
import threading
import time
import traceback

_HEADER = 4
_READ_CHUNK = 1 << 16
_THIS_FILE = os.path.abspath(__file__)
_current_request_id = ""


class Channel:
    """Length-prefixed frames over a pair of pipe fds."""

    def __init__(self, read_fd: int, write_fd: int):
        self._read_fd = read_fd
        self._write_fd = write_fd
        self._buffer = bytearray()

    def receive(self) -> bytes | None:
        """The next frame, or None when the parent has gone away."""
        buffer = self._buffer
        while True:
            if len(buffer) >= _HEADER:
                size = int.from_bytes(buffer[:_HEADER], "big")
                end = _HEADER + size
                if len(buffer) >= end:
                    frame = bytes(buffer[_HEADER:end])
                    del buffer[:end]
                    return frame
            chunk = os.read(self._read_fd, _READ_CHUNK)
            if not chunk:
                return None
            buffer += chunk

    def send(self, data: bytes) -> None:
        view = memoryview(len(data).to_bytes(_HEADER, "big") + data)
        while view:
            written = os.write(self._write_fd, view)
            view = view[written:]


class CognitoIdentity:
    __slots__ = ("cognito_identity_id", "cognito_identity_pool_id")


class LambdaContext:
    """The context object handlers receive, with the attributes of the AWS Python runtime's."""

    def __init__(self, request_id: str, deadline_ms: int, invoked_function_arn: str):
        env = os.environ
        self.aws_request_id = request_id
        self.log_group_name = env.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = env.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self.function_name = env.get("AWS_LAMBDA_FUNCTION_NAME")
        self.memory_limit_in_mb = env.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.function_version = env.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.invoked_function_arn = invoked_function_arn
        self.client_context = None
        self.identity = None
        self.tenant_id = None
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self) -> int:
        remaining = self._deadline_ms - int(time.time() * 1000)
        return remaining if remaining > 0 else 0

    def log(self, msg) -> None:
        sys.stdout.write(str(msg))

    def __repr__(self) -> str:
        return (
            f"LambdaContext([aws_request_id={self.aws_request_id},function_name={self.function_name},"
            f"function_version={self.function_version},invoked_function_arn={self.invoked_function_arn},"
            f"memory_limit_in_mb={self.memory_limit_in_mb},log_group_name={self.log_group_name},"
            f"log_stream_name={self.log_stream_name}])"
        )


class Fault(Exception):
    """A runtime-level failure with Lambda's error type (Runtime.ImportModuleError...)."""

    def __init__(self, error_type: str, message: str, trace: list[str] | None = None):
        super().__init__(message)
        self.error_type = error_type
        self.message = message
        self.trace = trace or []


def make_error(message: str, error_type: str, trace: list[str], request_id: str = "") -> dict:
    return {"errorMessage": message, "errorType": error_type, "requestId": request_id, "stackTrace": trace}


def error_from_exception(exc: BaseException, request_id: str = "") -> dict:
    frames = traceback.extract_tb(exc.__traceback__)
    user_frames = [f for f in frames if f.filename != _THIS_FILE]
    return make_error(str(exc), type(exc).__name__, traceback.format_list(user_frames), request_id)


def log_error(error: dict) -> None:
    """`[ERROR] Type: message` and the traceback, as the AWS runtime logs an unhandled error."""
    lines = [f"[ERROR] {error['errorType']}: {error['errorMessage']}"]
    if error["stackTrace"]:
        lines.append("Traceback (most recent call last):")
        for element in error["stackTrace"]:
            lines.extend(element.splitlines())
    _flush_streams()
    sys.stdout.write("\n".join(lines) + "\n")
    _flush_streams()


def load_handler(handler: str):
    try:
        module_name, function_name = handler.rsplit(".", 1)
    except ValueError as exc:
        raise Fault("Runtime.MalformedHandlerName", f"Bad handler '{handler}': {exc}") from None
    try:
        if module_name.split(".")[0] in sys.builtin_module_names:
            raise Fault(
                "Runtime.BuiltInModuleConflict", f"Cannot use built-in module {module_name} as a handler module"
            )
        module = importlib.import_module(module_name.replace("/", "."))
    except ImportError as exc:
        raise Fault("Runtime.ImportModuleError", f"Unable to import module '{module_name}': {exc}") from None
    except SyntaxError as exc:
        trace = [f'  File "{exc.filename}" Line {exc.lineno}\n    {exc.text}']
        raise Fault("Runtime.UserCodeSyntaxError", f"Syntax error in module '{module_name}': {exc}", trace) from None
    try:
        return getattr(module, function_name)
    except AttributeError:
        raise Fault("Runtime.HandlerNotFound", f"Handler '{function_name}' missing on module '{module_name}'") from None


class _RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.aws_request_id = _current_request_id
        return True


def setup_logging() -> None:
    """The root handler the AWS runtime installs: `[LEVEL] time request-id message` on stdout."""
    logging.Formatter.converter = time.gmtime
    handler = logging.StreamHandler(sys.stdout)
    handler.terminator = "\n"
    handler.setFormatter(
        logging.Formatter(
            "[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s", "%Y-%m-%dT%H:%M:%S"
        )
    )
    handler.addFilter(_RequestIdFilter())
    root = logging.getLogger()
    root.addHandler(handler)
    level = os.environ.get("AWS_LAMBDA_LOG_LEVEL", "").upper()
    if level and isinstance(logging.getLevelName(level), int):  # a known name (3.9 has no getLevelNamesMapping)
        root.setLevel(level)


def _json_default(obj):
    if isinstance(obj, decimal.Decimal):
        if obj.is_nan():
            return math.nan
        return int(obj) if obj == obj.to_integral_value() else float(obj)
    raise TypeError(f"Object of type {type(obj).__name__} is not JSON serializable")


def _flush_streams() -> None:
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):  # the function may have closed or replaced its streams
            stream.flush()


def _max_memory_mb() -> int:
    return math.ceil(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def _trace_header() -> str:
    return f"Root=1-{int(time.time()):08x}-{os.urandom(12).hex()};Parent={os.urandom(8).hex()};Sampled=0"


def invoke(handler, request: dict) -> bytes:
    """Run one invocation and return the response frame."""
    global _current_request_id
    request_id = request["id"]
    _current_request_id = request_id
    os.environ["_X_AMZN_TRACE_ID"] = _trace_header()
    context = LambdaContext(request_id, request["dl"], request["arn"])
    started = time.perf_counter()
    try:
        result = handler(request["ev"], context)
    except Exception as exc:
        error = error_from_exception(exc, request_id)
        log_error(error)
        return _error_frame(error, started)
    if isinstance(result, (bytes, bytearray)):
        body = {"d": _elapsed_ms(started), "m": _max_memory_mb(), "b": base64.b64encode(result).decode()}
        return json.dumps(body).encode()
    try:
        duration = _elapsed_ms(started)
        return json.dumps({"d": duration, "m": _max_memory_mb(), "p": result}, default=_json_default).encode()
    except (TypeError, ValueError, RecursionError) as exc:
        error = make_error(f"Unable to marshal response: {exc}", "Runtime.MarshalError", [], request_id)
        log_error(error)
        return _error_frame(error, started)


def _elapsed_ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000


def _error_frame(error: dict, started: float) -> bytes:
    return json.dumps({"d": _elapsed_ms(started), "m": _max_memory_mb(), "e": error}).encode()


def _configure_streams() -> None:
    for stream in (sys.stdout, sys.stderr):
        stream.reconfigure(encoding="utf-8", errors="backslashreplace", line_buffering=True)


def watch_lifeline(fd: int) -> None:
    """End this execution environment, and whatever the function started in it, when localcloud ends.

    localcloud holds the write end of this pipe and never writes: the read returns only when the last
    holder is gone, i.e. when localcloud died, SIGKILL included, even while the function is mid-invocation.
    The worker leads its own process group, so the whole group goes."""

    def wait() -> None:
        with contextlib.suppress(OSError):
            while os.read(fd, 1):
                pass
        os.killpg(os.getpgid(0), signal.SIGKILL)

    threading.Thread(target=wait, name="lifeline", daemon=True).start()


def main(argv: list[str]) -> int:
    request_fd, response_fd = int(argv[1]), int(argv[2])
    if len(argv) > 3:
        os.set_inheritable(int(argv[3]), False)
        watch_lifeline(int(argv[3]))
    for fd in (request_fd, response_fd):
        os.set_inheritable(fd, False)  # subprocesses the function starts must not hold the protocol pipes
    channel = Channel(request_fd, response_fd)
    config_frame = channel.receive()
    if config_frame is None:
        return 0
    config = json.loads(config_frame)
    # Under -I nothing precedes the stdlib; run any other way, this script's folder (or the cwd) comes first.
    if sys.path and sys.path[0] in ("", os.getcwd(), os.path.dirname(_THIS_FILE)):
        del sys.path[0]
    sys.path[:0] = config["path"]
    _configure_streams()
    setup_logging()

    started = time.perf_counter()
    try:
        handler = load_handler(config["handler"])
    except Fault as fault:
        error = make_error(fault.message, fault.error_type, fault.trace)
    except Exception as exc:
        error = error_from_exception(exc)
    else:
        channel.send(json.dumps({"init": _elapsed_ms(started)}).encode())
        return serve(channel, handler)
    log_error(error)
    channel.send(json.dumps({"init": _elapsed_ms(started), "e": error}).encode())
    return 1


def serve(channel: Channel, handler) -> int:
    while True:
        frame = channel.receive()
        if frame is None:
            return 0
        response = invoke(handler, json.loads(frame))
        _flush_streams()
        channel.send(response)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
