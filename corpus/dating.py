"""When an article was published: the sender's metadata first, then the page's own metadata,
then a dateline at the top of the text. A date further down is an event the article
mentions, not its publication."""

from __future__ import annotations

import re
from datetime import date

import dateparser

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
    re.compile(rf"\b{_MONTH}\.?\s+(\d{{1,2}}),?\s+(\d{{4}})\b", re.IGNORECASE),
    re.compile(rf"\b(\d{{1,2}})\s+{_MONTH}\.?,?\s+(\d{{4}})\b", re.IGNORECASE),
    re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b"),
]
# What may stand before the date at the start of an opening paragraph: a lead label, "On"
# (with a weekday, or a word or two before it: "Early on"), a place in capitals or with a
# comma ("MOSCOW, …", "Velm, …").
_OPENING = re.compile(
    r"\s*(?:(?:lead|summary)\s*[:—–-]\s*)?[—–-]?\s*(?:(?:\w+\s+){0,2}on\s+(?:\w+day,?\s+)?)?"
    r"(?:[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,3},\s+)?",
    re.IGNORECASE,
)
_DATE_LABEL = re.compile(
    r"\W*(?:(?:first\s+|last\s+)?(?:published|updated|posted|filed|dated?)\b|by\s+[A-Z])",
    re.IGNORECASE,
)
_TOP_LINES = 4  # title, byline, dateline, opening paragraph
_SHORT_LINE_WORDS = 8  # a line of this many words beside its date is a dateline or a byline


# "MOSCOW, September 9. (Agency) —": a place in capitals and a day opening the text.
_PLACE_AND_DAY = re.compile(
    rf"[A-Z][A-Z .'’-]{{1,40}},\s+{_MONTH}\.?\s+\d{{1,2}}(?:,\s+\d{{4}})?\.?\s*"
    r"(?:\([^)]{1,40}\)\s*)?(?:[—–-]+\s*)?",
    re.IGNORECASE,
)


def without_dateline(text: str) -> str:
    """The text less a place-and-day opening ("MOSCOW, September 9. …")."""
    m = _PLACE_AND_DAY.match(text)
    return text[m.end() :] if m and m.end() < len(text) else text


def parse_day(value: str | None) -> date | None:
    """A full date (day, month and year) in any common writing, or None (dateparser)."""
    if not value or not value.strip():
        return None
    found = dateparser.parse(
        value.strip(),
        languages=["en"],
        settings={"REQUIRE_PARTS": ["day", "month", "year"], "RETURN_AS_TIMEZONE_AWARE": False},
    )
    return found.date() if found else None


def find_date(text: str) -> date | None:
    """The first full date written in the text ("Sept. 5, 2025", "5 September 2025", ISO)."""
    found = date_span(text)
    return found[2] if found else None


def date_span(text: str, *, at: int | None = None) -> tuple[int, int, date] | None:
    """Where the first full date in the text is, as (start, end, date); with `at`, only a date
    that starts exactly there."""
    best: tuple[int, int, date] | None = None
    for i, pattern in enumerate(_DATE_PATTERNS):
        m = pattern.match(text, at) if at is not None else pattern.search(text)
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
            best = (m.start(), m.end(), d)
    return best


def is_dateline(line: str) -> bool:
    """A short line that is a date with a label, a byline or a place around it ("Published
    Nov. 2, 2025", "Oct. 12, 2025 -", "By Ana Berg | 2 November 2025", "VELM, Oct. 30, 2025"),
    not a sentence that mentions one ("The vote is on Nov. 2, 2025.")."""
    line = line.strip()
    if "\n" in line or len(line) > 120 or line.endswith(("?", "!")):
        return False
    found = date_span(line)
    if found is None:
        return False
    rest = line[: found[0]] + " " + line[found[1] :]
    if _DATE_LABEL.match(rest):
        return len(re.findall(r"\w+", rest)) <= _SHORT_LINE_WORDS
    words = re.findall(r"[^\W\d]\w*", rest)
    return len(words) <= 4 and all(w[0].isupper() for w in words)


def dateline(text: str) -> date | None:
    """The date an article gives itself at its top: a dateline or byline line of its own, or a
    date opening the first paragraph ("On Sept. 5, 2025 in …", "VELM, Oct. 30, 2025 — …")."""
    top = [line for line in text[:3000].splitlines() if line.strip()][:_TOP_LINES]
    for line in top:
        if is_dateline(line):
            return find_date(line)
        opening = _OPENING.match(line)
        if opening and (found := date_span(line, at=opening.end())):
            return found[2]
    return None
