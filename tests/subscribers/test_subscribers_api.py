"""The API's routes in process (moto behind them), fed the sample events under events/subscribers/."""

from __future__ import annotations

import copy
import json

import boto3
import pytest

from tests.subscribers.conftest import ENV, Context, sample

pytestmark = pytest.mark.usefixtures("clean")


def call(name: str, *, body=None, query=None, content_type=None) -> dict:
    from subscribers.handlers import api

    event = copy.deepcopy(sample(name))
    if body is not None:
        event["body"] = body if isinstance(body, str) else json.dumps(body)
    if query is not None:
        event["queryStringParameters"] = {k: v[-1] for k, v in query.items()} or None
        event["multiValueQueryStringParameters"] = query or None
    if content_type is not None:
        event["headers"]["Content-Type"] = content_type
        event["multiValueHeaders"]["Content-Type"] = [content_type]
    return api.handler(event, Context())


def head(reply: dict, name: str) -> str:
    return (reply.get("multiValueHeaders") or {}).get(name, [""])[0] or (reply.get("headers") or {}).get(name, "")


def items() -> list[dict]:
    return boto3.resource("dynamodb").Table(ENV["TABLE_NAME"]).scan()["Items"]


def test_the_sample_subscribe_is_a_202_and_stores_the_canonical_address():
    reply = call("subscribe.json")
    assert reply["statusCode"] == 202 and head(reply, "Cache-Control") == "no-store"
    [item] = items()
    assert item["email"] == "reader@example.com" and item["status"] == "active" and item["name"] == "Reader"


@pytest.mark.parametrize("variant", ["reader@example.com", "READER@EXAMPLE.COM", " Reader@example.com "])
def test_case_variants_are_one_subscriber_and_every_answer_is_the_same(variant):
    first = call("subscribe.json")
    again = call("subscribe.json", body={"email": variant})
    assert (first["statusCode"], first["body"]) == (again["statusCode"], again["body"])
    assert len(items()) == 1


def test_unicode_variants_of_the_domain_are_one_subscriber():
    call("subscribe.json", body={"email": "leser@bücher.example"})
    call("subscribe.json", body={"email": "LESER@BÜCHER.example"})
    call("subscribe.json", body={"email": "leser@bu\u0308cher.example"})  # decomposed ü
    assert [i["email"] for i in items()] == ["leser@bücher.example"]


@pytest.mark.parametrize(
    "body",
    [{"email": "not-an-address"}, {"email": ""}, {"email": 42}, {}, {"email": "a@b.example", "extra": 1},
     {"email": "a@b.example", "name": 7}, {"email": "a@b.example", "name": "x" * 101}, [], "null",
     {"email": "a" * 250 + "@b.example"}, {"email": "a@localhost"}],
)  # fmt: skip
def test_invalid_input_is_a_400_with_a_json_message(body):
    reply = call("subscribe.json", body=body)
    assert reply["statusCode"] == 400, reply
    assert set(json.loads(reply["body"])) == {"message", "code"} and items() == []


def test_not_json_is_a_400_and_another_media_type_a_415():
    assert call("subscribe.json", body="{nope")["statusCode"] == 400
    assert call("subscribe.json", content_type="text/plain")["statusCode"] == 415


def test_the_home_page_form_subscribes_and_answers_with_a_page_that_leads_back():
    form = "application/x-www-form-urlencoded"
    reply = call("subscribe.json", body="email=Form.Reader%40Example.com", content_type=form)
    assert reply["statusCode"] == 200 and head(reply, "Cache-Control") == "no-store"
    assert head(reply, "Content-Type").startswith("text/html") and '<a href="/">' in reply["body"]
    assert [i["email"] for i in items()] == ["form.reader@example.com"]
    refused = call("subscribe.json", body="email=not-an-address", content_type=form)
    assert refused["statusCode"] == 400 and head(refused, "Content-Type").startswith("text/html")
    assert "cannot be subscribed" in refused["body"] and 'href="/#subscribe"' in refused["body"]
    assert len(items()) == 1


def test_resubscribing_after_unsubscribing_reactivates_without_a_new_item():
    call("subscribe.json")
    call("unsubscribe.json")
    assert items()[0]["status"] == "unsubscribed"
    call("subscribe.json")
    assert [i["status"] for i in items()] == ["active"]


def test_the_unsubscribe_page_shows_a_button_that_posts_one_click():
    call("subscribe.json")
    reply = call("unsubscribe-page.json")
    assert reply["statusCode"] == 200 and head(reply, "Content-Type").startswith("text/html")
    assert 'name="List-Unsubscribe" value="One-Click"' in reply["body"] and 'method="post"' in reply["body"]
    assert items()[0]["status"] == "active"  # a link scanner's GET unsubscribes nobody


def test_one_click_unsubscribes_and_repeating_it_is_harmless():
    call("subscribe.json")
    assert call("unsubscribe.json")["statusCode"] == 200
    assert call("unsubscribe.json")["statusCode"] == 200
    assert items()[0]["status"] == "unsubscribed"


@pytest.mark.parametrize("token", ["", "nope", "0" * 32 + "." + "A" * 22, None])
def test_a_token_that_is_not_ours_is_a_400_on_both_routes(token):
    call("subscribe.json")
    query = {"token": [token]} if token is not None else {}
    page = call("unsubscribe-page.json", query=query)
    assert page["statusCode"] == 400 and head(page, "Content-Type").startswith("text/html")
    assert call("unsubscribe.json", query=query)["statusCode"] == 400
    assert items()[0]["status"] == "active"


@pytest.mark.parametrize("body", ["", "List-Unsubscribe=Yes", '{"List-Unsubscribe": "One-Click"}', "x" * 3000])
def test_one_click_without_its_body_changes_nothing(body):
    call("subscribe.json")
    reply = call("unsubscribe.json", body=body)
    assert reply["statusCode"] in (400, 413) and items()[0]["status"] == "active"


def test_a_token_given_twice_is_a_400():
    token = sample("unsubscribe.json")["queryStringParameters"]["token"]
    assert call("unsubscribe.json", query={"token": [token, token[:-1] + "A"]})["statusCode"] == 400
    assert call("unsubscribe-page.json", query={"token": [token, token[:-1] + "A"]})["statusCode"] == 400
