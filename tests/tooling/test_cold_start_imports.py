"""Nothing heavy at import, for each service's API handlers: a cold start loads nothing that a first call
can load instead, and beyond what a bare Powertools resolver + Logger handler imports, nothing but the
service's own code and the `common` package. Checked in fresh interpreters, since this one has them all.
`bench/cold_start.py` measures what this guards, on the built artifacts.

- todos: no boto3, DAX, fastjsonschema or pydantic (each is loaded on first use).
- blog: no Markdown, nh3, Jinja2 or MarkupSafe. write-posts imports markdown-it-py and nh3 from its
  MarkdownLayer on the first body it renders; Jinja2 is in render-site's TemplatesLayer, which the API
  functions do not carry, so importing it at init would fail there.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass

import pytest

from tests.support.localcloud import ROOT

BASELINE = (
    "from aws_lambda_powertools import Logger\n"
    "from aws_lambda_powertools.event_handler import APIGatewayRestResolver\n"
    "Logger(); APIGatewayRestResolver()\n"
)
ALWAYS_HEAVY = ("boto3", "botocore.exceptions")  # 3 ms; a DAL imports the exceptions on the first failed call


@dataclass(frozen=True)
class Service:
    package: str
    handlers: str
    heavy: tuple[str, ...]
    environment: dict[str, str]


SERVICES = {
    "todos": Service(
        "todos",
        "todos.handlers.read, todos.handlers.write",
        (
            "amazondax",
            "fastjsonschema",
            "pydantic",
            "ulid",  # python-ulid: 20 ms, reading its version through importlib.metadata
            "importlib.metadata",
            "ulid_transform",  # imported on the first new id
            "hmac",  # and hashlib: on the first cursor
        ),
        {"TABLE_NAME": "todos-test", "CURSOR_KEY": "k", "DAX_ENDPOINT": ""},
    ),
    "blog": Service(
        "blog",
        "blog.handlers.read, blog.handlers.write",
        (
            "markdown_it",
            "mdurl",
            "nh3",
            "jinja2",
            "markupsafe",
            "hashlib",
            "unicodedata",  # a shared library, loaded on the first title or tag
            "blog.site.renderer",
        ),
        {"TABLE_NAME": "blog-test", "CURSOR_KEY": "k", "COVERS_TABLE": "covers-test"},
    ),
}


def loaded_after(code: str, service: Service) -> set[str]:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(str(ROOT / p) for p in ("layers/shared", f"services/{service.package}/src")),
        "POWERTOOLS_SERVICE_NAME": service.package,
        **service.environment,
    }
    script = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return set(json.loads(out.stdout))


@pytest.fixture(params=sorted(SERVICES))
def service(request) -> Service:
    return SERVICES[request.param]


def test_importing_the_api_handlers_loads_nothing_heavy(service):
    loaded = loaded_after(f"import {service.handlers}", service)
    assert [m for m in (*ALWAYS_HEAVY, *service.heavy) if m in loaded] == []


def test_beyond_a_bare_powertools_handler_the_api_handlers_import_only_their_own_code_and_common(service):
    extra = loaded_after(f"import {service.handlers}", service) - loaded_after(BASELINE, service)
    assert {m.split(".")[0] for m in extra} - {service.package, "common"} == set(), sorted(extra)


def test_the_blog_site_package_still_offers_its_names_on_first_use():
    names = "from blog.site import CONTENT_SECURITY_POLICY, Page, SiteRenderer, tag_slug, url_path"
    loaded = loaded_after(names, SERVICES["blog"])
    assert {"blog.site.renderer", "blog.site.pages", "blog.site.urls"} <= loaded
