"""What a parser produces before the article is assembled: passage spans with their labels."""

from __future__ import annotations

from dataclasses import dataclass

from corpus.models import Speaker, Status


@dataclass(frozen=True)
class Draft:
    """A passage before it belongs to an article."""

    start: int
    end: int
    section: str
    status: Status
    speaker: Speaker | None = None


@dataclass(frozen=True)
class Parsed:
    """A parser's result: the title span (if any) and the passages in text order."""

    title: str | None
    drafts: list[Draft]
    format: str
    sections: tuple[str, ...] = ()
