"""The Cognito code store: six-digit codes, Cognito's lifetimes, one live code per purpose, and a
JSON-able snapshot that restores exactly."""

from __future__ import annotations

import json

import pytest

from localcloud.front.cognito_codes import FORGOT_PASSWORD, SIGN_UP, VERIFY_EMAIL, CodeStore
from localcloud.front.identity import CognitoError


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def store(clock):
    return CodeStore(clock=clock)


def error_of(call) -> str:
    with pytest.raises(CognitoError) as excinfo:
        call()
    return excinfo.value.code


def test_a_code_is_six_digits_and_checks_until_discarded(store):
    code = store.issue("pool", "ann", SIGN_UP)
    assert len(code) == 6 and code.isdigit()
    store.check("pool", "ann", SIGN_UP, code)
    store.check("pool", "ann", SIGN_UP, code)  # checking does not use it up
    store.discard("pool", "ann", SIGN_UP)
    assert error_of(lambda: store.check("pool", "ann", SIGN_UP, code)) == "CodeMismatchException"


def test_wrong_missing_and_other_purpose_codes_mismatch(store):
    code = store.issue("pool", "ann", SIGN_UP)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    assert error_of(lambda: store.check("pool", "ann", SIGN_UP, wrong)) == "CodeMismatchException"
    assert error_of(lambda: store.check("pool", "ann", SIGN_UP, None)) == "CodeMismatchException"
    assert error_of(lambda: store.check("pool", "ann", FORGOT_PASSWORD, code)) == "CodeMismatchException"
    assert error_of(lambda: store.check("pool", "bob", SIGN_UP, code)) == "CodeMismatchException"
    assert error_of(lambda: store.check("other", "ann", SIGN_UP, code)) == "CodeMismatchException"


@pytest.mark.parametrize(("purpose", "lifetime"), [(SIGN_UP, 86400), (VERIFY_EMAIL, 86400), (FORGOT_PASSWORD, 3600)])
def test_codes_expire_after_cognitos_lifetimes(store, clock, purpose, lifetime):
    code = store.issue("pool", "ann", purpose)
    clock.now += lifetime - 1
    store.check("pool", "ann", purpose, code)
    clock.now += 1
    assert error_of(lambda: store.check("pool", "ann", purpose, code)) == "ExpiredCodeException"


def test_a_new_code_replaces_the_old_one(store):
    first = store.issue("pool", "ann", SIGN_UP)
    second = store.issue("pool", "ann", SIGN_UP)
    while second == first:
        second = store.issue("pool", "ann", SIGN_UP)
    store.check("pool", "ann", SIGN_UP, second)
    assert error_of(lambda: store.check("pool", "ann", SIGN_UP, first)) == "CodeMismatchException"


def test_snapshot_is_json_and_restores_codes_and_their_expiry(store, clock):
    live = store.issue("pool", "ann", SIGN_UP)
    short = store.issue("pool", "bob", FORGOT_PASSWORD)
    saved = json.loads(json.dumps(store.snapshot()))

    restored = CodeStore(clock=clock)
    restored.restore(saved)
    clock.now += 3600

    restored.check("pool", "ann", SIGN_UP, live)
    assert error_of(lambda: restored.check("pool", "bob", FORGOT_PASSWORD, short)) == "ExpiredCodeException"
    assert restored.snapshot() == saved


def test_reset_forgets_everything(store):
    code = store.issue("pool", "ann", SIGN_UP)
    store.reset()
    assert not store.has("pool", "ann", SIGN_UP)
    assert store.snapshot()["codes"] == []
    assert error_of(lambda: store.check("pool", "ann", SIGN_UP, code)) == "CodeMismatchException"


def entry(**changes) -> dict:
    return {"pool_id": "p", "username": "u", "purpose": SIGN_UP, "code": "1", "issued_at": 0, "expires_at": 1} | changes


@pytest.mark.parametrize(
    "snapshot",
    [
        None,
        {},
        {"version": 2, "codes": []},
        {"version": 1, "codes": [{"pool_id": "p"}]},
        {"version": 1, "codes": [entry(purpose="sms")]},
        {"version": 1, "codes": [entry(issued_at="soon")]},
    ],
)
def test_a_bad_snapshot_is_refused_and_keeps_the_current_codes(store, snapshot):
    code = store.issue("pool", "ann", SIGN_UP)
    with pytest.raises(ValueError):
        store.restore(snapshot)
    store.check("pool", "ann", SIGN_UP, code)
