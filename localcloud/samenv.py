"""`.localcloud/sam-env.json`: every function's resolved environment in the SAM CLI's `--env-vars` format,
so `sam local invoke -e events/... --env-vars .localcloud/sam-env.json` (Docker) runs against this same
local AWS, with the real table, queue and bucket names.

    {"Parameters": {"AWS_ENDPOINT_URL": "http://host.docker.internal:4566"},
     "Todos/ReadTodosFunction": {"TABLE_NAME": "platform-...", ..., "AWS_ENDPOINT_URL": "..."}}

A function's key is its logical id in the root stack and `Stack/LogicalId` in a nested one (SAM CLI's full
path: logical ids repeat across nested stacks, full paths do not). Addresses on this machine's loopback
become `host.docker.internal`, the name a container reaches its host by. SAM CLI applies a value only to a
variable the function's template declares.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from localcloud.model import FunctionSpec

DOCKER_HOST = "host.docker.internal"
_LOOPBACK = re.compile(r"(?<=://)(?:127\.0\.0\.1|localhost|0\.0\.0\.0|\[::1\])(?=[:/]|$)")


def for_containers(value: str) -> str:
    """The same URL as a Docker container reaches it: loopback hosts become host.docker.internal."""
    return _LOOPBACK.sub(DOCKER_HOST, value)


def sam_env(functions: list[FunctionSpec], aws_endpoint: str) -> dict[str, dict[str, str]]:
    endpoint = for_containers(aws_endpoint.rstrip("/"))
    document: dict[str, dict[str, str]] = {"Parameters": {"AWS_ENDPOINT_URL": endpoint}}
    for spec in sorted(functions, key=lambda spec: spec.address):
        variables = {name: for_containers(str(value)) for name, value in spec.environment.items()}
        variables["AWS_ENDPOINT_URL"] = endpoint
        document[spec.address] = variables
    return document


def write_sam_env(path: Path, functions: list[FunctionSpec], aws_endpoint: str) -> None:
    """Written atomically, as endpoints.json is."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".tmp")
    partial.write_text(json.dumps(sam_env(functions, aws_endpoint), indent=2) + "\n")
    partial.replace(path)
