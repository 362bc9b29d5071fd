"""Hostile input, property-based: the parser, the question path and the renderer.

Arbitrary unicode (control characters, right-to-left text, lone surrogates, emoji), enormous
lines, deeply nested or broken HTML, repetition bombs. The parser either returns a consistent
article or raises a ParseError subclass with a reason; questions never raise; every message
the renderer builds passes the stand-in's Telegram HTML checker and stays within 4096
characters. Example counts are printed with `-s` (hypothesis statistics: `--hypothesis-show-
statistics`).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from bot import render
from bot.delivery import delivery_text
from bot.subscriptions import Kind
from corpus.errors import ParseError
from corpus.models import Passage, Speaker, Status
from corpus.parse import parse_article
from retrieval.answer import Answer, Result, Source
from retrieval.embedder import HashingEmbedder
from retrieval.library import Library
from standin import parse_html
from tests.reliability import bombs
from tests.reliability.articles import briefing

pytestmark = pytest.mark.reliability

MAX_BYTES = 2_000_000
RTL = bombs.RTL
NASTY = [
    "<",
    ">",
    "&",
    "&amp;",
    "&#0;",
    "&#xD800;",
    "\x00",
    "\x1b",
    "\u2028",
    "\ufeff",
    "\u200b",
    "“",
    "”",
    '"',
    "«",
    "»",
    "‘",
    "’",
    "—",
    "•",
    "*",
    "-",
    ":",
    "(",
    ")",
    "\n",
    "\n\n",
    "\r",
    "\t",
    "Verified Facts",
    "Official Statements",
    "Lead:",
    "Unconfirmed",
    "👩‍👩‍👧",
    "🇺🇦",
    "\U0001f600",
    "\ud800",
    "e\u0301",
    RTL,
    "<b>",
    "</i>",
    '<a href="x">',
    "<!--",
    "Key Takeaways\n",
    "said",
    "Putin",
    ", President of Russia (Moscow, Sept. 5, 2025)",
]

# Any code point, surrogates and control characters included (the parser takes str too).
any_text = st.text(st.characters(codec=None, categories=None), max_size=400)
pieces = st.lists(st.one_of(st.sampled_from(NASTY), any_text), max_size=40).map("".join)
# What Telegram can deliver, and what stored articles hold: valid Unicode, no lone surrogates.
valid_text = st.text(st.characters(codec="utf-8"), max_size=400)
valid_pieces = st.lists(
    st.one_of(st.sampled_from([n for n in NASTY if n != "\ud800"]), valid_text), max_size=40
).map("".join)
html_tags = st.sampled_from(
    [
        "p",
        "div",
        "h1",
        "h2",
        "li",
        "ul",
        "span",
        "b",
        "script",
        "table",
        "td",
        "tr",
        "br",
        "a",
        "blockquote",
        "pre",
        "style",
        "!--",
        "svg",
    ]
)


@st.composite
def broken_html(draw: st.DrawFn) -> str:
    """Tags opened and closed in any order, nested deep, attributes half-quoted."""
    out = ["<html><body>"] if draw(st.booleans()) else []
    for _ in range(draw(st.integers(0, 60))):
        tag = draw(html_tags)
        kind = draw(st.integers(0, 3))
        if kind == 0:
            out.append(f"<{tag}>")
        elif kind == 1:
            out.append(f"</{tag}>")
        elif kind == 2:
            out.append(f'<{tag} class="{draw(any_text)[:20]}')
        else:
            out.append(draw(pieces))
    depth = draw(st.integers(0, 3000))
    return "".join(out) + "<div>" * depth + draw(pieces) + "</div>" * (depth // 2)


@st.composite
def repetition(draw: st.DrawFn) -> str:
    """A short unit repeated into a long text (up to the size limit and a bit beyond)."""
    unit = draw(st.one_of(st.sampled_from(NASTY), pieces.filter(bool)))
    times = draw(st.integers(1, 400_000 // max(1, len(unit))))
    return unit * times


inputs = st.one_of(
    any_text,
    pieces,
    broken_html(),
    repetition(),
    st.binary(max_size=2000),
    st.builds(lambda s: briefing(7).replace("crates", s), pieces),
)


def _check_article(data: bytes | str) -> str:
    """Parse; return 'ok' or the error class, failing on anything but a typed refusal."""
    try:
        article = parse_article(data, filename="upload.txt", max_bytes=MAX_BYTES)
    except ParseError as exc:
        assert exc.reason and str(exc), "a refusal must say why"
        return type(exc).__name__
    assert article.passages and article.title
    assert len(article.title) <= 300
    for n, p in enumerate(article.passages):
        assert p.ordinal == n
        assert 0 <= p.start < p.end <= len(article.text)
        assert article.text[p.start : p.end] == p.text
    assert parse_article(data, filename="upload.txt", max_bytes=MAX_BYTES).id == article.id
    return "ok"


OUTCOMES: dict[str, int] = {}


# No deadline: a wall clock fails on a busy machine. Growth faster than the input (two
# quadratic searches were found by a deadline here) is measured by benchmarks.scaling.
@settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))
@given(inputs)
def test_the_parser_returns_an_article_or_a_typed_refusal(data: bytes | str) -> None:
    outcome = _check_article(data)
    OUTCOMES[outcome] = OUTCOMES.get(outcome, 0) + 1


@settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.one_of(any_text, pieces, st.binary(max_size=600)))
def test_html_documents_return_an_article_or_a_typed_refusal(body: str | bytes) -> None:
    text = body if isinstance(body, str) else body.decode("latin-1")
    _check_article(f"<!doctype html><html><body><p>{text}</p><div>{text}</div></body></html>")


# About 500 KB each (the upload limit is 2 MB). How their cost grows with the size (100,000
# nested divs ran 8 minutes before a fix) is measured by `python -m benchmarks.scaling`, which
# prints time(2n) / time(n); a test only checks what comes out.
BOMBS = {b.name: b.text() for b in bombs.BOMBS} | {"over the limit": "a" * (MAX_BYTES + 1)}


@pytest.mark.parametrize("name", list(BOMBS))
def test_repetition_bombs_are_parsed_or_refused_with_a_reason(name: str) -> None:
    outcome = _check_article(BOMBS[name])  # any exception but a ParseError fails the test
    print(f"{name}: {outcome}")
    if name == "over the limit":
        assert outcome == "TooLarge"


def test_a_wide_page_keeps_every_list_item() -> None:
    article = parse_article(BOMBS["wide html"], filename="page.html", max_bytes=MAX_BYTES)
    assert len(article.passages) == 40_000
    assert {p.text for p in article.passages} == {"item"}


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Library:
    lib = Library(tmp_path_factory.mktemp("hostile"), HashingEmbedder())
    for i in range(8):
        lib.ingest(briefing(i))
    hostile = ("Ünïcödé <b>&amp; “quotes” ש״ב\u202e 👩‍👩‍👧 Verified Facts\n\n" * 3).strip()
    lib.ingest(briefing(9).replace("crates", hostile))
    yield lib
    lib.close()


def _check_message(text_html: str) -> None:
    parsed = parse_html(text_html)  # raises EntityParseError where Telegram would refuse
    assert parsed.text.strip(), "Telegram refuses an empty message"
    assert len(parsed.text) <= 4096


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(question=st.one_of(valid_text, valid_pieces))
def test_any_question_is_answered_and_rendered_within_telegrams_rules(
    library: Library, question: str
) -> None:
    answer = library.ask(question[:500])
    assert answer.question == question[:500]
    offset = 0
    for _ in range(5):  # every page, through the "More" button
        text, offset = render.answer_page(answer, offset)
        _check_message(text)
        if not offset:
            break


def _passage(text: str, section: str, speaker: Speaker | None, status: Status) -> Passage:
    return Passage(
        article_id="a" * 16,
        ordinal=0,
        section=section,
        status=status,
        start=0,
        end=len(text),
        text=text,
        speaker=speaker,
    )


long_text = st.one_of(
    valid_text, valid_pieces, st.builds(lambda s, n: s * n, valid_pieces, st.integers(1, 500))
)
speakers = st.one_of(
    st.none(),
    st.builds(
        Speaker,
        name=long_text.filter(bool),
        role=st.none() | long_text,
        place=st.none() | long_text,
        when=st.none() | long_text,
    ),
)
sources = st.builds(
    Source,
    article_id=st.just("b" * 16),
    title=long_text,
    source=st.none() | long_text,
    url=st.none()
    | st.sampled_from(['https://e.x/a?b=1&c="2"', "javascript:alert(1)"])
    | long_text.map(lambda s: "https://" + s),
    published=st.none() | st.dates(date(1900, 1, 1), date(2100, 1, 1)),
)
results = st.builds(
    lambda text, section, speaker, status, source, others: Result(
        passage=_passage(text, section, speaker, status),
        article=source,
        score=1.0,
        relevance=1.0,
        also_reported_by=others,
    ),
    long_text.filter(str.strip),
    long_text,
    speakers,
    st.sampled_from(list(Status)),
    sources,
    st.lists(sources, max_size=4),
)


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(question=long_text, found=st.lists(results, max_size=7), kind=st.sampled_from(list(Kind)))
def test_every_rendered_message_is_one_telegram_accepts(
    question: str, found: list[Result], kind: Kind
) -> None:
    assume(question.strip() or found)
    answer = Answer(question=question, results=found)
    offset, pages, shown = 0, 0, 0
    while True:
        text, offset = render.answer_page(answer, offset)
        _check_message(text)
        pages += 1
        shown = offset or len(found)
        if not offset:
            break
        assert pages <= len(found), "paging does not advance"
    assert shown == len(found)
    for result in found:
        _check_message(render.card(result))
    if found:
        _check_message(delivery_text(kind, question or "topic", found))


def test_outcomes_seen(capsys: pytest.CaptureFixture[str]) -> None:
    """How the parser's hostile inputs came out (run after the property test above)."""
    with capsys.disabled():
        print(f"\nparser outcomes over hostile inputs: {OUTCOMES}")


__all__ = ["Path"]
