"""Lambda parity of the workers: a function imports its package, its layers and the runtime's boto3, and
nothing of the dev venv or the repository. Real workers, real installs into the user cache (warm after the
first run), so a forgotten dependency fails here as it would on AWS."""

from __future__ import annotations

import json
import platform
import sys
from pathlib import Path
from unittest.mock import ANY

import pytest

from localcloud import lambdas
from localcloud.lambdas import LambdaService
from localcloud.lambdas.installer import Installer, requirements_text
from localcloud.lambdas.interpreters import for_runtime, installed
from localcloud.lambdas.packaging import Packager, PackagingFailed
from localcloud.model import LogStore
from localcloud.provision.public_layers import POWERTOOLS_LAYER
from tests.localcloud.test_lambdas import BASE_ENV, BASIC, FUNCTIONS, lines_of, make_spec, wait_until

ROOT = Path(__file__).resolve().parents[2]
USES_YAML = """import yaml


def handler(event, context):
    return {"yaml": yaml.__version__, "file": yaml.__file__}
"""


@pytest.fixture
def logs() -> LogStore:
    return LogStore()


def packaged_service(logs: LogStore, layer_builds: dict | None = None, installer: Installer | None = None):
    packager = Packager(installer or Installer(), {POWERTOOLS_LAYER: "python", **(layer_builds or {})})
    return LambdaService(sys.executable, BASE_ENV, logs, prepare=packager.prepare), packager


@pytest.fixture
def service(logs):
    lambda_service, _ = packaged_service(logs)
    yield lambda_service
    lambda_service.shutdown()


def run(service: LambdaService, name: str, handler: str, code_dir: Path = BASIC, event=None, **options):
    spec = make_spec(name, handler, code_dir, **options)
    service.register(spec)
    return service.invoke(spec.address, event if event is not None else {})


def function_dir(parent: Path, name: str, requirements: str | None = None) -> Path:
    folder = parent / name
    folder.mkdir()
    (folder / "app.py").write_text(USES_YAML)
    if requirements is not None:
        (folder / "requirements.txt").write_text(requirements)
    return folder


def test_a_dependency_only_the_dev_venv_has_is_an_import_module_error(service, tmp_path):
    import yaml  # the dev venv has PyYAML: a worker on it would import it

    forgot = run(service, "forgot", "app.handler", function_dir(tmp_path, "forgot"))
    declared = run(service, "declared", "app.handler", function_dir(tmp_path, "declared", "PyYAML==6.0.3\n"))

    assert forgot.error == {
        "errorMessage": "Unable to import module 'app': No module named 'yaml'",
        "errorType": "Runtime.ImportModuleError",
        "requestId": forgot.request_id,
        "stackTrace": [],
    }
    assert declared.error is None
    assert declared.payload["yaml"] == "6.0.3"
    assert not declared.payload["file"].startswith(str(Path(yaml.__file__).parents[1]))


def test_the_import_path_is_package_layers_runtime_sdk_then_stdlib(service):
    nested, flat = FUNCTIONS / "layer_nested", FUNCTIONS / "layer_flat"
    modules = ["layer_nested_helper", "layer_flat_helper", "boto3", "botocore", "localcloud", "moto", "pytest"]

    info = run(service, "paths", "app.runtime", layer_dirs=[nested, flat]).payload
    found = run(service, "imports", "app.imports", event={"modules": modules}, layer_dirs=[nested, flat]).payload

    path = info["sys_path"]
    assert path[:2] == [str(BASIC), str(nested / "python")]
    sdk = Path(path[2])
    assert found["boto3"]["version"] == "1.40.4" and found["botocore"]["version"] == "1.40.4"
    assert found["boto3"]["file"].startswith(str(sdk))
    assert all(entry.startswith(sys.base_prefix) for entry in path[3:])  # the standard library, nothing else
    assert found["layer_nested_helper"]["file"].startswith(str(nested / "python"))
    assert found["layer_flat_helper"] is None  # Lambda mounts a layer's python/ folder only
    assert found["localcloud"] is None and found["moto"] is None and found["pytest"] is None
    assert str(ROOT) not in path and str(Path(lambdas.__file__).parent) not in path
    assert info["cwd"] == str(BASIC)


