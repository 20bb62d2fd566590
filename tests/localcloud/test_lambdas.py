"""The Lambda emulation: warm workers, isolation, context, errors, timeouts, concurrency, reload, logs."""

from __future__ import annotations

import logging
import os
import shutil
import sys
import threading
import time
from pathlib import Path

import pytest

from localcloud import lambdas
from localcloud.lambdas import LambdaService
from localcloud.model import ACCOUNT_ID, FunctionNotFound, FunctionSpec, LogStore, Throttled

FUNCTIONS = Path(__file__).parent / "fixtures" / "functions"
BASIC = FUNCTIONS / "basic"
BASE_ENV = {
    "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
    "HOME": "/tmp",
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_ENDPOINT_URL": "http://127.0.0.1:1",
}


def make_spec(name: str, handler: str, code_dir: Path = BASIC, **options) -> FunctionSpec:
    return FunctionSpec(
        address=f"Tests/{name}",
        name=f"tests-{name}",
        arn=f"arn:aws:lambda:us-east-1:{ACCOUNT_ID}:function:tests-{name}",
        handler=handler,
        code_dir=code_dir,
        **{"runtime": "python3.13", **options},
    )


@pytest.fixture
def logs() -> LogStore:
    return LogStore()


@pytest.fixture
def service(logs):
    lambda_service = LambdaService(sys.executable, BASE_ENV, logs)
    yield lambda_service
    lambda_service.shutdown()


def add(service: LambdaService, name: str, handler: str, code_dir: Path = BASIC, **options) -> str:
    spec = make_spec(name, handler, code_dir, **options)
    service.register(spec)
    return spec.address


def lines_of(logs: LogStore, address: str, request_id: str | None = None) -> list[str]:
    return [entry["line"] for entry in logs.lines(address) if request_id is None or entry["request_id"] == request_id]


def gone(pid: int) -> bool:
    """True once the process no longer exists at all (a zombie would still answer signal 0)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def dead(pid: int) -> bool:
    """Gone, or a zombie (an orphan killed with its group lingers until init reaps it): dead either way."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1].startswith("Z")
    except (OSError, IndexError):
        return True


def in_thread(target, *args) -> tuple[threading.Thread, list]:
    box: list = []
    thread = threading.Thread(target=lambda: box.append(target(*args)))
    thread.start()
    return thread, box


def wait_until(condition, timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.01)
    return condition()


# -- warm workers and lookup -----------------------------------------------------------------------------


def test_second_invoke_reuses_the_warm_process(service, logs):
    address = add(service, "echo", "app.echo")

    first = service.invoke(address, {"n": 1})
    second = service.invoke(address, {"n": 2})

    assert first.error is None and second.error is None
    assert first.payload["event"] == {"n": 1} and second.payload["event"] == {"n": 2}
    assert second.payload["pid"] == first.payload["pid"]
    assert (first.payload["count"], second.payload["count"]) == (1, 2)
    assert first.request_id != second.request_id
    assert service.workers(address) == [first.payload["pid"]]
    first_report = next(line for line in lines_of(logs, address, first.request_id) if line.startswith("REPORT"))
    second_report = next(line for line in lines_of(logs, address, second.request_id) if line.startswith("REPORT"))
    assert "Init Duration:" in first_report
    assert "Init Duration:" not in second_report


def test_functions_never_share_a_process(service):
    one = add(service, "one", "app.echo")
    two = add(service, "two", "app.echo")

    assert service.invoke(one, {}).payload["pid"] != service.invoke(two, {}).payload["pid"]


def test_a_function_is_found_by_address_name_and_arn(service):
    spec = make_spec("lookup", "app.runtime")
    service.register(spec)

    for key in (spec.address, spec.name, spec.arn):
        result = service.invoke(key, {})
        assert result.error is None
        assert result.payload["context"]["invoked_function_arn"] == spec.arn

    qualified = f"{spec.arn}:live"
    assert service.invoke(qualified, {}).payload["context"]["invoked_function_arn"] == qualified
    with pytest.raises(FunctionNotFound, match="Tests/nothing"):
        service.invoke("Tests/nothing", {})


