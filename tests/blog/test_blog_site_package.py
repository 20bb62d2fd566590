"""The renderer works from a Lambda package: its templates and assets are reached through the package
(the `blog/site/web` symlink to the repository's web/, which `sam build` copies as a folder); a package
built that way renders the same bytes as the source tree; an asset's name follows its content; importing
`blog.site` costs no Jinja2, and the environment is built once per process."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import blog.site
import jinja2
import markupsafe
from blog.site import assets, templating

from tests.blog.site_posts import cover, posts, renderer

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "services/blog/src"
PACKAGE = Path(blog.site.__file__).parent

RENDER = """
import hashlib, json, sys
from blog.site import SiteRenderer
posts = json.loads(sys.stdin.read())
r = SiteRenderer(site_name="MyBlog", base_url="https://blog.example.com", page_size=3, api_path="/api")
pages = r.site(posts) + r.preview({**posts[0], "slug": "a-draft", "status": "draft", "publishedAt": None})
print(json.dumps({p.path: hashlib.sha256(p.body).hexdigest() for p in pages}))
"""


def digests(pages) -> dict[str, str]:
    return {page.path: hashlib.sha256(page.body).hexdigest() for page in pages}


def lambda_package(tmp_path: Path) -> Path:
    """What `sam build` makes of CodeUri services/blog/src: its tree with symlinks followed (aws-lambda-builders
    copies with shutil.copytree's default), plus the function's requirements."""
    package = tmp_path / "package"
    shutil.copytree(SRC, package, ignore=shutil.ignore_patterns("__pycache__", "requirements.txt"))
    for module in (jinja2, markupsafe):
        shutil.copytree(Path(module.__file__).parent, package / module.__name__)
    return package


def render_in(package: Path, given: list[dict]) -> dict[str, str]:
    """Render in a fresh interpreter that sees the package and the standard library, nothing else."""
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(package), "PYTHONDONTWRITEBYTECODE": "1"}
    out = subprocess.run(
        [sys.executable, "-S", "-c", RENDER], input=json.dumps(given), env=env, cwd=package.parent,
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_templates_and_assets_are_reached_through_the_package():
    link = PACKAGE / "web"
    assert link.is_symlink() and not Path(os.readlink(link)).is_absolute()
    assert link.resolve() == ROOT / "web"
    assert assets.TEMPLATES == PACKAGE / "web" / "templates"
    env = templating.environment()
    assert env.loader.searchpath == [str(PACKAGE / "web" / "templates")]
    names = set(env.list_templates())
    assert {"base.html.j2", "home.html.j2", "post.html.j2", "feed.xml.j2", "sitemap.xml.j2"} <= names
    assert {path.name for path in assets.STATIC.iterdir()} >= set(assets.NAMES)


def test_a_lambda_package_renders_the_same_bytes_as_the_source_tree(tmp_path):
    package = lambda_package(tmp_path)
    web = package / "blog/site/web"
    assert web.is_dir() and not web.is_symlink()
    given = posts(5, cover=cover(), tags=["Python", "日本語"])
    local = renderer().site(given) + renderer().preview(
        {**given[0], "slug": "a-draft", "status": "draft", "publishedAt": None}
    )
    assert render_in(package, given) == digests(local)


def test_the_beacons_name_changes_with_its_content_and_nothing_else_does(tmp_path):
    package = lambda_package(tmp_path)
    before = render_in(package, posts(2))
    beacon = package / "blog/site/web/static/beacon.js"
    beacon.write_text(beacon.read_text() + "\n// changed\n")
    after = render_in(package, posts(2))
    old, new = ({k for k in d if k.startswith("assets/beacon.")} for d in (before, after))
    assert len(old) == len(new) == 1 and old != new
    assert {k for k in before if k.startswith("assets/") and k not in old} == {
        k for k in after if k.startswith("assets/") and k not in new
    }
    changed = {k for k in after if before.get(k) != after[k]}
    assert changed == new | {"posts/post-1/index.html", "posts/post-2/index.html"}  # the pages that load it


def test_hashed_key_is_the_content_hash():
    assert assets.hashed_key("beacon.js", b"a") == "assets/beacon.ca978112ca1b.js"
    assert assets.hashed_key("beacon.js", b"a") != assets.hashed_key("beacon.js", b"b")


def test_importing_the_renderer_loads_no_jinja2_and_the_environment_is_built_once():
    code = (
        "import json, sys, blog.site\n"
        "before = 'jinja2' in sys.modules\n"
        "from blog.site import SiteRenderer\n"
        "from blog.site.templating import environment\n"
        "for _ in range(3): SiteRenderer('MyBlog', 'https://b.example', 10, '/api').site([])\n"
        "print(json.dumps([before, 'jinja2' in sys.modules, environment.cache_info().misses]))"
    )
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == [False, True, 1]
