"""Plain text from HTML pages, through a real HTML parser."""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree

from corpus.errors import ParseError

# Real pages nest far less; deeper nesting is a bomb, not an article.
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
_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
# A block whose every word is a link's ("Book here.", "Read more on our site") points elsewhere
# and says nothing itself; up to this many words.
LINK_ONLY_WORDS = 8
_LINK = "a[href]"
_RUBY = ("rt", "rp")
_PRE = ("pre", "textarea")
_ASCII_SPACE = " \n\t\f\r"


def looks_like_html(text: str) -> bool:
    """Whether the text is an HTML document rather than prose that mentions a tag."""
    head = text[:2000].lower()
    return (
        "<html" in head
        or "<!doctype html" in head
        or len(re.findall(r"</(p|div|h\d|li)>", head)) >= 2
    )


# The page's own description of itself: Open Graph, article and schema.org <meta> names.
_META = {
    "og:title": "title",
    "twitter:title": "title",
    "og:site_name": "site",
    "application-name": "site",
    "og:url": "url",
    "article:published_time": "published",
    "og:published_time": "published",
    "datepublished": "published",
    "pubdate": "published",
    "publishdate": "published",
    "date": "published",
    "dc.date": "published",
    "dc.date.issued": "published",
}


@dataclass(frozen=True)
class PageMeta:
    """What a page says about itself: its headline, site, canonical address, publication."""

    title: str | None = None
    site: str | None = None
    url: str | None = None
    published: str | None = None  # as written, e.g. "2025-10-12T08:00:00+02:00"


def html_to_text(html: str) -> tuple[str, str | None]:
    """Return the readable text (blocks as paragraphs, list items as bullets) and the title."""
    text, meta = read_page(html)
    return text, meta.title


def read_page(html: str) -> tuple[str, PageMeta]:
    """The readable text and what the page's head says about it (the first <h1> is the title,
    else og:title, else <title>)."""
    page = _Page()
    # lxml's HTML parser calls the page for every tag and text as it reads: no tree is built,
    # so the cost is one call per event however wide or deep the page is.
    parser = etree.HTMLParser(target=page, recover=True)
    try:
        parser.feed(html)
        parser.close()
    except etree.LxmlError as exc:  # recover=True repairs nearly anything; this is the rest
        raise ParseError(f"the page cannot be read as HTML ({exc})") from exc
    if page.deepest > MAX_DEPTH:
        raise ParseError(f"the page nests its elements more than {MAX_DEPTH} levels deep")
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
    found = page.meta
    meta = PageMeta(
        title=page.h1 or found.get("title") or page.title,
        site=found.get("site"),
        url=page.canonical or found.get("url"),
        published=found.get("published"),
    )
    return "\n\n".join(paragraphs), meta


_EMIT, _SILENT, _DROPPED = range(3)  # an open element's content: shown, read for a title, skipped


