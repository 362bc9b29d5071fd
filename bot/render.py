"""Telegram's rules in one place: escaped HTML, at most 4096 characters a message, buttons."""

from __future__ import annotations

import html
import re

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import MessageLimit

from corpus.claims import ClaimStanding
from corpus.models import Article, Passage
from retrieval.answer import Answer, Result, Source

MAX_TEXT = MessageLimit.MAX_TEXT_LENGTH  # 4096, counted after entity parsing
MAX_PASSAGE_CHARS = 1200  # one card never takes more than this of a message
MAX_FIELD_CHARS = 100  # a section, an outlet, a speaker's name, place or date
MAX_ROLE_CHARS = 200
MAX_HISTORY_CHARS = 300  # a claim's history line
MAX_SETTLING_CHARS = 400  # the passage that settled it
MAX_CARDS = 3  # results per message; the rest behind "More"
# A passage longer than this (about five lines on a phone) is shown in an expandable quote.
FOLD_FROM = 300
NOTHING_FOUND = "Nothing in the corpus answers this yet."
PLAIN_SECTION = "Body"  # corpus.plain's section for prose under no heading


def esc(text: str) -> str:
    """Escape article text for parse_mode HTML (Telegram knows &lt; &gt; &amp; &quot;)."""
    return html.escape(text, quote=True)


