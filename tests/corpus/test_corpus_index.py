"""The corpus stays whole: every app under apps/ has a drive and an ORIGIN.json, and the README lists it."""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.corpus.support import APPS

HERE = Path(__file__).parent


def driven_apps() -> set[str]:
    found: set[str] = set()
    for module in HERE.glob("test_*.py"):
        found |= set(re.findall(r'^    APP = "([^"]+)"', module.read_text(), flags=re.MULTILINE))
    return found


def test_every_app_has_a_drive_an_origin_and_a_readme_row():
    apps = {p.name for p in APPS.iterdir() if p.is_dir()}
    assert apps == driven_apps()
    readme = (HERE / "README.md").read_text()
    for app in sorted(apps):
        origin = json.loads((APPS / app / "ORIGIN.json").read_text())
        assert {"repository", "path", "commit", "license"} <= set(origin), app
        assert f"`{app}`" in readme, f"{app} is not in tests/corpus/README.md"
