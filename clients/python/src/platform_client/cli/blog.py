"""`blog`: read MyBlog's published posts from the command line.

blog posts [--tag aws] [--limit 10] [--json]
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from platform_client.blog import BlogClient
from platform_client.cli import common


def _parser() -> argparse.ArgumentParser:
    p = common.parser("blog", "MyBlog from the command line")
    sub = p.add_subparsers(dest="command", required=True)
    out = common.output()
    posts = sub.add_parser("posts", parents=[out], help="published posts, newest first")
    posts.add_argument("--tag", help="only posts with this tag")
    posts.add_argument("--limit", type=int, help="at most this many (the API's default: 10)")
    posts.add_argument("--cursor", help="the next page (printed after a full page)")
    return p


def _main(args: argparse.Namespace) -> int:
    where = common.endpoints(args)
    where.require("blog_api")
    page = BlogClient(where.blog_api or "").list_posts(tag=args.tag, limit=args.limit, cursor=args.cursor)
    if args.json:
        common.print_json(page)
        return 0
    for post in page["items"]:
        tags = f"  [{', '.join(post['tags'])}]" if post["tags"] else ""
        print(f"{(post['publishedAt'] or '')[:10]}  {post['slug']}  {post['title']}{tags}")
    if not page["items"]:
        print("no posts")
    if page["nextCursor"]:
        print(f"more: blog posts --cursor {page['nextCursor']}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    return common.run(_main, _parser(), argv)


if __name__ == "__main__":
    raise SystemExit(main())
