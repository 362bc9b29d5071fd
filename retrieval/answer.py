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
    # In an answer about what one person said: this passage is not that person's words.
    someone_else: bool = False


class Answer(BaseModel):
    """The ranked results for one question; empty means nothing in the corpus answers it.

    `related` are never an answer: when a question asks what a known person said about
    something they never addressed, `missing_speaker` names them and `related` holds their
    nearest statements, shown under a heading that says so (`related_heading`); for someone
    the corpus names but never quotes, the passages naming them.
    """

    question: str
    results: list[Result] = []
    period: str | None = None  # the time the question was read as bounded to ("in October 2025")
    speaker: str | None = None  # whose words the question asks for ("what did Marr say?")
    spelt: str | None = None  # the question's spelling of `speaker` when not the corpus's own
    listing: bool = False  # the newest articles for "what's new?": no topic to subscribe to
    missing_speaker: str | None = None  # a who-said question's person, with no statement on it
    never_quoted: bool = False  # the corpus names `missing_speaker` but quotes them nowhere
    topic: str | None = None  # the question's topic words, for "no statement on …"
    related: list[Result] = []  # their nearest statements (never quoted: passages naming them)

    @property
    def found(self) -> bool:
        return bool(self.results)

    @property
    def related_heading(self) -> str:
        """What `related` is, said as not an answer."""
        if self.never_quoted:
            return "Not an answer — where the corpus names them:"
        return "Not an answer — their nearest statements on other things:"
