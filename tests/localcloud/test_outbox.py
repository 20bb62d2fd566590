"""The SES outbox reads what moto's SES v1 and v2 accepted, in-process, whichever way it was sent."""

from __future__ import annotations

import json
from email.message import EmailMessage

import boto3
import pytest
from moto import mock_aws
from moto.server import ThreadedMotoServer

from localcloud.model import ACCOUNT_ID
from localcloud.outbox import clear_outbox, read_outbox, watch_outbox

REGION = "us-east-1"
SENDER = "news@blog.example"


@pytest.fixture(autouse=True)
def fake_credentials(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)


@pytest.fixture
def clients():
    with mock_aws():
        ses = boto3.client("ses", region_name=REGION)
        ses.verify_domain_identity(Domain="blog.example")
        yield ses, boto3.client("sesv2", region_name=REGION)


def test_simple_email_with_every_recipient_kind(clients):
    ses, _ = clients
    ses.send_email(
        Source=SENDER,
        Destination={
            "ToAddresses": ["ann@reader.example"],
            "CcAddresses": ["bob@reader.example"],
            "BccAddresses": ["cat@reader.example"],
        },
        Message={"Subject": {"Data": "Welcome"}, "Body": {"Text": {"Data": "Thanks for subscribing."}}},
    )

    [mail] = read_outbox(ACCOUNT_ID, REGION)

    assert mail["source"] == SENDER
    assert (mail["to"], mail["cc"], mail["bcc"]) == (
        ["ann@reader.example"],
        ["bob@reader.example"],
        ["cat@reader.example"],
    )
    assert (mail["subject"], mail["text"], mail["html"], mail["raw"]) == (
        "Welcome",
        "Thanks for subscribing.",
        None,
        None,
    )
    assert mail["kind"] == "simple"
    assert mail["id"] and isinstance(mail["time"], float)


def test_html_body_is_reported_as_html(clients):
    ses, _ = clients
    ses.send_email(
        Source=SENDER,
        Destination={"ToAddresses": ["ann@reader.example"]},
        Message={"Subject": {"Data": "New post"}, "Body": {"Html": {"Data": "<p>Read <a href='/p/1'>it</a></p>"}}},
    )

    [mail] = read_outbox(ACCOUNT_ID, REGION)

    assert mail["html"] == "<p>Read <a href='/p/1'>it</a></p>"
    assert mail["text"] is None


def test_text_mentioning_an_address_in_angle_brackets_stays_text(clients):
    ses, _ = clients
    ses.send_email(
        Source=SENDER,
        Destination={"ToAddresses": ["ann@reader.example"]},
        Message={"Subject": {"Data": "Hi"}, "Body": {"Text": {"Data": "Reply to Ann <ann@reader.example> if 1 < 2"}}},
    )

    [mail] = read_outbox(ACCOUNT_ID, REGION)

    assert mail["text"] == "Reply to Ann <ann@reader.example> if 1 < 2"
    assert mail["html"] is None


def _mime(subject: str, to: str, cc: str | None = None) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = f"Blog <{SENDER}>"
    msg["To"] = to
    if cc:
        msg["Cc"] = cc
    msg["Subject"] = subject
    msg.set_content("Plain café body\n")
    msg.add_alternative("<p>Html café body</p>", subtype="html")
    return msg


def test_raw_email_is_parsed_into_subject_text_html_and_recipients(clients):
    ses, _ = clients
    msg = _mime("Ünïcode subject", "Ann <ann@reader.example>", cc="bob@reader.example")
    msg.add_attachment(b"\x89PNG....", maintype="image", subtype="png", filename="photo.png")

    ses.send_raw_email(RawMessage={"Data": msg.as_bytes()}, Destinations=["hidden@reader.example"])

    [mail] = read_outbox(ACCOUNT_ID, REGION)

    assert mail["kind"] == "raw"
    assert mail["subject"] == "Ünïcode subject"
    assert mail["text"] == "Plain café body\n"
    assert mail["html"] == "<p>Html café body</p>\n"
    assert mail["to"] == ["Ann <ann@reader.example>"]
    assert mail["cc"] == ["bob@reader.example"]
    assert mail["bcc"] == ["hidden@reader.example"]
    assert mail["attachments"] == [{"filename": "photo.png", "content_type": "image/png", "size": 8}]
    assert "Subject:" in mail["raw"]


def test_malformed_raw_email_is_still_listed_with_its_raw_text(clients):
    ses, _ = clients
    ses.send_raw_email(
        Source=SENDER,
        Destinations=["ann@reader.example"],
        RawMessage={"Data": b"Subject: broken\r\nContent-Type: multipart/mixed\r\n\r\nno boundary here"},
    )

    [mail] = read_outbox(ACCOUNT_ID, REGION)

    assert mail["kind"] == "raw"
    assert mail["subject"] == "broken"
    assert "no boundary here" in mail["raw"]
    assert "ann@reader.example" in mail["to"] + mail["bcc"]