class _Page:
    """An lxml parser target gathering the text as the tags arrive, skipping what is not
    content (scripts, navigation, the head). It keeps what the earlier walk over a
    BeautifulSoup tree (built from these same events) kept, without the tree: building it in
    Python took seconds for a page of 40,000 list items."""

    def __init__(self) -> None:
        self.pieces: list[str] = []
        self.title: str | None = None  # the first <title>, unless empty
        self.h1: str | None = None  # the first <h1> outside the head, unless empty
        self.deepest = 0
        self.meta: dict[str, str] = {}  # the first value of each _META field
        self.canonical: str | None = None
        self._open: list[tuple[str, int]] = []  # (tag, how its content is treated)
        self._data: list[str] = []  # the text since the last tag or comment
        self._head_seen = False
        self._ruby = 0  # open <rt>/<rp>: their text is an annotation, not the article's
        self._pre = 0  # open <pre>/<textarea>: white space kept as written
        self._title: list[str] | None = None  # the words of the first <title>, while open
        self._h1: list[str] | None = None  # the same for the first <h1>
        self._title_depth = self._h1_depth = -1  # its depth while open; -2 once read
        self._links = 0  # open <a href> elements
        # Open shown blocks: [first piece, words, words inside links, holds another block].
        self._blocks: list[list] = []

    def start(self, tag: str, attrib: object) -> None:
        self._flush()
        outer = self._open[-1][1] if self._open else _EMIT
        depth = len(self._open) + 1
        self.deepest = max(self.deepest, depth)
        if outer == _DROPPED or tag in _DROP:
            mode = _DROPPED
        else:
            if tag == "title" and self._title_depth == -1:
                self._title, self._title_depth = [], depth
            if tag == "h1" and outer == _EMIT and self._h1_depth == -1:
                self._h1, self._h1_depth = [], depth
            head = tag == "head" and not self._head_seen
            mode = _SILENT if head or outer == _SILENT else _EMIT
            if mode == _EMIT and tag in _BLOCKS:
                if self._blocks:
                    self._blocks[-1][3] = True
                self._blocks.append([len(self.pieces), 0, 0, tag in _HEADINGS or tag == "br"])
                self.pieces.append("\n\n• " if tag == "li" else "\n\n")
        if tag == "a" and getattr(attrib, "get", lambda _key: None)("href"):
            tag = _LINK  # counted open, so that a block of links alone can be told
            self._links += 1
        if tag == "head":
            self._head_seen = True
        if tag in ("meta", "link", "time"):
            self._describe(tag, attrib)
        self._ruby += tag in _RUBY
        self._pre += tag in _PRE
        self._open.append((tag, mode))

    def _describe(self, tag: str, attrib: object) -> None:
        """Keep what a <meta>, a canonical <link> or a published <time> says of the page."""
        get = getattr(attrib, "get", lambda _key, default=None: default)
        if tag == "link":
            if "canonical" in (get("rel") or "").lower().split() and get("href"):
                self.canonical = self.canonical or get("href").strip()
            return
        if tag == "time":
            if get("datetime") and (get("itemprop") or "").lower() == "datepublished":
                self.meta.setdefault("published", get("datetime").strip())
            return
        key = (get("property") or get("name") or get("itemprop") or "").strip().lower()
        content = (get("content") or "").strip()
        if key in _META and content:
            self.meta.setdefault(_META[key], " ".join(content.split()))

    def end(self, tag: str) -> None:
        self._flush()
        if not self._open:
            return
        depth = len(self._open)
        name, mode = self._open.pop()
        self._links -= name == _LINK
        self._ruby -= name in _RUBY
        self._pre -= name in _PRE
        if mode == _EMIT and name in _BLOCKS:
            first, words, linked, holds_more = self._blocks.pop() if self._blocks else (0, 0, 0, 1)
            if not holds_more and 0 < words <= LINK_ONLY_WORDS and linked == words:
                del self.pieces[first:]
            self.pieces.append("\n\n")
        if depth == self._title_depth and self._title is not None:
            self.title = " ".join(self._title) or None
            self._title, self._title_depth = None, -2
        if depth == self._h1_depth and self._h1 is not None:
            self.h1 = " ".join(self._h1) or None
            self._h1, self._h1_depth = None, -2

    def data(self, text: str) -> None:
        self._data.append(text)

    def comment(self, text: str) -> None:
        self._flush()  # a comment ends a text and is no text itself

    def pi(self, target: str, data: str | None = None) -> None:
        self._flush()

    def doctype(self, *args: object) -> None:
        self._flush()

    def close(self) -> None:
        self._flush()

    def _flush(self) -> None:
        """One text between two tags: shown where its element is shown, and part of an open
        title; white space alone counts as one space or newline (BeautifulSoup's rule)."""
        if not self._data:
            return
        text = "".join(self._data)
        self._data.clear()
        mode = self._open[-1][1] if self._open else _EMIT
        if mode == _DROPPED or self._ruby:
            return
        if not self._pre and not text.strip(_ASCII_SPACE):
            text = "\n" if "\n" in text else " "
        if mode == _EMIT:
            self.pieces.append(text)
            words = len(text.split())
            for block in self._blocks:
                block[1] += words
                block[2] += words if self._links else 0
        if word := text.strip():
            for words in (self._title, self._h1):
                if words is not None:
                    words.append(word)
