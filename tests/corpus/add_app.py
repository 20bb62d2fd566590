"""Add a public SAM app to the corpus, unchanged, with its origin: `python tests/corpus/add_app.py
<clone> <path-in-repo> [--name NAME] [--repo owner/name] [--commit SHA]`.

`<clone>` is a local git clone (or bare mirror) of the app's repository. The app's files at that commit
are written to tests/corpus/apps/<name>/ exactly as they are upstream, beside an ORIGIN.json naming the
repository, path, commit and license, so a later reader can check that nothing was changed. A `sam init`
template (`--cookiecutter`) is rendered first with its defaults, by the cookiecutter the SAM CLI venv
holds, as `sam init --no-input` would. Then write the app's drive in tests/corpus/test_*.py: do what its
README says to test it, and check what it says you will see.
"""

from __future__ import annotations

import argparse
import io
import json
import subprocess
import tarfile
import tempfile
from pathlib import Path

APPS = Path(__file__).parent / "apps"
COOKIECUTTER = Path(__file__).resolve().parents[2] / ".venv-sam" / "bin" / "cookiecutter"
LICENSES = {
    "aws-samples/serverless-patterns": "MIT-0",
    "aws-samples/serverless-test-samples": "MIT-0",
    "aws/aws-sam-cli-app-templates": "Apache-2.0",
}
_SKIP_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".drawio", ".pdf", ".zip", ".mp4", ".mp3")


def git(clone: Path, *args: str) -> bytes:
    return subprocess.run(["git", "-C", str(clone), *args], check=True, capture_output=True).stdout


def add(clone: Path, path: str, name: str, repo: str, commit: str, *, cookiecutter: bool = False) -> Path:
    target = APPS / name
    if target.exists():
        raise SystemExit(f"{target} exists: remove it first to import it again")
    if cookiecutter:
        return _render(clone, path, name, repo, commit, target)
    files = git(clone, "ls-tree", "-r", "--name-only", commit, "--", path).decode().split("\n")
    copied = []
    for file in filter(None, files):
        relative = Path(file).relative_to(path)
        if relative.suffix.lower() in _SKIP_SUFFIXES or relative.parts[0].startswith(".aws-"):
            continue  # pictures and tool caches: nothing an app runs
        destination = target / relative
        destination.parent.mkdir(parents=True, exist_ok=True)
        destination.write_bytes(git(clone, "show", f"{commit}:{file}"))
        copied.append(str(relative))
    return _write_origin(target, repo, path, commit, copied)


def _render(clone: Path, path: str, name: str, repo: str, commit: str, target: Path) -> Path:
    with tempfile.TemporaryDirectory() as work:
        archive = git(clone, "archive", "--format=tar", commit, path)
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(work, filter="data")
        subprocess.run(
            [str(COOKIECUTTER), "--no-input", "-o", str(APPS), str(Path(work) / path), f"project_name={name}"],
            check=True,
        )
    copied = [str(p.relative_to(target)) for p in target.rglob("*") if p.is_file()]
    return _write_origin(target, repo, path, commit, copied, rendered="sam init --no-input (cookiecutter defaults)")


def _write_origin(target: Path, repo: str, path: str, commit: str, files: list[str], rendered: str = "") -> Path:
    origin = {
        "repository": f"https://github.com/{repo}",
        "path": path,
        "commit": commit,
        "license": LICENSES.get(repo, "see the repository"),
        **({"rendered": rendered} if rendered else {}),
        "files": sorted(files),
    }
    (target / "ORIGIN.json").write_text(json.dumps(origin, indent=2) + "\n")
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("clone", type=Path)
    parser.add_argument("path")
    parser.add_argument("--name")
    parser.add_argument("--repo", required=True, help="owner/name on GitHub")
    parser.add_argument("--commit", default="HEAD")
    parser.add_argument("--cookiecutter", action="store_true", help="a `sam init` template: render it first")
    args = parser.parse_args()
    commit = git(args.clone, "rev-parse", args.commit).decode().strip()
    name = args.name or Path(args.path).name
    print(add(args.clone, args.path.rstrip("/"), name, args.repo, commit, cookiecutter=args.cookiecutter))


if __name__ == "__main__":
    main()
