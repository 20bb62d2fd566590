"""Post slugs: the URL and the table key of a post, `^[a-z0-9]+(-[a-z0-9]+)*$`, derived from the title
when the author gives none ("Hello, Wörld!" → "hello-world"). Letters outside ASCII are folded to their
base letter where Unicode has one (NFKD), others dropped: a slug is a key, an S3 key and a URL at once.
"""

from __future__ import annotations

import re

from blog.schemas import SLUG_MAX, SLUG_PATTERN

# Compiled (and cached) by `re` on first use, not at the API's cold start.
_VALID = SLUG_PATTERN.removesuffix("$") + r"\Z"  # whole string: Python's `$` allows a final "\n"
_NOT_ALNUM = r"[^a-z0-9]+"


def is_slug(value: object) -> bool:
    return isinstance(value, str) and len(value) <= SLUG_MAX and bool(re.match(_VALID, value))


def slug_from_title(title: str) -> str:
    """The title's words in lower-case ASCII joined by "-", cut at a word to SLUG_MAX; "" when none is left."""
    import unicodedata  # a shared library, loaded on the first title rather than at cold start

    folded = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii").lower()
    words = re.sub(_NOT_ALNUM, " ", folded.replace("&", " and ").replace("+", " plus ")).split()
    slug = ""
    for word in words:
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > SLUG_MAX:
            break
        slug = candidate
    return slug or (words[0][:SLUG_MAX] if words else "")
