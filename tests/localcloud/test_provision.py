"""Provisioning a template tree into moto: every resource exists with its configuration, conditions and
SSM-typed parameters apply, nested stacks get their inputs from outputs, and one bad resource is reported
by address while the rest is created."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from localcloud.template import TemplateError
from tests.support.provisioning import client, deploy, moto_server

TEMPLATES = Path(__file__).parent / "templates"


@pytest.fixture
def moto_url():
    with moto_server() as url:
        yield url


def test_resources_are_created_with_their_configuration(moto_url):
    d = deploy(moto_url, TEMPLATES / "provision" / "template.yaml")
    assert d.errors == []
    table = d.find("", "Orders")
    assert (
        client(moto_url, "dynamodb").describe_table(TableName=table.ref)["Table"]["StreamSpecification"][
            "StreamViewType"
        ]
        == "NEW_AND_OLD_IMAGES"
    )
    assert d.outputs[""]["TableStream"] == table.attrs["StreamArn"]

    work = d.find("", "Work")
    attributes = client(moto_url, "sqs").get_queue_attributes(QueueUrl=work.ref, AttributeNames=["All"])["Attributes"]
    assert attributes["VisibilityTimeout"] == "45"
    assert json.loads(attributes["RedrivePolicy"])["deadLetterTargetArn"] == d.find("", "DeadLetters").attrs["Arn"]

    subs = client(moto_url, "sns").list_subscriptions_by_topic(TopicArn=d.find("", "Events").ref)["Subscriptions"]
    assert [s["Endpoint"] for s in subs] == [work.attrs["Arn"]]
    notification = client(moto_url, "s3").get_bucket_notification_configuration(Bucket=d.find("", "Uploads").ref)
    assert notification["QueueConfigurations"][0]["QueueArn"] == work.attrs["Arn"]


def test_conditions_skip_resources(moto_url):
    assert deploy(moto_url, TEMPLATES / "provision" / "template.yaml").find("", "OnlyWhenEnabled") is None


def test_nested_stack_reads_ssm_typed_input_and_returns_outputs(moto_url):
    d = deploy(moto_url, TEMPLATES / "provision" / "template.yaml")
    work_url = d.find("", "Work").ref
    table = d.find("", "Orders").ref
    assert d.outputs["Inner"]["Echo"] == f"{work_url}|{table}"
    assert d.outputs[""]["InnerEcho"] == f"{work_url}|{table}"
    assert d.find("Inner", "Copy").address == "Inner/Copy"


def test_physical_names_are_stable_across_deploys(moto_url):
    first = deploy(moto_url, TEMPLATES / "provision" / "template.yaml").find("", "Orders").ref
    from moto.moto_api._internal.models import moto_api_backend

    moto_api_backend.reset()
    assert deploy(moto_url, TEMPLATES / "provision" / "template.yaml").find("", "Orders").ref == first


def test_a_failing_resource_is_reported_by_address_and_the_rest_is_created(moto_url, tmp_path):
    template = tmp_path / "template.yaml"
    template.write_text(
        "Resources:\n"
        "  Good:\n    Type: AWS::SQS::Queue\n"
        "  Broken:\n    Type: AWS::SSM::Parameter\n    Properties: {Type: String}\n"
        "  NeedsBroken:\n    Type: AWS::SQS::Queue\n    Properties: {QueueName: !GetAtt Broken.Value}\n"
    )
    d = deploy(moto_url, template)
    assert d.find("", "Good") is not None
    assert any(e.startswith("Broken (AWS::SSM::Parameter)") for e in d.errors), d.errors
    assert any(e.startswith("NeedsBroken (AWS::SQS::Queue)") and "Broken" in e for e in d.errors), d.errors


def test_missing_ssm_input_is_a_clear_error(moto_url):
    with pytest.raises(TemplateError, match=r"QueueUrlParameter reads SSM /fixture/test/work/QueueUrl"):
        deploy(moto_url, TEMPLATES / "provision" / "inner" / "template.yaml", TableName="t")


def test_a_broken_nested_template_is_reported_and_its_siblings_are_created(moto_url, tmp_path):
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "template.yaml").write_text("Resources: [not, a, mapping\n")
    (tmp_path / "template.yaml").write_text(
        "Transform: AWS::Serverless-2016-10-31\nResources:\n"
        "  Sibling:\n    Type: AWS::SQS::Queue\n"
        "  Bad:\n    Type: AWS::Serverless::Application\n    Properties: {Location: bad/template.yaml}\n"
    )
    d = deploy(moto_url, tmp_path / "template.yaml")
    assert d.find("", "Sibling") is not None
    assert len(d.errors) == 1 and d.errors[0].startswith("Bad (AWS::CloudFormation::Stack)"), d.errors
    assert "bad/template.yaml" in d.errors[0]


def test_a_user_pool_keeps_its_email_settings(moto_url, tmp_path):
    """The Cognito emails localcloud sends are rendered from these, so none may be dropped."""
    template = tmp_path / "template.yaml"
    template.write_text(
        "Resources:\n"
        "  Pool:\n    Type: AWS::Cognito::UserPool\n    Properties:\n"
        "      AutoVerifiedAttributes: [email]\n"
        "      EmailVerificationSubject: Verify\n"
        "      EmailVerificationMessage: 'Code {####}'\n"
        "      EmailConfiguration: {EmailSendingAccount: COGNITO_DEFAULT, ReplyToEmailAddress: help@example.com}\n"
        "      VerificationMessageTemplate: {DefaultEmailOption: CONFIRM_WITH_CODE, EmailSubject: Hi}\n"
        "      AdminCreateUserConfig:\n"
        "        InviteMessageTemplate: {EmailSubject: Join, EmailMessage: '{username} {####}'}\n"
    )
    d = deploy(moto_url, template)
    pool = client(moto_url, "cognito-idp").describe_user_pool(UserPoolId=d.find("", "Pool").ref)["UserPool"]
    assert d.errors == []
    assert (pool["EmailVerificationSubject"], pool["EmailVerificationMessage"]) == ("Verify", "Code {####}")
    assert pool["EmailConfiguration"]["ReplyToEmailAddress"] == "help@example.com"
    assert pool["VerificationMessageTemplate"]["EmailSubject"] == "Hi"
    assert pool["AdminCreateUserConfig"]["InviteMessageTemplate"]["EmailSubject"] == "Join"


def test_cloudfront_resources_get_cloudformations_ids_and_the_api_knows_the_distribution(moto_url):
    deployment = deploy(moto_url, TEMPLATES / "edge" / "template.yaml")
    assert deployment.errors == []
    [cdn] = deployment.of_type("AWS::CloudFront::Distribution")
    assert cdn.ref == cdn.attrs["Id"] and cdn.attrs["DomainName"].endswith(".cloudfront.net")
    [function] = [r for r in deployment.of_type("AWS::CloudFront::Function") if r.logical_id == "PrettyUrls"]
    assert (
        function.ref
        == function.attrs["FunctionMetadata.FunctionARN"]
        == ("arn:aws:cloudfront::123456789012:function/fixture-pretty-urls")
    )
    [policy] = deployment.of_type("AWS::S3::BucketPolicy")
    condition = policy.properties["PolicyDocument"]["Statement"][0]["Condition"]["StringEquals"]
    assert condition["AWS:SourceArn"] == f"arn:aws:cloudfront::123456789012:distribution/{cdn.ref}"
    cloudfront = client(moto_url, "cloudfront")
    assert cloudfront.get_distribution(Id=cdn.ref)["Distribution"]["DomainName"] == cdn.attrs["DomainName"]
    batch = {"Paths": {"Quantity": 1, "Items": ["/index.html"]}, "CallerReference": "t"}
    created = cloudfront.create_invalidation(DistributionId=cdn.ref, InvalidationBatch=batch)["Invalidation"]
    assert created["Status"] == "COMPLETED"


def test_distribution_ids_derive_from_stack_and_logical_id(moto_url):
    first = deploy(moto_url, TEMPLATES / "edge" / "template.yaml")
    from moto.moto_api._internal.models import moto_api_backend

    moto_api_backend.reset()
    second = deploy(moto_url, TEMPLATES / "edge" / "template.yaml")

    def ids(d):
        return {r.address: (r.ref, r.attrs.get("DomainName")) for r in d.resources if "CloudFront" in r.type}

    assert ids(first) == ids(second)
