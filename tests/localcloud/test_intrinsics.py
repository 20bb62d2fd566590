"""Intrinsic functions and conditions evaluate as CloudFormation does."""

import pytest

from localcloud.intrinsics import IntrinsicError, Resolver, references


@pytest.fixture
def resolver():
    resources = {"Table": ("orders-table", {"Arn": "arn:aws:dynamodb:us-east-1:1:table/orders-table"})}
    return Resolver(
        parameters={"Env": "dev", "Subnets": ["a", "b"], "Enable": "true"},
        pseudo={"AWS::Region": "us-east-1", "AWS::AccountId": "123456789012"},
        conditions={"IsDev": {"Fn::Equals": [{"Ref": "Env"}, "dev"]}, "Off": {"Fn::Not": [{"Condition": "IsDev"}]}},
        mappings={"Sizes": {"dev": {"Memory": 128}}},
        ref=lambda name: resources[name][0],
        get_att=lambda name, attr: resources[name][1][attr],
    )


def test_sub_resolves_refs_attributes_pseudo_and_keeps_escaped_literals(resolver):
    value = resolver.resolve(
        {"Fn::Sub": "${Table.Arn}/index/* in ${AWS::Region} for ${Env}: ${!cognito-identity.amazonaws.com:sub}"}
    )
    assert value == (
        "arn:aws:dynamodb:us-east-1:1:table/orders-table/index/* in us-east-1 for dev: "
        "${cognito-identity.amazonaws.com:sub}"
    )


def test_sub_with_variables_map(resolver):
    assert resolver.resolve({"Fn::Sub": ["${Name}-${Env}", {"Name": {"Ref": "Table"}}]}) == "orders-table-dev"


def test_if_with_no_value_removes_the_key_or_item(resolver):
    value = resolver.resolve(
        {
            "Keep": {"Fn::If": ["IsDev", "yes", "no"]},
            "Drop": {"Fn::If": ["Off", "x", {"Ref": "AWS::NoValue"}]},
            "List": ["a", {"Fn::If": ["Off", "b", {"Ref": "AWS::NoValue"}]}],
        }
    )
    assert value == {"Keep": "yes", "List": ["a"]}


def test_list_functions_and_mappings(resolver):
    assert resolver.resolve({"Fn::Join": [",", {"Ref": "Subnets"}]}) == "a,b"
    assert resolver.resolve({"Fn::Select": [1, {"Fn::Split": [",", "x,y,z"]}]}) == "y"
    assert resolver.resolve({"Fn::FindInMap": ["Sizes", {"Ref": "Env"}, "Memory"]}) == 128
    assert resolver.resolve({"Fn::GetAtt": ["Table", "Arn"]}).endswith("orders-table")


def test_unknown_condition_and_bad_select_are_clear_errors(resolver):
    with pytest.raises(IntrinsicError, match="Nope"):
        resolver.resolve({"Fn::If": ["Nope", 1, 2]})
    with pytest.raises(IntrinsicError, match="out of range"):
        resolver.resolve({"Fn::Select": [5, ["a"]]})


def test_references_find_dependencies_in_ref_getatt_and_sub():
    value = {"A": {"Ref": "Queue"}, "B": {"Fn::GetAtt": "Table.Arn"}, "C": {"Fn::Sub": "${Topic}-${AWS::Region}"}}
    assert references(value, {"Queue", "Table", "Topic", "Unused"}) == {"Queue", "Table", "Topic"}
