"""The posts API in process (the handlers fed the sample events): behaviour, bad input, who may write,
If-Match, slug clashes, pagination, the tag filter and sanitising."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest


@pytest.fixture
def call(api, clean_table):
    return api


def create(call, title="Hello, World!", **fields):
    reply = call("admin", "POST", "/posts", json_body={"title": title, "body": fields.pop("body", "Text."), **fields})
    assert reply.status == 201, reply.body
    return reply.json()


def test_create_derives_the_slug_and_answers_a_draft_with_its_etag_and_location(call):
    reply = call("admin", "POST", "/posts", json_body={"title": "Héllo, Wörld & more!", "body": "# Why\n\nBecause."})
    assert reply.status == 201
    post = reply.json()
    assert post["slug"] == "hello-world-and-more"
    assert (post["status"], post["version"], post["views"], post["publishedAt"]) == ("draft", 1, 0, None)
    assert post["html"] == "<h2>Why</h2>\n<p>Because.</p>\n"  # headings start at h2: the title is the h1
    assert post["excerpt"] == "Why Because."
    assert reply.headers["ETag"] == '"1"'
    assert reply.headers["Location"] == "/api/posts/hello-world-and-more"
    assert reply.headers["Cache-Control"] == "no-store"


def test_a_draft_is_not_public_until_published_and_publishing_twice_changes_nothing(call):
    create(call, tags=["Serverless"])
    assert call(None, "GET", "/posts/hello-world").status == 404
    assert call(None, "GET", "/posts").json()["items"] == []
    published = call("admin", "POST", "/posts/hello-world/publish").json()
    assert published["status"] == "published" and published["version"] == 2 and published["publishedAt"]
    again = call("admin", "POST", "/posts/hello-world/publish")
    assert again.status == 200 and again.json() == published  # no new version, so no new event
    shown = call(None, "GET", "/posts/hello-world")
    assert shown.status == 200
    assert set(shown.json()) == {
        "slug",
        "title",
        "html",
        "excerpt",
        "tags",
        "cover",
        "publishedAt",
        "updatedAt",
        "views",
    }
    assert shown.json()["views"] == 0
    assert shown.headers["Cache-Control"] == "public, max-age=60, s-maxage=60"
    listed = call(None, "GET", "/posts").json()["items"]
    assert [item["slug"] for item in listed] == ["hello-world"]
    assert set(listed[0]) == {"slug", "title", "excerpt", "tags", "cover", "publishedAt"}


def test_unpublish_takes_the_post_off_the_public_api(call):
    create(call)
    call("admin", "POST", "/posts/hello-world/publish")
    draft = call("admin", "POST", "/posts/hello-world/unpublish").json()
    assert draft["status"] == "draft" and draft["publishedAt"] is None
    assert call(None, "GET", "/posts/hello-world").status == 404
    assert call(None, "GET", "/posts").json()["items"] == []


def test_views_counted_elsewhere_show_and_rank_the_popular_posts(call, clean_table):
    for title, views in (("One", 5), ("Two", 50), ("Three", 0)):
        create(call, title=title)
        call("admin", "POST", f"/posts/{title.lower()}/publish")
        clean_table.update_item(
            Key={"slug": title.lower()},
            UpdateExpression="ADD #views :n",
            ConditionExpression="attribute_exists(slug)",
            ExpressionAttributeNames={"#views": "views"},
            ExpressionAttributeValues={":n": views},
        )
    assert call(None, "GET", "/posts/two").json()["views"] == 50
    popular = call(None, "GET", "/posts/popular").json()["items"]
    assert [(p["slug"], p["views"]) for p in popular] == [("two", 50), ("one", 5), ("three", 0)]


@pytest.mark.parametrize(
    ("user", "status"),
    [("admin", 201), ("both", 201), ("reader", 403), ("nogroup", 403), (None, 401)],
)
def test_only_admins_write(call, user, status):
    reply = call(user, "POST", "/posts", json_body={"title": f"By {user}", "body": "x"})
    assert reply.status == status
    assert ("code" in reply.json()) is (status != 201)


@pytest.mark.parametrize(
    ("method", "path"),
    [("PUT", "/posts/hello-world"), ("PATCH", "/posts/hello-world"), ("DELETE", "/posts/hello-world"),
     ("POST", "/posts/hello-world/publish"), ("POST", "/posts/hello-world/unpublish"),
     ("GET", "/admin/posts/hello-world")],
)  # fmt: skip
def test_a_signed_in_reader_can_change_nothing(call, method, path):
    create(call)
    body = {"title": "Taken over", "body": "pwned"} if method in ("PUT", "PATCH") else None
    assert call("reader", method, path, json_body=body).status == 403
    assert call(None, method, path, json_body=body).status == 401
    assert call("admin", "GET", "/admin/posts/hello-world").json()["version"] == 1


def test_slug_clash_is_409_and_keeps_the_first_post(call):
    create(call, body="first")
    reply = call("admin", "POST", "/posts", json_body={"title": "Hello World", "body": "second"})
    assert reply.status == 409 and reply.json()["code"] == "SlugTaken"
    explicit = call("admin", "POST", "/posts", json_body={"slug": "hello-world", "title": "Other", "body": "third"})
    assert explicit.status == 409
    assert call("admin", "GET", "/admin/posts/hello-world").json()["body"] == "first"


def test_if_match_guards_replace_patch_and_delete(call):
    create(call)
    stale = call(
        "admin", "PUT", "/posts/hello-world", json_body={"title": "T", "body": "b"}, headers={"If-Match": '"7"'}
    )
    assert stale.status == 412 and stale.json()["code"] == "VersionMismatch"
    replaced = call(
        "admin", "PUT", "/posts/hello-world", json_body={"title": "T", "body": "b"}, headers={"If-Match": '"1"'}
    )
    assert replaced.status == 200 and replaced.headers["ETag"] == '"2"'
    patched = call("admin", "PATCH", "/posts/hello-world", json_body={"excerpt": "Short."}, headers={"If-Match": "2"})
    assert patched.json()["excerpt"] == "Short." and patched.json()["title"] == "T"
    assert call("admin", "DELETE", "/posts/hello-world", headers={"If-Match": '"2"'}).status == 412
    assert call("admin", "DELETE", "/posts/hello-world", headers={"If-Match": 'W/"3"'}).status == 204
    assert call("admin", "GET", "/admin/posts/hello-world").status == 404
    assert call("admin", "DELETE", "/posts/hello-world").status == 404


def test_pagination_walks_newest_first_and_rejects_altered_or_reused_cursors(call):
    for n in range(5):
        create(call, title=f"Post {n}", tags=["even" if n % 2 == 0 else "odd"])
        call("admin", "POST", f"/posts/post-{n}/publish")
    first = call(None, "GET", "/posts", query={"limit": "2"}).json()
    second = call(None, "GET", "/posts", query={"limit": "2", "cursor": first["nextCursor"]}).json()
    third = call(None, "GET", "/posts", query={"limit": "2", "cursor": second["nextCursor"]}).json()
    slugs = [p["slug"] for page in (first, second, third) for p in page["items"]]
    assert slugs == ["post-4", "post-3", "post-2", "post-1", "post-0"]
    assert third["nextCursor"] is None
    tampered = first["nextCursor"][:-2] + ("AA" if not first["nextCursor"].endswith("AA") else "BB")
    assert call(None, "GET", "/posts", query={"cursor": tampered}).status == 400
    other_query = call(None, "GET", "/posts", query={"cursor": first["nextCursor"], "tag": "even"})
    assert other_query.status == 400 and other_query.json()["code"] == "InvalidCursor"


def test_tag_filter_matches_any_spelling_of_the_tag_and_pages(call):
    for n in range(4):
        create(call, title=f"Post {n}", tags=["Even" if n % 2 == 0 else "odd", "all"])
        call("admin", "POST", f"/posts/post-{n}/publish")
    page = call(None, "GET", "/posts", query={"tag": "even", "limit": "1"}).json()
    # The cursor is bound to the tag's slug, so another spelling of the same tag goes on with it.
    rest = call(None, "GET", "/posts", query={"tag": "EVEN", "limit": "1", "cursor": page["nextCursor"]}).json()
    assert [p["slug"] for p in page["items"] + rest["items"]] == ["post-2", "post-0"]
    assert call(None, "GET", "/posts", query={"tag": "nothing"}).json() == {"items": [], "nextCursor": None}


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"body": "no title"}, "ValidationError"),
        ({"title": "", "body": "x"}, "ValidationError"),
        ({"title": "   ", "body": "x"}, "ValidationError"),
        ({"title": "T", "body": "x", "slug": "Not A Slug"}, "ValidationError"),
        ({"title": "T", "body": "x", "slug": "trailing-"}, "ValidationError"),
        ({"title": "T", "body": "x", "unknown": 1}, "ValidationError"),
        ({"title": "T", "body": "x", "tags": "not-a-list"}, "ValidationError"),
        ({"title": "T", "body": "x", "tags": ["x"] * 11}, "ValidationError"),
        ({"title": "!!!", "body": "x"}, "InvalidSlug"),
        ({"title": "T", "body": "x", "cover": {"renditions": [{"url": "javascript:x", "width": 1, "format": "webp"}]}},
         "ValidationError"),
    ],
)  # fmt: skip
def test_bad_bodies_are_400_with_a_json_message(call, body, code):
    reply = call("admin", "POST", "/posts", json_body=body)
    assert reply.status == 400, reply.body
    assert reply.json()["code"] == code and reply.json()["message"]


@pytest.mark.parametrize(
    ("raw", "headers", "status"),
    [("{not json", {"Content-Type": "application/json"}, 400), ("[]", {"Content-Type": "application/json"}, 400),
     ("title=x", {"Content-Type": "application/x-www-form-urlencoded"}, 415), (None, {}, 400)],
)  # fmt: skip
def test_unreadable_bodies_are_4xx(call, raw, headers, status):
    assert call("admin", "POST", "/posts", raw=raw, headers=headers).status == status


@pytest.mark.parametrize(
    "query",
    [{"limit": "0"}, {"limit": "51"}, {"limit": "x"}, {"cursor": "garbage"}, {"tag": "!!!"}],
)
def test_bad_queries_are_400_and_cached_briefly(call, query):
    reply = call(None, "GET", "/posts", query=query)
    assert reply.status == 400
    assert reply.headers["Cache-Control"] == "public, max-age=10, s-maxage=10"


def test_bad_if_match_and_unknown_slugs(call):
    create(call)
    bad = call("admin", "PATCH", "/posts/hello-world", json_body={"title": "x"}, headers={"If-Match": "soon"})
    assert bad.status == 400 and bad.json()["code"] == "InvalidIfMatch"
    assert call(None, "GET", "/posts/NOT..a..slug").status == 404
    assert call("admin", "POST", "/posts/nobody/publish").status == 404


XSS = """# Title

