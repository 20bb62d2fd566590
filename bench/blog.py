"""The blog on the root template: a post page through the local CDN (a cache hit) vs the same post from the
posts API, p50 and ratio; and publish-to-visible, from `POST .../publish` until the new post's page is
served through the CDN, p50 (the outbox, BlogEvents, the render queue, render-site and the bucket)."""

from __future__ import annotations

import argparse
import tempfile
import time
import uuid
from pathlib import Path

import boto3
import localcloud_up
import requests
from stats import Figure, Latency, cli, latency_table

PASSWORD = "Bench-Password-2026"


def admin_token(endpoints: dict) -> str:
    cognito = endpoints["cognito"]
    idp = boto3.client("cognito-idp", endpoint_url=endpoints["aws"], region_name=endpoints["region"],
                       aws_access_key_id="testing", aws_secret_access_key="testing")  # fmt: skip
    email = "bench-admin@example.com"
    idp.sign_up(ClientId=cognito["clientId"], Username=email, Password=PASSWORD,
                UserAttributes=[{"Name": "email", "Value": email}])  # fmt: skip
    idp.admin_confirm_sign_up(UserPoolId=cognito["userPoolId"], Username=email)
    idp.admin_add_user_to_group(UserPoolId=cognito["userPoolId"], Username=email, GroupName="admins")
    auth = idp.initiate_auth(ClientId=cognito["clientId"], AuthFlow="USER_PASSWORD_AUTH",
                             AuthParameters={"USERNAME": email, "PASSWORD": PASSWORD})  # fmt: skip
    return auth["AuthenticationResult"]["IdToken"]


def timed(session: requests.Session, url: str) -> float:
    started = time.perf_counter()
    response = session.get(url, timeout=30)
    elapsed = (time.perf_counter() - started) * 1000
    response.raise_for_status()
    return elapsed


def run(argv: list[str]) -> list[Figure]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=300, help="page hits per side")
    parser.add_argument("--publishes", type=int, default=10, help="posts published for publish-to-visible")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-blog-") as state:
        cloud = localcloud_up.start(Path(state), Path(state) / "log.txt")
        try:
            endpoints = cloud.endpoints
            cdn, api = endpoints["cdn"]["Blog/Cdn"], endpoints["apis"]["Blog/BlogApi"]
            admin = {"Authorization": admin_token(endpoints)}
            session = requests.Session()

            visible = Latency()
            for n in range(args.publishes + 1):
                slug = f"bench-{n}-{uuid.uuid4().hex[:6]}"
                body = {"slug": slug, "title": f"Bench post {n}", "body": "# Bench\n\n" + "Words. " * 200}
                session.post(f"{cdn}/api/posts", json=body, headers=admin, timeout=30).raise_for_status()
                started = time.perf_counter()
                session.post(f"{cdn}/api/posts/{slug}/publish", headers=admin, timeout=30).raise_for_status()
                while session.get(f"{cdn}/posts/{slug}", timeout=30).status_code != 200:
                    if time.perf_counter() - started > 60:
                        raise TimeoutError(f"{slug} not visible after 60 s")
                    time.sleep(0.01)
                if n:  # the first one also warms every worker on the way
                    visible.samples.append((time.perf_counter() - started) * 1000)

            sides = {"cdn page": Latency(), "api post": Latency()}
            urls = {"cdn page": f"{cdn}/posts/{slug}", "api post": f"{api}/posts/{slug}"}
            for _ in range(20):
                for url in urls.values():
                    timed(session, url)
            for n in range(args.requests):
                order = list(sides) if n % 2 == 0 else list(reversed(sides))
                for side in order:
                    sides[side].samples.append(timed(session, urls[side]))
        finally:
            cloud.stop()
    print(latency_table(sides, baseline="api post"))
    print(f"\npublish to visible through the CDN: p50 {visible.p50:.0f} ms, p99 {visible.p99:.0f} ms "
          f"({visible.n} posts)")  # fmt: skip
    return [
        Figure("blog", "post page via CDN (hit) p50", sides["cdn page"].p50),
        Figure("blog", "post from API p50", sides["api post"].p50),
        Figure("blog", "CDN page / API post", sides["cdn page"].p50 / sides["api post"].p50, "x"),
        Figure("blog", "publish to visible p50", visible.p50),
    ]


if __name__ == "__main__":
    cli(run)
