"""A TOKEN Lambda authorizer end to end: "allow" reaches the function with the authorizer's principalId and
context, "deny" gets 403, an unknown token 401 (the authorizer said Unauthorized), no header 401 without
calling the authorizer. Policies are cached by token for the authorizer's TTL."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests

from tests.support.localcloud import LocalCloudProcess, localcloud_on

TEMPLATE = Path(__file__).parent / "templates" / "lambda_authorizer" / "template.yaml"


@pytest.fixture(scope="module")
def cloud(tmp_path_factory):
    yield from localcloud_on(tmp_path_factory, TEMPLATE, "lambda-authorizer")


@pytest.fixture
def api(cloud):
    yield cloud
    cloud.reset()


def get(cloud: LocalCloudProcess, path: str, token: str | None) -> requests.Response:
    headers = {"Authorization": token} if token is not None else {}
    return cloud.http.get(cloud.api_url("Api") + path, headers=headers, timeout=30)


def function_logs(cloud: LocalCloudProcess, function: str) -> list[dict]:
    response = cloud.http.get(f"{cloud.base}/_local/api/logs/{function}", timeout=30)
    response.raise_for_status()
    return response.json()


def authorizer_calls(cloud: LocalCloudProcess) -> list[str]:
    return [entry["line"] for entry in function_logs(cloud, "Authorizer") if "authorizing" in entry.get("line", "")]


def test_allowed_token_reaches_the_function_with_principal_and_context(api):
    response = get(api, "/whoami", "allow")
    assert response.status_code == 200, response.text
    authorizer = response.json()
    assert authorizer["principalId"] == "user-allow"
    assert authorizer["tier"] == "gold"
    assert authorizer["quota"] == "3"  # context values reach the integration as strings
    assert function_logs(api, "Whoami"), "the function ran, so its logs are not empty"


@pytest.mark.parametrize(
    ("token", "status", "message"),
    [
        ("deny", 403, "User is not authorized to access this resource with an explicit deny"),
        ("forged", 401, "Unauthorized"),
        (None, 401, "Unauthorized"),
    ],
)
def test_refused_requests_never_reach_the_function(api, token, status, message):
    response = get(api, "/whoami", token)
    assert response.status_code == status
    assert response.json() == {"message": message}
    assert function_logs(api, "Whoami") == []


def test_no_header_does_not_call_the_authorizer(api):
    assert get(api, "/whoami", None).status_code == 401
    assert authorizer_calls(api) == []


def test_the_policy_is_cached_by_token_across_methods(api):
    assert get(api, "/whoami", "allow").status_code == 200
    assert get(api, "/other", "allow").status_code == 200
    assert get(api, "/whoami", "deny").status_code == 403
    assert get(api, "/other", "deny").status_code == 403
    calls = authorizer_calls(api)
    assert len(calls) == 2 and "authorizing allow" in calls[0] and "authorizing deny" in calls[1], calls
