"""openapi.yaml, the template's routes, event sources and outputs, and the sample events agree; the API's
in-process answers are the ones openapi.yaml declares; email-validator stays off the cold path."""

from __future__ import annotations

import subprocess
import sys

import pytest
from requests.structures import CaseInsensitiveDict

from tests.subscribers.conftest import EVENTS, ROOT, TEMPLATE, sample
from tests.subscribers.test_subscribers_api import call
from tests.support.openapi import OpenApi, Response
from tests.templates.cfn import load_template

CONTRACT = OpenApi(ROOT / "services" / "subscribers" / "openapi.yaml")
ROUTES = {
    ("POST", "/subscribers"): "subscribe.json",
    ("GET", "/subscribers/unsubscribe"): "unsubscribe-page.json",
    ("POST", "/subscribers/unsubscribe"): "unsubscribe.json",
}
FUNCTIONS = {
    "SendWelcomeFunction": "send-welcome.json",
    "FanOutPostFunction": "fan-out-post.json",
    "SendPostEmailFunction": "send-post-email.json",
}
RESOURCES = load_template(TEMPLATE)["Resources"]
FEED = load_template("services/subscribers/feed.yaml")


def template_routes() -> set[tuple[str, str]]:
    return {
        (event["Properties"]["Method"].upper(), event["Properties"]["Path"])
        for resource in RESOURCES.values()
        if resource["Type"] == "AWS::Serverless::Function"
        for event in resource["Properties"].get("Events", {}).values()
        if event["Type"] == "Api"
    }


def test_openapi_routes_equal_the_templates_and_each_route_and_function_has_a_sample_event():
    assert CONTRACT.routes() == template_routes() == set(ROUTES)
    for (method, path), name in ROUTES.items():
        event = sample(name)
        assert (event["httpMethod"], event["resource"]) == (method, path)
    functions = {n for n, r in RESOURCES.items() if r["Type"] == "AWS::Serverless::Function"}
    assert functions == {"ApiFunction", *FUNCTIONS}
    assert {p.name for p in EVENTS.glob("*.json")} == set(ROUTES.values()) | set(FUNCTIONS.values())


@pytest.mark.usefixtures("clean")
@pytest.mark.parametrize(
    ("name", "changes"),
    [("subscribe.json", {}), ("subscribe.json", {"body": {"email": "nope"}}), ("subscribe.json", {"body": "{"}),
     ("subscribe.json", {"content_type": "text/plain"}), ("unsubscribe-page.json", {}),
     ("unsubscribe-page.json", {"query": {"token": ["x"]}}), ("unsubscribe.json", {}),
     ("unsubscribe.json", {"body": "nope"}), ("unsubscribe.json", {"body": "x" * 5000})],
)  # fmt: skip
def test_every_answer_is_one_openapi_declares(name, changes):
    call("subscribe.json")
    reply = call(name, **changes)
    headers = {k: v[0] for k, v in (reply.get("multiValueHeaders") or {}).items()} | (reply.get("headers") or {})
    event = sample(name)
    response = Response(reply["statusCode"], CaseInsensitiveDict(headers), (reply.get("body") or "").encode())
    CONTRACT.check_route_response(event["httpMethod"], event["resource"], response)


