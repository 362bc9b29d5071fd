"""From received bytes to an Article: decoding, format detection, parsing, metadata."""

from __future__ import annotations

import re
from datetime import date

from pydantic import BaseModel

from corpus.attribution import attributor
from corpus.briefing import find_headings, parse_briefing
from corpus.decode import DEFAULT_MAX_BYTES, decode_text
from corpus.errors import EmptyArticle
from corpus.html import html_to_text, looks_like_html
from corpus.models import Article, Passage, article_id
from corpus.plain import parse_plain
from corpus.sections import BRIEFING_MARKERS

_MONTHS = {
    m: i
    for i, names in enumerate(
        [("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",),
         ("jun", "june"), ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"),
         ("oct", "october"), ("nov", "november"), ("dec", "december")],
        start=1,
    )
    for m in names
}  # fmt: skip
_MONTH = (
    r"(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_DATE_PATTERNS = [
    re.compile(rf"\b{_MONTH}\.?\s+(\d{{1,2}}),\s+(\d{{4}})\b", re.IGNORECASE),
    re.compile(rf"\b(\d{{1,2}})\s+{_MONTH}\.?,?\s+(\d{{4}})\b", re.IGNORECASE),
    re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b"),
]


class ArticleMeta(BaseModel):
    """What the sender knows about an article beyond its text."""

    title: str | None = None
    source: str | None = None
    url: str | None = None
    published: date | None = None


def parse_article(
    data: bytes | str,
    *,
    filename: str | None = None,
    meta: ArticleMeta | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    nlp_model: str | None = None,
) -> Article:
    """Parse one article; raises a ParseError subclass with a reason for people.

    `nlp_model`: the spaCy pipeline speakers are attributed with (corpus.nlp; a name or a
    path, `en_core_web_sm` by default).
    """
    meta = meta or ArticleMeta()
    text = decode_text(data, max_bytes=max_bytes)
    html_title = None
    is_html = (filename or "").lower().endswith((".html", ".htm")) or looks_like_html(text)
    if is_html:
        text, html_title = html_to_text(text)
    if not re.search(r"\w", text):
        raise EmptyArticle("no text is left once the markup is removed")
    headings = find_headings(text)
    keys = {key for _, _, key in headings}
    speakers = attributor(nlp_model)
    if len(keys) >= 2 and keys & BRIEFING_MARKERS:
        parsed = parse_briefing(text, headings, speakers)
    else:
        parsed = parse_plain(text, speakers)
    drafts = [d for d in parsed.drafts if re.search(r"\w", text[d.start : d.end])]
    if not drafts:
        raise EmptyArticle("no readable paragraph was found in the text")
    aid = article_id(text)
    passages = tuple(
        Passage(
            article_id=aid,
            ordinal=i,
            section=d.section,
            status=d.status,
            start=d.start,
            end=d.end,
            text=text[d.start : d.end],
            speaker=d.speaker,
        )
        for i, d in enumerate(drafts)
    )
    # The text speaks first (DESIGN.md: titles and dates from the text where present).
    title = parsed.title or meta.title or html_title or _headline(passages[0].text)
    return Article(
        id=aid,
        title=title[:300],
        source=meta.source,
        url=meta.url,
        published=dated_lead(text[:800]) or meta.published or find_date(text[:800]),
        format=parsed.format,
        text=text,
        passages=passages,
    )


def _headline(text: str) -> str:
    first = re.split(r"(?<=[.!?])\s", text, maxsplit=1)[0]
    return first if len(first) <= 120 else first[:117].rsplit(" ", 1)[0] + "…"


_DATELINE = re.compile(
    r"(?:\b[Oo]n\s+(?:\w+day,?\s+)?|^[A-Z][A-Z .,'’-]{2,40}(?:,|—|–|-)\s*)(?P<date>[^\n]{6,25})",
    re.MULTILINE,
)


def dated_lead(text: str) -> date | None:
    """The date an article gives itself: "On Sept. 5, 2025 in …" or a "CITY, Oct. 16, 2025" line."""
    for m in _DATELINE.finditer(text):
        if (found := find_date(m.group("date"))) is not None:
            return found
    return None


def find_date(text: str) -> date | None:
    """The first full date written in the text ("Sept. 5, 2025", "5 September 2025", ISO)."""
    best: tuple[int, date] | None = None
    for i, pattern in enumerate(_DATE_PATTERNS):
        m = pattern.search(text)
        if not m:
            continue
        try:
            if i == 0:
                d = date(int(m.group(3)), _MONTHS[m.group(1).lower()], int(m.group(2)))
            elif i == 1:
                d = date(int(m.group(3)), _MONTHS[m.group(2).lower()], int(m.group(1)))
            else:
                d = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except (ValueError, KeyError):
            continue
        if best is None or m.start() < best[0]:
            best = (m.start(), d)
    return best[1] if best else None
