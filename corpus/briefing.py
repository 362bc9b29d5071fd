"""The briefing format: a title, a lead, and labelled sections (DESIGN.md, The briefing format)."""

from __future__ import annotations

import re
from dataclasses import replace
from itertools import pairwise

from corpus.attribution import Attributor
from corpus.dating import is_dateline
from corpus.drafts import Draft, Parsed
from corpus.models import Speaker, Status
from corpus.plain import drafts_of
from corpus.sections import SECTION_NAMES, SECTION_STATUS, heading_key, is_furniture
from corpus.segment import Block, blocks, chunk, lines, trim

_LEAD_LABEL = re.compile(r"\s*(?:lead|summary)\s*[:—–-]\s*", re.IGNORECASE)
_LEAD_DASH = re.compile(r"\s*[—–-]+\s*")
_FIVE_W = re.compile(r"\b(Who|When|Where|What|Why|How|Result|Impact):\s+")
_OPENING_QUOTE = "“\"«‘'"
_DATE_WORD = re.compile(
    r"\d|\b(jan|feb|mar|apr|may|jun|jul|aug|sept?|oct|nov|dec)\b\.?|\b(january|february|march|april|"
    r"june|july|august|september|october|november|december|statement|undated)\b",
    re.IGNORECASE,
)
_INLINE_ATTRIBUTION = re.compile(r"[”\"»]\s*[—–-]+\s*(?=[A-Z])")


def find_headings(text: str) -> list[tuple[int, int, str]]:
    """(line start, line end, section key) of every heading line."""
    return [(s, e, key) for s, e in lines(text) if (key := heading_key(text[s:e]))]


def parse_briefing(
    text: str, headings: list[tuple[int, int, str]], attributor: Attributor
) -> Parsed:
    """Parse a text whose headings were found by `find_headings`."""
    title_block = next(iter(blocks(text, 0, headings[0][0])), None) if headings else None
    title = None
    lead_start = 0
    if title_block is not None:
        first_line_end = text.find("\n", title_block.start)
        if first_line_end == -1 or first_line_end > title_block.end:
            first_line_end = title_block.end
        candidate = text[title_block.start : first_line_end]
        if not _LEAD_LABEL.match(candidate):
            title = candidate.strip().lstrip("#").strip()
            lead_start = first_line_end
    drafts: list[Draft] = []
    if headings and lead_start < headings[0][0]:
        drafts.extend(_lead(text, lead_start, headings[0][0]))
    bounds = [*headings, (len(text), len(text), "end")]
    for (_, body_start, key), (next_start, _, _) in pairwise(bounds):
        if key == "sources":
            continue
        if key == "lead":
            drafts.extend(_lead(text, body_start, next_start))
        elif key == "statements":
            drafts.extend(_statements(text, body_start, next_start, attributor))
        else:
            drafts.extend(_plain_section(text, body_start, next_start, key))
    drafts = _reported_speakers(text, drafts, attributor)
    sections = tuple(
        dict.fromkeys(SECTION_NAMES.get(k, k) for _, _, k in headings if k != "sources")
    )
    if any(d.section == "Lead" for d in drafts) and "Lead" not in sections:
        sections = ("Lead", *sections)
    return Parsed(title, drafts, "briefing", sections)


def _content_blocks(text: str, start: int, end: int, *, datelines: bool = False) -> list[Block]:
    """The blocks that say something: no site furniture, and no datelines unless asked for
    (an attribution line with its date is part of a statement)."""
    return [
        b
        for b in blocks(text, start, end)
        if not is_furniture(line := text[b.start : b.end]) and (datelines or not is_dateline(line))
    ]


def _lead(text: str, start: int, end: int) -> list[Draft]:
    out: list[Draft] = []
    for block in _content_blocks(text, start, end):
        s = block.start
        label = _LEAD_LABEL.match(text, s, block.end) or _LEAD_DASH.match(text, s, block.end)
        if label:
            s = label.end()
        parts = list(_FIVE_W.finditer(text, s, block.end))
        if len(parts) >= 2:  # a "Who: … When: … What: …" lead: one passage per answer
            ends = [m.start() for m in parts[1:]] + [block.end]
            spans = [trim(text, m.end(), e) for m, e in zip(parts, ends, strict=True)]
        else:
            spans = [(s, block.end)]
        for ps, pe in spans:
            out.extend(Draft(cs, ce, "Lead", Status.CONTEXT) for cs, ce in chunk(text, ps, pe))
    return out


