"""Calling a WSGI app in process and collecting its whole answer (moto's app, the AWS front)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def call_wsgi(app: Callable, environ: dict[str, Any]) -> tuple[str, list[tuple[str, str]], bytes]:
    """(status line, headers, body) of one request."""
    captured: list[Any] = []
    chunks = app(environ, lambda status, headers, exc_info=None: captured.extend([status, headers]))
    try:
        body = b"".join(chunks)
    finally:
        if hasattr(chunks, "close"):
            chunks.close()
    status, headers = captured
    return status, list(headers), body