def test_a_layer_without_python_folder_is_named_in_a_notice(logs):
    service, packager = packaged_service(logs)
    try:
        found = run(service, "flat", "app.imports", event={"modules": ["layer_flat_helper"]},
                    layer_dirs=[FUNCTIONS / "layer_flat"]).payload  # fmt: skip
    finally:
        service.shutdown()

    assert found == {"layer_flat_helper": None}
    [notice] = packager.notices()
    assert notice.startswith(f"layer {FUNCTIONS / 'layer_flat'} has no python/ folder") and "Tests/flat" in notice


def test_a_requirements_change_installs_and_restarts_the_function(service, tmp_path):
    code = function_dir(tmp_path, "grows")
    spec = make_spec("grows", "app.handler", code)
    service.register(spec)
    assert service.invoke(spec.address, {}).error["errorType"] == "Runtime.ImportModuleError"

    (code / "requirements.txt").write_text("PyYAML==6.0.3\n")

    assert wait_until(lambda: service.invoke(spec.address, {}).payload == {"yaml": "6.0.3", "file": ANY}, 30)


def test_layers_merge_as_under_opt_the_later_layers_files_win(service, tmp_path):
    first, second = tmp_path / "first", tmp_path / "second"
    for layer in (first, second):
        (layer / "python").mkdir(parents=True)
        (layer / "python" / "which_layer.py").write_text(f"NAME = {layer.name!r}\n")
    site = second / "python" / "lib" / "python3.13" / "site-packages"
    site.mkdir(parents=True)
    (site / "from_site.py").write_text("")
    code = tmp_path / "code"
    code.mkdir()
    (code / "app.py").write_text("import which_layer\n\n\ndef handler(event, context):\n    return which_layer.NAME\n")

    assert run(service, "merged", "app.handler", code, layer_dirs=[first, second]).payload == "second"
    info = run(service, "order", "app.runtime", layer_dirs=[first, second]).payload
    assert info["sys_path"][1:4] == [str(site), str(second / "python"), str(first / "python")]


def test_a_layer_sam_builds_is_its_source_then_its_requirements(logs, tmp_path):
    layer = tmp_path / "shared"
    layer.mkdir()
    (layer / "helper.py").write_text("import yaml\n\nVERSION = yaml.__version__\n")
    (layer / "requirements.txt").write_text("PyYAML==6.0.3\n")
    code = tmp_path / "code"
    code.mkdir()
    (code / "app.py").write_text("import helper\n\n\ndef handler(event, context):\n    return helper.VERSION\n")
    service, _ = packaged_service(logs, {layer: "python3.13"})
    try:
        assert run(service, "built-layer", "app.handler", code, layer_dirs=[layer]).payload == "6.0.3"
        without = run(service, "unbuilt", "app.handler", code).error
        assert without["errorMessage"] == "Unable to import module 'app': No module named 'helper'"
    finally:
        service.shutdown()


def test_the_public_powertools_layer_is_the_pinned_powertools_with_its_extras(service, logs):
    spec = make_spec("powertools", "app.handler", FUNCTIONS / "powertools", layer_dirs=[POWERTOOLS_LAYER])
    service.register(spec)

    first = service.invoke(spec.address, {"n": 1})
    second = service.invoke(spec.address, {"n": 2})
    found = run(service, "extras", "app.imports", event={"modules": ["aws_lambda_powertools", "pydantic"]},
                layer_dirs=[POWERTOOLS_LAYER]).payload  # fmt: skip

    assert first.payload == {"ok": True} and second.payload == {"ok": True}
    [one] = [line for line in lines_of(logs, spec.address, first.request_id) if line.startswith("{")]
    [two] = [line for line in lines_of(logs, spec.address, second.request_id) if line.startswith("{")]
    record, later = json.loads(one), json.loads(two)
    assert record["message"] == "handled" and record["n"] == 1
    assert record["function_request_id"] == first.request_id and record["function_arn"] == spec.arn
    assert (record["cold_start"], later["cold_start"]) == (True, False)
    assert found["aws_lambda_powertools"] is not None and found["pydantic"] is not None


