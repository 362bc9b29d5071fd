"""Time in questions: what is new or latest, what falls in a period ("in October 2025", "this
week"), and, among passages of one story, the newer first. Applied around the ranking: the
ranking says what is relevant, this says when."""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from corpus.dating import date_span
from retrieval.answer import Result

_MONTH_NAMES = {
    name: i
    for i in range(1, 13)
    for name in (calendar.month_name[i].lower(), calendar.month_abbr[i].lower())
} | {"sept": 9}
_MONTH = "|".join(sorted(_MONTH_NAMES, key=len, reverse=True))
_NEWEST = re.compile(
    r"\b(?:what'?s\s+new|what\s+is\s+new|anything\s+new|any\s+news|latest|newest|most\s+recent"
    r"|recent(?:ly)?|lately)\b",
    re.IGNORECASE,
)
_RELATIVE = re.compile(
    r"\b(?P<which>this|last|past|previous)\s+(?:(?P<n>\d{1,3}|few|couple\s+of)\s+)?"
    r"(?P<unit>day|week|month|year)s?\b|\b(?P<day>today|yesterday)\b",
    re.IGNORECASE,
)
_MONTH_YEAR = re.compile(
    rf"\b(?P<rel>in|during|since|after|before|from)?\s*(?P<month>{_MONTH})\.?"
    rf"(?:\s+(?P<year>\d{{4}}))?\b",
    re.IGNORECASE,
)
_YEAR = re.compile(r"\b(?P<rel>in|during|since|after|before)\s+(?P<year>(?:19|20)\d{2})\b", re.I)
# Words that ask for news without naming a topic: "what happened in October?", "latest news".
_GENERIC = frozenset(
    "a an the what whats what's is are was were has have had happened happen happening new "  # noqa: SIM905
    "news latest newest most recent recently lately any anything there going on in of from "
    "during since this that week month year today yesterday tell me show give us stories "
    "story articles article headlines update updates so far".split()
)


@dataclass(frozen=True)
class Period:
    """Publication days from `start` to `end`, both included."""

    start: date
    end: date
    words: str  # as the question wrote it

    def holds(self, day: date | None) -> bool:
        return day is not None and self.start <= day <= self.end


@dataclass(frozen=True)
class TimeAsk:
    """What a question asks about time, and the question without those words."""

    rest: str
    period: Period | None = None
    newest: bool = False

    @property
    def asks(self) -> bool:
        return self.newest or self.period is not None

    def searched(self, question: str) -> str:
        """What is searched for: the question without its time words when it asks a time."""
        return self.rest if self.asks else question

    @property
    def topical(self) -> bool:
        """Whether anything beyond the time is asked ("latest on the port strike")."""
        return any(w not in _GENERIC for w in re.findall(r"[\w']+", self.rest.lower()))


def read_time(question: str, today: date) -> TimeAsk:
    """The time a question asks about, relative to `today`; unbounded questions pass through."""
    text = " ".join(question.split())
    newest = bool(_NEWEST.search(text))
    period = None
    for finder in (_relative, _full_date, _month_year, _year):
        found = finder(text, today)
        if found is not None:
            period, (s, e) = found
            text = text[:s] + text[e:]
            break
    rest = " ".join(_NEWEST.sub(" ", text).split())
    return TimeAsk(rest=rest if rest.strip(" ?!.") else "", period=period, newest=newest)


def _relative(text: str, today: date) -> tuple[Period, tuple[int, int]] | None:
    m = _RELATIVE.search(text)
    if not m:
        return None
    if m.group("day"):
        day = today if m.group("day").lower() == "today" else today - timedelta(days=1)
        return Period(day, day, m.group()), m.span()
    which, unit = m.group("which").lower(), m.group("unit").lower()
    count = m.group("n")
    n = int(count) if count and count.isdigit() else (3 if count else 1)
    if (which in ("past", "last") and count) or which == "past":
        days = {"day": 1, "week": 7, "month": 30, "year": 365}[unit] * n
        return Period(today - timedelta(days=days - 1), today, m.group()), m.span()
    start, end = _unit_around(today, unit)
    if which in ("last", "previous"):
        start, end = _unit_around(start - timedelta(days=1), unit)
    return Period(start, min(end, today) if which == "this" else end, m.group()), m.span()


