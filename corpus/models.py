"""The article domain: what an article and its passages are."""

from __future__ import annotations

import hashlib
import unicodedata
from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class Status(StrEnum):
    """What the article says about a passage's standing."""

    VERIFIED = "verified"
    UNCONFIRMED = "unconfirmed"
    STATEMENT = "statement"
    CONTEXT = "context"
    UNSPECIFIED = "unspecified"

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    Status.VERIFIED: "✅ Verified",
    Status.UNCONFIRMED: "⚠️ Unconfirmed",
    Status.STATEMENT: "🗣 On record",
    Status.CONTEXT: "📝 Summary",
    Status.UNSPECIFIED: "▫️ Reported",
}


class Speaker(BaseModel):
    """Who made a statement, and where and when when the article says so."""

    model_config = ConfigDict(frozen=True)

    name: str
    role: str | None = None
    place: str | None = None
    when: str | None = None


class Passage(BaseModel):
    """The unit that is retrieved and shown; `[start, end)` indexes the article text."""

    model_config = ConfigDict(frozen=True)

    id: int | None = Field(default=None, description="Assigned by the store.")
    article_id: str
    ordinal: int
    section: str
    status: Status
    start: int
    end: int
    text: str
    speaker: Speaker | None = None


class Article(BaseModel):
    """One stored news item with the passages parsed from it."""

    model_config = ConfigDict(frozen=True)

    id: str
    title: str
    source: str | None = None
    url: str | None = None
    published: date | None = None
    format: str = "plain"
    text: str
    passages: tuple[Passage, ...] = ()

    @property
    def sections(self) -> tuple[str, ...]:
        """The sections that hold passages, in the order they appear."""
        return tuple(dict.fromkeys(p.section for p in self.passages))


def article_id(text: str) -> str:
    """A stable id from the content: the same text, whatever its whitespace, is one article."""
    canonical = " ".join(unicodedata.normalize("NFC", text).split())
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]
