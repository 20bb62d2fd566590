"""openapi.yaml, the template's Api events, the code's schemas and the sample events agree.
(Every answer in the in-process API tests is also checked against openapi.yaml, in conftest.)"""

from __future__ import annotations

import pytest
from blog import schemas

from tests.blog.conftest import CONTRACT, EVENTS, ROUTES, TEMPLATE
from tests.templates.cfn import load_template


def template_routes() -> dict[tuple[str, str], str]:
    """Each route → its function's handler, or the AWS action of a direct integration in the definition."""
    resources = load_template(TEMPLATE)["Resources"]
    routes = {}
    for resource in resources.values():
        if resource["Type"] == "AWS::Serverless::Function":
            for event in resource["Properties"].get("Events", {}).values():
                if event["Type"] == "Api":
                    props = event["Properties"]
                    routes[(props["Method"].upper(), props["Path"])] = resource["Properties"]["Handler"]
    for path, item in resources["BlogApi"]["Properties"]["DefinitionBody"]["paths"].items():
        for method, operation in item.items():
            uri = operation["x-amazon-apigateway-integration"]["uri"]
            routes[(method.upper(), path)] = str(uri.get("Fn::Sub", uri)).rsplit(":", 1)[-1]
    return routes


def test_openapi_routes_equal_the_templates_and_each_has_a_sample_event():
    assert CONTRACT.routes() == set(template_routes()) == set(ROUTES)
    for name in ROUTES.values():
        assert (EVENTS / name).is_file()


def test_public_reads_need_no_token_and_go_to_the_read_function():
    for (method, path), handler in template_routes().items():
        if (method, path) == ("POST", "/posts/{slug}/views"):
            continue
        public = method == "GET" and not path.startswith("/admin")
        assert handler == f"blog.handlers.{'read' if public else 'write'}.handler"
        assert (CONTRACT.operation(method, path).get("security") == []) is public


def test_the_views_route_is_public_and_goes_straight_into_the_view_stream():
    """Storage first: no function and no authorizer (SAM's NONE keeps the default authorizer off)."""
    assert template_routes()[("POST", "/posts/{slug}/views")] == "action/PutRecord"
    definition = load_template(TEMPLATE)["Resources"]["BlogApi"]["Properties"]["DefinitionBody"]
    assert definition["paths"]["/posts/{slug}/views"]["post"]["security"] == [{"NONE": []}]
    assert CONTRACT.operation("POST", "/posts/{slug}/views")["security"] == []


@pytest.mark.parametrize(
    ("name", "schema"),
    [("CreatePost", schemas.CREATE_POST), ("ReplacePost", schemas.REPLACE_POST), ("PatchPost", schemas.PATCH_POST)],
)
def test_the_codes_request_schemas_are_the_published_ones(name, schema):
    assert CONTRACT.schema(name) == schema
