"""Errors raised by the corpus package; each carries what a caller needs to act."""

from __future__ import annotations


class CorpusError(Exception):
    """Base for everything the corpus package refuses."""


class ParseError(CorpusError):
    """The input cannot become an article; `reason` is written for people."""

    def __init__(self, reason: str, line: int | None = None) -> None:
        self.reason = reason
        self.line = line
        super().__init__(reason if line is None else f"{reason} (line {line})")


class EmptyArticle(ParseError):
    """Nothing readable is left once markup and furniture are removed."""


class BinaryInput(ParseError):
    """The bytes are not UTF-8 text."""


class TooLarge(ParseError):
    """The input is over the configured size limit."""

    def __init__(self, size: int, limit: int) -> None:
        self.size = size
        self.limit = limit
        super().__init__(f"the file is {size:,} bytes; the limit is {limit:,} bytes")


class DuplicateArticle(CorpusError):
    """The same text is already stored."""

    def __init__(self, existing_id: str, title: str) -> None:
        self.existing_id = existing_id
        self.title = title
        super().__init__(f"already stored as {existing_id} ({title})")


class ArticleNotFound(CorpusError):
    """No article has this id."""

    def __init__(self, article_id: str) -> None:
        self.article_id = article_id
        super().__init__(f"no article with id {article_id}")


class StoreError(CorpusError):
    """The database cannot be used: not a briefbot store, corrupt, locked or closed."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)
