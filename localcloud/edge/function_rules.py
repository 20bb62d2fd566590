"""What CloudFront lets an edge function see and change, shared by CloudFront Functions and Lambda@Edge.

Both kinds of function are shown the same headers and held to the same rules when CloudFront turns their
result back into a request or a response ("Restrictions on all edge functions" in CloudFront's developer
guide):

- *Disallowed* headers (Connection, Upgrade, X-Amz-Cf-*, X-Edge-*, ...) are never shown to a function, and
  a function that adds one fails validation. They still travel with the request: the function's result
  gets them back unchanged (`keep_hidden`).
- *Read-only* headers (Host and Via in a viewer request, Via and Warning in a viewer response, ...) are
  shown, but adding, changing or deleting one fails validation.
- A URI must start with "/", and URI plus query string stays under 8,192 characters; a query string a
  function writes has no spaces, control characters or "#".

A result that breaks a rule is a validation error: CloudFront answers 502 (Bad Gateway). An exception,
a timeout or a memory overrun inside the function is an execution error: 503 ("HTTP 503 status code
(Service Unavailable)", "Lambda@Edge or CloudFront Function execution error"). `EdgeFunctionError` carries
that status for the pipeline to answer with.

This module is a leaf: it imports nothing from its siblings but the shared model.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterable
from http import HTTPStatus

from localcloud.edge.model import Headers

VALIDATION = 502  # the result broke a rule: "fails validation ... 502 (Bad Gateway)"
EXECUTION = 503  # the function threw, timed out, ran out of memory or was throttled

# "Restrictions on all edge functions" > "Disallowed headers".
DISALLOWED = frozenset(
    {
        "connection",
        "expect",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "proxy-connection",
        "trailer",
        "upgrade",
        "x-accel-buffering",
        "x-accel-charset",
        "x-accel-limit-rate",
        "x-accel-redirect",
        "x-amzn-auth",
        "x-amzn-cf-billing",
        "x-amzn-cf-id",
        "x-amzn-cf-xff",
        "x-amzn-errortype",
        "x-amzn-fle-profile",
        "x-amzn-header-count",
        "x-amzn-header-order",
        "x-amzn-lambda-integration-tag",
        "x-amzn-requestid",
        "x-cache",
        "x-forwarded-proto",
        "x-real-ip",
    }
)
DISALLOWED_PREFIXES = ("x-amz-cf-", "x-edge-")

# "Restrictions on all edge functions" > "Read-only headers", by event type. Lambda@Edge's viewer
# response adds three of its own (LAMBDA_VIEWER_RESPONSE_READ_ONLY).
READ_ONLY = {
    "viewer-request": frozenset({"cdn-loop", "content-length", "host", "transfer-encoding", "via"}),
    "origin-request": frozenset(
        {
            "accept-encoding",
            "cdn-loop",
            "content-length",
            "if-modified-since",
            "if-none-match",
            "if-range",
            "if-unmodified-since",
            "transfer-encoding",
            "via",
        }
    ),
    "origin-response": frozenset({"transfer-encoding", "via"}),
    "viewer-response": frozenset({"warning", "via"}),
}
LAMBDA_VIEWER_RESPONSE_READ_ONLY = frozenset({"content-length", "content-encoding", "transfer-encoding"})

MAX_URL = 8192  # "The total size of the URI, including the query string, must be less than 8,192 characters"

_TOKEN = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")  # RFC 9110 field-name
_BAD_VALUE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")  # CR, LF, NUL and other controls (tab is fine)
_BAD_QUERY = re.compile(r"[\x00-\x20\x7f#]")


class EdgeFunctionError(Exception):
    """An edge function failed; `status` is what CloudFront answers the viewer (502 or 503)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class FunctionError(EdgeFunctionError):
    """A CloudFront Function failed on a request: 503 when it threw or ran out of time or memory, 502 when
    its result was invalid. The pipeline answers the viewer with `status`."""

    def __init__(self, message: str, status: int = EXECUTION) -> None:
        super().__init__(status, message)


def invalid(message: str) -> EdgeFunctionError:
    return EdgeFunctionError(VALIDATION, message)


def is_disallowed(name: str) -> bool:
    lowered = name.lower()
    return lowered in DISALLOWED or lowered.startswith(DISALLOWED_PREFIXES)


def exposed(headers: Headers) -> Headers:
    """The headers a function is shown: all but the disallowed ones."""
    return [(k, v) for k, v in headers if not is_disallowed(k)]


def keep_hidden(original: Headers, result: Headers) -> Headers:
    """The function's headers plus the disallowed ones it never saw, which it cannot have removed."""
    return [*result, *((k, v) for k, v in original if is_disallowed(k))]


def title_case(name: str) -> str:
    """`example-header-name` -> `Example-Header-Name`, as CloudFront writes a header a function added."""
    return "-".join(part[:1].upper() + part[1:] for part in name.split("-"))


def check_header(name: str, value: object) -> str:
    if not isinstance(name, str) or not _TOKEN.match(name):
        raise invalid(f"invalid header name {name!r}")
    if not isinstance(value, str):
        raise invalid(f"header {name} has a value that is not a string: {value!r}")
    if _BAD_VALUE.search(value):
        raise invalid(f"header {name} has a control character in its value")
    if is_disallowed(name):
        raise invalid(f"the function added the disallowed header {name}")
    return value


def check_read_only(read_only: Iterable[str], before: Headers, after: Headers) -> None:
    """Fail validation when a read-only header was added, changed or deleted."""
    for name in read_only:
        was = [v for k, v in before if k.lower() == name]
        now = [v for k, v in after if k.lower() == name]
        if was != now:
            action = "added" if not was else "deleted" if not now else "changed"
            raise invalid(f"the function {action} the read-only header {title_case(name)}")


def check_uri(uri: object, querystring: str) -> str:
    if not isinstance(uri, str) or not uri.startswith("/"):
        raise invalid(f"the uri must be a string starting with '/': {uri!r}")
    if _BAD_VALUE.search(uri) or " " in uri:
        raise invalid("the uri has a space or a control character")
    if _BAD_QUERY.search(querystring):
        raise invalid("the query string has a space, a control character or '#'")
    if len(uri) + len(querystring) + 1 >= MAX_URL:
        raise invalid(f"the URI and query string are {MAX_URL} characters or more")
    return uri


def check_status(status: object) -> int:
    """200-599, as an int or a string of digits ("Generating HTTP responses in request triggers")."""
    if isinstance(status, bool):
        raise invalid(f"invalid status {status!r}")
    try:
        code = int(status)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        raise invalid(f"invalid status {status!r}") from None
    if not 200 <= code <= 599:
        raise invalid(f"the status {code} is not between 200 and 599")
    return code


def phrase(status: int) -> str:
    """The reason phrase events show as statusDescription ("" for a code without one)."""
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def decode_body(data: str, encoding: str) -> bytes:
    """A body a function returned as text or base64; "not valid base64 ... CloudFront returns an error"."""
    if encoding == "text":
        return data.encode()
    if encoding != "base64":
        raise invalid(f"a body's encoding must be text or base64, not {encoding!r}")
    try:
        return base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        raise invalid("the body is marked base64 but is not valid base64") from None
