"""What the in-process views and covers tests share: moto tables made from the blog template's PostsTable
and CoversTable (not restated here). Each test module sets POSTS_TABLE before it imports a handler."""

from __future__ import annotations

import os

from tests.templates.cfn import ROOT, load_template

__all__ = ["COVERS", "ROOT", "TABLE", "TEMPLATE", "create_covers_table", "create_posts_table"]

TEMPLATE = "services/blog/template.yaml"
TABLE = os.environ.get("POSTS_TABLE", "posts-test")
COVERS = os.environ.get("COVERS_TABLE", "covers-test")


def create_table(dynamodb, logical_id: str, name: str) -> None:
    """A table of the template (its keys and indexes as the template declares them) in a moto-backed client."""
    props = load_template(TEMPLATE)["Resources"][logical_id]["Properties"]
    keys = ("KeySchema", "AttributeDefinitions", "BillingMode", "GlobalSecondaryIndexes")
    args = {k: props[k] for k in keys if k in props}
    dynamodb.create_table(TableName=name, **args)


def create_posts_table(dynamodb) -> None:
    """The posts table: key slug, its indexes (CoverIndex on coverId among them)."""
    create_table(dynamodb, "PostsTable", TABLE)


def create_covers_table(dynamodb) -> None:
    """The covers table: key id (the upload id)."""
    create_table(dynamodb, "CoversTable", COVERS)
