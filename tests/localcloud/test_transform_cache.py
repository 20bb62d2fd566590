"""The SAM transform cache: the same result as a fresh transform, and a fresh one whenever an input changes."""

from pathlib import Path

import pytest

from localcloud import template, transform_cache
from localcloud.template import TemplateError, transform

ROOT = Path(__file__).resolve().parents[2]

API = """
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Parameters:
  Env: {Type: String, Default: dev}
Resources:
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: v1
      DefinitionUri: openapi.yaml
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.handler
      Runtime: python3.13
      Environment: {Variables: {NAME: !Sub "${Env}-x"}}
      Events:
        Get: {Type: Api, Properties: {RestApiId: !Ref Api, Path: /items, Method: GET}}
"""

OPENAPI = """
openapi: "3.0.1"
info: {title: items, version: "1"}
paths:
  /items:
    get:
      responses:
        200: {description: ok}
"""


@pytest.fixture
def counted(monkeypatch):
    """How many times samtranslator really ran."""
    calls = []
    real = template._sam_transform

    def counting(*args):
        calls.append(args)
        return real(*args)

    monkeypatch.setattr(template, "_sam_transform", counting)
    return calls


def _app(tmp_path: Path) -> Path:
    (tmp_path / "src").mkdir()
    (tmp_path / "openapi.yaml").write_text(OPENAPI)
    path = tmp_path / "template.yaml"
    path.write_text(API)
    return path


def test_a_cached_transform_equals_a_fresh_one_and_skips_samtranslator(tmp_path: Path, counted):
    path = _app(tmp_path)
    cache = tmp_path / "cache"
    fresh = transform(path, {"Env": "dev"})
    first = transform(path, {"Env": "dev"}, cache=cache)
    second = transform(path, {"Env": "dev"}, cache=cache)
    assert len(counted) == 2  # the uncached call and the first cached one
    assert first.template == second.template == fresh.template
    assert second.code_paths == fresh.code_paths
    assert repr(second.template) == repr(fresh.template)  # the same types too, not only equal values
    second.template["Resources"].clear()  # a caller's changes never reach the cache
    assert transform(path, {"Env": "dev"}, cache=cache).template == fresh.template


@pytest.mark.parametrize("change", ["template", "included document", "parameter", "region"])
def test_any_changed_input_transforms_again(tmp_path: Path, counted, change: str):
    path = _app(tmp_path)
    cache = tmp_path / "cache"
    transform(path, {"Env": "dev"}, cache=cache)
    params, region = {"Env": "dev"}, "us-east-1"
    if change == "template":
        path.write_text(API.replace("/items", "/things"))
    elif change == "included document":
        (tmp_path / "openapi.yaml").write_text(OPENAPI.replace("ok", "fine"))
    elif change == "parameter":
        params = {"Env": "prod"}
    else:
        region = "eu-west-1"
    again = transform(path, params, region=region, cache=cache)
    assert len(counted) == 2
    assert again.template == transform(path, params, region=region).template


def test_an_unreadable_cache_file_is_recomputed(tmp_path: Path, counted):
    path = _app(tmp_path)
    cache = tmp_path / "cache"
    fresh = transform(path, {"Env": "dev"}, cache=cache).template
    for file in cache.glob("*.transform"):
        file.write_bytes(b"\x00garbage")
    assert transform(path, {"Env": "dev"}, cache=cache).template == fresh
    assert len(counted) == 2


def test_invalid_sam_still_names_the_resource_with_a_cache(tmp_path: Path):
    path = tmp_path / "bad.yaml"
    path.write_text(API.replace("Get: {Type: Api,", "Get: {Type: Nope,"))
    (tmp_path / "openapi.yaml").write_text(OPENAPI)
    with pytest.raises(TemplateError, match="Fn"):
        transform(path, {}, cache=tmp_path / "cache")


def test_the_cache_keeps_a_bounded_number_of_results(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(transform_cache, "KEEP", 2)
    path = _app(tmp_path)
    cache = tmp_path / "cache"
    for env in ("a", "b", "c", "d"):
        transform(path, {"Env": env}, cache=cache)
    assert len(list(cache.glob("*.transform"))) == 2


def test_the_root_template_tree_transforms_the_same_from_the_cache(tmp_path: Path):
    cache = tmp_path / "cache"
    paths = [ROOT / "template.yaml", *sorted(ROOT.glob("services/*/template.yaml"))]
    for path in paths:
        fresh = transform(path, {})
        assert transform(path, {}, cache=cache).template == fresh.template
        assert repr(transform(path, {}, cache=cache).template) == repr(fresh.template), path
