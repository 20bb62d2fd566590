"""Stage cache end to end: a GET behind a Cognito authorizer, cached per caller (the Authorization header
is a cache-key parameter) for 1 second. A repeat within the TTL is served without running the function,
another user never sees the first user's body, and after the TTL the function runs again. Then what a
request's `Cache-Control: max-age=0` does, per method setting and caller, on public routes cached for a
minute."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from localcloud.gateway.cache import WARNING
from tests.support.localcloud import LocalCloudProcess, localcloud_on

TEMPLATE = Path(__file__).parent / "templates" / "cache" / "template.yaml"


@pytest.fixture(scope="module")
def cloud(tmp_path_factory):
    yield from localcloud_on(tmp_path_factory, TEMPLATE, "cache")


def me(cloud: LocalCloudProcess, user: str | None) -> requests.Response:
    headers = {"Authorization": cloud.tokens(user)["IdToken"]} if user else {}
    return cloud.http.get(cloud.api_url("Api") + "/me", headers=headers, timeout=30)


def sub_of(cloud: LocalCloudProcess, user: str) -> str:
    attributes = cloud.aws("cognito-idp").get_user(AccessToken=cloud.tokens(user)["AccessToken"])["UserAttributes"]
    return next(a["Value"] for a in attributes if a["Name"] == "sub")


def test_cached_per_caller_for_the_ttl(cloud):
    cloud.tokens("ann"), cloud.tokens("bob")  # sign both up before the clock matters
    first = me(cloud, "ann")
    again = me(cloud, "ann")
    assert first.status_code == again.status_code == 200, first.text
    assert first.json()["sub"] == sub_of(cloud, "ann")
    assert again.json() == first.json(), "a repeat within the TTL must come from the cache"

    other = me(cloud, "bob")
    assert other.status_code == 200
    assert other.json()["sub"] == sub_of(cloud, "bob")
    assert (other.json()["pid"], other.json()["invocation"]) != (first.json()["pid"], first.json()["invocation"])

    deadline = time.monotonic() + 5
    while (later := me(cloud, "ann").json()) == first.json() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert later["sub"] == first.json()["sub"]
    assert later != first.json(), "after the 1 s TTL the function must run again"


def test_the_authorizer_still_guards_cached_responses(cloud):
    assert me(cloud, "ann").status_code == 200
    response = me(cloud, None)
    assert response.status_code == 401
    assert response.json() == {"message": "Unauthorized"}


# ---- Cache-Control: max-age=0 -------------------------------------------------------------------

FRESH = {"Cache-Control": "max-age=0"}


def news(cloud: LocalCloudProcess, path: str, headers: dict | None = None, *, signed: bool = False):
    url = cloud.api_url("Api") + path
    request = AWSRequest(method="GET", url=url, headers=headers or {})
    if signed:  # the admin credentials: the account's root, which may execute-api:InvalidateCache anything
        SigV4Auth(Credentials("testing", "testing"), "execute-api", cloud.endpoints["region"]).add_auth(request)
    return cloud.http.get(url, headers=dict(request.headers), timeout=30)


def test_an_unauthorized_max_age_0_is_ignored_with_a_warning_by_default(cloud):
    first = news(cloud, "/news")
    again = news(cloud, "/news", FRESH)
    assert again.status_code == 200
    assert again.json() == first.json(), "an unsigned caller may not bypass the cache"
    assert again.headers["Warning"] == WARNING
    assert "Warning" not in news(cloud, "/news").headers


def test_an_authorized_max_age_0_refreshes_the_entry_for_everyone(cloud):
    first = news(cloud, "/news")
    fresh = news(cloud, "/news", FRESH, signed=True)
    assert fresh.status_code == 200 and "Warning" not in fresh.headers
    assert fresh.json()["invocation"] != first.json()["invocation"] or fresh.json()["pid"] != first.json()["pid"]
    assert news(cloud, "/news").json() == fresh.json(), "the fresh answer replaces the cached one"


def test_fail_with_403_refuses_an_unauthorized_max_age_0_and_keeps_the_entry(cloud):
    first = news(cloud, "/strict")
    refused = news(cloud, "/strict", FRESH)
    assert refused.status_code == 403
    assert news(cloud, "/strict").json() == first.json()
    assert news(cloud, "/strict", FRESH, signed=True).status_code == 200


def test_succeed_without_response_header_ignores_it_silently(cloud):
    first = news(cloud, "/quiet")
    again = news(cloud, "/quiet", {"Cache-Control": "no-transform, MAX-AGE=0"})
    assert again.json() == first.json() and "Warning" not in again.headers


def test_a_method_that_requires_no_authorization_lets_anyone_refresh(cloud):
    first = news(cloud, "/open")
    fresh = news(cloud, "/open", FRESH)
    assert fresh.json() != first.json() and "Warning" not in fresh.headers
    assert news(cloud, "/open").json() == fresh.json()
    assert news(cloud, "/open", {"Cache-Control": "no-cache"}).json() == fresh.json(), "only max-age=0 counts"


def test_a_cognito_caller_is_never_authorized_to_invalidate(cloud):
    """A user-pool token is no IAM identity: with authorization required (the default), ignored."""
    first = me(cloud, "ann")
    headers = {"Authorization": cloud.tokens("ann")["IdToken"], **FRESH}
    again = cloud.http.get(cloud.api_url("Api") + "/me", headers=headers, timeout=30)
    assert again.json() == first.json() and again.headers["Warning"] == WARNING
