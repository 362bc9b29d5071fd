"""Answers and ingest reports as plain text for a terminal."""

from __future__ import annotations

import textwrap

from corpus.models import Article, Passage
from retrieval.answer import Answer, Result, Source

NOTHING_FOUND = "Nothing in the corpus answers this."


def speaker_line(passage: Passage) -> str | None:
    """“Name, role (place, when)” for a statement, or None."""
    s = passage.speaker
    if s is None:
        return None
    where = ", ".join(x for x in (s.place, s.when) if x)
    return ", ".join(x for x in (s.name, s.role) if x) + (f" ({where})" if where else "")


def source_line(source: Source) -> str:
    parts = [source.title]
    if source.source:
        parts.append(source.source)
    if source.published:
        parts.append(source.published.strftime("%d %b %Y"))
    line = " · ".join(parts)
    return f"{line} <{source.url}>" if source.url else line


def history_line(result: Result) -> str | None:
    """`⚠️ Unconfirmed (3 Oct) → ✅ Confirmed (9 Oct, outlet)` for a claim that changed."""
    standing = result.claim
    return standing.line() if standing is not None and standing.changed else None


def claim_lines(result: Result, width: int = 88) -> list[str]:
    """What settled an unconfirmed passage's claim since, newest last."""
    standing = result.claim
    if standing is None or not standing.changed:
        return []
    lines = []
    for link, passage in zip(standing.settled_by, standing.settling, strict=False):
        day = f" · {link.dated.strftime('%d %b %Y')}" if link.dated else ""
        outlet = f" · {link.source}" if link.source else ""
        text = textwrap.shorten(" ".join(passage.text.split()), width=300, placeholder=" …")
        lines.append(f"   ↳ {passage.status.label}: {text}")
        lines.append(f"     Source: {link.title}{outlet}{day}")
    return lines


def format_result(rank: int, result: Result, width: int = 88) -> str:
    p = result.passage
    # A plain article's one section ("Body") names nothing.
    lines = [f"{rank}. {p.status.label}" + (f"  [{p.section}]" if p.section != "Body" else "")]
    if history := history_line(result):
        lines.append(f"   {history}")
    body = textwrap.fill(" ".join(p.text.split()), width=width, initial_indent="   ",
                         subsequent_indent="   ")  # fmt: skip
    lines.append(body)
    if who := speaker_line(p):
        lines.append(f"   — {who}")
    lines.append(f"   Source: {source_line(result.article)}")
    for other in result.also_reported_by:
        lines.append(f"   Also reported by: {source_line(other)}")
    if result.also_in_sections:
        lines.append(f"   Also in: {', '.join(result.also_in_sections)}")
    lines.extend(claim_lines(result, width))
    return "\n".join(lines)


def format_answer(answer: Answer) -> str:
    when = f" (published {answer.period})" if answer.period else ""
    if not answer.found:
        if answer.missing_speaker:
            on = f" on {answer.topic}" if answer.topic else ""
            parts = [f"Q: {answer.question}{when}",
                     f"No statement by {answer.missing_speaker}{on} in the corpus."]  # fmt: skip
            if answer.related:
                parts.append(answer.related_heading)
                parts.extend(format_result(i, r) for i, r in enumerate(answer.related, start=1))
            return "\n\n".join(parts)
        return f"Q: {answer.question}{when}\n\n{NOTHING_FOUND}"
    parts = [f"Q: {answer.question}{when}"]
    for i, r in enumerate(answer.results, start=1):
        if r.someone_else and (i == 1 or not answer.results[i - 2].someone_else):
            parts.append(f"Not by {answer.speaker or 'them'} — what others said:")
        parts.append(format_result(i, r))
    return "\n\n".join(parts)


def format_article(article: Article) -> str:
    """What was parsed: title, date, sections, passages by status."""
    counts: dict[str, int] = {}
    for p in article.passages:
        counts[p.status.label] = counts.get(p.status.label, 0) + 1
    by_status = ", ".join(f"{n} {label}" for label, n in counts.items())
    day = article.published.isoformat() if article.published else "no date"
    return (
        f"{article.id}  {article.title} ({day}, {article.format})\n"
        f"   sections: {', '.join(article.sections)}\n"
        f"   passages: {len(article.passages)} — {by_status}"
    )
