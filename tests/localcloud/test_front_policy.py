"""IAM policy evaluation: matching, variables, conditions and the allow/deny order."""

from __future__ import annotations

import pytest

from localcloud.front.policy import Principal, Request, conditions_hold, evaluate, substitute_variables

SUB = "us-east-1:11111111-2222-3333-4444-555555555555"
CONTEXT = {
    "cognito-identity.amazonaws.com:sub": SUB,
    "cognito-identity.amazonaws.com:aud": "us-east-1:pool",
    "cognito-identity.amazonaws.com:amr": ["authenticated", "cognito-idp.us-east-1.amazonaws.com/us-east-1_abc"],
    "aws:securetransport": "false",
    "aws:sourceip": "127.0.0.1",
}


def policy(*statements, version="2012-10-17"):
    return [("test", {"Version": version, "Statement": list(statements)})]


def allowed(action, resource, policies, context=CONTEXT, **kwargs):
    return evaluate(Request(action, resource, context), policies, **kwargs).allowed


def test_default_deny_and_explicit_allow():
    assert not allowed("s3:GetObject", "arn:aws:s3:::b/k", [])
    assert allowed("s3:GetObject", "arn:aws:s3:::b/k", policy({"Effect": "Allow", "Action": "s3:*", "Resource": "*"}))


