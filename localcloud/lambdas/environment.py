"""What a worker is given: its environment variables (Lambda's reserved ones last), its event as JSON, its
import path (code, then layers as Lambda mounts them under /opt) and the region its ARN names."""

from __future__ import annotations

import json
from pathlib import Path

from localcloud.lambdas.process import WORKER_SCRIPT
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


def worker_environment(base_env: dict[str, str], spec: FunctionSpec, log_stream: str) -> dict[str, str]:
    """base_env, then the function's variables, then Lambda's reserved variables (which always win)."""
    env = dict(base_env)
    env.update({str(key): str(value) for key, value in spec.environment.items() if value is not None})
    region = base_env.get("AWS_REGION") or base_env.get("AWS_DEFAULT_REGION") or arn_region(spec.arn)
    env.update(
        {
            "AWS_LAMBDA_FUNCTION_NAME": spec.name,
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(spec.memory),
            "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{spec.name}",
            "AWS_LAMBDA_LOG_STREAM_NAME": log_stream,
            "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
            "AWS_REGION": region,
            "AWS_DEFAULT_REGION": region,
            "AWS_EXECUTION_ENV": f"AWS_Lambda_{spec.runtime}",
            "LAMBDA_TASK_ROOT": str(Path(spec.code_dir).absolute()),
            "LAMBDA_RUNTIME_DIR": str(WORKER_SCRIPT.parent),
            "_HANDLER": spec.handler,
            "TZ": ":UTC",
        }
    )
    return env