<script>alert(1)</script>

<img src=x onerror=alert(2)>

[click](javascript:alert(3)) and [data](data:text/html,<script>alert(4)</script>)

<a href="https://ok.example" onclick="alert(5)">raw link</a>

![pic](javascript:alert(6))

[fine](https://example.com/a?b=1)
"""


class _Elements(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))


def elements(html: str) -> list[tuple[str, dict]]:
    parser = _Elements()
    parser.feed(html)
    return parser.found


def test_markdown_is_rendered_and_nothing_executable_survives(call):
    html = create(call, body=XSS)["html"]
    found = elements(html)
    assert [tag for tag, _ in found] == ["h2", "p", "p", "p", "p", "p", "p", "a"]  # every raw tag became text
    for _tag, attrs in found:
        assert not any(name.startswith("on") for name in attrs)
        assert not any(value.strip().lower().startswith(("javascript:", "data:")) for value in attrs.values() if value)
    assert found[-1] == ("a", {"href": "https://example.com/a?b=1", "rel": "noopener noreferrer nofollow"})
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # raw HTML is shown as text, never run


def test_the_sanitiser_catches_what_markdown_lets_through():
    from blog import markdown

    # Markdown's own link syntax with URLs it accepts: nh3 still has the last word on schemes and attributes.
    html = markdown.to_html('[a](vbscript:msgbox) [b](https://x.example "t") ![c](/media/c.webp)')
    assert 'href="vbscript' not in html
    assert elements(html) == [
        ("p", {}),
        ("a", {"href": "https://x.example", "title": "t", "rel": "noopener noreferrer nofollow"}),
        ("img", {"src": "/media/c.webp", "alt": "c"}),
    ]