def test_warm_prespawns_a_worker_the_first_invoke_uses(service, logs):
    address = add(service, "prewarmed", "app.echo")

    assert service.warm(address) is True
    [pid] = service.workers(address)
    result = service.invoke(address, {})

    assert result.payload["pid"] == pid
    report = next(line for line in lines_of(logs, address, result.request_id) if line.startswith("REPORT"))
    assert "Init Duration" not in report


# -- what a worker gets ----------------------------------------------------------------------------------


def test_environment_is_base_env_plus_function_plus_reserved(service, monkeypatch):
    monkeypatch.setenv("LOCALCLOUD_PARENT_ONLY", "must not leak")
    spec = make_spec("env", "app.environment", environment={"TABLE_NAME": "todos", "AWS_LAMBDA_FUNCTION_NAME": "x"})
    spec.memory = 256
    service.register(spec)

    env = service.invoke(spec.address, {}).payload

    assert "LOCALCLOUD_PARENT_ONLY" not in env
    for key, value in BASE_ENV.items():
        assert env[key] == value
    assert env["TABLE_NAME"] == "todos"
    assert env["AWS_LAMBDA_FUNCTION_NAME"] == spec.name  # reserved variables cannot be overridden
    assert env["AWS_LAMBDA_FUNCTION_VERSION"] == "$LATEST"
    assert env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] == "256"
    assert env["AWS_LAMBDA_LOG_GROUP_NAME"] == f"/aws/lambda/{spec.name}"
    assert "[$LATEST]" in env["AWS_LAMBDA_LOG_STREAM_NAME"]
    assert env["AWS_REGION"] == env["AWS_DEFAULT_REGION"] == "us-east-1"
    assert env["LAMBDA_TASK_ROOT"] == str(BASIC)
    assert env["_HANDLER"] == "app.environment"
    assert env["AWS_EXECUTION_ENV"] == "AWS_Lambda_python3.13"
    assert env["LAMBDA_RUNTIME_DIR"] == str(Path(lambdas.__file__).parent)


def test_context_object(service):
    spec = make_spec("context", "app.runtime", timeout=5, memory=512)
    service.register(spec)

    result = service.invoke(spec.address, {})
    context = result.payload["context"]

    assert context["aws_request_id"] == result.request_id
    assert context["function_name"] == spec.name
    assert context["function_version"] == "$LATEST"
    assert context["invoked_function_arn"] == spec.arn
    assert context["memory_limit_in_mb"] == "512"  # a string, as the AWS runtime reads it from the env
    assert context["log_group_name"] == f"/aws/lambda/{spec.name}"
    assert "/[$LATEST]" in context["log_stream_name"]
    assert context["identity"] is None and context["client_context"] is None
    assert 4000 < result.payload["remaining_ms"] <= 5000
    assert result.payload["trace_header"].startswith("Root=1-")


# -- errors ----------------------------------------------------------------------------------------------


def test_handler_exception_is_reported_and_the_worker_stays_warm(service, logs, caplog):
    address = add(service, "raises", "app.fail_on_request")

    ok = service.invoke(address, {})
    with caplog.at_level(logging.INFO, logger="localcloud.lambdas"):
        failed = service.invoke(address, {"fail": 7})
    again = service.invoke(address, {})

    assert failed.payload is None
    assert failed.error["errorType"] == "ValueError"
    assert failed.error["errorMessage"] == "boom 7"
    assert failed.error["requestId"] == failed.request_id
    assert any("app.py" in frame and "fail_on_request" in frame for frame in failed.error["stackTrace"])
    assert not any("worker.py" in frame for frame in failed.error["stackTrace"])
    assert again.payload["pid"] == ok.payload["pid"]
    assert "[ERROR] ValueError: boom 7" in lines_of(logs, address, failed.request_id)
    assert address in caplog.text and "ValueError" in caplog.text


