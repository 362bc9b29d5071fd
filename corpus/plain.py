"""Plain articles: paragraphs become passages, attributed direct quotes become statements."""

from __future__ import annotations

import re
from dataclasses import replace

from corpus.drafts import Draft, Parsed
from corpus.models import Speaker, Status
from corpus.quotes import attributed_speaker, full_name, reported_speaker
from corpus.sections import is_furniture
from corpus.segment import Block, blocks, chunk, sentences

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


def parse_plain(text: str, start: int = 0, *, section: str = "Body") -> Parsed:
    """Parse prose from `start` on; the first line is the title when it reads like one."""
    found = [b for b in blocks(text, start) if not is_furniture(text[b.start : b.end])]
    title = None
    if found and looks_like_title(text, found[0], len(found) > 1):
        title = text[found[0].start : found[0].end].lstrip("#").strip()
        found = found[1:]
    drafts: list[Draft] = []
    last: Speaker | None = None
    for block in found:
        line = text[block.start : block.end]
        if _SOURCE_LINE.match(line) or is_byline(line):
            continue
        if is_label(line, block):
            if len(line) <= 60 and not line.isupper():
                section = line.rstrip(":").strip("#* ").strip()
            continue
        runs, last = quote_runs(text, block.start, block.end, last)
        for s, e, speaker in runs:
            status = Status.STATEMENT if speaker else Status.UNSPECIFIED
            drafts.extend(Draft(cs, ce, section, status, speaker) for cs, ce in chunk(text, s, e))
    named = {}
    for d in drafts:
        if d.speaker and d.speaker.name not in named:
            named[d.speaker.name] = full_name(text, d.speaker.name)
    drafts = [
        replace(d, speaker=d.speaker.model_copy(update={"name": named[d.speaker.name]}))
        if d.speaker
        else d
        for d in drafts
    ]
    return Parsed(title, drafts, "plain", (section,))


def quote_runs(
    text: str, start: int, end: int, last: Speaker | None
) -> tuple[list[tuple[int, int, Speaker | None]], Speaker | None]:
    """Consecutive sentences grouped by who is quoted in them (None for reported prose)."""
    runs: list[tuple[int, int, Speaker | None]] = []
    for s, e in sentences(text, start, end):
        speaker = attributed_speaker(text, s, e, last)
        if speaker:
            last = speaker
        elif reported := reported_speaker(text, s, e):
            last = reported
        if runs and runs[-1][2] == speaker:
            runs[-1] = (runs[-1][0], e, speaker)
        else:
            runs.append((s, e, speaker))
    return runs, last
