"""From received bytes to an Article: decoding, format detection, parsing, metadata."""

from __future__ import annotations

import re
from datetime import date

from pydantic import BaseModel

from corpus.attribution import Attributor, Recorder, attributor
from corpus.briefing import find_headings, parse_briefing
from corpus.dating import dateline, parse_day, without_dateline
from corpus.decode import DEFAULT_MAX_BYTES, decode_text
from corpus.errors import EmptyArticle, ParseError
from corpus.html import PageMeta, looks_like_html, read_page
from corpus.models import Article, Passage, article_id
from corpus.plain import parse_plain
from corpus.sections import BRIEFING_MARKERS


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
    return _parse(data, filename, meta or ArticleMeta(), max_bytes, attributor(nlp_model))


def nlp_texts(
    data: bytes | str,
    *,
    filename: str | None = None,
    meta: ArticleMeta | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> list[str]:
    """The texts `parse_article` hands the NLP pipeline for this input, in order, found
    without running it (none for an input it refuses): for `Pipeline.ahead`, which parses
    those of several articles in one pass."""
    recorder = Recorder()
    try:
        _parse(data, filename, meta or ArticleMeta(), max_bytes, recorder)
    except ParseError:
        return []
    return recorder.texts


def _parse(
    data: bytes | str,
    filename: str | None,
    meta: ArticleMeta,
    max_bytes: int,
    speakers: Attributor,
) -> Article:
    text = decode_text(data, max_bytes=max_bytes)
    page = PageMeta()
    is_html = (filename or "").lower().endswith((".html", ".htm")) or looks_like_html(text)
    if is_html:
        text, page = read_page(text)
    if not re.search(r"\w", text):
        raise EmptyArticle("no text is left once the markup is removed")
    headings = find_headings(text)
    keys = {key for _, _, key in headings}
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
    # What the sender says comes first, then what the page says of itself, then the text.
    title = meta.title or parsed.title or page.title or _headline(passages[0].text)
    return Article(
        id=aid,
        title=title[:300],
        source=meta.source or page.site,
        url=meta.url or page.url,
        published=meta.published or parse_day(page.published) or dateline(text),
        format=parsed.format,
        text=text,
        passages=passages,
    )


def _headline(text: str) -> str:
    first = re.split(r"(?<=[.!?])\s", without_dateline(text), maxsplit=1)[0]
    return first if len(first) <= 120 else first[:117].rsplit(" ", 1)[0] + "…"
