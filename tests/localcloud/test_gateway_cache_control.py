"""What a request's Cache-Control does to the stage cache (gateway/cache.py), decided without a server, and
the Custom::StageCacheControl settings the gateway reads onto a stage's methods (gateway/apis.py)."""

from __future__ import annotations

import pytest

from localcloud.gateway import cache
from localcloud.gateway.apis import load_apis
from localcloud.model import Deployment, HttpResponse, Resource


def use(values, *, require=True, strategy=cache.WITH_HEADER, authorized=False) -> cache.CacheUse:
    asked = []

    def check() -> bool:
        asked.append(True)
        return authorized

    decided = cache.cache_use(values, require_authorization=require, strategy=strategy, authorized=check)
    assert len(asked) <= 1
    return decided


@pytest.mark.parametrize("values", [["max-age=0"], ["MAX-AGE=0"], ["no-transform, max-age=0"], ["a", " max-age=0 "]])
def test_max_age_0_in_any_form_asks_for_a_fresh_answer(values):
    assert cache.asks_for_fresh(values)


@pytest.mark.parametrize("values", [[], ["no-cache"], ["no-store"], ["max-age=00"], ["max-age=1"], ["s-maxage=0"]])
def test_nothing_else_does(values):
    assert not cache.asks_for_fresh(values)
    assert use(values) == cache.CacheUse(read=True, warn=False)


def test_an_authorized_caller_skips_the_entry():
    assert use(["max-age=0"], authorized=True) == cache.CacheUse(read=False)


def test_no_authorization_required_means_anyone_skips_it_and_no_signature_is_checked():
    decided = cache.cache_use(
        ["max-age=0"], require_authorization=False, strategy=cache.FAIL_WITH_403, authorized=lambda: 1 / 0
    )
    assert decided == cache.CacheUse(read=False)


def test_the_signature_is_checked_only_for_a_max_age_0():
    assert cache.cache_use([], require_authorization=True, strategy=cache.WITH_HEADER, authorized=lambda: 1 / 0)


@pytest.mark.parametrize(("strategy", "warn"), [(cache.WITH_HEADER, True), (cache.WITHOUT_HEADER, False)])
def test_an_unauthorized_caller_is_served_from_the_cache_per_strategy(strategy, warn):
    decided = use(["max-age=0"], strategy=strategy)
    assert decided == cache.CacheUse(read=True, warn=warn)
    answer = decided.finish(HttpResponse(200, [("Content-Type", "application/json")], b"{}"))
    assert (("Warning", cache.WARNING) in answer.headers) is warn


def test_fail_with_403_refuses_an_unauthorized_caller():
    with pytest.raises(cache.InvalidationRefused):
        use(["max-age=0"], strategy=cache.FAIL_WITH_403)


def _deployment(settings: list[dict]) -> Deployment:
    body = {"swagger": "2.0", "paths": {"/todos": {"get": {}}}}
    api = Resource("", "Api", "AWS::ApiGateway::RestApi", {"Body": body}, ref="abc123")
    stage = Resource("", "ApiStage", "AWS::ApiGateway::Stage", {"RestApiId": "abc123", "StageName": "v1"}, ref="v1")
    custom = Resource(
        "",
        "Settings",
        "Custom::StageCacheControl",
        {"RestApiId": "abc123", "StageName": "v1", "MethodSettings": settings},
    )
    return Deployment("us-east-1", "123456789012", "http://aws", resources=[api, stage, custom])


def test_the_custom_resource_sets_the_methods_settings_and_the_rest_keep_api_gateways_defaults():
    settings = [
        {
            "ResourcePath": "/~1todos",
            "HttpMethod": "GET",
            "RequireAuthorizationForCacheControl": "false",
            "UnauthorizedCacheControlHeaderStrategy": "FAIL_WITH_403",
        }
    ]
    stage = load_apis(_deployment(settings))["abc123"].stages["v1"]
    assert stage.setting("/todos", "GET", "cache_control_auth") is False
    assert stage.setting("/todos", "GET", "unauthorized_cache_control") == "FAIL_WITH_403"
    assert stage.setting("/other", "GET", "cache_control_auth") is None  # the gateway then requires it
