"""The SAM transform needs a region (and nothing else from AWS)."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _region(monkeypatch):
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
