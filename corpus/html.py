"""Plain text from HTML pages, through a real HTML parser."""

from __future__ import annotations

import re

from bs4 import BeautifulSoup, Tag

from corpus.errors import ParseError

# Real pages nest far less (the text is gathered by recursion, one frame per level).
MAX_DEPTH = 500

_DROP = (
    "script",
    "style",
    "noscript",
    "template",
    "svg",
    "iframe",
    "form",
    "nav",
    "footer",
    "aside",
)
_BLOCKS = (
    "p", "div", "section", "article", "header", "li", "blockquote", "br", "tr",
    "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "table", "figure", "figcaption", "pre",
)  # fmt: skip


def looks_like_html(text: str) -> bool:
    """Whether the text is an HTML document rather than prose that mentions a tag."""
    head = text[:2000].lower()
    return (
        "<html" in head
        or "<!doctype html" in head
        or len(re.findall(r"</(p|div|h\d|li)>", head)) >= 2
    )


def html_to_text(html: str) -> tuple[str, str | None]:
    """Return the readable text (blocks as paragraphs, list items as bullets) and the title."""
    soup = BeautifulSoup(html, "lxml")
    if _depth(soup) > MAX_DEPTH:
        raise ParseError(f"the page nests its elements more than {MAX_DEPTH} levels deep")
    page = _Page(soup)
    page.walk(soup, emit=True)
    lines = [" ".join(line.split()) for line in "".join(page.pieces).split("\n")]
    paragraphs, current = [], []
    for line in lines:
        if line:
            current.append(line)
        elif current:
            paragraphs.append(" ".join(current))
            current = []
    if current:
        paragraphs.append(" ".join(current))
    return "\n\n".join(paragraphs), page.h1 or page.title


class _Page:
    """One walk over the tree that gathers the text, skipping what is not content (scripts,
    navigation, the head). Changing the tree instead (decompose, insert a separator) walks a
    subtree or the siblings at every change: hours for a page of 100,000 elements."""

    def __init__(self, soup: BeautifulSoup) -> None:
        self.kept = soup.interesting_string_types  # what get_text() keeps: no comments
        self.head = soup.head
        self.pieces: list[str] = []
        self.title: str | None = None  # the first <title>, unless empty
        self.h1: str | None = None  # the first <h1> outside the head, unless empty
        self._seen: set[str] = set()

    def walk(self, node: Tag, *, emit: bool) -> None:
        for child in node.children:
            if not isinstance(child, Tag):
                if emit and type(child) in self.kept:
                    self.pieces.append(str(child))
                continue
            name = child.name
            if name in _DROP:
                continue
            if name == "title" and "title" not in self._seen:
                self._seen.add("title")
                self.title = self.text(child)
            if name == "h1" and emit and "h1" not in self._seen:
                self._seen.add("h1")
                self.h1 = self.text(child)
            if child is self.head or not emit:
                self.walk(child, emit=False)  # a title, but no text
                continue
            block = name in _BLOCKS
            if block:
                self.pieces.append("\n\n")
            if name == "li":
                self.pieces.append("• ")
            self.walk(child, emit=True)
            if block:
                self.pieces.append("\n\n")

    def text(self, node: Tag) -> str | None:
        """The element's words as get_text(" ", strip=True) gives them, or None."""
        words: list[str] = []

        def gather(parent: Tag) -> None:
            for child in parent.children:
                if isinstance(child, Tag):
                    if child.name not in _DROP:
                        gather(child)
                elif type(child) in self.kept and (word := child.strip()):
                    words.append(word)

        gather(node)
        return " ".join(words) or None


def _depth(soup: BeautifulSoup) -> int:
    """How deep the elements nest (in one pass: a parent comes before its children)."""
    depth = {id(soup): 0}
    deepest = 0
    for tag in soup.find_all(True):
        depth[id(tag)] = level = depth[id(tag.parent)] + 1
        deepest = max(deepest, level)
    return deepest
