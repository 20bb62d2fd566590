"""ReadTodosFunction: GET /todos and GET /todos/{todoId}."""

from __future__ import annotations

from todos.handlers import http

app = http.make_resolver()


@app.get("/todos")
def list_todos():
    page = http.service().list(
        http.owner(app),
        limit=http.parse_limit(http.query_value(app, "limit")),
        cursor=http.query_value(app, "cursor"),
        done=http.parse_done(http.query_value(app, "done")),
    )
    return http.json_response(200, page)


@app.get("/todos/<todoId>")
def get_todo(todoId: str):
    return http.item_response(http.service().get(http.owner(app), todoId))


@http.logger.inject_lambda_context(clear_state=True)
def handler(event, context):
    return app.resolve(event, context)
