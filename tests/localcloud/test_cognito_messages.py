"""The Cognito emails' rendering: the pool's sender and templates, else Cognito's defaults; placeholders;
link-style verification; HTML bodies with a text alternative; CodeDeliveryDetails masking."""

from __future__ import annotations

import email
import email.policy
from datetime import UTC, datetime

from localcloud.front.cognito_messages import (
    DEFAULT_SENDER,
    Email,
    fill,
    invitation,
    mask_email,
    mask_phone,
    sender,
    text_of,
    verification,
)


def test_a_pool_without_settings_gets_cognitos_defaults():
    assert sender({}) == (DEFAULT_SENDER, None)
    assert DEFAULT_SENDER == "no-reply@verificationemail.com"
    assert verification({}, code="123456", username="ann") == (
        "Your verification code",
        "Your verification code is 123456.",
    )
    assert invitation({}, password="Tmp-Pass-1", username="ann") == (
        "Your temporary password",
        "Your username is ann and temporary password is Tmp-Pass-1.",
    )


def test_the_sender_is_from_else_the_source_arns_address_else_the_default():
    arn = "arn:aws:ses:us-east-1:123456789012:identity/noreply@blog.example"
    assert sender({"EmailConfiguration": {"From": "Blog <hi@blog.example>", "SourceArn": arn}}) == (
        "Blog <hi@blog.example>",
        None,
    )
    assert sender({"EmailConfiguration": {"SourceArn": arn, "ReplyToEmailAddress": "help@blog.example"}}) == (
        "noreply@blog.example",
        "help@blog.example",
    )
    domain_arn = "arn:aws:ses:us-east-1:123456789012:identity/blog.example"
    assert sender({"EmailConfiguration": {"SourceArn": domain_arn}})[0] == DEFAULT_SENDER
    assert sender({"EmailConfiguration": {"EmailSendingAccount": "COGNITO_DEFAULT"}})[0] == DEFAULT_SENDER


def test_verification_template_wins_over_the_older_fields_and_both_take_placeholders():
    pool = {
        "VerificationMessageTemplate": {"EmailSubject": "Code for {username}", "EmailMessage": "Hi {username}: {####}"},
        "EmailVerificationSubject": "old subject",
        "EmailVerificationMessage": "old {####}",
    }
    assert verification(pool, code="000042", username="bob") == ("Code for bob", "Hi bob: 000042")
    legacy = {"EmailVerificationSubject": "Welcome", "EmailVerificationMessage": "Use {####} now"}
    assert verification(legacy, code="987654", username="bob") == ("Welcome", "Use 987654 now")


def test_link_style_keeps_the_link_text_and_adds_the_code_but_forgot_password_always_sends_a_code():
    pool = {
        "VerificationMessageTemplate": {
            "DefaultEmailOption": "CONFIRM_WITH_LINK",
            "EmailSubjectByLink": "Confirm your account",
            "EmailMessageByLink": "Please {##confirm here##}.",
        }
    }
    assert verification(pool, code="111222", username="c") == (
        "Confirm your account",
        "Please confirm here (verification code: 111222).",
    )
    assert verification(
        {"VerificationMessageTemplate": {"DefaultEmailOption": "CONFIRM_WITH_LINK"}}, code="1", username="c"
    )[1] == ("Please click the link below to verify your email address. Verify Email (verification code: 1)")
    assert verification(pool, code="333444", username="c", allow_link=False) == (
        "Your verification code",
        "Your verification code is 333444.",
    )


def test_the_invitation_template_is_the_pools():
    pool = {
        "AdminCreateUserConfig": {
            "InviteMessageTemplate": {
                "EmailSubject": "Join us, {username}",
                "EmailMessage": "<b>{username}</b> / {####}",
            }
        }
    }
    assert invitation(pool, password="P@ss-word-1", username="dee") == ("Join us, dee", "<b>dee</b> / P@ss-word-1")


def test_fill_replaces_every_placeholder_and_nothing_else():
    assert fill("{####} {####} {username} {name} {###}", "9", "u") == "9 9 u {name} {###}"


def test_masks_look_like_cognitos():
    assert mask_email("ann@example.com") == "a***@e***"
    assert mask_phone("+15555550100") == "+*******0100"


def parsed(mail: Email) -> email.message.EmailMessage:
    return email.message_from_string(mail.mime(sent_at=1_767_225_600), policy=email.policy.default)


def test_a_plain_body_is_a_plain_text_email_with_the_headers():
    message = parsed(Email("Blog <hi@blog.example>", "ann@example.com", "Your code", "Code: 1", "help@blog.example"))
    assert message["From"] == "Blog <hi@blog.example>"
    assert message["To"] == "ann@example.com"
    assert message["Reply-To"] == "help@blog.example"
    assert message["Subject"] == "Your code"
    assert message["Date"].datetime == datetime(2026, 1, 1, tzinfo=UTC)
    assert message["Message-ID"].endswith("@blog.example>")
    assert message.get_content_type() == "text/plain"
    assert message.get_content().strip() == "Code: 1"


def test_an_html_body_has_a_plain_text_alternative():
    body = "<html><style>p{color:red}</style><p>Your code is <b>123456</b></p><p>Thanks &amp; bye</p></html>"
    message = parsed(Email(DEFAULT_SENDER, "ann@example.com", "S", body))
    assert message.get_content_type() == "multipart/alternative"
    assert message.get_body(("html",)).get_content().strip() == body
    assert message.get_body(("plain",)).get_content() == "Your code is 123456\nThanks & bye\n"


def test_text_of_breaks_lines_at_blocks_and_collapses_spaces():
    assert text_of("Hello<br>there   <div>friend</div><script>x()</script>") == "Hello\nthere\nfriend\n"
