"""The APIs' bodies as typed dicts: what the JSON is on the wire, with no conversion layer in between.

TypedDicts cost nothing at run time and read as the schema does, so a mobile developer can mirror them field
for field. tests/clients/test_clients_contract.py holds each one equal to its schema in the service's
openapi.yaml (names, required keys, JSON types, nullability): a field renamed on either side fails there.
"""

# No `from __future__ import annotations`: TypedDict reads NotRequired[...] only from evaluated annotations.
from typing import Literal, NotRequired, TypedDict


class Error(TypedDict):
    message: str
    code: str


# todos ------------------------------------------------------------------------------------------------


class Todo(TypedDict):
    todoId: str
    title: str
    notes: str | None
    due: str | None
    done: bool
    createdAt: str
    updatedAt: str
    version: int


class TodoPage(TypedDict):
    items: list[Todo]
    nextCursor: str | None


class CreateTodo(TypedDict):
    title: str
    notes: NotRequired[str | None]
    due: NotRequired[str | None]


class PatchTodo(TypedDict, total=False):
    title: str
    notes: str | None
    due: str | None
    done: bool


# blog -------------------------------------------------------------------------------------------------


class Rendition(TypedDict):
    url: str
    key: NotRequired[str]
    width: int
    height: NotRequired[int]
    format: Literal["webp", "jpeg"]
    bytes: NotRequired[int]


class Cover(TypedDict):
    id: str
    alt: NotRequired[str]
    width: NotRequired[int]
    height: NotRequired[int]
    renditions: NotRequired[list[Rendition]]


class CoverChoice(TypedDict):
    id: str
    alt: NotRequired[str]


class Summary(TypedDict):
    slug: str
    title: str
    excerpt: str
    tags: list[str]
    cover: Cover | None
    publishedAt: str | None


class PostPage(TypedDict):
    items: list[Summary]
    nextCursor: str | None


class Post(TypedDict):
    slug: str
    title: str
    html: str
    excerpt: str
    tags: list[str]
    cover: Cover | None
    publishedAt: str | None
    updatedAt: str
    views: int


class AdminPost(Post):
    body: str
    status: Literal["draft", "published"]
    createdAt: str
    version: int


class CreatePost(TypedDict):
    slug: NotRequired[str]
    title: str
    body: str
    excerpt: NotRequired[str]
    tags: NotRequired[list[str]]
    cover: NotRequired[CoverChoice | None]


# media ------------------------------------------------------------------------------------------------


class CreateUpload(TypedDict):
    filename: str
    contentType: Literal["image/jpeg", "image/png", "image/webp"]
    size: int


class Upload(TypedDict):
    id: str
    key: str
    url: str
    fields: dict[str, str]  # every entry goes into the multipart form before the file
    maxBytes: int
    expiresAt: str
