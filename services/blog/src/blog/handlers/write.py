"""WritePostsFunction: the admin routes (Cognito authorizer, then the `admins` group), read-write access."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response
from common.http import caller_claims, expected_version, header, parse_json_body
from common.idempotency import HEADER, parse_key

from blog import schemas
from blog.handlers import rest
from blog.logic.posts import require_admin

app = rest.make_resolver()


def admins_only(app, next_middleware):
    """Every route here is for admins: the authorizer proved who the caller is, the group says what."""
    require_admin(caller_claims(app.current_event.raw_event))
    return next_middleware(app)


app.use(middlewares=[admins_only])


def _body():
    event = app.current_event
    return parse_json_body(
        event.body,
        is_base64=bool(event.is_base64_encoded),
        content_type=header(app, "Content-Type"),
        max_bytes=schemas.MAX_BODY_BYTES,
    )


def _location(slug: str) -> str:
    context = app.current_event.raw_event.get("requestContext") or {}
    base = (context.get("path") or app.current_event.path or "/posts").rstrip("/")
    return f"{base}/{slug}"


@app.post("/posts")
def create_post():
    key = parse_key(header(app, HEADER))
    admin = caller_claims(app.current_event.raw_event)["sub"]
    item = rest.service().create(_body(), admin=admin, idempotency_key=key, lambda_context=app.lambda_context)
    return rest.post_response(item, 201, {"Location": _location(item["slug"])})


@app.get("/admin/posts/<slug>")
def get_any_post(slug: str):
    return rest.post_response(rest.service().get(slug))


@app.put("/posts/<slug>")
def replace_post(slug: str):
    return rest.post_response(rest.service().replace(slug, _body(), expected_version(app)))


@app.patch("/posts/<slug>")
def update_post(slug: str):
    return rest.post_response(rest.service().patch(slug, _body(), expected_version(app)))


@app.delete("/posts/<slug>")
def delete_post(slug: str):
    rest.service().delete(slug, expected_version(app))
    return Response(status_code=204, body=None)


@app.post("/posts/<slug>/publish")
def publish_post(slug: str):
    return rest.post_response(rest.service().publish(slug, expected_version(app)))


@app.post("/posts/<slug>/unpublish")
def unpublish_post(slug: str):
    return rest.post_response(rest.service().unpublish(slug, expected_version(app)))


@rest.logger.inject_lambda_context(clear_state=True)
def handler(event, context):
    return rest.with_cache_control(app.resolve(event, context), public=False)