@pytest.mark.parametrize(
    ("code_dir", "handler", "error_type", "message"),
    [
        (
            FUNCTIONS / "broken_import",
            "app.handler",
            "Runtime.ImportModuleError",
            "Unable to import module 'app': No module named 'module_that_exists_nowhere'",
        ),
        (BASIC, "app.not_there", "Runtime.HandlerNotFound", "Handler 'not_there' missing on module 'app'"),
        (BASIC, "app", "Runtime.MalformedHandlerName", "Bad handler 'app': not enough values to unpack"),
        (BASIC, "missing_module.handler", "Runtime.ImportModuleError", "Unable to import module 'missing_module'"),
        (FUNCTIONS / "init_raises", "app.handler", "RuntimeError", "settings are missing"),
        (FUNCTIONS / "init_exit", "app.handler", "Runtime.ExitError", "Runtime exited with error: exit status 7"),
    ],
)
def test_init_failures(service, logs, caplog, code_dir, handler, error_type, message):
    broken = add(service, "broken", handler, code_dir)
    healthy = add(service, "healthy", "app.echo")

    with caplog.at_level(logging.WARNING, logger="localcloud.lambdas"):
        first = service.invoke(broken, {})
        second = service.invoke(broken, {})

    for result in (first, second):  # a failed init is retried by the next invoke, as Lambda does
        assert result.payload is None
        assert result.error["errorType"] == error_type
        assert message in result.error["errorMessage"]
    assert service.workers(broken) == []
    assert service.invoke(healthy, {}).error is None
    assert f"{broken}: init failed: {error_type}" in caplog.text
    assert any(line.startswith("INIT_REPORT") and error_type in line for line in lines_of(logs, broken))


def test_syntax_error_in_the_handler_module(service, tmp_path):
    (tmp_path / "app.py").write_text("def handler(event, context)\n    return 1\n")
    address = add(service, "syntax", "app.handler", tmp_path)

    result = service.invoke(address, {})

    assert result.error["errorType"] == "Runtime.UserCodeSyntaxError"
    assert result.error["errorMessage"].startswith("Syntax error in module 'app'")


def test_exit_mid_invoke(service, logs):
    address = add(service, "exits", "app.exit_now")

    result = service.invoke(address, {"status": 3})

    assert result.error["errorType"] == "Runtime.ExitError"
    assert result.error["errorMessage"] == (
        f"RequestId: {result.request_id} Error: Runtime exited with error: exit status 3"
    )
    request_lines = lines_of(logs, address, result.request_id)
    assert "about to exit" in request_lines
    assert any("Status: error\tError Type: Runtime.ExitError" in line for line in request_lines)
    assert service.workers(address) == []
    assert service.invoke(address, {"status": 4}).error["errorMessage"].endswith("exit status 4")


def test_unserialisable_result_is_a_marshal_error(service):
    address = add(service, "marshal", "app.unserialisable")

    result = service.invoke(address, {})

    assert result.error["errorType"] == "Runtime.MarshalError"
    assert result.error["errorMessage"] == "Unable to marshal response: Object of type set is not JSON serializable"
    assert len(service.workers(address)) == 1


def test_decimals_and_bytes_are_returned_as_the_aws_runtime_does(service):
    decimals = add(service, "decimals", "app.decimals")
    raw = add(service, "raw", "app.raw_bytes")

    assert service.invoke(decimals, {}).payload == {"whole": 3, "fraction": 1.5}
    assert service.invoke(raw, {}).payload == b"\x00\x01binary"


def test_event_that_is_not_json_is_refused_naming_the_function(service):
    address = add(service, "events", "app.echo")

    with pytest.raises(TypeError, match="Tests/events"):
        service.invoke(address, {"when": {1, 2}})
    with pytest.raises(ValueError, match="Tests/events"):
        service.invoke(address, b"{not json")
    assert service.invoke(address, b'{"raw": true}').payload["event"] == {"raw": True}
    assert service.idle()


