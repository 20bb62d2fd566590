"""The subscribers template deployed alone (localcloud's provisioner on moto): it nests feed.yaml, which
subscribes the posts queue to the BlogEvents topic named by the blog's SSM parameter, filtered on
PostPublished; with SubscribeToBlogEvents=false (as the root deploys it) it subscribes nothing."""

from __future__ import annotations

import json

from localcloud.provision import Provisioner
from tests.support.provisioning import client, moto_server
from tests.templates.cfn import ROOT

TEMPLATE = ROOT / "services" / "subscribers" / "template.yaml"
SHARED_ARN = "arn:aws:lambda:us-east-1:123456789012:layer:platform-dev-shared:7"


def deploy(subscribe: str) -> tuple[object, object]:
    with moto_server() as url:
        ssm, sns = client(url, "ssm"), client(url, "sns")
        topic = sns.create_topic(Name="BlogEvents")["TopicArn"]
        ssm.put_parameter(Name="/platform/dev/shared/LayerArn", Value=SHARED_ARN, Type="String")
        ssm.put_parameter(Name="/platform/dev/blog/BlogEventsTopicArn", Value=topic, Type="String")
        provisioner = Provisioner(
            aws=lambda s: client(url, s), region="us-east-1", account_id="123456789012", aws_endpoint=url
        )
        deployment = provisioner.deploy(
            TEMPLATE,
            stack_name="subscribers",
            parameters={"SubscribeToBlogEvents": subscribe},
            layers={SHARED_ARN: ROOT / "layers" / "shared"},
        )
        subscriptions = sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
        attributes = [sns.get_subscription_attributes(SubscriptionArn=s["SubscriptionArn"])["Attributes"]
                      for s in subscriptions]  # fmt: skip
        return deployment, attributes


def test_alone_it_subscribes_its_posts_queue_to_the_topic_in_ssm():
    deployment, [attributes] = deploy("true")
    assert deployment.errors == []
    queue = deployment.find("", "PostsQueue")
    assert attributes["Endpoint"] == queue.attrs["Arn"] and attributes["RawMessageDelivery"] == "true"
    assert json.loads(attributes["FilterPolicy"]) == {"type": ["PostPublished"]}
    assert deployment.find("Feed", "PostsQueuePolicy") is not None


def test_as_the_root_deploys_it_it_subscribes_nothing_and_reads_no_topic():
    deployment, subscriptions = deploy("false")
    assert deployment.errors == [] and subscriptions == []
    assert not [r for r in deployment.resources if r.stack == "Feed"]