def test_templated_email_is_rendered(clients):
    ses, _ = clients
    ses.create_template(
        Template={
            "TemplateName": "Welcome",
            "SubjectPart": "Hello {{name}}",
            "TextPart": "Dear {{name}},",
            "HtmlPart": "<h1>Dear {{name}}</h1>",
        }
    )
    ses.send_templated_email(
        Source=SENDER,
        Destination={"ToAddresses": ["ann@reader.example"]},
        Template="Welcome",
        TemplateData=json.dumps({"name": "Ann"}),
    )

    [mail] = read_outbox(ACCOUNT_ID, REGION)

    assert mail["kind"] == "templated"
    assert (mail["subject"], mail["text"], mail["html"]) == ("Hello Ann", "Dear Ann,", "<h1>Dear Ann</h1>")
    assert mail["template"]["name"] == "Welcome"


def test_bulk_templated_email_is_one_message_per_destination(clients):
    ses, _ = clients
    ses.create_template(Template={"TemplateName": "Post", "SubjectPart": "{{title}} for {{name}}", "TextPart": "x"})
    ses.send_bulk_templated_email(
        Source=SENDER,
        Template="Post",
        DefaultTemplateData=json.dumps({"title": "Post 1", "name": "reader"}),
        Destinations=[
            {"Destination": {"ToAddresses": ["ann@reader.example"]}, "ReplacementTemplateData": '{"name": "Ann"}'},
            {"Destination": {"ToAddresses": ["bob@reader.example"]}},
        ],
    )

    mails = read_outbox(ACCOUNT_ID, REGION)

    assert [(m["to"], m["subject"]) for m in mails] == [
        (["ann@reader.example"], "Post 1 for Ann"),
        (["bob@reader.example"], "Post 1 for reader"),
    ]
    assert len({m["id"] for m in mails}) == 2


def test_template_deleted_after_sending_keeps_the_message_with_an_error(clients):
    ses, _ = clients
    ses.create_template(Template={"TemplateName": "Gone", "SubjectPart": "s", "TextPart": "t"})
    ses.send_templated_email(
        Source=SENDER, Destination={"ToAddresses": ["ann@reader.example"]}, Template="Gone", TemplateData="{}"
    )
    ses.delete_template(TemplateName="Gone")

    [mail] = read_outbox(ACCOUNT_ID, REGION)

    assert "Gone" in mail["error"]
    assert mail["template"] == {"name": "Gone", "data": "{}"}


def test_sesv2_simple_and_raw(clients):
    _, sesv2 = clients
    sesv2.send_email(
        FromEmailAddress=SENDER,
        Destination={"ToAddresses": ["ann@reader.example"]},
        Content={"Simple": {"Subject": {"Data": "v2 simple"}, "Body": {"Text": {"Data": "hello"}}}},
    )
    sesv2.send_email(
        FromEmailAddress=SENDER,
        Destination={"ToAddresses": ["bob@reader.example"]},
        Content={"Raw": {"Data": _mime("v2 raw", "bob@reader.example").as_bytes()}},
    )

    first, second = read_outbox(ACCOUNT_ID, REGION)

    assert (first["kind"], first["subject"], first["text"], first["to"]) == (
        "simple",
        "v2 simple",
        "hello",
        ["ann@reader.example"],
    )
    assert (second["kind"], second["subject"], second["text"]) == ("raw", "v2 raw", "Plain café body\n")


def test_newest_last_with_send_times_and_clear(clients):
    ses, _ = clients
    watch_outbox(ACCOUNT_ID, REGION)
    for subject in ("one", "two", "three"):
        ses.send_email(
            Source=SENDER,
            Destination={"ToAddresses": ["ann@reader.example"]},
            Message={"Subject": {"Data": subject}, "Body": {"Text": {"Data": subject}}},
        )

    mails = read_outbox(ACCOUNT_ID, REGION)
    assert [m["subject"] for m in mails] == ["one", "two", "three"]
    assert mails[0]["time"] <= mails[1]["time"] <= mails[2]["time"]
    assert read_outbox(ACCOUNT_ID, REGION)[0]["time"] == mails[0]["time"]

    clear_outbox(ACCOUNT_ID, REGION)
    assert read_outbox(ACCOUNT_ID, REGION) == []
    assert ses.get_send_quota()["SentLast24Hours"] == 0

    ses.send_email(
        Source=SENDER,
        Destination={"ToAddresses": ["ann@reader.example"]},
        Message={"Subject": {"Data": "after"}, "Body": {"Text": {"Data": "x"}}},
    )
    assert [m["subject"] for m in read_outbox(ACCOUNT_ID, REGION)] == ["after"]