def test_register_refuses_what_cannot_run(service, tmp_path):
    with pytest.raises(ValueError, match=r"Tests/gone.*does not exist"):
        service.register(make_spec("gone", "app.handler", tmp_path / "missing"))
    node = make_spec("node", "index.handler")
    node.runtime = "nodejs22.x"
    with pytest.raises(ValueError, match=r"Tests/node.*nodejs22\.x"):
        service.register(node)


# -- timeouts --------------------------------------------------------------------------------------------


def test_timeout_kills_the_worker_and_the_next_invoke_starts_fresh(service, logs):
    address = add(service, "slow", "app.sleep", timeout=1)

    warm = service.invoke(address, {"seconds": 0})
    started = time.monotonic()
    result = service.invoke(address, {"seconds": 30})
    elapsed = time.monotonic() - started
    after = service.invoke(address, {"seconds": 0})

    assert elapsed < 10
    assert result.error["errorType"] == "Sandbox.Timedout"
    assert result.error["errorMessage"] == f"RequestId: {result.request_id} Error: Task timed out after 1.00 seconds"
    assert gone(warm.payload["pid"])
    assert after.error is None and after.payload["pid"] != warm.payload["pid"]
    request_lines = lines_of(logs, address, result.request_id)
    assert "sleeping 30" in request_lines
    assert any(line.endswith(f"{result.request_id} Task timed out after 1.00 seconds") for line in request_lines)
    assert any(line.startswith("REPORT") and "Status: timeout" in line for line in request_lines)


def test_timeout_also_kills_processes_the_function_started(service, logs):
    address = add(service, "spawner", "app.spawn_child", timeout=1)

    result = service.invoke(address, {"seconds": 30})

    assert result.error["errorType"] == "Sandbox.Timedout"
    [child] = [int(line.split()[1]) for line in lines_of(logs, address, result.request_id) if line.startswith("child ")]
    assert wait_until(lambda: dead(child))
    assert service.workers(address) == []


def test_init_longer_than_the_init_limit_fails(service, monkeypatch):
    monkeypatch.setattr(lambdas, "INIT_TIMEOUT_SECONDS", 0.5)
    address = add(service, "slowinit", "app.handler", FUNCTIONS / "slow_init", environment={"INIT_SLEEP": "20"})

    result = service.invoke(address, {})

    assert result.error["errorType"] == "Sandbox.Timedout"
    assert "Init phase timed out" in result.error["errorMessage"]
    assert service.workers(address) == []


# -- concurrency -----------------------------------------------------------------------------------------


def test_reserved_concurrency_caps_the_pool_and_throttles(service):
    address = add(service, "capped", "app.sleep", reserved_concurrency=1, timeout=5)
    service.invoke(address, {"seconds": 0})

    thread, box = in_thread(service.invoke, address, {"seconds": 0.5})
    assert wait_until(lambda: not service.idle())
    with pytest.raises(Throttled, match="Tests/capped"):
        service.invoke(address, {"seconds": 0})
    thread.join()

    assert box[0].error is None
    assert service.idle()
    assert service.invoke(address, {"seconds": 0}).error is None


def test_zero_reserved_concurrency_always_throttles(service):
    address = add(service, "disabled", "app.echo", reserved_concurrency=0)

    with pytest.raises(Throttled):
        service.invoke(address, {})
    assert service.workers(address) == []


def test_concurrent_invokes_get_their_own_workers(service):
    address = add(service, "parallel", "app.sleep", reserved_concurrency=2)

    runs = [in_thread(service.invoke, address, {"seconds": 0.5}) for _ in range(2)]
    for thread, _ in runs:
        thread.join()

    pids = {box[0].payload["pid"] for _, box in runs}
    assert len(pids) == 2
    assert sorted(pids) == service.workers(address)


