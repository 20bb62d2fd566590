"""The static site renderer of MyBlog: posts in, the objects of the site bucket out. Pure and deterministic.

    renderer = SiteRenderer(site_name="MyBlog", base_url="https://blog.example.com", page_size=10, api_path="/api")
    pages = renderer.site(published_posts)   # every public page, feed.xml, sitemap.xml, robots.txt, assets
    previews = renderer.preview(draft_post)  # preview/<slug>/index.html (and the assets it links to)

`render-site` writes each `Page` under `page.path` with its `content_type` and `cache_control`, in list
order (assets first), skips those whose bytes are unchanged, deletes stale keys of an earlier render, and
invalidates `url_path(page.path)` of what changed. Templates and assets live in the repository's `web/`,
reached through the symlink `blog/site/web` (see `blog.site.assets`).

The Content Security Policy the pages need, exactly (`CONTENT_SECURITY_POLICY`; the distribution's response
headers policy should send this and nothing looser):

    default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self';
    form-action 'self'; base-uri 'none'; frame-ancestors 'none'

- `script-src 'self'`: the one script, `/assets/beacon.<hash>.js`. No inline script, no inline event
  handler, no `eval`; the beacon learns its URL from a `data-views` attribute.
- `style-src 'self'`: the one stylesheet, `/assets/site.<hash>.css`. No inline `<style>` or `style=`
  attribute in the templates, so no hash is needed. (A post body could carry a `style` attribute only if
  the upstream sanitiser allowed it; it does not, and under this policy it would be ignored anyway.)
- `img-src 'self'`: covers and body images under `/media/` (same domain, through the distribution) and the
  hashed favicon. An image on another host in a post body is blocked; widen to `img-src 'self' https:` only
  if posts may embed third-party images (and accept that readers' browsers then call those hosts).
- `connect-src 'self'`: `navigator.sendBeacon` / `fetch` to `POST {api_path}/posts/<slug>/views`.
- `form-action 'self'`: the subscribe form, a plain POST to `{api_path}/subscribers`. Its answer should be
  a same-origin 303 redirect or a small HTML page (the form works without any script).
- `base-uri 'none'`, `frame-ancestors 'none'`: no `<base>`, and no framing (with `X-Frame-Options: DENY`).
  No fonts, frames, workers, objects or manifests are used, so `default-src 'none'` denies them.

The same policy covers previews (they load the stylesheet and icon, never the beacon).
"""

import importlib

# Loaded on first use (PEP 562): the posts API imports `blog.site.urls` for tag slugs, and must not pay for
# the renderer (its templates, MarkupSafe, hashlib) at cold start; MarkupSafe is not even in its package.
_HOMES = {
    "CONTENT_SECURITY_POLICY": "blog.site.pages",
    "Page": "blog.site.pages",
    "SiteRenderer": "blog.site.renderer",
    "tag_slug": "blog.site.urls",
    "url_path": "blog.site.urls",
}
__all__ = list(_HOMES)


def __getattr__(name: str):
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(_HOMES[name]), name)
