"""The stage's Cache-Control settings as the todos template deploys them (EnableApiCache=true): the custom
resource's properties, which localcloud's gateway reads, and the UpdateStage patches its inline function
makes of them on AWS."""

from __future__ import annotations

import pytest

from tests.templates.cfn import load_template

RESOURCES = load_template("services/todos/template.yaml")["Resources"]


def _function_code() -> dict:
    """The inline function's module (the template's own text: it has no file to import)."""
    namespace: dict = {}
    code = RESOURCES["StageCacheControlFunction"]["Properties"]["Code"]["ZipFile"]
    exec(compile(code, "index.py", "exec"), namespace)  # noqa: S102 (the repository's own template)
    return namespace


def test_both_cached_gets_let_signed_in_users_refresh_their_own_entry():
    settings = RESOURCES["CacheControlSettings"]["Properties"]["MethodSettings"]
    cached = {(ms["ResourcePath"], ms["HttpMethod"]) for ms in RESOURCES["TodosApi"]["Properties"]["MethodSettings"]}
    assert {(ms["ResourcePath"], ms["HttpMethod"]) for ms in settings} == cached - {("/*", "*")}
    assert all(ms["RequireAuthorizationForCacheControl"] is False for ms in settings)


def test_the_cache_key_still_holds_the_caller():
    """A refresh replaces only the entry keyed by the caller's own Authorization header."""
    events = RESOURCES["ReadTodosFunction"]["Properties"]["Events"]
    for name in ("ListTodos", "GetTodo"):
        params = events[name]["Properties"]["RequestParameters"]
        assert {"method.request.header.Authorization": {"Required": False, "Caching": True}} in params


@pytest.mark.parametrize("deleting", [False, True])
def test_the_function_patches_each_methods_two_settings(deleting):
    props = RESOURCES["CacheControlSettings"]["Properties"]
    ops = _function_code()["patches"](props, deleting)
    require = "true" if deleting else "false"
    assert ops[:2] == [
        {"op": "replace", "path": "/~1todos/GET/caching/requireAuthorizationForCacheControl", "value": require},
        {
            "op": "replace",
            "path": "/~1todos/GET/caching/unauthorizedCacheControlHeaderStrategy",
            "value": "SUCCEED_WITH_RESPONSE_HEADER",
        },
    ]
    assert {op["path"].split("/caching")[0] for op in ops} == {"/~1todos/GET", "/~1todos~1{todoId}/GET"}