def test_many_threads_invoke_safely(service):
    address = add(service, "shared", "app.echo")
    failures: list[str] = []

    def client(number: int) -> None:
        for i in range(20):
            result = service.invoke(address, {"client": number, "i": i})
            if result.error or result.payload["event"] != {"client": number, "i": i}:
                failures.append(f"{number}/{i}: {result}")

    threads = [threading.Thread(target=client, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    assert 1 <= len(service.workers(address)) <= 6
    assert service.idle()


# -- code changes and re-registration --------------------------------------------------------------------


def test_code_change_restarts_the_worker(service, tmp_path):
    code = tmp_path / "reload"
    shutil.copytree(FUNCTIONS / "reload", code)
    address = add(service, "reload", "app.handler", code)

    before = service.invoke(address, {}).payload
    source = code / "app.py"
    source.write_text(source.read_text().replace("VERSION = 1", "VERSION = 2"))
    seen: list[dict] = []
    assert wait_until(lambda: seen.append(service.invoke(address, {}).payload) or seen[-1]["version"] == 2)

    assert before["version"] == 1
    assert seen[-1]["pid"] != before["pid"]
    assert wait_until(lambda: gone(before["pid"]))


def test_layer_change_restarts_the_worker(service, tmp_path):
    layer = tmp_path / "layer"
    shutil.copytree(FUNCTIONS / "layer_flat", layer)
    address = add(service, "layered", "app.echo", layer_dirs=[layer])

    before = service.invoke(address, {}).payload["pid"]
    (layer / "new_module.py").write_text("X = 1\n")

    assert wait_until(lambda: service.invoke(address, {}).payload["pid"] != before)


def test_busy_worker_finishes_before_it_restarts(service, tmp_path):
    code = tmp_path / "reload"
    shutil.copytree(FUNCTIONS / "reload", code)
    (code / "slow.py").write_text(
        "import os, time\n\nimport app\n\n\ndef handler(event, context):\n"
        "    time.sleep(event['seconds'])\n    return {'version': app.VERSION, 'pid': os.getpid()}\n"
    )
    address = add(service, "busy", "slow.handler", code)
    service.invoke(address, {"seconds": 0})

    thread, box = in_thread(service.invoke, address, {"seconds": 1.5})
    assert wait_until(lambda: not service.idle())
    source = code / "app.py"
    source.write_text(source.read_text().replace("VERSION = 1", "VERSION = 2"))
    thread.join()
    after: list[dict] = []
    assert wait_until(
        lambda: after.append(service.invoke(address, {"seconds": 0}).payload) or after[-1]["version"] == 2
    )

    assert box[0].error is None and box[0].payload["version"] == 1
    assert after[-1]["pid"] != box[0].payload["pid"]


def test_register_again_replaces_the_spec_and_retires_workers(service):
    spec = make_spec("respec", "app.environment", environment={"STAGE": "one"})
    service.register(spec)
    first = service.invoke(spec.address, {}).payload
    [old_pid] = service.workers(spec.address)

    service.register(make_spec("respec", "app.environment", environment={"STAGE": "two"}))
    second = service.invoke(spec.address, {}).payload

    assert (first["STAGE"], second["STAGE"]) == ("one", "two")
    assert gone(old_pid)
    assert len(service.workers(spec.address)) == 1


def test_recycle_forces_a_cold_start(service):
    address = add(service, "recycled", "app.echo")
    before = service.invoke(address, {}).payload["pid"]

    service.recycle()

    assert service.invoke(address, {}).payload["pid"] != before
    assert gone(before)


# -- logs ------------------------------------------------------------------------------------------------


def test_function_output_becomes_log_lines_of_its_request(service, logs):
    address = add(service, "chatty", "app.chatty")

    result = service.invoke(address, {"n": 5})

    assert result.payload == "done"
    request_lines = lines_of(logs, address, result.request_id)
    assert request_lines[0] == f"START RequestId: {result.request_id} Version: $LATEST"
    assert request_lines[-2] == f"END RequestId: {result.request_id}"
    report = request_lines[-1]
    assert report.startswith(f"REPORT RequestId: {result.request_id}\tDuration: ")
    assert "\tBilled Duration: " in report and "\tMemory Size: 128 MB\tMax Memory Used: " in report
    body = request_lines[1:-2]
    for expected in ("to stdout 5", "to stderr 5", "raw fd write", "no newline at the end"):
        assert expected in body
    assert any(
        line.startswith("[WARNING]\t") and line.endswith(f"\t{result.request_id}\tvia logging 5") for line in body
    )
    assert lines_of(logs, address, None)[0] == "basic: module imported"  # init output, before any request


def test_output_shaped_like_protocol_frames_is_only_logged(service, logs):
    address = add(service, "lookalike", "app.protocol_lookalike")

    results = [service.invoke(address, {}) for _ in range(3)]

    assert [r.payload for r in results] == [{"real": True}] * 3
    assert any("forged" in line for line in lines_of(logs, address, results[0].request_id))
    assert any("not utf-8" in line for line in lines_of(logs, address, results[0].request_id))


def test_output_printed_between_invocations_is_kept(service, logs):
    address = add(service, "later", "app.print_later")

    service.invoke(address, {"after": 0.1})

    assert wait_until(lambda: "printed between invocations" in lines_of(logs, address))
    [entry] = [e for e in logs.lines(address) if e["line"] == "printed between invocations"]
    assert entry["request_id"] is None


def test_worker_dying_while_idle_is_replaced(service, logs):
    address = add(service, "fragile", "app.die_later")

    first = service.invoke(address, {"after": 0.1})
    time.sleep(0.4)
    second = service.invoke(address, {"after": 60})

    assert second.error is None
    assert second.payload["pid"] != first.payload["pid"]
    assert any("exited while idle (exit status 9)" in line for line in lines_of(logs, address))


def test_large_payloads_cross_in_both_directions(service):
    address = add(service, "sized", "app.sized")
    size = 2 * 1024 * 1024

    result = service.invoke(address, {"size": size, "data": "y" * size})

    assert result.error is None
    assert len(result.payload["data"]) == size and result.payload["received"] == size


def test_response_over_the_lambda_limit_is_an_error(service):
    address = add(service, "toolarge", "app.sized")

    result = service.invoke(address, {"size": 7 * 1024 * 1024})

    assert result.error["errorType"] == "Function.ResponseSizeTooLarge"
    assert service.invoke(address, {"size": 1}).error is None


# -- lifecycle -------------------------------------------------------------------------------------------


def test_shutdown_kills_and_reaps_every_worker(logs):
    service = LambdaService(sys.executable, BASE_ENV, logs)
    echo = make_spec("echo", "app.echo")
    slow = make_spec("slow", "app.sleep", timeout=30)
    service.register(echo)
    service.register(slow)
    idle_pid = service.invoke(echo.address, {}).payload["pid"]
    service.invoke(slow.address, {"seconds": 0})
    [busy_pid] = service.workers(slow.address)
    thread, box = in_thread(service.invoke, slow.address, {"seconds": 30})
    assert wait_until(lambda: not service.idle())

    started = time.monotonic()
    service.shutdown()
    thread.join(timeout=10)

    assert time.monotonic() - started < 10
    assert box[0].error["errorType"] == "Runtime.ExitError"
    assert box[0].error["errorMessage"].endswith("signal: killed")
    assert gone(idle_pid) and gone(busy_pid)
    assert service.idle()
    with pytest.raises(RuntimeError, match="shut down"):
        service.invoke(echo.address, {})


def test_reset_keeps_workers_warm_and_drops_pending_output(logs, monkeypatch):
    monkeypatch.setattr(lambdas, "RELOAD_POLL_SECONDS", 3600)  # no background sweep: only reset may drop it
    service = LambdaService(sys.executable, BASE_ENV, logs)
    try:
        address = add(service, "kept", "app.print_later")
        first = service.invoke(address, {"after": 0.05})
        time.sleep(0.3)

        service.reset()
        logs.clear()
        second = service.invoke(address, {"after": 60})

        assert second.payload["pid"] == first.payload["pid"]
        assert "printed between invocations" not in lines_of(logs, address)
    finally:
        service.shutdown()
