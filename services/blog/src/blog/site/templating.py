"""The Jinja2 environment: built on the first render, once per process, and kept warm between invocations.

Importing Jinja2 costs tens of milliseconds and compiling a template a few more, so neither happens when
`blog.site` is imported: `render-site` pays for them on its first event, and every later event in the same
execution environment reuses the compiled templates (`auto_reload` off: the files never change under a
running function).

Autoescape is on for every template, HTML and XML alike: markupsafe's escapes (`&amp;`, `&lt;`, `&#34;`,
`&#39;`) are valid in both. `StrictUndefined` turns a misspelt variable into an error instead of an empty
string on the live site.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from blog.site.assets import TEMPLATES

if TYPE_CHECKING:
    from jinja2 import Environment


@functools.cache
def environment() -> Environment:
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
    )


def render(template: str, /, **context: object) -> bytes:
    return environment().get_template(template).render(**context).encode("utf-8")
