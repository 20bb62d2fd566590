"""Cognito's own emails through AwsFront(moto) in process, so the clock can move: sign-up, resend,
forgot-password and attribute-verification codes and admin invitations land in the SES outbox as
Cognito would send them, CodeDeliveryDetails say where, and the confirm calls check the codes."""

from __future__ import annotations

import re
import time
import uuid

import pytest
from botocore.exceptions import ClientError

from localcloud.outbox import read_outbox
from tests.localcloud.test_front_support import (
    ACCOUNT,
    PASSWORD,
    REGION,
    served,  # noqa: F401 - fixture
)

FLOWS = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]


@pytest.fixture
def idp(served):  # noqa: F811
    yield served.aws("cognito-idp")
    served.front.clock = time.time


def make_pool(idp, **config) -> tuple[str, str]:
    """(pool id, client id) of a new pool with `config` (CreateUserPool's own parameters)."""
    client_settings = config.pop("client", {})
    pool_id = idp.create_user_pool(PoolName=f"mail-{uuid.uuid4().hex[:8]}", **config)["UserPool"]["Id"]
    client_id = idp.create_user_pool_client(
        UserPoolId=pool_id, ClientName="app", ExplicitAuthFlows=FLOWS, **client_settings
    )["UserPoolClient"]["ClientId"]
    return pool_id, client_id


def email_pool(idp, **config) -> tuple[str, str]:
    return make_pool(idp, UsernameAttributes=["email"], AutoVerifiedAttributes=["email"], **config)


def address() -> str:
    return f"user-{uuid.uuid4().hex[:8]}@example.com"


def mails_to(to: str) -> list[dict]:
    return [m for m in read_outbox(ACCOUNT, REGION) if to in m["to"]]


def code_of(mail: dict) -> str:
    return re.search(r"\b(\d{6})\b", mail["text"] or mail["html"]).group(1)


def wrong(code: str) -> str:
    """Another six-digit code."""
    return f"{(int(code) + 1) % 10**6:06d}"


def error_code(call) -> str:
    with pytest.raises(ClientError) as excinfo:
        call()
    return excinfo.value.response["Error"]["Code"]


def attributes(idp, pool_id: str, username: str) -> dict[str, str]:
    user = idp.admin_get_user(UserPoolId=pool_id, Username=username)
    return {a["Name"]: a["Value"] for a in user["UserAttributes"]} | {"status": user["UserStatus"]}


def sign_up(idp, client_id: str, to: str, **extra) -> dict:
    return idp.sign_up(
        ClientId=client_id, Username=to, Password=PASSWORD, UserAttributes=[{"Name": "email", "Value": to}], **extra
    )


def test_sign_up_emails_the_code_that_confirms_the_user(idp):
    pool_id, client_id = email_pool(idp)
    to = address()

    response = sign_up(idp, client_id, to)
    [mail] = mails_to(to)

    assert response["UserConfirmed"] is False
    assert response["CodeDeliveryDetails"] == {
        "Destination": f"{to[0]}***@e***",
        "DeliveryMedium": "EMAIL",
        "AttributeName": "email",
    }
    assert mail["kind"] == "raw"
    assert mail["source"] == "no-reply@verificationemail.com"
    assert mail["subject"] == "Your verification code"
    assert mail["text"].strip() == f"Your verification code is {code_of(mail)}."
    code = code_of(mail)
    assert error_code(lambda: idp.confirm_sign_up(ClientId=client_id, Username=to, ConfirmationCode=wrong(code))) == (
        "CodeMismatchException"
    )
    assert attributes(idp, pool_id, to)["status"] == "UNCONFIRMED"

    idp.confirm_sign_up(ClientId=client_id, Username=to, ConfirmationCode=code)

    assert attributes(idp, pool_id, to) | {"sub": ""} == {
        "sub": "",
        "email": to,
        "email_verified": "true",
        "status": "CONFIRMED",
    }
    assert error_code(lambda: idp.confirm_sign_up(ClientId=client_id, Username=to, ConfirmationCode=code)) == (
        "NotAuthorizedException"
    )
    idp.initiate_auth(
        ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters={"USERNAME": to, "PASSWORD": PASSWORD}
    )