def test_the_welcome_reads_only_inserts_with_bisect_bounded_retries_and_an_on_failure_queue():
    [source] = RESOURCES["SendWelcomeFunction"]["Properties"]["Events"].values()
    props = source["Properties"]
    assert props["FilterCriteria"] == {"Filters": [{"Pattern": '{"eventName": ["INSERT"]}'}]}
    assert props["BisectBatchOnFunctionError"] and 0 < props["MaximumRetryAttempts"] <= 10
    assert props["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert props["DestinationConfig"]["OnFailure"]["Destination"] == {"Fn::GetAtt": ["WelcomeFailures", "Arn"]}


def test_the_queues_have_dlqs_with_alarms_and_their_consumers_report_partial_failures():
    for function, queue in (("FanOutPostFunction", "PostsQueue"), ("SendPostEmailFunction", "SendQueue")):
        [source] = RESOURCES[function]["Properties"]["Events"].values()
        assert source["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
        assert source["Properties"]["Queue"] == {"Fn::GetAtt": [queue, "Arn"]}
        dlq = RESOURCES[queue]["Properties"]["RedrivePolicy"]["deadLetterTargetArn"]["Fn::GetAtt"][0]
        alarmed = {r["Properties"]["Dimensions"][0]["Value"]["Fn::GetAtt"][0]
                   for r in RESOURCES.values() if r["Type"] == "AWS::CloudWatch::Alarm"}  # fmt: skip
        assert dlq in alarmed


def test_only_post_published_reaches_the_fan_out_and_the_send_rate_sets_concurrency_and_batch():
    subscription = FEED["Resources"]["PostsSubscription"]["Properties"]
    assert subscription["FilterPolicy"] == {"type": ["PostPublished"]} and subscription["RawMessageDelivery"]
    [statement] = FEED["Resources"]["PostsQueuePolicy"]["Properties"]["PolicyDocument"]["Statement"]
    assert statement["Condition"] == {"ArnEquals": {"aws:SourceArn": {"Ref": "BlogEventsTopicArn"}}}
    sender = RESOURCES["SendPostEmailFunction"]["Properties"]
    assert sender["ReservedConcurrentExecutions"] == {
        "Fn::FindInMap": ["SendRates", {"Ref": "MaxSendRate"}, "Concurrency"]
    }
    [source] = sender["Events"].values()
    assert source["Properties"]["BatchSize"] == {"Fn::FindInMap": ["SendRates", {"Ref": "MaxSendRate"}, "BatchSize"]}


def test_alone_it_nests_its_feed_with_the_topic_from_ssm_and_the_root_nests_it_after_the_blog():
    feed = RESOURCES["Feed"]
    assert feed["Type"] == "AWS::Serverless::Application" and feed["Properties"]["Location"] == "feed.yaml"
    assert feed["Condition"] == "OwnFeed"
    assert load_template(TEMPLATE)["Parameters"]["SubscribeToBlogEvents"]["Default"] == "true"
    topic = feed["Properties"]["Parameters"]["BlogEventsTopicArn"]
    assert topic == {"Fn::Sub": "{{resolve:ssm:${BlogEventsTopicArnParameter}}}"}
    root = load_template("template.yaml")["Resources"]
    assert root["Subscribers"]["Properties"]["Parameters"]["SubscribeToBlogEvents"] == "false"
    assert "DependsOn" not in root["Subscribers"] and "['Blog'," not in str(root["Subscribers"]["Properties"])
    fed = root["SubscribersFeed"]["Properties"]
    assert fed["Location"] == "services/subscribers/feed.yaml"
    assert fed["Parameters"]["BlogEventsTopicArn"] == {"Fn::GetAtt": ["Blog", "Outputs.BlogEventsTopicArn"]}
    assert fed["Parameters"]["PostsQueueArn"] == {"Fn::GetAtt": ["Subscribers", "Outputs.PostsQueueArn"]}


def test_the_stage_is_api_throttled_and_the_waf_is_off_by_default():
    template = load_template(TEMPLATE)
    api = RESOURCES["SubscribersApi"]["Properties"]
    assert api["StageName"] == "api"
    assert api["MethodSettings"][0]["ThrottlingRateLimit"] == {"Ref": "ThrottleRateLimit"}
    assert api["GatewayResponses"]["THROTTLED"]["StatusCode"] == 429
    assert template["Parameters"]["WafRateLimit"]["Default"] == 0
    assert RESOURCES["ApiWebAcl"]["Condition"] == RESOURCES["ApiWebAclAssociation"]["Condition"] == "UseWaf"


def test_every_output_is_also_an_ssm_parameter():
    template = load_template(TEMPLATE)
    written = {r["Properties"]["Name"]["Fn::Sub"].rsplit("/", 1)[1]
               for r in RESOURCES.values() if r["Type"] == "AWS::SSM::Parameter"}  # fmt: skip
    assert set(template["Outputs"]) == written


def test_the_email_functions_read_the_blog_urls_from_ssm_only_on_first_use():
    code = (
        "import sys; from subscribers.handlers import send_welcome, send_post_email; "
        "print(sorted(m for m in ('aws_lambda_powertools.utilities.parameters', 'boto3') if m in sys.modules))"
    )
    path = f"{ROOT}/services/subscribers/src:{ROOT}/layers/shared"
    env = {"PYTHONPATH": path, "TABLE_NAME": "t", "TOKEN_KEY_SECRET": "s", "IDEMPOTENCY_TABLE": "i", "SENDER": "a@b.c",
           "SITE_URL_PARAMETER": "/p/e/blog/SiteUrl", "BLOG_API_URL_PARAMETER": "/p/e/blog/ApiUrl",
           "AWS_DEFAULT_REGION": "us-east-1", "PATH": "/usr/bin:/bin"}  # fmt: skip
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
    policies = [RESOURCES[f]["Properties"]["Policies"] for f in ("SendWelcomeFunction", "SendPostEmailFunction")]
    read = [[p["SSMParameterWithSlashPrefixReadPolicy"]["ParameterName"] for p in each
             if "SSMParameterWithSlashPrefixReadPolicy" in p] for each in policies]  # fmt: skip
    assert read == [
        [{"Ref": "BlogSiteUrlParameter"}],
        [{"Ref": "BlogSiteUrlParameter"}, {"Ref": "BlogApiUrlParameter"}],
    ]


def test_the_api_function_imports_neither_email_validator_nor_boto3_at_cold_start():
    code = (
        "import sys; from subscribers.handlers import api; "
        "print(sorted(m for m in ('email_validator', 'dns', 'boto3') if m in sys.modules))"
    )
    path = f"{ROOT}/services/subscribers/src:{ROOT}/layers/shared"
    env = {"PYTHONPATH": path, "TABLE_NAME": "t", "TOKEN_KEY_SECRET": "s", "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
