"""`requestTime` is formatted once per second and reads the same as a fresh strftime of the time."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from localcloud.gateway.events import request_time


@pytest.mark.parametrize("now", [0.0, 0.999999, 1.0, -0.5, 1700000000.0, 1700000000.5, 1700000001.25, 4102444799.9])
def test_request_time_matches_strftime(now):
    expected = datetime.fromtimestamp(now, UTC).strftime("%d/%b/%Y:%H:%M:%S +0000")
    assert request_time(now) == expected
    assert request_time(now) == expected  # the cached answer too
