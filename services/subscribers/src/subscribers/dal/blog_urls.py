"""The blog's site and API URLs, from the SSM parameters the blog writes, read at run time.

Read then, not at deploy time, so this stack takes nothing from the blog's (the root deploys subscribers
before the blog, whose distribution needs this API). Cached for MAX_AGE_SECONDS by Powertools parameters,
so a warm function makes no SSM call per email; the module is imported on first use, with boto3.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

MAX_AGE_SECONDS = 300


class BlogUrls:
    def __init__(self, site_url_parameter: str, api_url_parameter: str, client: Callable[[str], Any]):
        self.site_url_parameter = site_url_parameter
        self.api_url_parameter = api_url_parameter
        self._client = client
        self._provider: Any = None

    def _get(self, name: str) -> str:
        if not name:
            raise LookupError("the SSM parameter's name is not configured")
        if self._provider is None:
            from aws_lambda_powertools.utilities.parameters import SSMProvider

            self._provider = SSMProvider(boto3_client=self._client("ssm"))
        return str(self._provider.get(name, max_age=MAX_AGE_SECONDS)).rstrip("/")

    def site_url(self) -> str:
        """e.g. https://blog.example.com (the distribution's domain or the blog's own)."""
        return self._get(self.site_url_parameter)

    def api_url(self) -> str:
        """The blog API's base URL, e.g. https://{id}.execute-api.{region}.amazonaws.com/api."""
        return self._get(self.api_url_parameter)
