"""Hot reload end to end: editing a running function's handler file is picked up by the next requests,
without restarting localcloud; the fixture function is copied to a temporary folder and edited there."""

from __future__ import annotations

import importlib.util
import py_compile
import shutil
import time
from pathlib import Path

import pytest

from tests.support.localcloud import LocalCloudProcess

FIXTURE = Path(__file__).parent / "templates" / "hot_reload"


@pytest.fixture(scope="module")
def cloud(tmp_path_factory):
    root = tmp_path_factory.mktemp("hot-reload") / "app"
    shutil.copytree(FIXTURE, root, ignore=shutil.ignore_patterns("__pycache__"))
    process = LocalCloudProcess(root / "template.yaml", root / "state", root / "localcloud.log").start()
    yield process
    process.stop()


def version(cloud: LocalCloudProcess) -> str:
    response = cloud.http.get(cloud.api_url("Api") + "/version", timeout=30)
    assert response.status_code == 200, response.text
    return response.json()["version"]


def edit(handler: Path, old: str, new: str) -> None:
    source = handler.read_text()
    assert f'VERSION = "{old}"' in source
    handler.write_text(source.replace(f'VERSION = "{old}"', f'VERSION = "{new}"'))


def wait_for_version(cloud: LocalCloudProcess, expected: str, timeout: float = 10) -> str:
    deadline = time.monotonic() + timeout
    while (seen := version(cloud)) != expected and time.monotonic() < deadline:
        time.sleep(0.1)
    return seen


def test_an_edited_handler_serves_the_new_code(cloud):
    handler = cloud.template.parent / "src" / "app.py"
    assert version(cloud) == "v1"
    edit(handler, "v1", "v2")
    assert wait_for_version(cloud, "v2") == "v2"


def test_a_same_size_edit_within_the_second_of_a_cached_import_is_picked_up(cloud):
    """Python trusts cached bytecode whose recorded source size and mtime (whole seconds) match. An edit saved
    within the same second as a previous import of the same-size file must still be served: the bytecode
    cache is written here right before the edit (as a worker importing the first save would) so the race
    happens every run instead of by chance."""
    handler = cloud.template.parent / "src" / "app.py"
    current = version(cloud)
    for _ in range(3):  # retried only if the two writes fall on either side of a second boundary
        edit(handler, current, "v3")
        py_compile.compile(str(handler), doraise=True)
        edit(handler, "v3", "v4")
        if handler.stat().st_mtime_ns // 10**9 == cached_source_mtime(handler):
            break
        current = "v4"
    else:
        pytest.fail("could not write twice within one second")
    assert wait_for_version(cloud, "v4") == "v4"


def cached_source_mtime(handler: Path) -> int:
    """The source mtime (seconds) recorded in the handler's cached bytecode header."""
    header = Path(importlib.util.cache_from_source(str(handler))).read_bytes()[:16]
    return int.from_bytes(header[8:12], "little")
