"""Layers a template names by ARN but does not define: AWS's public Powertools layers, and any layer the
user maps to a local folder with `localcloud up --layer ARN=DIR`.

Powertools for AWS Lambda (Python) publishes its layers from account 017000801446
(`AWSLambdaPowertoolsPython` for 1.x, `AWSLambdaPowertoolsPythonV2`, `AWSLambdaPowertoolsPythonV3-python313-arm64`,
...). Locally each major becomes one layer built from `requirements/powertools-layer[-v1|-v2]/requirements.txt`
(a pinned Powertools of that major with the extras the public layer ships), installed for the function's
Python like any built layer: an app written for 1.x on python3.9 gets 1.x, as on AWS, not 3.x. A
mapping given with `--layer` may name an exact version ARN or the ARN without its version (every
version). Any other ARN is an error that says how to map it.
"""

from __future__ import annotations

import re
from pathlib import Path

POWERTOOLS_ACCOUNT = "017000801446"
_REQUIREMENTS = Path(__file__).resolve().parents[2] / "requirements"
POWERTOOLS_LAYER = _REQUIREMENTS / "powertools-layer"  # the current major (V3), and any later one
POWERTOOLS_LAYERS = {
    "AWSLambdaPowertoolsPython": _REQUIREMENTS / "powertools-layer-v1",
    "AWSLambdaPowertoolsPythonV2": _REQUIREMENTS / "powertools-layer-v2",
}
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
        return POWERTOOLS_LAYERS.get(match.group(2).removesuffix("-Arm64"), POWERTOOLS_LAYER)
    raise UnknownLayer(
        f"layer {arn} is not defined in this application; map it to a local folder with "
        f"`localcloud up --layer {unversioned}=<dir>` (the folder as the layer's zip unpacks)"
    )
