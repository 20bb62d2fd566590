"""The Lambda@Edge preview guard in process: who gets a draft, and the pure-Python RS256 it verifies with."""

from __future__ import annotations

import base64
import copy
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.blog.conftest import sample

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "services" / "blog" / "edge"))
from preview_guard import guard, rs256

ISSUER = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Guard"
CLIENT = "guardclient"


def _b64(number: int) -> str:
    raw = number.to_bytes((number.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def jwk(key, kid: str) -> dict:
    numbers = key.public_key().public_numbers()
    return {"kty": "RSA", "alg": "RS256", "use": "sig", "kid": kid, "n": _b64(numbers.n), "e": _b64(numbers.e)}


POOL_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
KEYS = {"pool": jwk(POOL_KEY, "pool")}


@pytest.fixture(autouse=True)
def configured(monkeypatch):
    config = SimpleNamespace(ISSUER=ISSUER, CLIENT_ID=CLIENT, JWKS_URL="https://unused.example", ADMIN_GROUP="admins")
    monkeypatch.setattr(guard, "edge_config", config)
    monkeypatch.setattr(guard, "_jwks", KEYS.get)


def token(groups=("admins",), *, key=POOL_KEY, kid="pool", alg="RS256", **overrides) -> str:
    now = int(time.time())
    claims = {"sub": "u-1", "iss": ISSUER, "aud": CLIENT, "token_use": "id", "iat": now, "exp": now + 3600,
              "cognito:groups": list(groups), **overrides}  # fmt: skip
    return jwt.encode(claims, key, algorithm=alg, headers={"kid": kid})


def request_with(headers: dict, uri: str = "/preview/hello-world/") -> dict:
    event = copy.deepcopy(sample("preview-guard.json"))
    cf_request = event["Records"][0]["cf"]["request"]
    cf_request["uri"] = uri
    cf_request["headers"] = {"host": cf_request["headers"]["host"], **headers}
    return event


def authorization(value: str) -> dict:
    return {"authorization": [{"key": "Authorization", "value": value}]}


def cookie(value: str) -> dict:
    return {"cookie": [{"key": "Cookie", "value": value}]}


@pytest.mark.parametrize(
    ("headers", "uri"),
    [
        (authorization(f"Bearer {token()}"), "/preview/hello-world/index.html"),
        (authorization(token(("users", "admins"))), "/preview/hello-world/index.html"),
        (cookie(f"theme=dark; id_token={token()}"), "/preview/hello-world/index.html"),
    ],
)
def test_an_admin_passes_and_the_pretty_path_maps_to_the_object(headers, uri):
    result = guard.handler(request_with(headers), None)
    assert result.get("status") is None and result["uri"] == uri


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({}, "401"),
        (authorization(token(("users",))), "403"),
        (authorization(token(())), "403"),
        (authorization(token(key=OTHER_KEY)), "401"),  # forged: signed with another key under the pool's kid
        (authorization(token()[:-4] + "AAAA"), "401"),  # tampered signature
        (authorization(token(exp=int(time.time()) - 5)), "401"),  # expired
        (authorization(token(aud="another-client")), "401"),
        (authorization(token(iss="https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Evil")), "401"),
        (authorization(token(token_use="access")), "401"),
        (authorization(token(kid="unknown")), "401"),
        (authorization(token(alg="HS256", key="k" * 32)), "401"),
        (authorization(jwt.encode({"sub": "x", "cognito:groups": ["admins"]}, None, algorithm="none")), "401"),
        (cookie("id_token="), "401"),
        (authorization("Bearer not.a.jwt"), "401"),
    ],
)
def test_everyone_else_is_refused_and_nothing_is_cached(headers, status):
    result = guard.handler(request_with(headers), None)
    assert result["status"] == status
    assert result["headers"]["cache-control"] == [{"key": "Cache-Control", "value": "no-store"}]


def test_without_its_generated_config_the_guard_fails_closed(monkeypatch):
    monkeypatch.setattr(guard, "edge_config", None)
    assert guard.handler(request_with(authorization(token())), None)["status"] == "503"


def test_the_sample_event_is_refused_its_sample_token_is_not_signed():
    assert guard.handler(sample("preview-guard.json"), None)["status"] == "401"


def test_rs256_agrees_with_cryptography_and_refuses_weak_keys():
    algorithm = rs256.RS256()
    key = algorithm.prepare_key(KEYS["pool"])
    message = b"header.payload"
    signature = jwt.algorithms.RSAAlgorithm(jwt.algorithms.RSAAlgorithm.SHA256).sign(message, POOL_KEY)
    assert algorithm.verify(message, key, signature)
    assert not algorithm.verify(message + b"x", key, signature)
    assert not algorithm.verify(message, key, signature[:-1])
    assert not algorithm.verify(message, algorithm.prepare_key(jwk(OTHER_KEY, "o")), signature)
    weak = rsa.generate_private_key(public_exponent=65537, key_size=1024)  # noqa: S505 (the weak key the guard must refuse)
    with pytest.raises(ValueError, match="too weak"):
        algorithm.prepare_key(jwk(weak, "weak"))
    assert "none" not in rs256.signature_checker().get_algorithms()
