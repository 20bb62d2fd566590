"""ApiFunction: POST /subscribers, GET /subscribers/unsubscribe (a page), POST /subscribers/unsubscribe
(RFC 8058 one-click). Public routes: the token in the link is the only credential.

POST /subscribers takes JSON (202 and a JSON message) or the blog home page's plain form, urlencoded
`email` (200 and a small page that says the same): the form needs no script, through the blog's domain."""

from __future__ import annotations

from urllib.parse import parse_qs, quote

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from common.errors import BadRequest, PayloadTooLarge
from common.http import body_bytes, header, json_response, parse_json_body, query_value, register_error_handlers
from common.observability import logger as make_logger

from subscribers import wiring
from subscribers.config import load_settings
from subscribers.logic import pages

SETTINGS = load_settings(needs=("TOKEN_KEY_SECRET",))
logger = make_logger(SETTINGS.service_name)
app = APIGatewayRestResolver()
register_error_handlers(app, logger)

MAX_BODY_BYTES = 2048
ACCEPTED = {"message": "Thank you. If this address is new here, a welcome email is on its way."}
NO_STORE = {"Cache-Control": "no-store"}
FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"


def html_response(status: int, body: str) -> Response:
    return Response(status_code=status, content_type="text/html; charset=utf-8", body=body, headers=NO_STORE)


def _form() -> dict[str, list[str]]:
    """The urlencoded body's fields; 413 past MAX_BODY_BYTES."""
    raw = body_bytes(app.current_event.body, is_base64=bool(app.current_event.is_base64_encoded))
    if len(raw) > MAX_BODY_BYTES:
        raise PayloadTooLarge(f"request body is {len(raw)} bytes; the limit is {MAX_BODY_BYTES}")
    return parse_qs(raw.decode("utf-8", "replace"))


def _is_form(content_type: str | None) -> bool:
    return (content_type or "").split(";", 1)[0].strip().lower() == FORM_CONTENT_TYPE


def _one_click() -> None:
    """The body RFC 8058 prescribes, `List-Unsubscribe=One-Click`, form-encoded; 400 otherwise."""
    form = _form()
    if form.get("List-Unsubscribe") != ["One-Click"]:
        raise BadRequest("the body must be List-Unsubscribe=One-Click", code="InvalidBody")


def _subscribe_form() -> Response:
    """The home page's form (one value a field, the last one given): a reader sees a page either way, the
    address's problem on it rather than a JSON error (a 413 still is one: no form of ours is that big)."""
    fields = {name: values[-1] for name, values in _form().items()}
    try:
        wiring.subscriptions(SETTINGS).subscribe(fields)
    except BadRequest as exc:
        return html_response(400, pages.not_subscribed(exc.message))
    return html_response(200, pages.subscribed(ACCEPTED["message"]))


@app.post("/subscribers")
def subscribe():
    event, content_type = app.current_event, header(app, "Content-Type")
    if _is_form(content_type):
        return _subscribe_form()
    body = parse_json_body(
        event.body, is_base64=bool(event.is_base64_encoded), content_type=content_type, max_bytes=MAX_BODY_BYTES
    )
    wiring.subscriptions(SETTINGS).subscribe(body)
    return json_response(202, ACCEPTED, NO_STORE)


@app.get("/subscribers/unsubscribe")
def unsubscribe_page():
    given = set((app.current_event.multi_value_query_string_parameters or {}).get("token") or [])
    token = given.pop() if len(given) == 1 else None  # a reader's page, so even an ambiguous query gets one
    if wiring.tokens(SETTINGS).subscriber_of(token) is None:
        return html_response(400, pages.invalid_link())
    return html_response(200, pages.confirm(f"unsubscribe?token={quote(str(token))}"))


@app.post("/subscribers/unsubscribe")
def unsubscribe():
    token = query_value(app, "token")
    _one_click()
    wiring.subscriptions(SETTINGS).unsubscribe(token)
    return html_response(200, pages.done())


@logger.inject_lambda_context(clear_state=True)
def handler(event, context):
    return app.resolve(event, context)
