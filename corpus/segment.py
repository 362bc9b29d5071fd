"""Cutting article text into paragraphs, bullets and sentences, always as `[start, end)` spans."""

from __future__ import annotations

import re
from dataclasses import dataclass

BULLET_RE = re.compile(r"[ \t]*(?:[•●▪◦‣·*\-–]|\d{1,2}[.)])[ \t]+")
_TERMINAL = tuple('.!?"”’»:)')
MAX_PASSAGE_CHARS = 480

# Abbreviations after which a full stop does not end a sentence.
_ABBREVIATIONS = {
    "mr", "mrs", "ms", "dr", "st", "sen", "gov", "rep", "gen", "col", "lt", "sgt", "capt", "prof",
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
    "no", "vs", "inc", "ltd", "co", "corp", "jr", "sr", "mt", "ft", "approx", "est", "u.s", "u.k",
    "e.g", "i.e", "etc", "al",
}  # fmt: skip
_OPEN_QUOTES = "“«„"
_CLOSE_QUOTES = "”»"


@dataclass(frozen=True)
class Block:
    """A paragraph or a bullet item, trimmed, marker excluded."""

    start: int
    end: int
    bullet: bool = False


def trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Shrink a span so it neither starts nor ends with white space."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def lines(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Spans of the lines between start and end, newline excluded."""
    end = len(text) if end is None else end
    spans, pos = [], start
    while pos < end:
        nl = text.find("\n", pos, end)
        stop = end if nl == -1 else nl
        spans.append((pos, stop))
        pos = stop + 1
    return spans


def blocks(text: str, start: int = 0, end: int | None = None) -> list[Block]:
    """Paragraphs and bullets in a region.

    A blank line always ends a paragraph; a bullet marker starts an item; a line break after
    sentence-final punctuation starts a new paragraph (layouts without blank lines), while a
    line that stops mid-sentence is a hard wrap and continues.
    """
    out: list[Block] = []
    cur_start: int | None = None
    cur_end = 0
    cur_bullet = False

    def flush() -> None:
        nonlocal cur_start
        if cur_start is not None:
            s, e = trim(text, cur_start, cur_end)
            if s < e:
                out.append(Block(s, e, cur_bullet))
        cur_start = None

    for ls, le in lines(text, start, end):
        s, e = trim(text, ls, le)
        if s == e:
            flush()
            continue
        marker = BULLET_RE.match(text, ls, le)
        if marker and marker.end() < le:
            flush()
            cur_start, cur_end, cur_bullet = marker.end(), le, True
            continue
        if cur_start is not None and not text[cur_end - 1 : cur_end].strip():
            pass
        if cur_start is not None and _continues(text, cur_start, cur_end, s):
            cur_end = e
            continue
        flush()
        cur_start, cur_end, cur_bullet = s, e, False
    flush()
    return out


def _continues(text: str, cur_start: int, cur_end: int, next_start: int) -> bool:
    """Whether the next line is a hard-wrapped continuation of the current paragraph."""
    s, e = trim(text, cur_start, cur_end)
    if s == e:
        return False
    last = text[e - 1]
    first = text[next_start]
    if last in _TERMINAL or (last == "-" and text[e - 2 : e] == " -"):
        return False
    return not (first in '“"•' or (first.isupper() and last in ".:"))


def sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Sentence spans, never splitting inside a quotation."""
    spans: list[tuple[int, int]] = []
    depth = 0
    straight_open = False
    sent_start = start
    i = start
    while i < end:
        ch = text[i]
        if ch in _OPEN_QUOTES:
            depth += 1
        elif ch in _CLOSE_QUOTES:
            depth = max(0, depth - 1)
        elif ch == '"':
            straight_open = not straight_open
        elif (ch in ".!?" and depth == 0 and not straight_open) or (
            ch in ".!?" and (depth or straight_open) and _quote_closes_after(text, i, end)
        ):
            j = i + 1
            while j < end and text[j] in '.!?"”’»)':
                if text[j] in "”»":
                    depth = max(0, depth - 1)
                elif text[j] == '"':
                    straight_open = False
                j += 1
            if depth == 0 and not straight_open and _is_boundary(text, sent_start, i, j, end):
                s, e = trim(text, sent_start, j)
                if s < e:
                    spans.append((s, e))
                sent_start = j
            i = j
            continue
        i += 1
    s, e = trim(text, sent_start, end)
    if s < e:
        spans.append((s, e))
    return spans


def _quote_closes_after(text: str, i: int, end: int) -> bool:
    return i + 1 < end and text[i + 1] in '"”»'


def _is_boundary(text: str, sent_start: int, dot: int, after: int, end: int) -> bool:
    if after >= end:
        return True
    if not text[after].isspace():
        return False
    k = after
    while k < end and text[k].isspace():
        k += 1
    if k >= end:
        return True
    nxt = text[k]
    if not (nxt.isupper() or nxt.isdigit() or nxt in "“\"‘'(«—–-•"):
        return False
    if text[dot] == ".":
        # The word before the dot (its run of [\w.]), found walking back from the dot: a regex
        # over the whole sentence so far made each dot cost the sentence's length.
        k = dot
        while k > sent_start and (text[k - 1].isalnum() or text[k - 1] in "_."):
            k -= 1
        word = text[k:dot].lower()
        if word == "no" and not nxt.isdigit():  # "said no." ends a sentence; "No. 9" does not
            return True
        if word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha()):
            return False
        if re.fullmatch(r"(?:[a-z]\.)+[a-z]", word):  # U.S. or a.m.
            return False
    return True


def chunk(text: str, start: int, end: int, limit: int = MAX_PASSAGE_CHARS) -> list[tuple[int, int]]:
    """Split a long paragraph into runs of whole sentences of at most about `limit` characters."""
    if end - start <= limit:
        return [(start, end)]
    out: list[tuple[int, int]] = []
    cur: tuple[int, int] | None = None
    for s, e in sentences(text, start, end):
        if cur is None:
            cur = (s, e)
        elif e - cur[0] <= limit:
            cur = (cur[0], e)
        else:
            out.append(cur)
            cur = (s, e)
    if cur is not None:
        out.append(cur)
    # A single sentence longer than the limit is cut at word boundaries.
    final: list[tuple[int, int]] = []
    for s, e in out:
        while e - s > limit * 1.25:
            cut = text.rfind(" ", s, s + limit)
            cut = cut if cut > s else s + limit
            final.append(trim(text, s, cut))
            s, _ = trim(text, cut, e)
        final.append((s, e))
    return final
