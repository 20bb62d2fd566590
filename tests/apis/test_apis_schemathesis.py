"""Every API's openapi.yaml, fuzzed by schemathesis against the live API on a started localcloud.

schemathesis draws cases from each `services/*/openapi.yaml` (valid ones and ones that break the schema,
over every operation) and sends them, with an admin's Cognito token, to the API localcloud serves for it.
Each answer goes through schemathesis's own checks: not a 5xx, a documented status, a documented content
type, a body its schema accepts. Failures are counted, not stopped at, so a run prints, per API, its
cases, server errors and contract breaks, and then fails if either is not 0.

`make test` draws SCHEMATHESIS_CASES (default below) cases per API from fixed seeds; `make fuzz` raises it
(500 by default there) and draws new cases each run.
"""

from __future__ import annotations

import os
import time
from collections import Counter

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import Failure, FailureGroup, ServerError
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.support.openapi import discover

pytestmark = pytest.mark.localcloud

DEFAULT_CASES = 100  # per API, for `make test`
CASES = int(os.environ.get("SCHEMATHESIS_CASES", DEFAULT_CASES))
RANDOM = "SCHEMATHESIS_CASES" in os.environ  # a larger run explores new inputs each time; `make test` repeats itself
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
# The stages throttle (media: 10 requests a second, burst 20): a 429 is checked like any answer, then the
# case goes again after a pause, so the fuzz explores the function rather than the throttle.
THROTTLE_RETRIES, THROTTLE_PAUSE = 40, 0.1
APIS = discover()


def failures_of(error: BaseException) -> list[Failure]:
    """The check failures one answer raised: schemathesis groups them when several checks fail at once."""
    return list(error.exceptions) if isinstance(error, FailureGroup) else [error]


@pytest.fixture(scope="module")
def cloud(localcloud_session):
    """The session's localcloud; what the fuzzing wrote is wiped when the module ends."""
    yield localcloud_session
    localcloud_session.reset()


@pytest.mark.timeout(120 + CASES)
@pytest.mark.parametrize("api", APIS, ids=[api.service for api in APIS])
def test_schemathesis_finds_no_server_error_and_no_answer_outside_the_schema(cloud, api):
    schema = schemathesis.openapi.from_path(api.spec.path)
    base = cloud.api_url(api.address)
    auth = {"Authorization": cloud.admin_token(f"schemathesis-{api.service}")}
    session = requests.Session()
    statuses: Counter = Counter()  # one count per request, a throttled case's retries included
    drawn = []
    found: dict[str, list[str]] = {"server errors": [], "schema breaks": []}
    cases = st.one_of(
        schema.as_strategy(schemathesis.GenerationMode.POSITIVE),
        schema.as_strategy(schemathesis.GenerationMode.NEGATIVE),
    )

    @settings(
        max_examples=CASES,
        deadline=None,
        database=None,
        derandomize=not RANDOM,
        suppress_health_check=list(HealthCheck),
    )
    @given(cases)
    def fuzz(case):
        drawn.append(case)
        for _ in range(THROTTLE_RETRIES):
            response = case.call(base_url=base, session=session, headers=auth, timeout=60)
            statuses[response.status_code] += 1
            try:
                case.validate_response(response, checks=CHECKS, headers=auth)
            except (Failure, FailureGroup) as error:
                for failure in failures_of(error):
                    kind = "server errors" if isinstance(failure, ServerError) else "schema breaks"
                    found[kind].append(f"{case.method} {case.formatted_path}: {failure.title}: {failure.message}")
            if response.status_code != 429:
                return
            time.sleep(THROTTLE_PAUSE)

    started = time.monotonic()
    fuzz()
    print(
        f"\nschemathesis {api.service}: {len(drawn)} cases ({sum(statuses.values())} requests) "
        f"in {time.monotonic() - started:.1f} s, "
        f"{len(found['server errors'])} server errors, {len(found['schema breaks'])} schema breaks, "
        f"statuses {dict(sorted(statuses.items()))}"
    )
    assert len(drawn) >= CASES
    for kind, messages in found.items():
        assert not messages, f"{api.service}: {len(messages)} {kind}:\n" + "\n".join(sorted(set(messages))[:20])
