"""The real Cognito flows against the running localcloud on the root template, as a mobile client runs
them: the code arrives in the outbox (read through the console's JSON and `localcloud outbox`) and is
what confirms the sign-up or sets the new password."""

from __future__ import annotations

import runpy
import subprocess
import sys

from tests.localcloud.test_cognito_mail import code_of, error_code, wrong
from tests.support.localcloud import DEMO_PASSWORD, ROOT, LocalCloudProcess, unique


def outbox_to(cloud: LocalCloudProcess, to: str) -> list[dict]:
    response = cloud.http.get(f"{cloud.endpoints['console']}/api/outbox", timeout=10)
    response.raise_for_status()
    return [mail for mail in response.json() if to in mail["to"]]


def test_sign_up_then_the_code_from_the_outbox_confirms_the_user(localcloud):
    client_id = localcloud.endpoints["cognito"]["clientId"]
    idp = localcloud.aws("cognito-idp")
    email = f"{unique('reader')}@example.com"

    signed_up = idp.sign_up(
        ClientId=client_id, Username=email, Password=DEMO_PASSWORD, UserAttributes=[{"Name": "email", "Value": email}]
    )
    [mail] = outbox_to(localcloud, email)
    code = code_of(mail)

    assert signed_up["CodeDeliveryDetails"] == {
        "Destination": f"{email[0]}***@e***",
        "DeliveryMedium": "EMAIL",
        "AttributeName": "email",
    }
    assert (mail["source"], mail["subject"]) == ("no-reply@verificationemail.com", "Your verification code")
    assert error_code(
        lambda: idp.confirm_sign_up(ClientId=client_id, Username=email, ConfirmationCode=wrong(code))
    ) == ("CodeMismatchException")
    cli = subprocess.run(
        [sys.executable, "-m", "localcloud", "outbox", "--state-dir", str(localcloud.state_dir)],
        cwd=ROOT, capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    assert f"no-reply@verificationemail.com -> {email}" in cli.stdout
    assert f"Your verification code is {code}." in cli.stdout

    idp.confirm_sign_up(ClientId=client_id, Username=email, ConfirmationCode=code)

    tokens = idp.initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": email, "PASSWORD": DEMO_PASSWORD},
    )["AuthenticationResult"]
    assert tokens["IdToken"]


def test_forgot_password_code_from_the_outbox_sets_the_new_password(localcloud):
    client_id = localcloud.endpoints["cognito"]["clientId"]
    idp = localcloud.aws("cognito-idp")
    email = f"{unique('writer')}@example.com"
    idp.sign_up(
        ClientId=client_id, Username=email, Password=DEMO_PASSWORD, UserAttributes=[{"Name": "email", "Value": email}]
    )
    idp.confirm_sign_up(ClientId=client_id, Username=email, ConfirmationCode=code_of(outbox_to(localcloud, email)[0]))
    new_password = "Another-Horse-43"

    delivery = idp.forgot_password(ClientId=client_id, Username=email)["CodeDeliveryDetails"]
    code = code_of(outbox_to(localcloud, email)[-1])

    assert delivery["DeliveryMedium"] == "EMAIL"
    assert error_code(
        lambda: idp.confirm_forgot_password(
            ClientId=client_id, Username=email, ConfirmationCode=wrong(code), Password=new_password
        )
    ) == ("CodeMismatchException")
    idp.confirm_forgot_password(ClientId=client_id, Username=email, ConfirmationCode=code, Password=new_password)
    idp.initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": email, "PASSWORD": new_password},
    )


def test_the_demo_seed_confirms_its_user_with_the_emailed_code_and_says_where_codes_arrive(localcloud):
    seed_demo = runpy.run_path(str(ROOT / "scripts" / "seed_demo.py"))

    message = seed_demo["seed"](localcloud.endpoints)

    console = localcloud.endpoints["console"]
    assert f"{console}/outbox" in message
    assert "python -m localcloud outbox" in message
    user = localcloud.aws("cognito-idp").admin_get_user(
        UserPoolId=localcloud.endpoints["cognito"]["userPoolId"], Username=seed_demo["EMAIL"]
    )
    assert user["UserStatus"] == "CONFIRMED"
    assert {"Name": "email_verified", "Value": "true"} in user["UserAttributes"]