def test_an_expired_sign_up_code_is_refused_and_a_resent_code_works(served, idp):  # noqa: F811
    pool_id, client_id = email_pool(idp)
    to = address()
    sign_up(idp, client_id, to)
    [first] = mails_to(to)

    served.front.clock = lambda: time.time() + 24 * 3600 + 5
    assert error_code(
        lambda: idp.confirm_sign_up(ClientId=client_id, Username=to, ConfirmationCode=code_of(first))
    ) == ("ExpiredCodeException")

    details = idp.resend_confirmation_code(ClientId=client_id, Username=to)["CodeDeliveryDetails"]
    [_, second] = mails_to(to)
    assert details["DeliveryMedium"] == "EMAIL"
    if code_of(second) != code_of(first):
        assert error_code(
            lambda: idp.confirm_sign_up(ClientId=client_id, Username=to, ConfirmationCode=code_of(first))
        ) == ("CodeMismatchException")
    idp.confirm_sign_up(ClientId=client_id, Username=to, ConfirmationCode=code_of(second))
    assert attributes(idp, pool_id, to)["status"] == "CONFIRMED"


def test_the_pools_templates_and_sender_shape_the_email(idp):
    _, client_id = make_pool(
        idp,
        AutoVerifiedAttributes=["email"],
        EmailConfiguration={
            "EmailSendingAccount": "DEVELOPER",
            "SourceArn": f"arn:aws:ses:{REGION}:{ACCOUNT}:identity/noreply@blog.example",
            "From": "MyBlog <noreply@blog.example>",
            "ReplyToEmailAddress": "help@blog.example",
        },
        VerificationMessageTemplate={
            "DefaultEmailOption": "CONFIRM_WITH_CODE",
            "EmailSubject": "Welcome, {username}",
            "EmailMessage": "<p>Hello {username},</p><p>your code is <b>{####}</b>.</p>",
        },
    )
    to = address()
    idp.sign_up(
        ClientId=client_id, Username="carol", Password=PASSWORD, UserAttributes=[{"Name": "email", "Value": to}]
    )
    [mail] = mails_to(to)

    assert mail["source"] == "MyBlog <noreply@blog.example>"
    assert mail["subject"] == "Welcome, carol"
    assert mail["html"].strip() == f"<p>Hello carol,</p><p>your code is <b>{code_of(mail)}</b>.</p>"
    assert mail["text"] == f"Hello carol,\nyour code is {code_of(mail)}.\n"
    assert "Reply-To: help@blog.example" in mail["raw"]
    idp.confirm_sign_up(ClientId=client_id, Username="carol", ConfirmationCode=code_of(mail))


def test_no_email_and_no_self_confirmation_when_the_pool_does_not_verify_email(idp):
    _, client_id = make_pool(idp, UsernameAttributes=["email"])
    to = address()

    response = sign_up(idp, client_id, to)

    assert "CodeDeliveryDetails" not in response
    assert mails_to(to) == []
    assert error_code(lambda: idp.confirm_sign_up(ClientId=client_id, Username=to, ConfirmationCode="123456")) == (
        "CodeMismatchException"
    )
    assert error_code(lambda: idp.resend_confirmation_code(ClientId=client_id, Username=to)) == (
        "InvalidParameterException"
    )


def test_codes_cognito_would_text_are_reported_not_sent_and_stay_motos(idp):
    _, client_id = make_pool(idp, AutoVerifiedAttributes=["phone_number", "email"])
    to = address()

    response = idp.sign_up(
        ClientId=client_id,
        Username="dan",
        Password=PASSWORD,
        UserAttributes=[{"Name": "email", "Value": to}, {"Name": "phone_number", "Value": "+15555550100"}],
    )

    assert response["CodeDeliveryDetails"] == {
        "Destination": "+*******0100",
        "DeliveryMedium": "SMS",
        "AttributeName": "phone_number",
    }
    assert mails_to(to) == []
    idp.confirm_sign_up(ClientId=client_id, Username="dan", ConfirmationCode="any")  # moto's behaviour


