"""Finding quotations in article text: the first of attribution's two stages (who speaks is
corpus.attribution's second).

News marks quotes with curly (“…”), straight ("…") or angle («…») double marks, and some
outlets with single ones (‘…’). Real text gets them wrong: a closing mark used to open
(”This is bitter,”), a quote left open at the end of a paragraph because it continues in the
next one (which opens again with a mark: the convention for quotes of several paragraphs), or
simply never closed. A mark opens or closes by where it stands: an opening mark follows a
space or the start and precedes a word; a closing one follows a word. Apostrophes (don’t,
the workers’ union, the ’90s) are single marks inside or before words, and a single quote
that is never closed was an apostrophe.
"""

from __future__ import annotations

from dataclasses import dataclass

_DOUBLE_OPEN = "“„«‟"
_DOUBLE_CLOSE = "”»"
_SINGLE_OPEN = "‘‚‹"
_SINGLE_CLOSE = "’›"
_BEFORE_OPENING = " \t\n([{—–-/:;,"
QUOTE_MARKS = frozenset(_DOUBLE_OPEN + _DOUBLE_CLOSE + _SINGLE_OPEN + _SINGLE_CLOSE + "\"'")


@dataclass(frozen=True)
class Quote:
    """A quotation's span, its marks included: `[start, end)`.

    `closed` is false when the paragraph ends inside it; `continues` when it carries on a
    quotation left open at the end of the previous paragraph.
    """

    start: int
    end: int
    closed: bool = True
    continues: bool = False

    def inner(self, text: str) -> str:
        s = self.start + (1 if text[self.start] in QUOTE_MARKS else 0)
        e = self.end - (1 if self.closed else 0)
        return text[s:e]

    def words(self, text: str) -> int:
        return len(self.inner(text).split())


def _opens(text: str, i: int, start: int, end: int) -> bool:
    before = text[i - 1] if i > start else " "
    after = text[i + 1] if i + 1 < end else " "
    return before in _BEFORE_OPENING and not after.isspace()


def _closes(text: str, i: int, start: int, end: int) -> bool:
    before = text[i - 1] if i > start else " "
    after = text[i + 1] if i + 1 < end else " "
    return not before.isspace() and not after.isalnum()


def quotes_in(text: str, start: int, end: int, *, open_before: bool = False) -> list[Quote]:
    """The outermost quotations between start and end (one paragraph).

    `open_before`: the previous paragraph ended inside a quotation, so an opening mark at
    the start of this one continues it.
    """
    found: list[Quote] = []
    kind: str | None = None  # "double" or "single" while inside a quotation
    at = start
    for i in range(start, end):
        ch = text[i]
        if ch not in QUOTE_MARKS:
            continue
        if kind is None:
            if ch in _DOUBLE_OPEN or (ch in '"”' and _opens(text, i, start, end)):
                kind, at = "double", i
            elif (ch in _SINGLE_OPEN or ch == "'") and _opens(text, i, start, end):
                if text[i + 1 : i + 2].isalpha():
                    kind, at = "single", i
            elif ch == "’" and _opens(text, i, start, end) and text[i + 1 : i + 2].isupper():
                kind, at = "single", i  # a closing single mark used to open
        elif kind == "double":
            if ch in _DOUBLE_CLOSE or (ch == '"' and not _opens(text, i, start, end)):
                found.append(Quote(at, i + 1, continues=open_before and at == start))
                kind = None
        elif ch in _SINGLE_CLOSE + "'" and _closes(text, i, start, end):
            found.append(Quote(at, i + 1, continues=open_before and at == start))
            kind = None
    if kind == "double":  # runs to the end of the paragraph
        found.append(Quote(at, end, closed=False, continues=open_before and at == start))
    return found


def quotes_by_paragraph(text: str, paragraphs: list[tuple[int, int]]) -> list[list[Quote]]:
    """The quotations of each paragraph, a quotation left open continuing into the next
    paragraph when that one opens with a mark."""
    out: list[list[Quote]] = []
    open_before = False
    for start, end in paragraphs:
        found = quotes_in(text, start, end, open_before=open_before)
        out.append(found)
        open_before = bool(found) and not found[-1].closed
    return out
