"""End to end: LocalCloud provisions a template, the gateway serves it over HTTP to a real worker."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests

TEMPLATE = Path(__file__).parent / "templates" / "gateway_e2e.yaml"


@pytest.fixture(scope="module")
def cloud():
    from localcloud.runtime import LocalCloud

    lc = LocalCloud(TEMPLATE).start()
    yield lc
    lc.stop()


def test_cognito_protected_route_through_the_runtime(cloud):
    (base,) = cloud.gateway.base_urls(cloud.http_url).values()
    assert requests.get(f"{base}/things/1", timeout=10).status_code == 401
    idp = cloud.aws("cognito-idp")
    pool_id = cloud.deployment.find("", "Pool").ref
    client_id = cloud.deployment.find("", "PoolClient").ref
    idp.admin_create_user(UserPoolId=pool_id, Username="erin")
    idp.admin_set_user_password(UserPoolId=pool_id, Username="erin", Password="Passw0rd!long", Permanent=True)
    token = idp.initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "erin", "PASSWORD": "Passw0rd!long"},
    )["AuthenticationResult"]["IdToken"]
    resp = requests.get(f"{base}/things/42", headers={"Authorization": token}, timeout=30)
    assert resp.status_code == 200, resp.text
    assert resp.json() == {"user": "erin", "path": "/things/42", "id": "42"}
