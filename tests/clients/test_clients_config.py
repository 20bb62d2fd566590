"""Where the SDK finds its endpoints and keeps its tokens, without a cloud: the lookup order, both file
shapes, the tokens file's place and permissions, and what the commands say when nothing is configured."""

from __future__ import annotations

import json
import stat

import pytest
import yaml
from platform_client.auth import Tokens, TokenStore, default_token_file
from platform_client.cli import todo as todo_cli
from platform_client.endpoints import SSM_NAMES, Endpoints, discover
from platform_client.errors import ConfigError

from tests.support.openapi import ROOT

LOCALCLOUD = {
    "aws": "http://127.0.0.1:4566",
    "region": "us-east-1",
    "apis": {"Todos/TodosApi": "http://127.0.0.1:4580/t/v1", "Blog/BlogApi": "http://127.0.0.1:4580/b/api"},
    "cognito": {"userPoolId": "us-east-1_p", "clientId": "c", "identityPoolId": "us-east-1:i"},
    "outputs": {"Todos": {"FilesBucketName": "files"}},
}


def write(path, data) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data))
    return str(path)


def test_localclouds_endpoints_file_gives_every_endpoint():
    found = Endpoints.from_dict(LOCALCLOUD, "endpoints.json")
    assert found.todos_api == "http://127.0.0.1:4580/t/v1" and found.blog_api == "http://127.0.0.1:4580/b/api"
    assert (found.files_bucket, found.client_id, found.aws_endpoint) == ("files", "c", "http://127.0.0.1:4566")
    assert found.user_pool_provider == "cognito-idp.us-east-1.amazonaws.com/us-east-1_p"


def test_the_flat_shape_round_trips_and_needs_a_region():
    found = Endpoints.from_dict(LOCALCLOUD)
    assert Endpoints.from_dict(found.to_dict()) == found
    with pytest.raises(ConfigError, match="no region"):
        Endpoints.from_dict({"todosApi": "https://x"})


def test_discovery_prefers_the_flag_then_the_variable_then_the_nearest_localcloud_file(tmp_path):
    nested = tmp_path / "repo" / "services" / "todos"
    nested.mkdir(parents=True)
    write(tmp_path / "repo" / ".localcloud" / "endpoints.json", LOCALCLOUD)
    flag = write(tmp_path / "flag.json", {"region": "eu-west-1"})
    var = write(tmp_path / "var.json", {"region": "eu-central-1"})
    assert discover(flag, environ={"PLATFORM_ENDPOINTS": var}, cwd=nested).region == "eu-west-1"
    assert discover(None, environ={"PLATFORM_ENDPOINTS": var}, cwd=nested).region == "eu-central-1"
    assert discover(None, environ={}, cwd=nested).todos_api == "http://127.0.0.1:4580/t/v1"
    with pytest.raises(ConfigError, match="make dev"):
        discover(None, environ={}, cwd=tmp_path)


def test_a_missing_endpoint_is_named_with_where_the_endpoints_came_from(tmp_path):
    found = Endpoints.from_file(write(tmp_path / "e.json", {"region": "us-east-1"}))
    with pytest.raises(ConfigError, match=r"no todos_api, client_id in the endpoints from .*e\.json"):
        found.require("todos_api", "client_id")


def test_the_ssm_names_are_ones_the_services_expose():
    exposed = set()
    for path in ROOT.glob("services/*/service.yaml"):
        exposed |= set(yaml.safe_load(path.read_text())["exposes"]["ssm"])
    assert set(SSM_NAMES.values()) <= exposed


def test_the_tokens_file_is_under_xdg_config_unless_the_variable_says_otherwise(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    assert default_token_file({}) == tmp_path / ".config" / "platform-client" / "tokens.json"
    assert default_token_file({"XDG_CONFIG_HOME": "/x"}).as_posix() == "/x/platform-client/tokens.json"
    assert (
        default_token_file({"PLATFORM_CLIENT_CONFIG": "/y/t.json", "XDG_CONFIG_HOME": "/x"}).as_posix() == "/y/t.json"
    )


def test_tokens_are_kept_per_app_client_readable_by_their_owner_only(tmp_path):
    store = TokenStore(tmp_path / "cfg" / "tokens.json")
    local = Tokens("a@example.com", "id", "access", "refresh", 10.0)
    store.put("local-client", local)
    store.put("aws-client", Tokens("b@example.com", "id2", "access2", "refresh2", 20.0, "us-east-1:x"))
    assert store.get("local-client") == local and store.get("aws-client").identity_id == "us-east-1:x"
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
    store.put("local-client", None)
    assert store.get("local-client") is None and store.get("aws-client") is not None
    store.path.write_text("{not json")
    with pytest.raises(ConfigError, match="cannot read tokens"):
        store.get("aws-client")


def test_the_command_exits_2_with_a_hint_when_no_endpoints_are_found(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PLATFORM_ENDPOINTS", raising=False)
    assert todo_cli.main(["ls"]) == 2
    assert "--endpoints FILE" in capsys.readouterr().err


def test_the_clients_declaration_names_what_the_sdk_reads_and_calls():
    """tools.changed runs these tests when one of these changes, so the list must be the SDK's own."""
    from platform_client.operations import ALL

    declared = yaml.safe_load((ROOT / "clients/python/client.yaml").read_text())["consumes"]
    assert set(declared["ssm"]) == set(SSM_NAMES.values())
    exposing = {}
    for path in ROOT.glob("services/*/service.yaml"):
        service = yaml.safe_load(path.read_text())
        exposing.update(dict.fromkeys(service["exposes"]["apis"], service["name"]))
    assert {exposing[api] for api in declared["apis"]} == {op.api for op in ALL}


@pytest.mark.parametrize(
    "argv",
    [["--endpoints", "e.json", "files", "ls"], ["files", "ls", "--endpoints", "e.json"], ["--endpoints", "x", "files",
     "ls", "--endpoints", "e.json"]],
)  # fmt: skip
def test_where_options_go_before_or_after_the_subcommand_and_the_later_one_wins(argv):
    args = todo_cli._parser().parse_args(argv)
    assert (args.endpoints, args.app, args.config, args.json) == ("e.json", "platform", None, False)


def test_an_api_nobody_answers_is_a_one_line_error_not_a_traceback(tmp_path, capsys):
    endpoints = write(
        tmp_path / "e.json", {"region": "us-east-1", "todosApi": "http://127.0.0.1:9/v1", "clientId": "c"}
    )
    TokenStore(tmp_path / "tokens.json").put("c", Tokens("a@example.com", "id", "access", "refresh", 4e9))
    assert todo_cli.main(["ls", "--endpoints", endpoints, "--config", str(tmp_path / "tokens.json")]) == 1
    assert capsys.readouterr().err == "todo: cannot reach the API (ConnectionError): is `make dev` running?\n"
