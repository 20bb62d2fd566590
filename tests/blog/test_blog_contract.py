"""openapi.yaml, the template's Api events, the code's schemas and the sample events agree.
(Every answer in the in-process API tests is also checked against openapi.yaml, in conftest.)"""

from __future__ import annotations

import pytest
from blog import schemas

from tests.blog.conftest import CONTRACT, EVENTS, ROUTES, TEMPLATE
from tests.templates.cfn import load_template


def template_routes() -> dict[tuple[str, str], str]:
    routes = {}
    for resource in load_template(TEMPLATE)["Resources"].values():
        if resource["Type"] == "AWS::Serverless::Function":
            for event in resource["Properties"].get("Events", {}).values():
                if event["Type"] == "Api":
                    props = event["Properties"]
                    routes[(props["Method"].upper(), props["Path"])] = resource["Properties"]["Handler"]
    return routes


def test_openapi_routes_equal_the_templates_and_each_has_a_sample_event():
    assert CONTRACT.routes() == set(template_routes()) == set(ROUTES)
    for name in ROUTES.values():
        assert (EVENTS / name).is_file()


def test_public_reads_need_no_token_and_go_to_the_read_function():
    for (method, path), handler in template_routes().items():
        public = method == "GET" and not path.startswith("/admin")
        assert handler == f"blog.handlers.{'read' if public else 'write'}.handler"
        assert (CONTRACT.operation(method, path).get("security") == []) is public


@pytest.mark.parametrize(
    ("name", "schema"),
    [("CreatePost", schemas.CREATE_POST), ("ReplacePost", schemas.REPLACE_POST), ("PatchPost", schemas.PATCH_POST)],
)
def test_the_codes_request_schemas_are_the_published_ones(name, schema):
    assert CONTRACT.schema(name) == schema
