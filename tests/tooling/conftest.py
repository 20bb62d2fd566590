"""A scratch checkout for running Makefile targets for real, with a fake sam (tests/tooling/make_dry_run)."""

from __future__ import annotations

import shutil

import pytest

from tests.tooling.make_dry_run import ROOT

STACK_SOURCES = ["layers/template.yaml", *(str(p.relative_to(ROOT)) for p in ROOT.glob("services/*/template.yaml"))]


@pytest.fixture
def checkout(tmp_path):
    """The Makefile and what its deploy reads, in a scratch folder with no build, and a fake sam."""
    for relative in ["Makefile", "samconfig.toml", "template.yaml", "scripts", *STACK_SOURCES]:
        source, target = ROOT / relative, tmp_path / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        (shutil.copytree if source.is_dir() else shutil.copy)(source, target)
    for venv in (".venv", ".venv-sam"):
        (tmp_path / venv).symlink_to(ROOT / venv)
    fake = tmp_path / "fake-sam"
    fake.write_text('#!/bin/sh\necho "$@" >> "$(dirname "$0")/sam-calls"\n')
    fake.chmod(0o755)
    return tmp_path
