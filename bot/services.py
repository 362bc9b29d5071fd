"""Building the Library from settings: the one place the bot and the CLI get it from."""

from __future__ import annotations

from bot.settings import Settings
from retrieval.embedder import SentenceTransformerEmbedder
from retrieval.library import Library, Tuning


def open_library(settings: Settings) -> Library:
    """Load the embedding model and open (and reconcile) the store and indexes."""
    embedder = SentenceTransformerEmbedder(settings.embedding_model, device=settings.device)
    return Library(
        settings.data_dir,
        embedder,
        Tuning(approximate_from=settings.approximate_from),
        max_article_bytes=settings.max_article_bytes,
        nlp_model=settings.nlp_model,
        database_url=settings.database_url,
    )
