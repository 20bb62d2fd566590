"""What the in-process views and covers tests share: a moto posts table made from the fixture template's
PostsTable (not restated here). Each test module sets POSTS_TABLE before it imports a handler."""

from __future__ import annotations

import os

from tests.templates.cfn import ROOT, load_template

__all__ = ["COVERS", "FIXTURE", "ROOT", "TABLE", "create_covers_table", "create_posts_table"]

FIXTURE = "tests/blog/templates/views/blog.yaml"
TABLE = os.environ.get("POSTS_TABLE", "posts-test")
COVERS = os.environ.get("COVERS_TABLE", "covers-test")


def create_posts_table(dynamodb) -> None:
    """The fixture's posts table (key slug, CoverIndex on coverId) in a moto-backed boto3 client."""
    props = load_template(FIXTURE)["Resources"]["PostsTable"]["Properties"]
    dynamodb.create_table(
        TableName=TABLE,
        KeySchema=props["KeySchema"],
        AttributeDefinitions=props["AttributeDefinitions"],
        GlobalSecondaryIndexes=props["GlobalSecondaryIndexes"],
        BillingMode=props["BillingMode"],
    )


def create_covers_table(dynamodb) -> None:
    """The fixture's covers table (key id: the upload id)."""
    props = load_template(FIXTURE)["Resources"]["CoversTable"]["Properties"]
    dynamodb.create_table(
        TableName=COVERS,
        KeySchema=props["KeySchema"],
        AttributeDefinitions=props["AttributeDefinitions"],
        BillingMode=props["BillingMode"],
    )