def test_a_warm_cache_installs_nothing(logs, tmp_path):
    code = function_dir(tmp_path, "cached", "PyYAML==6.0.3\n")
    spec = make_spec("cached", "app.handler", code, layer_dirs=[POWERTOOLS_LAYER])
    warm = Packager(Installer(), {POWERTOOLS_LAYER: "python"})
    warm.prepare(spec)
    again = Installer()

    prepared = Packager(again, {POWERTOOLS_LAYER: "python"}).prepare(spec)

    assert again.installs == 0
    assert prepared.import_path[0] == code and len(prepared.import_path) == 5  # code, package, layer, its deps, SDK


def test_a_package_sam_built_is_used_as_it_is(logs, tmp_path):
    code = function_dir(tmp_path, "built", "PyYAML==6.0.3\n")
    (code / "yaml").mkdir()
    (code / "yaml" / "__init__.py").write_text("__version__ = 'as built'\n")
    (code / "PyYAML-6.0.3.dist-info").mkdir()
    installer = Installer()
    service, packager = packaged_service(logs, installer=installer)
    try:
        result = run(service, "built", "app.handler", code)
    finally:
        service.shutdown()

    assert result.payload["yaml"] == "as built"
    prepared = packager.prepare(make_spec("built", "app.handler", code))
    assert installer.installs == 0 and len(prepared.import_path) == 2  # the package as built, the runtime SDK


def test_native_modules_built_for_the_other_architecture_are_named(tmp_path):
    code = function_dir(tmp_path, "arm", "PyYAML==6.0.3\n")
    (code / "PyYAML-6.0.3.dist-info").mkdir()
    (code / "yaml").mkdir()
    (code / "yaml" / "_yaml.cpython-313-aarch64-linux-gnu.so").write_bytes(b"")
    (code / "yaml" / "_yaml.cpython-313-x86_64-linux-gnu.so").write_bytes(b"")
    packager = Packager(Installer())
    packager.prepare(make_spec("arm", "app.handler", code))
    notices = packager.notices()

    if platform.machine() not in ("x86_64", "aarch64"):
        pytest.skip(f"no architecture tags known for {platform.machine()}")
    [notice] = notices
    assert notice.startswith(f"{code} was built for ") and "native modules (yaml) cannot load" in notice


def test_runtimes_use_their_python_or_the_nearest_with_one_notice(logs):
    service, packager = packaged_service(logs)
    versions = installed()
    try:
        future = run(service, "future", "app.runtime", runtime="python3.14").payload
        also = run(service, "also-future", "app.environment", runtime="python3.14").payload
        older = run(service, "older", "app.runtime", runtime="python3.12").payload if (3, 12) in versions else None
    finally:
        service.shutdown()

    assert (3, 14) not in versions, "this machine has python3.14: the fallback is not exercised"
    assert future["version"] == [3, 13]
    assert also["AWS_EXECUTION_ENV"] == "AWS_Lambda_python3.14"  # the runtime the template names
    if older is not None:
        assert older["version"] == [3, 12]
    [notice] = packager.notices()
    assert notice.startswith("python3.14 is not installed here, so Tests/future, Tests/also-future run on the ")
    assert versions[(3, 13)] in notice


def test_requirements_that_cannot_install_refuse_the_function(service, tmp_path):
    code = function_dir(tmp_path, "broken", "==not a requirement\n")  # refused before any download

    with pytest.raises(PackagingFailed, match=r"Tests/broken: uv could not install .*requirements\.txt"):
        service.register(make_spec("broken", "app.handler", code))


def test_requirements_text_inlines_includes_and_drops_comments(tmp_path):
    (tmp_path / "base.txt").write_text("# pins\nboto3==1.40.4  # the SDK\n")
    (tmp_path / "requirements.txt").write_text("-r base.txt\n\nPyYAML==6.0.3\n")
    (tmp_path / "empty.txt").write_text("# nothing here\n\n")

    assert requirements_text(tmp_path / "requirements.txt") == "# -r base.txt\nboto3==1.40.4\nPyYAML==6.0.3"
    assert requirements_text(tmp_path / "empty.txt") is None


def test_pip_installs_when_uv_is_missing(tmp_path):
    installer = Installer(tmp_path / "cache")
    installer._uv = None
    code = function_dir(tmp_path, "pip", "PyYAML==6.0.3\n")

    folder = installer.install(code / "requirements.txt", for_runtime("python3.13"), "pip test")

    assert installer.tool == "pip" and installer.installs == 1
    assert (folder / "yaml" / "__init__.py").is_file()
