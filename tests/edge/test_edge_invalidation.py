"""Invalidation paths as CloudFront reads them ("What you need to know when invalidating files")."""

from __future__ import annotations

import pytest

from localcloud.edge.invalidation import InvalidationPathError, matcher, normalise

MATCHES = [
    ("exact path", ["/images/image1.jpg"], "/images/image1.jpg", True),
    ("case-sensitive", ["/images/image.jpg"], "/images/Image.jpg", False),
    ("exact path does not cover a longer one", ["/images/image1.jpg"], "/images/image1.jpg.bak", False),
    ("everything", ["/*"], "/any/thing.css", True),
    ("everything covers the root", ["/*"], "/", True),
    ("a directory's files", ["/images/*"], "/images/a/b.png", True),
    ("a directory's files, not the directory", ["/images/*"], "/images", False),
    ("directory and subdirectories", ["/images*"], "/images", True),
    ("directory prefix reaches siblings", ["/images*"], "/images-old/a.png", True),
    ("same name, other extensions", ["/logo.*"], "/logo.png", True),
    ("initial characters", ["/video/hls_*"], "/video/hls_0001.ts", True),
    ("a query string is part of the object", ["/images/image.jpg"], "/images/image.jpg?parameter1=a", False),
    ("the exact query string", ["/images/image.jpg?parameter1=a"], "/images/image.jpg?parameter1=a", True),
    ("another query string", ["/images/image.jpg?parameter1=a"], "/images/image.jpg?parameter1=b", False),
    ("a wildcard covers every query string", ["/images/image.jpg*"], "/images/image.jpg?parameter1=b", True),
    ("a star inside the path is literal", ["/a*b"], "/a*b", True),
    ("a star inside the path is not a wildcard", ["/a*b"], "/aXb", False),
    ("a literal star before the trailing wildcard", ["/a*b*"], "/a*bcd", True),
    ("a literal star before the trailing wildcard, no match", ["/a*b*"], "/aXbcd", False),
    ("a trailing slash is a different path", ["/images"], "/images/", False),
    ("any of several paths", ["/a.css", "/js/*"], "/js/app.js", True),
    ("none of several paths", ["/a.css", "/js/*"], "/b.css", False),
    ("non-ASCII given raw matches the encoded object", ["/caf\u00e9.html"], "/caf%C3%A9.html", True),
    ("non-ASCII given encoded matches the raw object", ["/caf%C3%A9.html"], "/caf\u00e9.html", True),
    ("escape hex digits are case-insensitive", ["/caf%c3%a9.html"], "/caf%C3%A9.html", True),
    ("a space and its encoding", ["/my file.txt"], "/my%20file.txt", True),
    ("safe characters must not be encoded", ["/%41.html"], "/A.html", False),
]


@pytest.mark.parametrize(("paths", "target", "expected"), [pytest.param(*c[1:], id=c[0]) for c in MATCHES])
def test_matcher(paths, target, expected):
    assert matcher(paths)(target) is expected


REJECTED = [
    ("no leading slash", ["images/a.jpg"], "must begin with '/'"),
    ("empty path", [""], "must begin with '/'"),
    ("a tilde", ["/~user/index.html"], "doesn't support '~'"),
    ("an encoded tilde", ["/%7Euser/index.html"], "doesn't support '~'"),
    ("an encoded tilde, lower case", ["/%7euser/"], "doesn't support '~'"),
    ("too long", ["/" + "a" * 4_000], "maximum is 4000"),
    ("no path at all", [], "at least one path"),
    ("one bad path spoils the request", ["/ok", "bad"], "must begin with '/'"),
]


@pytest.mark.parametrize(("paths", "message"), [pytest.param(*c[1:], id=c[0]) for c in REJECTED])
def test_paths_cloudfront_rejects(paths, message):
    with pytest.raises(InvalidationPathError, match=message):
        matcher(paths)


def test_the_longest_path_is_accepted():
    assert matcher(["/" + "a" * 3_999])("/" + "a" * 3_999)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("/a b", "/a%20b"),
        ('/q"<>{}|\\^[]`#', "/q%22%3C%3E%7B%7D%7C%5C%5E%5B%5D%60%23"),
        ("/50%", "/50%25"),
        ("/%2f", "/%2F"),
        ("/\u00fc", "/%C3%BC"),
        ("/a-b_c.d!$&'()*+,;=:@?x=1", "/a-b_c.d!$&'()*+,;=:@?x=1"),
    ],
)
def test_normalise(raw, expected):
    assert normalise(raw) == expected


def test_one_string_is_not_a_list_of_paths():
    with pytest.raises(TypeError, match="list of paths"):
        matcher("/index.html")  # type: ignore[arg-type]
