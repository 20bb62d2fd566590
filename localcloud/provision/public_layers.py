"""Layers a template names by ARN but does not define: AWS's public Powertools layers, and any layer the
user maps to a local folder with `localcloud up --layer ARN=DIR`.

Powertools for AWS Lambda (Python) publishes its layers from account 017000801446
(`AWSLambdaPowertoolsPythonV2`, `AWSLambdaPowertoolsPythonV3-python313-arm64`, ...). Locally they become
one layer built from `requirements/powertools-layer/requirements.txt` (the pinned Powertools with its
extras, as the public layer ships it), installed for the function's Python like any built layer. A
mapping given with `--layer` may name an exact version ARN or the ARN without its version (every
version). Any other ARN is an error that says how to map it.
"""

from __future__ import annotations

import re
from pathlib import Path

POWERTOOLS_ACCOUNT = "017000801446"
POWERTOOLS_LAYER = Path(__file__).resolve().parents[2] / "requirements" / "powertools-layer"
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
        return POWERTOOLS_LAYER
    raise UnknownLayer(
        f"layer {arn} is not defined in this application; map it to a local folder with "
        f"`localcloud up --layer {unversioned}=<dir>` (the folder as the layer's zip unpacks)"
    )