def clip(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def speaker_html(passage: Passage) -> str | None:
    s = passage.speaker
    if s is None:
        return None
    where = ", ".join(clip(x, MAX_FIELD_CHARS) for x in (s.place, s.when) if x)
    line = f"<b>{esc(clip(s.name, MAX_FIELD_CHARS))}</b>"
    if s.role:
        line += f", {esc(clip(s.role, MAX_ROLE_CHARS))}"
    if where:
        line += f" ({esc(where)})"
    return line


def source_html(source: Source) -> str:
    title = esc(clip(source.title, 200))
    linked = f'<a href="{esc(source.url)}">{title}</a>' if _linkable(source.url) else title
    extra = [esc(clip(source.source, MAX_FIELD_CHARS))] if source.source else []
    if source.published:
        extra.append(source.published.strftime("%d %b %Y"))
    return " · ".join([linked, *extra])


def _linkable(url: str | None) -> bool:
    return bool(url) and url.startswith(("http://", "https://")) and len(url) <= 2000


def card(result: Result, *, source: bool = True) -> str:
    """One result: status label, passage text, speaker, source (left out for an article the
    message already named); every part clipped, so that a card always fits in a message with
    the question."""
    p = result.passage
    lines = [f"<b>{p.status.label}</b>"]
    if p.section != PLAIN_SECTION:  # a plain article's one section names nothing
        lines[0] += f" · <i>{esc(clip(p.section, MAX_FIELD_CHARS))}</i>"
    standing = result.claim
    if standing is not None and standing.changed:
        lines.append(f"<b>{esc(clip(standing.line(), MAX_HISTORY_CHARS))}</b>")
    text = esc(clip(p.text, MAX_PASSAGE_CHARS))
    lines.append(f"<blockquote expandable>{text}</blockquote>" if len(p.text) > FOLD_FROM else text)
    if who := speaker_html(p):
        lines.append(f"— {who}")
    if source:
        lines.append(f"📰 {source_html(result.article)}")
    if result.also_reported_by:
        others = "; ".join(source_html(s) for s in result.also_reported_by[:3])
        lines.append(f"Also reported by: {others}")
    if standing is not None and standing.changed:
        lines.extend(settled_html(standing))
    return "\n".join(lines)


def settled_html(standing: ClaimStanding) -> list[str]:
    """The newest passage that settled a claim, offered beside it."""
    for link, passage in list(zip(standing.settled_by, standing.settling, strict=False))[-1:]:
        source = Source(
            article_id=link.article_id, title=link.title, source=link.source, published=link.dated
        )
        text = esc(clip(passage.text, MAX_SETTLING_CHARS))
        return [f"↳ <b>{passage.status.label}</b>: {text}", f"   📰 {source_html(source)}"]
    return []


def no_statement(answer: Answer) -> str:
    """A who-said question about a person who never spoke to it: that, and (labelled as not
    an answer) their nearest statements."""
    assert answer.missing_speaker is not None
    on = f" on <i>{esc(clip(answer.topic, 200))}</i>" if answer.topic else ""
    parts = [f"No statement by <b>{esc(clip(answer.missing_speaker, MAX_FIELD_CHARS))}</b>"
             f"{on} in the corpus."]  # fmt: skip
    if answer.related:
        parts.append(f"<i>{esc(answer.related_heading)}</i>")
        for result in answer.related[:MAX_CARDS]:
            block = f"• {card(result)}"
            if text_length("\n\n".join([*parts, block])) > MAX_TEXT - 200:
                break
            parts.append(block)
    return "\n\n".join(parts)


def did_you_mean(answer: Answer) -> str | None:
    """For a name read as a near spelling of a known person's: whom it was read as."""
    if not (answer.spelt and answer.speaker):
        return None
    who = esc(clip(answer.speaker, MAX_FIELD_CHARS))
    spelt = esc(clip(answer.spelt, MAX_FIELD_CHARS))
    return f"🔤 Did you mean <b>{who}</b>? Nobody called “{spelt}” is quoted; showing {who}."


def answer_page(answer: Answer, offset: int) -> tuple[str, int]:
    """The message text for results from `offset`, and the offset of the next page."""
    when = f" · published {esc(clip(answer.period, MAX_FIELD_CHARS))}" if answer.period else ""
    meant = did_you_mean(answer)
    if not answer.results:
        question = f"<i>{esc(clip(answer.question, 300))}</i>"
        if answer.missing_speaker:
            lead = f"{meant}\n\n" if meant else ""
            return f"{lead}{no_statement(answer)}\n\n{question}", 0
        nothing = f"Nothing published {esc(answer.period)} answers this." if when else NOTHING_FOUND
        return f"{nothing}\n\n{question}", 0
    header = f"🔎 <i>{esc(clip(answer.question, 300))}</i>{when}"
    parts = [header, meant] if meant and offset == 0 else [header]
    end = offset
    named: set[str] = set()
    for index, result in enumerate(answer.results[offset:], start=offset + 1):
        block = f"<b>{index}.</b> {card(result, source=result.article.article_id not in named)}"
        named.add(result.article.article_id)
        previous = answer.results[index - 2] if index >= 2 else None
        if result.someone_else and (previous is None or not previous.someone_else or end == offset):
            who = esc(clip(answer.speaker or "them", MAX_FIELD_CHARS))
            block = f"<i>Not by {who} — what others said:</i>\n\n{block}"
        if end - offset >= MAX_CARDS or text_length("\n\n".join([*parts, block])) > MAX_TEXT - 200:
            break
        parts.append(block)
        end += 1
    return "\n\n".join(parts), (end if end < len(answer.results) else 0)


def preview_url(answer: Answer, offset: int) -> str | None:
    """The one link a page previews: the first linked article it shows."""
    for result in answer.results[offset : offset + MAX_CARDS]:
        if _linkable(result.article.url):
            return result.article.url
    return None


def text_length(text_html: str) -> int:
    """Characters Telegram counts: the text once tags are removed and entities decoded."""
    return len(html.unescape(re.sub(r"<[^>]+>", "", text_html)))


def answer_keyboard(
    answer_id: int,
    next_offset: int,
    *,
    found: bool,
    speaker: str | None = None,
    listing: bool = False,
) -> InlineKeyboardMarkup | None:
    """'More' when more results remain; follow the person a who-said question asks about, or
    subscribe to the question's topic (a listing of the newest articles has none)."""
    rows = []
    if next_offset:
        more = InlineKeyboardButton("More ▸", callback_data=f"more:{answer_id}:{next_offset}")
        rows.append([more])
    if listing:
        return InlineKeyboardMarkup(rows) if rows else None
    if speaker:
        label = f"👤 Follow {clip(speaker, 40)}"
    else:
        label = "🔔 Subscribe to this topic" if found else "🔔 Tell me when this appears"
    rows.append([InlineKeyboardButton(label, callback_data=f"sub:{answer_id}")])
    return InlineKeyboardMarkup(rows)


def article_summary(article: Article, subscribers: int) -> str:
    """The reply to /add: what was parsed and who will hear about it."""
    counts: dict[str, int] = {}
    for p in article.passages:
        counts[p.status.label] = counts.get(p.status.label, 0) + 1
    day = article.published.strftime("%d %b %Y") if article.published else "no date found"
    named = [s for s in article.sections if s != PLAIN_SECTION]
    lines = [
        f"✅ Added <b>{esc(clip(article.title, 300))}</b>",
        f"Date: {day} · format: {article.format} · id <code>{article.id}</code>",
        f"Source: {source_html(Source.of(article))}",
        *([f"Sections: {esc(', '.join(named))}"] if named else []),
        "Passages: " + ", ".join(f"{n} {label}" for label, n in counts.items()),
        f"Subscribers to notify: {subscribers}",
    ]
    return "\n".join(lines)


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Plain (already escaped, tag-free) text in pieces of at most `limit`, cut at line ends."""
    pieces, current = [], ""
    for line in text.split("\n"):
        while len(line) > limit:
            pieces.append(line[:limit])
            line = line[limit:]
        if len(current) + len(line) + 1 > limit:
            pieces.append(current)
            current = line
        else:
            current = f"{current}\n{line}" if current else line
    if current:
        pieces.append(current)
    return pieces
