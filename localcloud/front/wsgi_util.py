"""Small WSGI pieces the front's modules share: a body read once and kept, answers from tuples."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl

from localcloud.front import errors
from localcloud.front.identity import Session


def read_body(environ: dict) -> bytes:
    """The request body, read once and put back so moto can read it again."""
    cached = environ.get("localcloud.body")
    if cached is not None:
        return cached
    stream = environ.get("wsgi.input")
    length = environ.get("CONTENT_LENGTH")
    if stream is None:
        body = b""
    elif length:
        body = stream.read(int(length))
    elif environ.get("wsgi.input_terminated"):
        body = stream.read()
    else:
        body = b""
    environ["wsgi.input"] = io.BytesIO(body)
    environ["localcloud.body"] = body
    return body


def request_params(environ: dict, protocol: str) -> dict[str, Any]:
    """The query string's parameters, then the form's (query protocol) or the JSON body's top-level fields."""
    params: dict[str, Any] = dict(parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True))
    if environ.get("REQUEST_METHOD") in ("GET", "HEAD", "DELETE") and not environ.get("CONTENT_LENGTH"):
        return params
    body = read_body(environ)
    if protocol == "query":
        params.update(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
    elif body:
        try:
            parsed = json.loads(body)
        except (json.JSONDecodeError, UnicodeDecodeError):
            parsed = None
        if isinstance(parsed, dict):
            params.update(parsed)
    return params


def respond(start_response: Callable, response: errors.Response) -> list[bytes]:
    status, headers, body = response
    start_response(status, headers)
    return [body]


def denied_message(session: Session, action: str, resource: str, reason: str) -> str:
    return f'User: {session.arn} is not authorized to perform: {action} on resource: "{resource}" because {reason}'
