"""The article domain: models, parsing, the store (SQLite or PostgreSQL), and claims over time."""

from pathlib import Path

from corpus.claims import ClaimBook, ClaimStanding, Standing
from corpus.errors import (
    ArticleNotFound,
    BinaryInput,
    CorpusError,
    DuplicateArticle,
    EmptyArticle,
    ParseError,
    StoreError,
    TooLarge,
)
from corpus.models import Article, Passage, Speaker, Status
from corpus.parse import ArticleMeta, parse_article
from corpus.store import ArticleSummary, Store

SAMPLES_DIR = Path(__file__).parent / "samples"
SAMPLE_QUESTION = "What did Putin say about Western troops?"

__all__ = [
    "SAMPLES_DIR",
    "SAMPLE_QUESTION",
    "Article",
    "ArticleMeta",
    "ArticleNotFound",
    "ArticleSummary",
    "BinaryInput",
    "ClaimBook",
    "ClaimStanding",
    "CorpusError",
    "DuplicateArticle",
    "EmptyArticle",
    "ParseError",
    "Passage",
    "Speaker",
    "Standing",
    "Status",
    "Store",
    "StoreError",
    "TooLarge",
    "parse_article",
]
