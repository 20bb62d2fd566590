"""Demo data for `make dev SEED=1`: a user in the app's pool and a few to-dos created through the API.

The user signs up as an app would: the verification code is read from the outbox, where localcloud
delivers Cognito's emails, and confirms the sign-up (so the email is verified and password resets work).
Run by `python -m localcloud up --seed scripts/seed_demo.py`; `seed(endpoints)` returns what to print.
State survives restarts, so seeding again finds the user and its to-dos there and only signs in.
"""

from __future__ import annotations

import re

import boto3
import requests

EMAIL = "demo@example.com"
PASSWORD = "Demo-Password-2026"  # noqa: S105 - local demo user, printed to the developer
TODOS = [
    {"title": "Try the MyTodoList API", "notes": "GET /todos with the IdToken below"},
    {"title": "Upload a file to my folder", "notes": "private/<identity id>/ in the files bucket"},
    {"title": "Read the dev console", "due": "2026-12-31"},
]


def seed(endpoints: dict) -> str:
    cognito = endpoints["cognito"]
    idp = boto3.client(
        "cognito-idp",
        endpoint_url=endpoints["aws"],
        region_name=endpoints["region"],
        aws_access_key_id="testing",
        aws_secret_access_key="testing",  # noqa: S106 - localcloud fake credentials
    )
    try:
        idp.sign_up(
            ClientId=cognito["clientId"],
            Username=EMAIL,
            Password=PASSWORD,
            UserAttributes=[{"Name": "email", "Value": EMAIL}],
        )
    except idp.exceptions.UsernameExistsException:
        pass  # kept from an earlier run
    else:
        code = _emailed_code(endpoints)
        idp.confirm_sign_up(ClientId=cognito["clientId"], Username=EMAIL, ConfirmationCode=code)
        idp.admin_add_user_to_group(UserPoolId=cognito["userPoolId"], Username=EMAIL, GroupName="users")
    tokens = idp.initiate_auth(
        ClientId=cognito["clientId"],
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": EMAIL, "PASSWORD": PASSWORD},
    )["AuthenticationResult"]
    api = endpoints["apis"]["Todos/TodosApi"]
    headers = {"Authorization": tokens["IdToken"]}
    existing = requests.get(f"{api}/todos", headers=headers, timeout=30)
    existing.raise_for_status()
    if not existing.json()["items"]:
        for todo in TODOS:
            requests.post(f"{api}/todos", json=todo, headers=headers, timeout=30).raise_for_status()
    return (
        blog_message(endpoints)
        + "\n"
        + (
            f"seeded: user {EMAIL} / {PASSWORD} with {len(TODOS)} to-dos (sign in with USER_PASSWORD_AUTH on client "
            f"{cognito['clientId']}); an IdToken valid for an hour:\n"
            f"  export TOKEN={tokens['IdToken']}\n"
            f'  curl -H "Authorization: $TOKEN" {api}/todos\n'
            "Cognito's emails (sign-up codes, password resets, invitations) arrive in the SES outbox:\n"
            f"  {endpoints['console']}/outbox   (JSON: {endpoints['console']}/api/outbox)\n"
            "  .venv/bin/python -m localcloud outbox"
        )
    )


def blog_message(endpoints: dict) -> str:
    """The blog's demo posts (scripts/seed_blog.py), when the template has the blog."""
    if "Blog/Cdn" not in endpoints.get("cdn", {}):
        return ""
    import runpy
    from pathlib import Path

    return runpy.run_path(str(Path(__file__).with_name("seed_blog.py")))["seed"](endpoints)


def _emailed_code(endpoints: dict) -> str:
    """The code of the newest verification email to the demo user, from the console's outbox."""
    outbox = requests.get(f"{endpoints['console']}/api/outbox", timeout=30)
    outbox.raise_for_status()
    mail = [m for m in outbox.json() if EMAIL in m["to"]][-1]
    return re.search(r"\b\d{6}\b", mail["text"] or mail["html"] or "").group(0)
