"""The worker runs on each Lambda Python runtime's own interpreter (3.9 upward), not only on the dev venv's:
its init, logging, results and errors, a 1.x Powertools layer with the function's own requirements on
python3.9, and an init that dies quoting what the function printed."""

from __future__ import annotations

import logging

import pytest

from localcloud.lambdas.interpreters import installed
from localcloud.model import LogStore
from localcloud.provision.public_layers import POWERTOOLS_LAYER, POWERTOOLS_LAYERS, external_layer
from tests.localcloud.test_lambdas import BASIC, FUNCTIONS, lines_of, make_spec
from tests.localcloud.test_lambdas_parity import packaged_service

POWERTOOLS_V1 = POWERTOOLS_LAYERS["AWSLambdaPowertoolsPython"]
OLDEST_RUNTIME = (3, 9)  # the oldest Python runtime Lambda still runs
RUNTIMES = [f"python3.{minor}" for major, minor in sorted(installed()) if (major, minor) >= OLDEST_RUNTIME]


@pytest.fixture
def logs() -> LogStore:
    return LogStore()


@pytest.fixture
def packaged(logs):
    service, _ = packaged_service(logs, {POWERTOOLS_V1: "python"})
    yield service
    service.shutdown()


def register(service, name: str, handler: str, code_dir=BASIC, **options) -> str:
    spec = make_spec(name, handler, code_dir, **options)
    service.register(spec)
    return spec.address


@pytest.mark.parametrize("runtime", RUNTIMES)
def test_the_worker_runs_on_every_installed_runtime(packaged, logs, runtime):
    address = register(packaged, runtime.replace(".", ""), "app.runtime", runtime=runtime,
                       environment={"AWS_LAMBDA_LOG_LEVEL": "DEBUG"})  # fmt: skip
    raw = register(packaged, f"raw-{runtime.replace('.', '')}", "app.raw_bytes", runtime=runtime)
    failing = register(packaged, f"fail-{runtime.replace('.', '')}", "app.fail_on_request", runtime=runtime)

    info = packaged.invoke(address, {})
    assert info.error is None, lines_of(logs, address)
    assert info.payload["version"] == [3, int(runtime.split(".")[1])]
    assert packaged.invoke(raw, {}).payload == b"\x00\x01binary"
    assert packaged.invoke(failing, {"fail": True}).error["errorType"]


def test_a_python39_function_with_requirements_and_the_powertools_1x_layer(packaged, logs):
    if (3, 9) not in installed():
        pytest.skip("no python3.9 here")
    address = register(packaged, "v1", "app.handler", FUNCTIONS / "powertools_v1", runtime="python3.9",
                       layer_dirs=[POWERTOOLS_V1])  # fmt: skip

    result = packaged.invoke(address, {"Records": [{"s3": {"bucket": {"name": "inbox"}, "object": {"key": "a"}}}]})

    assert result.error is None, lines_of(logs, address)
    assert result.payload["bucket"] == "inbox" and result.payload["yaml"] == "6.0.3"
    assert "/python3.9-" in result.payload["powertools"]  # installed for 3.9, from the 1.x layer's requirements
    assert any('"message":"handled"' in line for line in lines_of(logs, address, result.request_id))


def test_each_public_powertools_major_is_its_own_layer():
    arn = "arn:aws:lambda:eu-west-1:017000801446:layer:{}:9"
    assert external_layer(arn.format("AWSLambdaPowertoolsPython"), {}) == POWERTOOLS_V1
    assert external_layer(arn.format("AWSLambdaPowertoolsPythonV2-Arm64"), {}).name == "powertools-layer-v2"
    assert external_layer(arn.format("AWSLambdaPowertoolsPythonV3-python313-x86_64"), {}) == POWERTOOLS_LAYER
    assert all((folder / "requirements.txt").is_file() for folder in (POWERTOOLS_LAYER, *POWERTOOLS_LAYERS.values()))


def test_an_init_exit_quotes_what_the_function_printed(packaged, logs, caplog):
    address = register(packaged, "exits", "app.handler", FUNCTIONS / "init_exit")

    with caplog.at_level(logging.WARNING, logger="localcloud.lambdas"):
        result = packaged.invoke(address, {})

    assert result.error["errorType"] == "Runtime.ExitError"
    assert result.error["errorMessage"].endswith("Runtime exited with error: exit status 7")
    assert result.error["stackTrace"] == ["exiting during init"]
    assert "exiting during init" in lines_of(logs, address)
    assert f"{address}: init failed: Runtime.ExitError" in caplog.text and "| exiting during init" in caplog.text
