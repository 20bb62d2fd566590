"""A small HTML5 reader for the site tests: the elements of a page in order, with their attributes, and the
text of its headings; enough to check landmarks, headings, links and scripts without a browser."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
URL_ATTRIBUTES = ("href", "src", "action", "srcset", "data-views")


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    text: str = ""


@dataclass
class Document:
    elements: list[Element] = field(default_factory=list)

    def all(self, tag: str) -> list[Element]:
        return [e for e in self.elements if e.tag == tag]

    def meta(self, key: str) -> str | None:
        for e in self.all("meta"):
            if key in (e.attrs.get("name"), e.attrs.get("property")):
                return e.attrs.get("content")
        return None

    def link(self, rel: str) -> str | None:
        return next((e.attrs["href"] for e in self.all("link") if e.attrs.get("rel") == rel), None)

    def urls(self) -> list[tuple[Element, str]]:
        found = []
        for e in self.elements:
            for name in URL_ATTRIBUTES:
                value = e.attrs.get(name)
                if value is None:
                    continue
                if name == "srcset":
                    found += [(e, candidate.split()[0]) for candidate in value.split(",")]
                else:
                    found.append((e, value))
        return found


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.document = Document()
        self._open: list[Element] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {name: value or "" for name, value in attrs})
        self.document.elements.append(element)
        if tag in HEADINGS or tag == "title":
            self._open.append(element)

    def handle_endtag(self, tag: str) -> None:
        if self._open and self._open[-1].tag == tag:
            self._open.pop()

    def handle_data(self, data: str) -> None:
        for element in self._open:
            element.text += data


def read(html: str) -> Document:
    reader = _Reader()
    reader.feed(html)
    reader.close()
    return reader.document
