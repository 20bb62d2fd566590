"""Post bodies: Markdown to HTML that is safe to serve, and a plain-text excerpt.

Two steps, each doing what it is built for. markdown-it-py's `js-default` preset follows CommonMark with
raw HTML off, so `<script>` in a body is text, not a tag. nh3 (the Ammonia sanitiser) then keeps only an
allow-list of tags, attributes and URL schemes, so no event-handler attribute or `javascript:` URL can
survive even if the Markdown step let one through. Headings move down one level (`#` is `<h2>`): the
page's one `<h1>` is the post title.
"""

from __future__ import annotations

import functools
import re
from typing import Any

_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "del", "em", "h2", "h3", "h4", "h5", "h6", "hr", "i",
    "img", "li", "ol", "p", "pre", "s", "strong", "sub", "sup", "table", "tbody", "td", "th", "thead", "tr",
    "ul",
}  # fmt: skip
_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "th": {"align"}, "td": {"align"}}
_SCHEMES = {"http", "https", "mailto"}
EXCERPT_CHARS = 200
# Patterns are compiled (and cached) by `re` on first use, not at the API's cold start.
_BLOCK_END = r"</(?:p|h[1-6]|li|blockquote|pre|td|th|tr)>|<br\s*/?>"


@functools.cache
def _parser() -> Any:
    from markdown_it import MarkdownIt

    parser = MarkdownIt("js-default").enable("table").enable("strikethrough")
    parser.core.ruler.push("demote_headings", _demote_headings)
    return parser


def _demote_headings(state: Any) -> None:
    for token in state.tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(int(token.tag[1]) + 1, 6)}"


def to_html(markdown: str) -> str:
    import nh3

    rendered = _parser().render(markdown)
    return nh3.clean(
        rendered,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes=_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )


def excerpt_of(html: str, limit: int = EXCERPT_CHARS) -> str:
    """The first words of the body as plain text, cut at a word, for a post that has no excerpt."""
    import nh3

    spaced = re.sub(_BLOCK_END, " ", html)
    text = " ".join(nh3.clean(spaced, tags=set()).split())
    text = text.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"')
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0].rstrip(".,;:") + "…"
