"""Plain articles: paragraphs become passages, attributed direct quotes become statements
and reported speech keeps its speaker (corpus.attribution)."""

from __future__ import annotations

import re

from corpus.attribution import Attributor, Run
from corpus.dating import is_dateline
from corpus.drafts import Draft, Parsed
from corpus.models import Status
from corpus.sections import is_furniture
from corpus.segment import Block, blocks, chunk

_SOURCE_LINE = re.compile(r"(source|sources|via|credit|photo|image)\s*:", re.IGNORECASE)
_BYLINE = re.compile(r"[*_(\s]*(?i:(?P<by>by)|written by|reporting by)\s+[A-Z]")


def is_byline(line: str) -> bool:
    """A byline (`By Mira Oskarsdottir`, `(Reporting by …)`), not a sentence (`By Friday, …`)."""
    m = _BYLINE.match(line)
    if not m:
        return False
    return not m.group("by") or (len(line) <= 80 and not re.search(r"[.!?](\s|$)", line))


def is_label(line: str, block: Block) -> bool:
    """A short line that names something (heading, dateline, caption) but says nothing."""
    return (
        not block.bullet
        and "\n" not in line
        and len(line) <= 80
        and len(line.split()) < 8
        and not line.rstrip("”\"'’)").endswith((".", "!"))
    )


def looks_like_title(text: str, block: Block, has_more: bool) -> bool:
    """A first line that is a headline rather than the opening paragraph."""
    line = text[block.start : block.end]
    return (
        has_more
        and not block.bullet
        and "\n" not in line
        and len(line) <= 200
        and not line.rstrip("”\"'’").endswith((".", ":", "…", ",", ";"))
    )


def parse_plain(
    text: str, attributor: Attributor, start: int = 0, *, section: str = "Body"
) -> Parsed:
    """Parse prose from `start` on; the first line is the title when it reads like one."""
    # Datelines and bylines say when and by whom, not what: neither title, section nor passage.
    found = [
        b
        for b in blocks(text, start)
        if not is_furniture(line := text[b.start : b.end])
        and not is_dateline(line)
        and not is_byline(line)
    ]
    title = None
    if found and looks_like_title(text, found[0], len(found) > 1):
        title = text[found[0].start : found[0].end].lstrip("#").strip()
        found = found[1:]
    content: list[tuple[Block, str]] = []
    for block in found:
        line = text[block.start : block.end]
        if _SOURCE_LINE.match(line):
            continue
        if is_label(line, block):
            if len(line) <= 60 and not line.isupper():
                section = line.rstrip(":").strip("#* ").strip()
            continue
        content.append((block, section))
    runs = attributor.attribute(text, [(b.start, b.end) for b, _ in content])
    drafts = [
        draft
        for (_, block_section), block_runs in zip(content, runs, strict=True)
        for run in block_runs
        for draft in drafts_of(text, run, block_section)
    ]
    return Parsed(title, drafts, "plain", (section,))


def drafts_of(text: str, run: Run, section: str, status: Status | None = None) -> list[Draft]:
    """A run's passages: a direct quote is a statement, anything else keeps `status`
    (reported by default); reported speech keeps its speaker."""
    if status is None:
        status = Status.STATEMENT if run.direct else Status.UNSPECIFIED
    return [
        Draft(cs, ce, section, status, run.speaker) for cs, ce in chunk(text, run.start, run.end)
    ]
