"""ReadPostsFunction: the public GET routes (no authorizer), read-only access to the posts table."""

from __future__ import annotations

from common.http import json_response, query_value

from blog.handlers import rest

app = rest.make_resolver()


@app.get("/posts")
def list_posts():
    page = rest.service().list(
        limit=rest.parse_limit(query_value(app, "limit")),
        cursor=query_value(app, "cursor"),
        tag=query_value(app, "tag"),
    )
    return json_response(200, page)


@app.get("/posts/popular")
def popular_posts():
    return json_response(200, rest.service().popular())


@app.get("/posts/<slug>")
def get_post(slug: str):
    return json_response(200, rest.service().get_published(slug))


@rest.logger.inject_lambda_context(clear_state=True)
def handler(event, context):
    return rest.with_cache_control(app.resolve(event, context), public=True)
