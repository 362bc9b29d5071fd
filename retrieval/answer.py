"""What `ask` returns: ranked results with their sources, or an honest nothing."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel

from corpus.claims import ClaimStanding
from corpus.models import Article, Passage
from corpus.store import ArticleSummary


class Source(BaseModel):
    """The article a result comes from, as a reader needs to cite it."""

    article_id: str
    title: str
    source: str | None = None
    url: str | None = None
    published: date | None = None

    @classmethod
    def of(cls, article: Article | ArticleSummary) -> Source:
        return cls(
            article_id=article.id,
            title=article.title,
            source=article.source,
            url=article.url,
            published=article.published,
        )


class Result(BaseModel):
    """One passage shown for a question."""

    passage: Passage
    article: Source
    score: float
    relevance: float
    also_reported_by: list[Source] = []
    also_in_sections: list[str] = []
    claim: ClaimStanding | None = None  # an unconfirmed passage's claim, as it stands now


class Answer(BaseModel):
    """The ranked results for one question; empty means nothing in the corpus answers it."""

    question: str
    results: list[Result] = []
    period: str | None = None  # the time the question was read as bounded to ("in October 2025")
    speaker: str | None = None  # whose words the question asks for ("what did Marr say?")
    listing: bool = False  # the newest articles for "what's new?": no topic to subscribe to

    @property
    def found(self) -> bool:
        return bool(self.results)
