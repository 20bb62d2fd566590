"""`blog`: read MyBlog's published posts, and (admins) upload photos.

blog posts [--tag aws] [--limit 10] [--json]
blog login editor@example.com            # the same tokens as `todo login`: one user pool
blog upload ./cover.jpg                  # prints the upload id a post's cover names
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from platform_client.blog import BlogClient
from platform_client.cli import common
from platform_client.media import MediaClient


def _parser() -> argparse.ArgumentParser:
    p = common.parser("blog", "MyBlog from the command line")
    sub = p.add_subparsers(dest="command", required=True)
    out = common.output()
    posts = sub.add_parser("posts", parents=[out], help="published posts, newest first")
    posts.add_argument("--tag", help="only posts with this tag")
    posts.add_argument("--limit", type=int, help="at most this many (the API's default: 10)")
    posts.add_argument("--cursor", help="the next page (printed after a full page)")
    common.add_session_commands(sub, out)
    upload = sub.add_parser("upload", parents=[out], help="upload a photo (admins): JPEG, PNG or WebP")
    upload.add_argument("path")
    return p


def _main(args: argparse.Namespace) -> int:
    where = common.endpoints(args)
    if args.command != "posts":
        auth = common.auth(args, where)
        if common.session_command(args, auth):
            return 0
        where.require("media_api")
        upload = MediaClient(where.media_api or "", auth.id_token).upload(args.path)
        common.print_json(upload) if args.json else print(f"{upload['id']}  {upload['key']}")
        return 0
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
