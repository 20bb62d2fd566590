"""A typed SDK for the MyTodoList and MyBlog APIs: what a mobile client does, in Python.

endpoints = discover()                    # .localcloud/endpoints.json, a file, or Endpoints.from_ssm
auth = CognitoAuth(endpoints)
auth.login("alice@example.com", password)
todos = TodosClient(endpoints.todos_api, auth.id_token)
todos.create("Buy milk")                  # an Idempotency-Key, reused by the SDK's own retries
todos.list()                              # Cache-Control: max-age=0 after the caller's own write
FilesClient(auth).put("photo.jpg")        # private/<identity id>/photo.jpg, identity-pool credentials
BlogClient(endpoints.blog_api).list_posts(tag="aws")
"""

from platform_client.auth import CognitoAuth, TokenStore
from platform_client.blog import BlogClient
from platform_client.endpoints import Endpoints, discover
from platform_client.errors import ApiError, ClientError, ConfigError, NotSignedIn
from platform_client.files import FilesClient
from platform_client.todos import TodosClient

__all__ = [
    "ApiError",
    "BlogClient",
    "ClientError",
    "CognitoAuth",
    "ConfigError",
    "Endpoints",
    "FilesClient",
    "NotSignedIn",
    "TodosClient",
    "TokenStore",
    "discover",
]
