"""What the in-process views and covers tests share: a moto posts table made from the fixture template's
PostsTable (not restated here). Each test module sets POSTS_TABLE before it imports a handler."""

from __future__ import annotations

import os

from tests.templates.cfn import ROOT, load_template

__all__ = ["COVERS", "FIXTURE", "ROOT", "TABLE", "create_covers_table", "create_posts_table"]

FIXTURE = "tests/blog/templates/views/blog.yaml"
TABLE = os.environ.get("POSTS_TABLE", "posts-test")
COVERS = os.environ.get("COVERS_TABLE", "covers-test")


def create_table(dynamodb, logical_id: str, name: str) -> None:
    """A table of the fixture (its keys and indexes as the template declares them) in a moto-backed client."""
    props = load_template(FIXTURE)["Resources"][logical_id]["Properties"]
    keys = ("KeySchema", "AttributeDefinitions", "BillingMode", "GlobalSecondaryIndexes")
    args = {k: props[k] for k in keys if k in props}
    dynamodb.create_table(TableName=name, **args)


def create_posts_table(dynamodb) -> None:
    """The posts table: key slug, CoverIndex on coverId."""
    create_table(dynamodb, "PostsTable", TABLE)


def create_covers_table(dynamodb) -> None:
    """The covers table: key id (the upload id)."""
    create_table(dynamodb, "CoversTable", COVERS)