def _unit_around(day: date, unit: str) -> tuple[date, date]:
    """The calendar day, week (Monday to Sunday), month or year holding `day`."""
    if unit == "day":
        return day, day
    if unit == "week":
        start = day - timedelta(days=day.weekday())
        return start, start + timedelta(days=6)
    if unit == "month":
        return day.replace(day=1), day.replace(day=calendar.monthrange(day.year, day.month)[1])
    return date(day.year, 1, 1), date(day.year, 12, 31)


def _full_date(text: str, today: date) -> tuple[Period, tuple[int, int]] | None:
    found = date_span(text)
    if found is None:
        return None
    s, e, day = found
    return Period(day, day, text[s:e]), (s, e)


def _month_year(text: str, today: date) -> tuple[Period, tuple[int, int]] | None:
    for m in _MONTH_YEAR.finditer(text):
        month = _MONTH_NAMES[m.group("month").lower()]
        if m.group("month").lower() == "may" and not (m.group("rel") or m.group("year")):
            continue  # "may" is a verb before it is a month
        if not (m.group("rel") or m.group("year")):
            continue  # a month named in passing ("the October vote") bounds nothing
        year = int(m.group("year")) if m.group("year") else _last_year_with(month, today)
        start = date(year, month, 1)
        end = date(year, month, calendar.monthrange(year, month)[1])
        words = m.group().strip() if m.group("year") else f"{m.group().strip()} {year}"
        return _bounded(m.group("rel"), start, end, words), m.span()
    return None


def _year(text: str, today: date) -> tuple[Period, tuple[int, int]] | None:
    m = _YEAR.search(text)
    if not m:
        return None
    year = int(m.group("year"))
    return _bounded(m.group("rel"), date(year, 1, 1), date(year, 12, 31), m.group()), m.span()


def _bounded(rel: str | None, start: date, end: date, words: str) -> Period:
    rel = (rel or "in").lower()
    if rel in ("since", "after", "from"):
        return Period(start if rel != "after" else end + timedelta(days=1), date.max, words)
    if rel == "before":
        return Period(date.min, start - timedelta(days=1), words)
    return Period(start, end, words)


def _last_year_with(month: int, today: date) -> int:
    """The year of the latest such month up to today ("in October" in March means last year's)."""
    return today.year if month <= today.month else today.year - 1


def newest_first(results: list[Result]) -> list[Result]:
    """Newest publication first, undated last; the ranking's order within one day."""
    return sorted(
        results, key=lambda r: (r.article.published is None, -(_ordinal(r.article.published)))
    )


def latest_of_story(results: list[Result], same_story: Callable[[str, str], bool]) -> list[Result]:
    """ "The latest on X": the passages of the best result's story newest first, then the
    rest in their ranked order (a newer article on another story does not jump ahead)."""
    if not results:
        return results
    top = results[0].article.article_id
    story = [r for r in results
             if r.article.article_id == top or same_story(top, r.article.article_id)]  # fmt: skip
    others = [r for r in results if r not in story]
    return newest_first(story) + others


def newer_within_story(
    results: list[Result], same_story: Callable[[str, str], bool]
) -> list[Result]:
    """Each result moves up ahead of the first older result from another article of the same
    story: "strike ends" before "strike enters its second week". Other results keep their
    places."""
    out: list[Result] = []
    for result in results:
        day = result.article.published
        at = next(
            (
                i
                for i, earlier in enumerate(out)
                if day is not None
                and earlier.article.published is not None
                and earlier.article.published < day
                and earlier.article.article_id != result.article.article_id
                and same_story(earlier.article.article_id, result.article.article_id)
            ),
            len(out),
        )
        out.insert(at, result)
    return out


def _ordinal(day: date | None) -> int:
    return day.toordinal() if day else 0
