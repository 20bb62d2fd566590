"""Layers a template names by ARN but does not define: AWS's public Powertools layers, and any layer the
user maps to a local folder with `localcloud up --layer ARN=DIR`.

Powertools for AWS Lambda (Python) publishes its layers from account 017000801446
(`AWSLambdaPowertoolsPythonV2`, `AWSLambdaPowertoolsPythonV3-python313-arm64`, ...). Locally they become
one folder holding the Powertools installed here and what it needs, laid out as a layer (`python/`), so
the function imports what the layer would give it. A mapping given with `--layer` may name an exact
version ARN or the ARN without its version (every version). Any other ARN is an error that says how to
map it.
"""

from __future__ import annotations

import functools
import importlib.metadata
import importlib.util
import re
import tempfile
from pathlib import Path

POWERTOOLS_ACCOUNT = "017000801446"
_ARN = re.compile(r"^arn:aws[\w-]*:lambda:[\w-]+:(\d{12}):layer:([\w-]+)(?::(\d+|\*))?$")


class UnknownLayer(LookupError):
    pass


def external_layer(arn: str, mapped: dict[str, Path]) -> Path:
    """The local folder standing in for a layer ARN that the application does not define."""
    unversioned = arn.rsplit(":", 1)[0] if re.search(r":\d+$", arn) else arn
    for key in (arn, unversioned):
        if key in mapped:
            return Path(mapped[key])
    match = _ARN.match(arn)
    if match and match.group(1) == POWERTOOLS_ACCOUNT and match.group(2).startswith("AWSLambdaPowertoolsPython"):
        return powertools_layer()
    raise UnknownLayer(
        f"layer {arn} is not defined in this application; map it to a local folder with "
        f"`localcloud up --layer {unversioned}=<dir>` (the folder as the layer's zip unpacks)"
    )


@functools.cache
def powertools_layer() -> Path:
    """A layer folder of the Powertools installed here and its requirements, made once per version."""
    version = importlib.metadata.version("aws-lambda-powertools")
    root = Path(tempfile.gettempdir()) / "localcloud-layers" / f"powertools-{version}"
    python = root / "python"
    python.mkdir(parents=True, exist_ok=True)
    for package in _packages("aws-lambda-powertools"):
        spec = importlib.util.find_spec(package)
        if spec is None or spec.origin is None:
            continue
        source = Path(spec.origin)
        source = source.parent if source.name == "__init__.py" else source
        link = python / source.name
        if not link.exists():
            link.symlink_to(source)
    return root


def _packages(distribution: str) -> list[str]:
    """The top-level modules of a distribution and of what it requires (no extras)."""
    seen: set[str] = set()
    modules: list[str] = []
    pending = [distribution]
    while pending:
        name = pending.pop()
        if name.lower() in seen:
            continue
        seen.add(name.lower())
        try:
            dist = importlib.metadata.distribution(name)
        except importlib.metadata.PackageNotFoundError:
            continue
        top = (dist.read_text("top_level.txt") or "").split()
        modules += top or [name.replace("-", "_")]
        for requirement in dist.requires or []:
            if "extra ==" not in requirement:
                pending.append(re.split(r"[\s<>=!~;\[(]", requirement, maxsplit=1)[0])
    return modules