def test_other_region_is_a_separate_outbox(clients):
    ses, _ = clients
    ses.send_email(
        Source=SENDER,
        Destination={"ToAddresses": ["ann@reader.example"]},
        Message={"Subject": {"Data": "east"}, "Body": {"Text": {"Data": "x"}}},
    )

    assert read_outbox(ACCOUNT_ID, "eu-west-1") == []
    assert len(read_outbox(ACCOUNT_ID, REGION)) == 1


def test_emails_sent_through_a_moto_server_in_this_process():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        endpoint = f"http://{host}:{port}"
        clear_outbox(ACCOUNT_ID, REGION)
        ses = boto3.client("ses", region_name=REGION, endpoint_url=endpoint)
        sesv2 = boto3.client("sesv2", region_name=REGION, endpoint_url=endpoint)
        ses.verify_email_identity(EmailAddress=SENDER)
        ses.send_email(
            Source=SENDER,
            Destination={"ToAddresses": ["ann@reader.example"]},
            Message={"Subject": {"Data": "over http"}, "Body": {"Html": {"Data": "<b>bold</b>"}}},
        )
        sesv2.send_email(
            FromEmailAddress=SENDER,
            Destination={"ToAddresses": ["bob@reader.example"]},
            Content={"Raw": {"Data": _mime("raw over http", "bob@reader.example").as_bytes()}},
        )

        mails = read_outbox(ACCOUNT_ID, REGION)

        assert [(m["subject"], m["to"]) for m in mails] == [
            ("over http", ["ann@reader.example"]),
            ("raw over http", ["bob@reader.example"]),
        ]
        assert mails[0]["html"] == "<b>bold</b>"
        assert mails[1]["html"] == "<p>Html café body</p>\n"
    finally:
        clear_outbox(ACCOUNT_ID, REGION)
        server.stop()


def test_an_email_with_both_parts_keeps_its_text_part_in_v1_and_v2(clients):
    ses, sesv2 = clients
    watch_outbox(ACCOUNT_ID, REGION)
    both = {
        "Text": {"Data": "Read it at https://blog.example/p/1"},
        "Html": {"Data": "<p>Read <a href='/p/1'>it</a></p>"},
    }
    ses.send_email(
        Source=SENDER,
        Destination={"ToAddresses": ["ann@reader.example"]},
        Message={"Subject": {"Data": "v1"}, "Body": both},
    )
    sesv2.send_email(
        FromEmailAddress=SENDER,
        Destination={"ToAddresses": ["ann@reader.example"]},
        Content={"Simple": {"Subject": {"Data": "v2"}, "Body": both}},
    )

    mails = read_outbox(ACCOUNT_ID, REGION)

    assert [(m["subject"], m["text"], m["html"]) for m in mails] == [
        ("v1", "Read it at https://blog.example/p/1", "<p>Read <a href='/p/1'>it</a></p>"),
        ("v2", "Read it at https://blog.example/p/1", "<p>Read <a href='/p/1'>it</a></p>"),
    ]


def test_every_email_has_headers_and_a_source_raw_ones_their_own(clients):
    ses, _ = clients
    watch_outbox(ACCOUNT_ID, REGION)
    ses.send_email(
        Source=SENDER,
        Destination={"ToAddresses": ["ann@reader.example"], "BccAddresses": ["hidden@reader.example"]},
        Message={"Subject": {"Data": "Hello"}, "Body": {"Text": {"Data": "plain"}, "Html": {"Data": "<b>rich</b>"}}},
    )
    raw = _mime("raw one", "bob@reader.example")
    ses.send_raw_email(RawMessage={"Data": raw.as_bytes()})

    simple, raw_mail = read_outbox(ACCOUNT_ID, REGION)

    headers = dict(simple["headers"])
    assert (headers["From"], headers["To"], headers["Subject"]) == (SENDER, "ann@reader.example", "Hello")
    assert headers["Message-ID"] == f"<{simple['id']}@email.amazonses.com>"
    assert "hidden@reader.example" not in simple["eml"]  # Bcc is never a header
    assert simple["eml_reconstructed"] is True and "multipart/alternative" in simple["eml"]
    assert "plain" in simple["eml"] and "<b>rich</b>" in simple["eml"]
    assert raw_mail["eml"] == raw_mail["raw"] and raw_mail["eml_reconstructed"] is False
    assert dict(raw_mail["headers"])["Subject"] == "raw one"
