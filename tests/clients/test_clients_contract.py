"""The SDK against the services' openapi.yaml (todos, blog, media): every operation it calls, every
parameter and header it sends, and every body type it reads or writes, so that a change to an API or to
the SDK that breaks the other fails here (platform_client/operations.py says why checked, not generated)."""

from __future__ import annotations

import re
import types
import typing
import uuid

import pytest
from platform_client import models
from platform_client.operations import ALL, Operation

from tests.support.openapi import ROOT, OpenApi, to_json_schema, validator

SPECS = {api: OpenApi(ROOT / f"services/{api}/openapi.yaml") for api in ("todos", "blog", "media")}
JSON_TYPES = {str: "string", int: "integer", bool: "boolean", float: "number"}
# Sent by the transport on every create (operations.Operation.creates), declared by the API or not yet.
TRANSPORT_HEADERS = {"Idempotency-Key", "Cache-Control", "Authorization", "Content-Type", "Accept"}


def ids(op: Operation) -> str:
    return f"{op.api}.{op.operation_id}"


def spec_operation(op: Operation) -> dict:
    spec = SPECS[op.api]
    assert op.path in spec.document["paths"], f"{op.path} is not a path of the {op.api} API"
    assert op.method.lower() in spec.document["paths"][op.path], f"{op.method} {op.path} is not in the {op.api} API"
    return spec.operation(op.method, op.path)


def assert_type_matches(annotation: typing.Any, schema: dict, where: str) -> None:
    """One field's Python type against its (resolved, OpenAPI 3.0) schema, nullability included."""
    nullable = typing.get_origin(annotation) in (typing.Union, types.UnionType)
    if nullable:
        args = typing.get_args(annotation)
        assert type(None) in args and len(args) == 2, f"{where}: only `X | None` unions are used"
        annotation = next(a for a in args if a is not type(None))
    assert bool(schema.get("nullable")) == nullable, f"{where}: null is allowed by only one side"
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is typing.Literal:
        assert schema.get("type") == "string" and set(schema.get("enum", ())) == set(args), f"{where}: enum differs"
    elif origin is dict:
        assert schema.get("type") == "object" and not schema.get("properties"), f"{where}: the API's is not a map"
        assert_type_matches(args[1], schema["additionalProperties"], f"{where}{{}}")
    elif origin is list:
        assert schema.get("type") == "array", f"{where}: the API's is not an array"
        assert_type_matches(args[0], schema["items"], f"{where}[]")
    elif typing.is_typeddict(annotation):
        assert_model_matches(annotation, schema, where)
    else:
        assert schema.get("type") == JSON_TYPES[annotation], f"{where}: {annotation.__name__} vs {schema.get('type')}"


def assert_model_matches(model: type, schema: dict, where: str = "") -> None:
    where = where or model.__name__
    assert schema.get("type") == "object", f"{where}: the API's is not an object"
    properties = schema.get("properties", {})
    hints = typing.get_type_hints(model)
    assert set(hints) == set(properties), (
        f"{where}: only in the SDK {sorted(set(hints) - set(properties))}, "
        f"only in the API {sorted(set(properties) - set(hints))}"
    )
    assert model.__required_keys__ == set(schema.get("required", ())), f"{where}: required fields differ"
    for name, annotation in hints.items():
        assert_type_matches(annotation, properties[name], f"{where}.{name}")


@pytest.mark.parametrize("op", ALL, ids=ids)
def test_each_operation_is_in_the_api_with_its_method_path_and_success_status(op):
    operation = spec_operation(op)
    assert operation["operationId"] == op.operation_id
    assert str(op.status) in operation["responses"], f"{ids(op)}: {op.status} is not a documented answer"


@pytest.mark.parametrize("op", ALL, ids=ids)
def test_each_parameter_the_sdk_sends_is_declared_and_every_required_one_is_sent(op):
    spec_operation(op)
    declared = {(p["in"], p["name"]): p for p in SPECS[op.api].parameters(op.method, op.path)}
    sent = {("path", name) for name in re.findall(r"\{(\w+)\}", op.path)}
    sent |= {("query", name) for name in op.query} | {("header", name) for name in op.headers}
    assert not TRANSPORT_HEADERS & set(op.headers), "transport headers are not listed per operation"
    assert sent <= set(declared), f"{ids(op)} sends undeclared {sorted(sent - set(declared))}"
    required = {key for key, p in declared.items() if p.get("required")}
    assert required <= sent, f"{ids(op)} never sends required {sorted(required - sent)}"


@pytest.mark.parametrize("op", ALL, ids=ids)
def test_each_request_body_type_is_the_apis_schema(op):
    body = spec_operation(op).get("requestBody")
    if op.request is None:
        assert not (body and body.get("required")), f"{ids(op)}: the API requires a body the SDK never sends"
        return
    assert body, f"{ids(op)}: the SDK sends a body the API does not take"
    assert_model_matches(op.request, body["content"]["application/json"]["schema"])


@pytest.mark.parametrize("op", ALL, ids=ids)
def test_each_answer_type_is_the_apis_schema(op):
    answer = spec_operation(op)["responses"][str(op.status)]
    content = answer.get("content")
    if op.response is None:
        assert not content, f"{ids(op)}: the API answers a body the SDK ignores"
        return
    assert_model_matches(op.response, content["application/json"]["schema"])


@pytest.mark.parametrize("api", sorted(SPECS))
def test_the_error_type_is_each_apis_error_schema(api):
    assert_model_matches(models.Error, SPECS[api].resolve(SPECS[api].document["components"]["schemas"]["Error"]))


@pytest.mark.parametrize("op", [op for op in ALL if op.creates], ids=ids)
def test_an_idempotency_key_the_sdk_sends_is_one_the_api_accepts_where_it_declares_it(op):
    declared = {p["name"].lower(): p for p in SPECS[op.api].parameters(op.method, op.path) if p["in"] == "header"}
    if "idempotency-key" in declared:
        validator(to_json_schema(declared["idempotency-key"]["schema"])).validate(str(uuid.uuid4()))


def test_the_check_catches_drift():
    """A field the API does not have, a missing required one, and a wrong type all fail the check."""
    schema = SPECS["todos"].resolve(SPECS["todos"].document["components"]["schemas"]["Todo"])

    class Renamed(typing.TypedDict):
        id: str

    broken = dict(schema, properties={**schema["properties"], "done": {"type": "string"}})
    for model, against in ((Renamed, schema), (models.Todo, broken)):
        with pytest.raises(AssertionError):
            assert_model_matches(model, against)
    assert_model_matches(models.Todo, schema)