def _plain_section(text: str, start: int, end: int, key: str) -> list[Draft]:
    status = SECTION_STATUS.get(key, Status.UNSPECIFIED)
    name = SECTION_NAMES.get(key, key)
    return [
        Draft(cs, ce, name, status)
        for block in _content_blocks(text, start, end)
        for cs, ce in chunk(text, block.start, block.end)
    ]


def _reported_speakers(text: str, drafts: list[Draft], attributor: Attributor) -> list[Draft]:
    """Passages outside Official Statements and the lead that report one person's words
    ("Finance Minister Ana Berg said the fund was empty") carry that speaker; their
    status stays the section's."""
    # The lead is read too, for the full names and roles it gives, but keeps no speaker.
    spans = [(d.start, d.end) for d in drafts if d.status is not Status.STATEMENT]
    found = dict(zip(spans, attributor.attribute(text, spans), strict=True))
    out = []
    for d in drafts:
        runs = found.get((d.start, d.end), []) if d.section != "Lead" else []
        speakers = {r.speaker for r in runs if r.speaker is not None}
        out.append(replace(d, speaker=speakers.pop()) if len(speakers) == 1 else d)
    return out


def _statements(text: str, start: int, end: int, attributor: Attributor) -> list[Draft]:
    """Quotes followed by an attribution line; several quoted paragraphs may share one."""
    out: list[Draft] = []
    pending: list[tuple[int, int]] = []
    last: Speaker | None = None

    def emit(speaker: Speaker | None) -> None:
        if not pending:
            return
        s, e = pending[0][0], pending[-1][1]
        spans = [(s, e)] if e - s <= 600 else [c for ps, pe in pending for c in chunk(text, ps, pe)]
        out.extend(
            Draft(cs, ce, "Official Statements", Status.STATEMENT, speaker) for cs, ce in spans
        )
        pending.clear()

    for block in _content_blocks(text, start, end, datelines=True):
        body = text[block.start : block.end]
        if body[:1] in _OPENING_QUOTE or (block.bullet and body[:1] in _OPENING_QUOTE):
            inline = _INLINE_ATTRIBUTION.search(body)
            if inline:
                pending.append((block.start, block.start + inline.start() + 1))
                last = parse_attribution(body[inline.end() :])
                emit(last)
            else:
                pending.append((block.start, block.end))
        elif pending and len(body) <= 250:
            last = parse_attribution(body)
            emit(last)
        else:
            emit(last if pending else None)
            (runs,) = attributor.attribute(text, [(block.start, block.end)], last)
            for run in runs:
                out.extend(drafts_of(text, run, "Official Statements", Status.STATEMENT))
                last = run.speaker or last
    emit(None)
    return out


def parse_attribution(line: str) -> Speaker | None:
    """`Name, Role (Place, Date)`, `— Name, role, place, date`, or a bare name."""
    # Only a leading dash marks the line; hyphens inside it ("Mayor-elect", "2025-10-14") are kept,
    # and a spaced dash between name and role ("Name — role") separates like a comma.
    line = line.strip()
    if dash := _LEAD_DASH.match(line):
        line = line[dash.end() :]
    line = re.sub(r"\s+[—–]\s+", ", ", line).strip().rstrip(".")
    if not line or not line[0].isupper():
        return None
    place = when = None
    m = re.match(r"^(?P<head>[^()]*?)\s*\((?P<paren>[^()]*)\)\s*$", line)
    if m:
        head, paren = m.group("head"), m.group("paren")
        parts = [p.strip() for p in paren.split(",") if p.strip()]
        date_at = next((i for i, p in enumerate(parts) if _DATE_WORD.search(p)), len(parts))
        place = ", ".join(parts[:date_at]) or None
        when = ", ".join(parts[date_at:]) or None
        if when and when.lower() in {"statement", "undated"}:
            when = None
        name, _, role = head.partition(",")
        role = role.strip() or None
    else:
        parts = [p.strip() for p in line.split(",") if p.strip()]
        name = parts[0]
        date_at = next((i for i, p in enumerate(parts[1:], 1) if _DATE_WORD.search(p)), len(parts))
        role = parts[1] if len(parts) > 1 and date_at > 1 else None
        place = ", ".join(parts[2:date_at]) or None
        when = ", ".join(parts[date_at:]) or None
    name = name.strip()
    if not name or len(name) > 80:
        return None
    return Speaker(name=name, role=role, place=place, when=when)
