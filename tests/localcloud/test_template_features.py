"""Template features the SAM CLI handles, as public SAM apps use them: no CodeUri, InlineCode, public
Powertools layers, layers mapped with --layer, a local DefinitionUri, AWS::Include, and a handler that
returns nothing (502, as on AWS)."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests

from localcloud.lambdas.installer import cache_root
from tests.support.localcloud import LocalCloudProcess

pytestmark = pytest.mark.localcloud

FIXTURE = Path(__file__).parent / "templates" / "sam_features"
MAPPED = "arn:aws:lambda:us-east-1:111122223333:layer:company-utils"


@pytest.fixture(scope="module")
def cloud(tmp_path_factory):
    state = tmp_path_factory.mktemp("features")
    extra = ("--layer", f"{MAPPED}={FIXTURE / 'mapped_layer'}")
    process = LocalCloudProcess(FIXTURE / "template.yaml", state, state / "log.txt", extra=extra).start()
    yield process
    process.stop()


def test_it_starts_with_no_errors(cloud):
    assert cloud.endpoints["errors"] == []


def test_a_function_without_code_uri_runs_from_the_templates_folder_behind_a_definition_uri_api(cloud):
    response = requests.get(cloud.api_url("FromFile") + "/hello", timeout=30)
    assert response.status_code == 200 and response.json() == {"hello": "/hello"}


def test_an_api_whose_definition_body_is_an_aws_include(cloud):
    assert requests.get(cloud.api_url("Included") + "/included", timeout=30).status_code == 200


def test_a_handler_that_returns_nothing_to_a_rest_api_is_a_502(cloud):
    response = requests.get(cloud.api_url("FromFile") + "/nothing", timeout=30)
    assert response.status_code == 502 and response.json() == {"message": "Internal server error"}


def test_inline_code(cloud):
    assert cloud.invoke("Inline", {"a": 1})["payload"] == {"inline": True, "got": {"a": 1}}


def test_a_public_powertools_layer_is_the_pinned_powertools_installed_as_a_layer(cloud):
    path = cloud.invoke("WithPowertools", {})["payload"]["powertools"]
    assert path.startswith(str(cache_root() / "packages" / "python3.13-"))
    assert path.endswith("/aws_lambda_powertools/__init__.py")


def test_a_layer_mapped_with_the_layer_option(cloud):
    assert cloud.invoke("WithMappedLayer", {})["payload"] == {"mapped": "company-utils from a local folder"}


def test_an_unknown_layer_arn_says_how_to_map_it(tmp_path):
    process = LocalCloudProcess(FIXTURE / "template.yaml", tmp_path, tmp_path / "log.txt").start()
    try:
        [error] = process.endpoints["errors"]
        assert error.startswith("WithMappedLayer (AWS::Lambda::Function)") and f"--layer {MAPPED}=" in error
    finally:
        process.stop()
