"""Demo posts for `make dev SEED=1`: an admin in the app's pool and a few published posts, created
through the blog's public admin API on the CDN's domain (`/api/*`), as an editor's browser would.

It also writes the preview guard's settings for this localcloud (scripts/blog_edge_config.py), so
`/preview/<slug>/` answers admins. Seeding again finds the posts (409) and only signs in.
"""

from __future__ import annotations

import sys
from pathlib import Path

import boto3
import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
import blog_edge_config

EMAIL = "editor@example.com"
PASSWORD = "Editor-Password-2026"  # noqa: S105 - local demo admin, printed to the developer
POSTS = [
    {
        "slug": "hello-myblog",
        "title": "Hello, MyBlog",
        "tags": ["Announcements"],
        "body": "# Why a static blog\n\nPages are rendered once, when a post changes, and served from the CDN's "
        "cache everywhere else.\n\n- a private S3 bucket behind CloudFront (OAC)\n- a small cached API, same domain",
    },
    {
        "slug": "the-outbox-pattern",
        "title": "The outbox pattern",
        "tags": ["Serverless", "DynamoDB"],
        "body": "# One change, one event\n\nThe posts table's stream **is** the outbox: `publish-events` turns each "
        "change into exactly one `BlogEvents` message.",
    },
    {
        "slug": "previews-at-the-edge",
        "title": "Previews at the edge",
        "tags": ["Serverless", "CloudFront"],
        "body": "# Drafts for admins only\n\nA Lambda@Edge function checks the id token against the pool's JWKS "
        "before `/preview/*` reaches the bucket.",
    },
]


def seed(endpoints: dict) -> str:
    cognito = endpoints["cognito"]
    idp = boto3.client(
        "cognito-idp",
        endpoint_url=endpoints["aws"],
        region_name=endpoints["region"],
        aws_access_key_id="testing",
        aws_secret_access_key="testing",  # noqa: S106 - localcloud fake credentials
    )
    try:
        idp.sign_up(ClientId=cognito["clientId"], Username=EMAIL, Password=PASSWORD,
                    UserAttributes=[{"Name": "email", "Value": EMAIL}])  # fmt: skip
        idp.admin_confirm_sign_up(UserPoolId=cognito["userPoolId"], Username=EMAIL)
        idp.admin_add_user_to_group(UserPoolId=cognito["userPoolId"], Username=EMAIL, GroupName="admins")
    except idp.exceptions.UsernameExistsException:
        pass  # kept from an earlier run
    token = idp.initiate_auth(
        ClientId=cognito["clientId"], AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": EMAIL, "PASSWORD": PASSWORD},
    )["AuthenticationResult"]["IdToken"]  # fmt: skip
    blog_edge_config.write(app="platform", env="local", region=endpoints["region"], endpoint=endpoints["aws"])
    cdn = endpoints["cdn"]["Blog/Cdn"]
    headers = {"Authorization": token}
    for post in POSTS:
        created = requests.post(f"{cdn}/api/posts", json=post, headers=headers, timeout=30)
        if created.status_code == 409:
            continue
        created.raise_for_status()
        requests.post(f"{cdn}/api/posts/{post['slug']}/publish", headers=headers, timeout=30).raise_for_status()
    return (
        f"seeded: {len(POSTS)} blog posts; browse the blog at {cdn}/ (the API on the same domain: {cdn}/api/posts)\n"
        f"  blog admin {EMAIL} / {PASSWORD} (group admins); drafts preview at {cdn}/preview/<slug>/ with\n"
        f"  export BLOG_TOKEN={token}\n"
        f'  curl -H "Authorization: $BLOG_TOKEN" {cdn}/preview/<slug>/'
    )
