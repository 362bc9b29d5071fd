"""BM25 over passage texts (bm25s), rebuilt lazily after the corpus changes."""

from __future__ import annotations

import logging
import re
import threading

import bm25s
import numpy as np
import Stemmer

_STEMMER = Stemmer.Stemmer("english")
logging.getLogger("bm25s").setLevel(logging.WARNING)  # it logs every index build at DEBUG


def terms(text: str) -> set[str]:
    """Stemmed word forms, for comparing a question's topic with an article's vocabulary."""
    return set(_STEMMER.stemWords(re.findall(r"\w+", text.lower())))


class LexicalIndex:
    """Keyword search; `search` returns `(passage_id, score)` pairs, best first."""

    def __init__(self) -> None:
        self._texts: dict[int, str] = {}
        self._ids: list[int] = []
        self._retriever: bm25s.BM25 | None = None
        self._tokenizer: bm25s.tokenization.Tokenizer | None = None
        self._stemmer = Stemmer.Stemmer("english")
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._texts)

    def ids(self) -> set[int]:
        return set(self._texts)

    def add(self, items: dict[int, str]) -> None:
        with self._lock:
            self._texts.update(items)
            self._retriever = None

    def remove(self, ids: set[int]) -> None:
        with self._lock:
            for pid in ids:
                self._texts.pop(pid, None)
            self._retriever = None

    def _build(self) -> None:
        self._ids = list(self._texts)
        self._tokenizer = bm25s.tokenization.Tokenizer(stopwords="en", stemmer=self._stemmer)
        tokens = self._tokenizer.tokenize(
            [self._texts[i] for i in self._ids], return_as="ids", show_progress=False
        )
        retriever = bm25s.BM25()
        retriever.index(tokens, show_progress=False)
        self._retriever = retriever

    def search(self, query: str, k: int) -> list[tuple[int, float]]:
        with self._lock:
            if not self._texts:
                return []
            if self._retriever is None:
                self._build()
            assert self._retriever is not None and self._tokenizer is not None
            tokens = self._tokenizer.tokenize(
                [query], update_vocab=False, return_as="ids", show_progress=False
            )
            if not tokens or not tokens[0]:
                return []
            k = min(k, len(self._ids))
            docs, scores = self._retriever.retrieve(tokens, k=k, show_progress=False, n_threads=1)
        return [
            (self._ids[int(d)], float(s))
            for d, s in zip(docs[0], scores[0], strict=True)
            if s > 0 and np.isfinite(s)
        ]
