"""Embeddings, the vector and keyword indexes, ranking, and the Library that composes them."""

from retrieval.answer import Answer, Result, Source
from retrieval.embedder import (
    DEFAULT_MODEL,
    Embedder,
    EmbeddingError,
    HashingEmbedder,
    SentenceTransformerEmbedder,
)
from retrieval.library import Library, Tuning

__all__ = [
    "DEFAULT_MODEL",
    "Answer",
    "Embedder",
    "EmbeddingError",
    "HashingEmbedder",
    "Library",
    "Result",
    "SentenceTransformerEmbedder",
    "Source",
    "Tuning",
]
