"""Every route of every API, fuzzed through localcloud over HTTP with a real Cognito token.

The property: whatever arrives (valid, hostile, or a mix), the answer is never a 5xx, and its status,
headers and body are ones the service's openapi.yaml declares for the operation. APIs come from
`services/*/openapi.yaml` (tests/support/openapi.discover), so a new service is fuzzed as soon as it
publishes one. Each operation gets a fixed sweep (each hostile value once in each place) and then
FUZZ_EXAMPLES hypothesis examples. Writes run after creates and deletes last, and ids seen in answers
are reused, so updates reach real items.

Bounded for `make test`: for todos, 504 cases (324 in the sweeps, 30 examples for each of 6 operations)
in 14 s on the shared 2-core machine once localcloud is up; schemathesis (test_apis_schemathesis.py)
draws its own cases from the same documents, so this module's examples stay few. `make fuzz` raises
FUZZ_EXAMPLES (1000 by default there) and draws new examples each run; `make test` draws the same ones.
"""

from __future__ import annotations

import os
import re
import time
from collections import Counter

import pytest
import requests
from hypothesis import HealthCheck, given, settings

from tests.support.fuzz import Operation, Pool, send
from tests.support.openapi import METHODS, Response, discover

pytestmark = pytest.mark.localcloud

DEFAULT_EXAMPLES = 30  # per operation, on top of the sweep (schemathesis adds its own cases)
# The stages throttle (media: 10 requests a second, burst 20): a 429 is checked against the contract like any
# answer, then the request goes again, so the fuzz explores the function rather than the throttle.
THROTTLE_RETRIES, THROTTLE_PAUSE = 40, 0.1
FUZZ_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", DEFAULT_EXAMPLES))
RANDOM = "FUZZ_EXAMPLES" in os.environ  # a larger run explores new inputs each time; `make test` repeats itself
ORDER = {"post": 0, "get": 1, "put": 2, "patch": 3, "delete": 4}
APIS = discover()


def rank(spec, method: str, route: str) -> int:
    """When an operation runs: by its method, unless it says `x-fuzz-rank` (an action that undoes another,
    such as unpublish, runs after the reads that need the other's effect)."""
    return spec.operation(method, route).get("x-fuzz-rank", ORDER.get(method.lower(), len(METHODS)))


OPERATIONS = [
    pytest.param(api, method, route, id=f"{api.service}:{method} {route}")
    for api in APIS
    for method, route in sorted(api.spec.routes(), key=lambda r: (rank(api.spec, *r), r[1]))
]


@pytest.fixture(scope="module")
def cloud(localcloud_session):
    """The session's localcloud; what the fuzzing wrote is wiped when the module ends."""
    yield localcloud_session
    localcloud_session.reset()


@pytest.fixture(scope="module")
def pools() -> dict[str, Pool]:
    """Per API, the path parameter values seen in answers, shared by its operations in order."""
    return {
        api.service: Pool(
            {p["name"] for m, r in api.spec.routes() for p in api.spec.parameters(m, r) if p["in"] == "path"}
        )
        for api in APIS
    }


def test_every_api_is_discovered():
    assert {api.service for api in APIS} >= {"todos"}
    assert all(api.address.count("/") == 1 for api in APIS)


@pytest.mark.timeout(60 + FUZZ_EXAMPLES // 2)
@pytest.mark.parametrize(("api", "method", "route"), OPERATIONS)
def test_no_input_gets_a_5xx_or_an_answer_outside_the_contract(cloud, pools, api, method, route):
    base = cloud.api_url(api.address)
    token = cloud.admin_token(f"fuzz-{api.service}")
    session = requests.Session()
    pool = pools[api.service]
    operation = Operation(api.spec, method, route, pool)
    statuses: Counter = Counter()

    def check(request) -> None:
        for _ in range(THROTTLE_RETRIES):  # a throttled request is sent again after a pause, as a client would
            response = send(session, base, request, token)
            statuses[response.status] += 1
            assert response.status < 500, f"{request.describe()} → {response}"
            try:
                api.spec.check_route_response(method, route, response, where=request.path)
            except AssertionError as failure:
                raise AssertionError(f"{request.describe()} → {failure}") from None
            if response.status != 429:
                break
            time.sleep(THROTTLE_PAUSE)
        if 200 <= response.status < 300 and response.body:
            pool.harvest(response.json())

    started = time.monotonic()
    for request in operation.sweep():
        check(request)

    @settings(
        max_examples=FUZZ_EXAMPLES,
        deadline=None,
        database=None,
        derandomize=not RANDOM,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
    )
    @given(operation.requests())
    def fuzz(request):
        check(request)

    fuzz()
    cases, seconds = sum(statuses.values()), time.monotonic() - started
    print(
        f"\n{api.service} {method} {route}: {cases} cases in {seconds:.1f} s, statuses {dict(sorted(statuses.items()))}"
    )
    if "x-fuzz-no-success" in api.spec.operation(method, route):  # it says why no generated input can succeed
        return
    assert any(200 <= s < 300 for s in statuses), f"no valid request reached the function: {statuses}"


@pytest.mark.parametrize(("api", "method", "route"), OPERATIONS)
def test_a_url_over_the_front_doors_limit_is_a_documented_414_with_a_json_error(cloud, api, method, route):
    """The front door refuses a request line over 16 KiB before any API is routed; percent-encoding triples
    a character, so a 6 KiB query of non-ASCII text is enough, and every operation must document the answer."""
    path = re.sub(r"\{[^}]+\}", "x", route)
    url = f"{cloud.api_url(api.address)}{path}?q={'é' * 3000}"
    raw = requests.request(method.upper(), url, timeout=10)
    response = Response(raw.status_code, raw.headers, raw.content)
    assert response.status == 414, response
    assert response.json()["code"] == "UriTooLong"
    api.spec.check_route_response(method, route, response, where=path)