def test_resend_answers_as_cognito_for_confirmed_and_unknown_users(idp):
    _, client_id = email_pool(idp)
    _, hiding = email_pool(idp, client={"PreventUserExistenceErrors": "ENABLED"})
    to = address()
    sign_up(idp, client_id, to)
    idp.confirm_sign_up(ClientId=client_id, Username=to, ConfirmationCode=code_of(mails_to(to)[0]))

    assert error_code(lambda: idp.resend_confirmation_code(ClientId=client_id, Username=to)) == (
        "InvalidParameterException"
    )
    assert error_code(lambda: idp.resend_confirmation_code(ClientId=client_id, Username="nobody@example.com")) == (
        "UserNotFoundException"
    )
    assert idp.resend_confirmation_code(ClientId=hiding, Username="nobody@example.com")["CodeDeliveryDetails"] == {
        "Destination": "n***@e***",
        "DeliveryMedium": "EMAIL",
        "AttributeName": "email",
    }
    assert error_code(lambda: idp.resend_confirmation_code(ClientId="nosuchclient", Username=to)) == (
        "ResourceNotFoundException"
    )


def confirmed_user(idp, client_id: str) -> str:
    to = address()
    sign_up(idp, client_id, to)
    idp.confirm_sign_up(ClientId=client_id, Username=to, ConfirmationCode=code_of(mails_to(to)[-1]))
    return to


def test_forgot_password_emails_a_code_that_sets_the_new_password(idp):
    pool_id, client_id = email_pool(
        idp, AccountRecoverySetting={"RecoveryMechanisms": [{"Name": "verified_email", "Priority": 1}]}
    )
    to = confirmed_user(idp, client_id)

    response = idp.forgot_password(ClientId=client_id, Username=to)
    mail = mails_to(to)[-1]
    code = code_of(mail)
    new_password = "Brand-New-Pass-7"

    assert response["CodeDeliveryDetails"] == {
        "Destination": f"{to[0]}***@e***",
        "DeliveryMedium": "EMAIL",
        "AttributeName": "email",
    }
    assert "x-moto-forgot-password-confirmation-code" not in response["ResponseMetadata"]["HTTPHeaders"]
    assert mail["subject"] == "Your verification code"
    assert error_code(
        lambda: idp.confirm_forgot_password(
            ClientId=client_id, Username=to, ConfirmationCode=wrong(code), Password=new_password
        )
    ) == ("CodeMismatchException")
    assert error_code(
        lambda: idp.confirm_forgot_password(ClientId=client_id, Username=to, ConfirmationCode=code, Password="weak")
    ) == ("InvalidPasswordException")

    idp.confirm_forgot_password(ClientId=client_id, Username=to, ConfirmationCode=code, Password=new_password)

    idp.initiate_auth(
        ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters={"USERNAME": to, "PASSWORD": new_password}
    )
    assert error_code(
        lambda: idp.confirm_forgot_password(ClientId=client_id, Username=to, ConfirmationCode=code, Password=PASSWORD)
    ) == ("CodeMismatchException")
    assert attributes(idp, pool_id, to)["status"] == "CONFIRMED"


def test_a_forgot_password_code_expires_after_an_hour(served, idp):  # noqa: F811
    _, client_id = email_pool(idp)
    to = confirmed_user(idp, client_id)
    idp.forgot_password(ClientId=client_id, Username=to)
    code = code_of(mails_to(to)[-1])

    served.front.clock = lambda: time.time() + 3600 + 5

    assert error_code(
        lambda: idp.confirm_forgot_password(ClientId=client_id, Username=to, ConfirmationCode=code, Password=PASSWORD)
    ) == ("ExpiredCodeException")


def test_forgot_password_needs_a_verified_address_and_a_code_that_was_sent(idp):
    _, client_id = email_pool(idp)
    to = address()
    sign_up(idp, client_id, to)  # unconfirmed: email not verified yet
    before = len(mails_to(to))

    assert error_code(lambda: idp.forgot_password(ClientId=client_id, Username=to)) == "InvalidParameterException"
    assert len(mails_to(to)) == before
    other = confirmed_user(idp, client_id)
    assert error_code(
        lambda: idp.confirm_forgot_password(
            ClientId=client_id, Username=other, ConfirmationCode="123456", Password="Brand-New-Pass-7"
        )
    ) == ("CodeMismatchException")


def signed_in_with_unverified_email(idp, pool_id: str, client_id: str) -> tuple[str, str]:
    to = address()
    idp.admin_create_user(
        UserPoolId=pool_id, Username=to, MessageAction="SUPPRESS", UserAttributes=[{"Name": "email", "Value": to}]
    )
    idp.admin_set_user_password(UserPoolId=pool_id, Username=to, Password=PASSWORD, Permanent=True)
    auth = idp.initiate_auth(
        ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters={"USERNAME": to, "PASSWORD": PASSWORD}
    )
    return to, auth["AuthenticationResult"]["AccessToken"]


