"""What a worker is given: its event as JSON, its import path (code, then layers as Lambda mounts them
under /opt) and the region its ARN names."""

from __future__ import annotations

import json
from pathlib import Path

from localcloud.model import FunctionSpec


def encode_event(spec: FunctionSpec, event) -> str:
    if isinstance(event, bytes | bytearray):
        try:
            json.loads(event)
        except ValueError as exc:
            raise ValueError(f"{spec.address}: the invocation payload is not JSON: {exc}") from None
        return bytes(event).decode()
    try:
        return json.dumps(event)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{spec.address}: the event cannot be sent as JSON: {exc}") from None


def sys_path(spec: FunctionSpec) -> list[str]:
    """The packager's import path; for a spec it never saw, code_dir, then each layer as Lambda mounts it
    under /opt (its `python/` folder when it has one)."""
    if spec.import_path:
        return [str(path) for path in spec.import_path]
    paths = [str(Path(spec.code_dir).absolute())]
    for layer in spec.layer_dirs:
        base = Path(layer).absolute()
        if (base / "python").is_dir():
            base = base / "python"
        site_packages = base / "lib" / spec.runtime / "site-packages"
        if site_packages.is_dir():
            paths.append(str(site_packages))
        paths.append(str(base))
    return paths


def arn_region(arn: str) -> str:
    parts = arn.split(":")
    return parts[3] if len(parts) > 3 and parts[3] else "us-east-1"
