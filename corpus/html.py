"""Plain text from HTML pages, through a real HTML parser."""

from __future__ import annotations

import re

from bs4 import BeautifulSoup, Comment

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
    for tag in soup(_DROP):
        tag.decompose()
    for comment in soup.find_all(string=lambda s: isinstance(s, Comment)):
        comment.extract()
    title = None
    if soup.title and soup.title.get_text(strip=True):
        title = soup.title.get_text(" ", strip=True)
    if soup.head:
        soup.head.decompose()
    h1 = soup.find("h1")
    if h1 and h1.get_text(strip=True):
        title = h1.get_text(" ", strip=True)
    for li in soup.find_all("li"):
        li.insert(0, "• ")
    for tag in soup.find_all(_BLOCKS):
        tag.insert_before("\n\n")
        tag.insert_after("\n\n")
    text = soup.get_text()
    lines = [" ".join(line.split()) for line in text.split("\n")]
    paragraphs, current = [], []
    for line in lines:
        if line:
            current.append(line)
        elif current:
            paragraphs.append(" ".join(current))
            current = []
    if current:
        paragraphs.append(" ".join(current))
    return "\n\n".join(paragraphs), title