def test_attribute_verification_emails_a_code_that_verifies_the_email(idp):
    pool_id, client_id = email_pool(idp)
    to, token = signed_in_with_unverified_email(idp, pool_id, client_id)
    assert mails_to(to) == []  # suppressed invitation

    details = idp.get_user_attribute_verification_code(AccessToken=token, AttributeName="email")["CodeDeliveryDetails"]
    [mail] = mails_to(to)

    assert details == {"Destination": f"{to[0]}***@e***", "DeliveryMedium": "EMAIL", "AttributeName": "email"}
    assert error_code(lambda: idp.verify_user_attribute(AccessToken=token, AttributeName="email", Code="x")) == (
        "CodeMismatchException"
    )
    assert attributes(idp, pool_id, to).get("email_verified") != "true"
    idp.verify_user_attribute(AccessToken=token, AttributeName="email", Code=code_of(mail))
    assert attributes(idp, pool_id, to)["email_verified"] == "true"
    assert error_code(
        lambda: idp.get_user_attribute_verification_code(AccessToken="not-a-token", AttributeName="email")
    ) == ("NotAuthorizedException")


def test_admin_create_user_emails_the_invitation_only_when_email_is_asked_for(idp):
    pool_id, client_id = make_pool(
        idp,
        AdminCreateUserConfig={
            "InviteMessageTemplate": {"EmailSubject": "Join, {username}", "EmailMessage": "{username} / {####}"}
        },
    )
    invited, texted, quiet = address(), address(), address()

    for to, options in (
        (invited, {"DesiredDeliveryMediums": ["EMAIL"]}),
        (texted, {}),  # Cognito's default medium is SMS
        (quiet, {"DesiredDeliveryMediums": ["EMAIL"], "MessageAction": "SUPPRESS"}),
    ):
        idp.admin_create_user(
            UserPoolId=pool_id, Username=to.split("@")[0], UserAttributes=[{"Name": "email", "Value": to}], **options
        )

    [mail] = mails_to(invited)
    username, password = mail["text"].strip().split(" / ")
    assert (mail["subject"], username) == (f"Join, {invited.split('@')[0]}", invited.split("@")[0])
    assert mails_to(texted) == mails_to(quiet) == []
    challenge = idp.initiate_auth(
        ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters={"USERNAME": username, "PASSWORD": password}
    )
    assert challenge["ChallengeName"] == "NEW_PASSWORD_REQUIRED"


def test_admin_create_user_resend_mails_a_new_temporary_password(idp):
    pool_id, client_id = make_pool(idp)
    to = address()
    name = to.split("@")[0]
    idp.admin_create_user(
        UserPoolId=pool_id,
        Username=name,
        TemporaryPassword="First-Temp-Pass-1",
        DesiredDeliveryMediums=["EMAIL"],
        UserAttributes=[{"Name": "email", "Value": to}],
    )

    user = idp.admin_create_user(
        UserPoolId=pool_id, Username=name, MessageAction="RESEND", DesiredDeliveryMediums=["EMAIL"]
    )["User"]
    first, second = mails_to(to)

    assert first["text"].strip() == f"Your username is {name} and temporary password is First-Temp-Pass-1."
    password = second["text"].strip().rsplit(" ", 1)[-1].rstrip(".")
    assert password != "First-Temp-Pass-1"
    assert (user["Username"], user["UserStatus"]) == (name, "FORCE_CHANGE_PASSWORD")
    assert len(idp.list_users(UserPoolId=pool_id)["Users"]) == 1
    auth = {"USERNAME": name, "PASSWORD": password}
    assert idp.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters=auth)["ChallengeName"]
    idp.admin_set_user_password(UserPoolId=pool_id, Username=name, Password=PASSWORD, Permanent=True)
    assert error_code(lambda: idp.admin_create_user(UserPoolId=pool_id, Username=name, MessageAction="RESEND")) == (
        "UnsupportedUserStateException"
    )


def test_front_reset_forgets_issued_codes(served, idp):  # noqa: F811
    _, client_id = email_pool(idp)
    to = address()
    sign_up(idp, client_id, to)
    code = code_of(mails_to(to)[0])

    served.front.reset()

    assert error_code(lambda: idp.confirm_sign_up(ClientId=client_id, Username=to, ConfirmationCode=code)) == (
        "CodeMismatchException"
    )
