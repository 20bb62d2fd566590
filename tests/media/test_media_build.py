"""`sam build` (no Docker) makes the arm64 package: make-thumbnails holds Pillow's aarch64 `_imaging`, and
the upload function holds no Pillow at all."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SAM = ROOT / ".venv-sam" / "bin" / "sam"
EM_AARCH64 = 183


def elf_machine(path: Path) -> int:
    header = path.read_bytes()[:20]
    assert header[:4] == b"\x7fELF"
    return int.from_bytes(header[18:20], "little")


@pytest.mark.timeout(900)
@pytest.mark.skipif(not SAM.exists(), reason="aws-sam-cli is not installed (make setup)")
def test_sam_build_ships_an_aarch64_pillow_in_make_thumbnails_only(tmp_path):
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}", "SAM_CLI_TELEMETRY": "0"}
    subprocess.run(
        [str(SAM), "build", "--template-file", "services/media/template.yaml", "--build-dir", str(tmp_path / "b"),
         "--cache-dir", str(tmp_path / "c")],
        cwd=ROOT, env=env, check=True, capture_output=True, timeout=850,
    )  # fmt: skip
    (imaging,) = (tmp_path / "b" / "MakeThumbnailsFunction" / "PIL").glob("_imaging.cpython-313-*.so")
    assert "aarch64" in imaging.name and elf_machine(imaging) == EM_AARCH64
    upload = tmp_path / "b" / "CreateUploadFunction"
    assert (upload / "media" / "handlers" / "uploads.py").is_file()
    assert not (upload / "PIL").exists()
