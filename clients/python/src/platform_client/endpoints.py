"""Where the APIs, the user pool, the identity pool and the files bucket are, from one of three sources.

- **localcloud**: `make dev` writes `.localcloud/endpoints.json`; `discover()` finds it in the current
  directory or a parent, so the CLI works against a running `make dev` with no configuration.
- **A file** (`--endpoints FILE` or `$PLATFORM_ENDPOINTS`): localcloud's endpoints.json, or the flat shape
  `to_dict()` writes (`region`, `todosApi`, `blogApi`, `mediaApi`, `filesBucket`, `userPoolId`, `clientId`,
  `identityPoolId`, and `aws` only for a local AWS endpoint).
- **AWS**: the SSM parameters every stack writes for its outputs, `/<app>/<env>/<service>/<Output>`
  (`from_ssm`); the names are the ones the services' service.yaml files expose.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

from platform_client.errors import ConfigError

ENV_VAR = "PLATFORM_ENDPOINTS"
LOCALCLOUD_FILE = Path(".localcloud") / "endpoints.json"
# field -> the SSM parameter under /<app>/<env>/
SSM_NAMES = {
    "todos_api": "todos/ApiUrl",
    "blog_api": "blog/ApiUrl",
    "media_api": "media/ApiUrl",
    "files_bucket": "todos/FilesBucketName",
    "user_pool_id": "identity/UserPoolId",
    "client_id": "identity/UserPoolClientId",
    "identity_pool_id": "identity/IdentityPoolId",
}
_FLAT = {
    "region": "region",
    "todos_api": "todosApi",
    "blog_api": "blogApi",
    "media_api": "mediaApi",
    "files_bucket": "filesBucket",
    "user_pool_id": "userPoolId",
    "client_id": "clientId",
    "identity_pool_id": "identityPoolId",
    "aws_endpoint": "aws",
}


@dataclass(frozen=True)
class Endpoints:
    region: str
    todos_api: str | None = None
    blog_api: str | None = None
    media_api: str | None = None
    files_bucket: str | None = None
    user_pool_id: str | None = None
    client_id: str | None = None
    identity_pool_id: str | None = None
    aws_endpoint: str | None = None  # a local AWS endpoint (localcloud); None means AWS itself
    source: str = ""  # where these came from, for messages

    def require(self, *names: str) -> None:
        missing = [name for name in names if not getattr(self, name)]
        if missing:
            raise ConfigError(f"no {', '.join(missing)} in the endpoints from {self.source or 'the configuration'}")

    @property
    def user_pool_provider(self) -> str:
        """The identity pool's login provider name for this user pool."""
        return f"cognito-idp.{self.region}.amazonaws.com/{self.user_pool_id}"

    def to_dict(self) -> dict[str, str]:
        return {_FLAT[k]: v for k, v in asdict(self).items() if k in _FLAT and v}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], source: str = "") -> Endpoints:
        if "apis" in data or "outputs" in data:
            return cls._from_localcloud(data, source)
        known = {_FLAT[f.name]: f.name for f in fields(cls) if f.name in _FLAT}
        values = {known[k]: v for k, v in data.items() if k in known}
        if "region" not in values:
            raise ConfigError(f"{source or 'endpoints'}: no region")
        return cls(**values, source=source)

    @classmethod
    def _from_localcloud(cls, data: Mapping[str, Any], source: str) -> Endpoints:
        apis = data.get("apis") or {}
        outputs = data.get("outputs") or {}
        cognito = data.get("cognito") or {}
        return cls(
            region=data.get("region") or "us-east-1",
            todos_api=apis.get("Todos/TodosApi") or (outputs.get("Todos") or {}).get("ApiUrl"),
            blog_api=apis.get("Blog/BlogApi") or (outputs.get("Blog") or {}).get("ApiUrl"),
            media_api=apis.get("Media/MediaApi") or (outputs.get("Media") or {}).get("ApiUrl"),
            files_bucket=(outputs.get("Todos") or {}).get("FilesBucketName"),
            user_pool_id=cognito.get("userPoolId"),
            client_id=cognito.get("clientId"),
            identity_pool_id=cognito.get("identityPoolId"),
            aws_endpoint=data.get("aws"),
            source=source,
        )

    @classmethod
    def from_file(cls, path: str | Path) -> Endpoints:
        try:
            data = json.loads(Path(path).read_text())
        except (OSError, ValueError) as exc:
            raise ConfigError(f"cannot read endpoints from {path}: {exc}") from None
        if not isinstance(data, dict):
            raise ConfigError(f"{path}: not a JSON object")
        return cls.from_dict(data, source=str(path))

    @classmethod
    def from_ssm(
        cls, app: str, env: str, region: str, *, ssm: Any = None, aws_endpoint: str | None = None
    ) -> Endpoints:
        """Read the stacks' SSM outputs (needs AWS credentials allowed ssm:GetParameters on them)."""
        if ssm is None:
            import boto3

            ssm = boto3.client("ssm", region_name=region, endpoint_url=aws_endpoint)
        names = {f"/{app}/{env}/{suffix}": field for field, suffix in SSM_NAMES.items()}
        found = ssm.get_parameters(Names=list(names))["Parameters"]
        values = {names[p["Name"]]: p["Value"] for p in found}
        if not values:
            raise ConfigError(f"no parameters under /{app}/{env}/ in SSM ({region})")
        return cls(region=region, aws_endpoint=aws_endpoint, source=f"SSM /{app}/{env}/", **values)


def discover(explicit: str | Path | None = None, *, environ: Mapping[str, str] | None = None,
             cwd: Path | None = None) -> Endpoints:  # fmt: skip
    """`explicit`, else $PLATFORM_ENDPOINTS, else the nearest .localcloud/endpoints.json."""
    environ = os.environ if environ is None else environ
    if explicit:
        return Endpoints.from_file(explicit)
    if environ.get(ENV_VAR):
        return Endpoints.from_file(environ[ENV_VAR])
    here = (cwd or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / LOCALCLOUD_FILE).is_file():
            return Endpoints.from_file(folder / LOCALCLOUD_FILE)
    raise ConfigError(
        f"no endpoints: pass --endpoints FILE, set ${ENV_VAR}, use --ssm-env ENV on AWS, "
        f"or run `make dev` (it writes {LOCALCLOUD_FILE}) in this directory or a parent"
    )