def test_explicit_deny_wins_over_allow():
    policies = policy(
        {"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
        {"Sid": "NoSecrets", "Effect": "Deny", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/secret/*"},
    )
    decision = evaluate(Request("s3:GetObject", "arn:aws:s3:::b/secret/x", CONTEXT), policies)
    assert not decision.allowed
    assert decision.matched == ["NoSecrets"]
    assert allowed("s3:GetObject", "arn:aws:s3:::b/public/x", policies)


@pytest.mark.parametrize(
    ("pattern", "action", "expected"),
    [
        ("s3:Get*", "s3:GetObject", True),
        ("S3:getobject", "s3:GetObject", True),
        ("s3:Get?bject", "s3:GetObject", True),
        ("s3:Put*", "s3:GetObject", False),
        ("*", "sqs:SendMessage", True),
    ],
)
def test_action_wildcards_are_case_insensitive(pattern, action, expected):
    assert allowed(action, "*", policy({"Effect": "Allow", "Action": pattern, "Resource": "*"})) is expected


def test_not_action_and_not_resource():
    policies = policy(
        {"Effect": "Allow", "NotAction": "s3:DeleteObject", "Resource": "arn:aws:s3:::b/*"},
        {"Effect": "Deny", "Action": "s3:*", "NotResource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"]},
    )
    assert allowed("s3:PutObject", "arn:aws:s3:::b/k", policies)
    assert not allowed("s3:DeleteObject", "arn:aws:s3:::b/k", policies)
    assert not allowed("s3:PutObject", "arn:aws:s3:::other/k", policies)


def test_resource_matching_is_case_sensitive_with_wildcards():
    policies = policy({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/docs/?.txt"})
    assert allowed("s3:GetObject", "arn:aws:s3:::b/docs/a.txt", policies)
    assert not allowed("s3:GetObject", "arn:aws:s3:::b/docs/ab.txt", policies)
    assert not allowed("s3:GetObject", "arn:aws:s3:::b/DOCS/a.txt", policies)


def test_identity_variable_scopes_the_resource():
    policies = policy(
        {
            "Effect": "Allow",
            "Action": "s3:PutObject",
            "Resource": "arn:aws:s3:::b/private/${cognito-identity.amazonaws.com:sub}/*",
        }
    )
    assert allowed("s3:PutObject", f"arn:aws:s3:::b/private/{SUB}/f", policies)
    assert not allowed("s3:PutObject", "arn:aws:s3:::b/private/us-east-1:other/f", policies)


def test_variables_are_literal_in_2008_policies():
    policies = policy(
        {"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::b/${cognito-identity.amazonaws.com:sub}/*"},
        version="2008-10-17",
    )
    assert not allowed("s3:GetObject", f"arn:aws:s3:::b/{SUB}/k", policies)
    assert allowed("s3:GetObject", "arn:aws:s3:::b/${cognito-identity.amazonaws.com:sub}/k", policies)


def test_variable_defaults_escapes_and_missing_values():
    assert substitute_variables("a/${aws:username, 'nobody'}/b", {}) == "a/nobody/b"
    assert substitute_variables("literal-${*}-${?}-${$}", {}) == "literal-*-?-$"
    assert substitute_variables("home/${aws:username}/*", {}) is None
    policies = policy({"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::b/home/${aws:username}/*"})
    assert not allowed("s3:GetObject", "arn:aws:s3:::b/home//x", policies)


def test_string_like_on_the_list_prefix():
    condition = {"StringLike": {"s3:prefix": ["private/${cognito-identity.amazonaws.com:sub}/*"]}}
    assert conditions_hold(condition, {**CONTEXT, "s3:prefix": f"private/{SUB}/photos/"})
    assert not conditions_hold(condition, {**CONTEXT, "s3:prefix": "private/us-east-1:other/"})
    assert not conditions_hold(condition, CONTEXT)  # no prefix sent: the key is absent


def test_negated_operators_hold_when_the_key_is_absent():
    assert conditions_hold({"StringNotEquals": {"s3:prefix": "x"}}, CONTEXT)
    assert conditions_hold({"StringNotLike": {"s3:prefix": "x*"}}, {"s3:prefix": "y"})
    assert not conditions_hold({"StringNotLike": {"s3:prefix": "x*"}}, {"s3:prefix": "xy"})


def test_if_exists_and_null():
    assert conditions_hold({"StringEqualsIfExists": {"s3:x-amz-acl": "private"}}, CONTEXT)
    assert not conditions_hold({"StringEqualsIfExists": {"s3:x-amz-acl": "private"}}, {"s3:x-amz-acl": "public-read"})
    assert conditions_hold({"Null": {"s3:x-amz-acl": "true"}}, CONTEXT)
    assert conditions_hold({"Null": {"aws:sourceip": "false"}}, CONTEXT)
    assert not conditions_hold({"Null": {"aws:sourceip": "true"}}, CONTEXT)


def test_multivalued_keys_with_set_qualifiers():
    amr = {"ForAnyValue:StringLike": {"cognito-identity.amazonaws.com:amr": "authenticated"}}
    assert conditions_hold(amr, CONTEXT)
    assert not conditions_hold({"ForAnyValue:StringLike": {"cognito-identity.amazonaws.com:amr": "unauth*"}}, CONTEXT)
    all_values = {"ForAllValues:StringLike": {"cognito-identity.amazonaws.com:amr": ["authenticated", "cognito-idp.*"]}}
    assert conditions_hold(all_values, CONTEXT)
    assert not conditions_hold(
        {"ForAllValues:StringEquals": {"cognito-identity.amazonaws.com:amr": "authenticated"}}, CONTEXT
    )
    assert conditions_hold({"ForAllValues:StringEquals": {"aws:tagkeys": "x"}}, CONTEXT)  # empty set
    assert not conditions_hold({"ForAnyValue:StringEquals": {"aws:tagkeys": "x"}}, CONTEXT)


def test_bool_numeric_ip_arn_and_date_operators():
    context = {
        "aws:securetransport": "false",
        "s3:max-keys": "50",
        "aws:sourceip": "10.1.2.3",
        "aws:principalarn": "arn:aws:iam::123456789012:role/app-role",
        "aws:currenttime": "2030-01-02T00:00:00Z",
    }
    assert conditions_hold({"Bool": {"aws:SecureTransport": False}}, context)
    assert not conditions_hold({"Bool": {"aws:SecureTransport": "true"}}, context)
    assert conditions_hold({"NumericLessThanEquals": {"s3:max-keys": "100"}}, context)
    assert not conditions_hold({"NumericGreaterThan": {"s3:max-keys": "100"}}, context)
    assert conditions_hold({"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}, context)
    assert conditions_hold({"NotIpAddress": {"aws:SourceIp": "192.168.0.0/16"}}, context)
    assert conditions_hold({"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/app-*"}}, context)
    assert not conditions_hold({"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:user/*"}}, context)
    assert conditions_hold({"DateGreaterThan": {"aws:CurrentTime": "2029-12-31T00:00:00Z"}}, context)
    assert not conditions_hold({"UnknownOperator": {"aws:SourceIp": "x"}}, context)


def test_conditions_combine_with_and_across_keys_and_or_across_values():
    condition = {"StringEquals": {"s3:prefix": ["a/", "b/"], "s3:delimiter": "/"}}
    assert conditions_hold(condition, {"s3:prefix": "b/", "s3:delimiter": "/"})
    assert not conditions_hold(condition, {"s3:prefix": "b/"})


def test_resource_policy_principals_and_transport_waiver():
    role = "arn:aws:iam::123456789012:role/auth"
    principal = Principal(arn="arn:aws:sts::123456789012:assumed-role/auth/S", role_arn=role, account="123456789012")
    bucket_policy = [
        (
            "bucket",
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"AWS": role},
                        "Action": "s3:GetObject",
                        "Resource": "arn:aws:s3:::b/*",
                    },
                    {
                        "Effect": "Allow",
                        "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
                        "Action": "s3:PutObject",
                    },
                    {
                        "Effect": "Deny",
                        "Principal": "*",
                        "Action": "s3:*",
                        "Resource": "arn:aws:s3:::b/*",
                        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                    },
                ],
            },
        )
    ]

    def decide(action, waived=frozenset()):
        return evaluate(Request(action, "arn:aws:s3:::b/k", CONTEXT), [], bucket_policy, principal, waived).allowed

    assert not decide("s3:GetObject")
    assert decide("s3:GetObject", frozenset({"aws:securetransport"}))
    assert not decide("s3:PutObject", frozenset({"aws:securetransport"}))  # the account principal only delegates
