"""BM25 over passage documents (bm25s): saved as a directory, rebuilt when the corpus changed.

bm25s indexes are immutable, so additions and removals are recorded and the index is rebuilt
from the store's documents: right away for a small corpus, in a background thread for a large
one (meanwhile the old index answers, removed passages filtered out).
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import tempfile
import threading
from collections.abc import Iterable
from pathlib import Path

import bm25s
import numpy as np
import Stemmer

from corpus.speakers import fold

_STEMMER = Stemmer.Stemmer("english")
logging.getLogger("bm25s").setLevel(logging.WARNING)  # it logs every index build at DEBUG
log = logging.getLogger(__name__)

FORMAT_VERSION = 2  # 2: words folded to unaccented letters
MANIFEST = "manifest.json"


def stem(word: str) -> str:
    """One word's stemmed form, as `terms` gives it."""
    return _STEMMER.stemWord(word.lower())


def terms(text: str) -> set[str]:
    """Stemmed word forms, for comparing a question's topic with an article's vocabulary."""
    return set(_STEMMER.stemWords(re.findall(r"\w+", fold(text))))


_WORD = re.compile(r"(?u)\b\w\w+\b")  # bm25s's own word pattern


def _words(text: str) -> list[str]:
    """The keyword index's words, accents folded: a reader types "Gisele" or "Sao Paulo"
    for the article's "Gisèle" and "São Paulo"."""
    return _WORD.findall(fold(text))


def _tokenizer() -> bm25s.tokenization.Tokenizer:
    return bm25s.tokenization.Tokenizer(stopwords="en", stemmer=_STEMMER, splitter=_words)


class LexicalIndex:
    """Keyword search; `search` returns `(passage_id, score)` pairs, best first."""

    def __init__(self) -> None:
        self._retriever: bm25s.BM25 | None = None
        self._tokenizer: bm25s.tokenization.Tokenizer | None = None
        self._ids = np.zeros(0, dtype=np.int64)
        self._added: set[int] = set()  # since the last build, not searchable yet
        self._removed: set[int] = set()  # since the last build, filtered out of results
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._ids) - len(self._removed) + len(self._added)

    @property
    def stale(self) -> bool:
        return bool(self._added or self._removed)

    def ids(self) -> set[int]:
        return (set(self._ids.tolist()) - self._removed) | self._added

    def add(self, ids: Iterable[int]) -> None:
        with self._lock:
            for pid in ids:
                self._removed.discard(pid)
                self._added.add(pid)

    def remove(self, ids: Iterable[int]) -> None:
        with self._lock:
            for pid in ids:
                if pid in self._added:
                    self._added.discard(pid)
                else:
                    self._removed.add(pid)

    def rebuild(self, documents: Iterable[tuple[int, str]]) -> None:
        """Index these (passage id, text) documents, replacing what was there."""
        added_before, removed_before = set(self._added), set(self._removed)
        ids: list[int] = []
        texts: list[str] = []
        for pid, text in documents:
            ids.append(pid)
            texts.append(text)
        tokenizer = _tokenizer()
        retriever = None
        if texts:
            tokens = tokenizer.tokenize(texts, return_as="ids", show_progress=False)
            retriever = bm25s.BM25()
            retriever.index(tokens, show_progress=False)
            # Token-id keys as strings, as a saved index loads them: bm25s writes the vocabulary
            # with orjson when that is installed, and orjson refuses integer keys.
            retriever.vocab_dict = {str(k): v for k, v in retriever.vocab_dict.items()}
        with self._lock:
            self._retriever, self._tokenizer = retriever, tokenizer
            self._ids = np.asarray(ids, dtype=np.int64)
            # Changes made while the build ran stay recorded for the next one.
            built = set(ids)
            self._added = {p for p in self._added - added_before if p not in built}
            self._removed = {p for p in self._removed - removed_before if p in built}

    def search(self, query: str, k: int, among: set[int] | None = None) -> list[tuple[int, float]]:
        """The k best `(passage_id, BM25 score)`, best first; with `among`, only of those
        passages (scored against the whole corpus's statistics)."""
        with self._lock:
            retriever, tokenizer, ids = self._retriever, self._tokenizer, self._ids
            removed = set(self._removed)
        if retriever is None or tokenizer is None or not len(ids):
            return []
        tokens = tokenizer.tokenize(
            [query], update_vocab=False, return_as="ids", show_progress=False
        )
        if not tokens or not tokens[0]:
            return []
        k = min(k + len(removed), len(ids))
        # The scores of every document, then the top k: what `retrieve` does, without the
        # thread pool and progress bar it sets up for each call (14 of 15 ms at 100k passages).
        scores = retriever.get_scores_from_ids(tokens[0])
        if among is not None:
            scores = np.where(np.isin(ids, np.fromiter(among, dtype=ids.dtype)), scores, 0.0)
        top = np.flatnonzero(scores)  # documents holding a query word: often a tenth of them
        if k < len(top):
            top = top[np.argpartition(-scores[top], k - 1)[:k]]
        top = top[np.lexsort((top, -scores[top]))]  # best first; ties by document order
        hits = ((int(ids[d]), float(scores[d])) for d in top.tolist())
        return [(pid, s) for pid, s in hits if s > 0 and np.isfinite(s) and pid not in removed]

    # -- persistence ------------------------------------------------------------------

    def save(self, directory: Path, extra: dict | None = None) -> None:
        """Write the built index to `directory` atomically (a new directory swapped in)."""
        directory = Path(directory)
        directory.parent.mkdir(parents=True, exist_ok=True)
        with self._lock:
            retriever, tokenizer, ids = self._retriever, self._tokenizer, self._ids
        tmp = Path(tempfile.mkdtemp(prefix=f".{directory.name}-", dir=directory.parent))
        try:
            if retriever is not None and tokenizer is not None:
                retriever.save(str(tmp), show_progress=False)
                tokenizer.save_vocab(str(tmp))
            np.save(tmp / "ids.npy", ids)
            manifest = {"format_version": FORMAT_VERSION, "count": len(ids), **(extra or {})}
            (tmp / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
            _fsync_tree(tmp)
            old = directory.with_name(f".{directory.name}-old")
            shutil.rmtree(old, ignore_errors=True)
            if directory.exists():
                os.replace(directory, old)
            os.replace(tmp, directory)
            _fsync(directory.parent)
            shutil.rmtree(old, ignore_errors=True)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    @classmethod
    def load(cls, directory: Path) -> tuple[LexicalIndex, dict] | None:
        """The saved index and its manifest, or None when there is none usable."""
        directory = Path(directory)
        old = directory.with_name(f".{directory.name}-old")
        if not directory.exists() and (old / MANIFEST).is_file():
            # A save killed between its two renames: the previous index, whole, moved aside.
            log.warning("keyword index: restoring %s left by an interrupted save", old.name)
            os.replace(old, directory)
        if not (directory / MANIFEST).is_file():
            return None
        try:
            manifest = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
            if not isinstance(manifest, dict):
                raise ValueError(f"{MANIFEST} is not a JSON object")
            if manifest.get("format_version") != FORMAT_VERSION:
                return None
            index = cls()
            ids = np.load(directory / "ids.npy", allow_pickle=False)
            if len(ids) != manifest.get("count"):
                return None
            if len(ids):
                index._retriever = bm25s.BM25.load(str(directory), mmap=True, show_progress=False)
                tokenizer = _tokenizer()
                tokenizer.load_vocab(str(directory))
                index._tokenizer = tokenizer
            index._ids = ids.astype(np.int64)
        except Exception as exc:  # derived data: whatever is wrong with it, it is rebuilt
            log.warning("keyword index at %s unreadable (%s): rebuilding", directory, exc)
            return None
        return index, manifest


def _fsync_tree(path: Path) -> None:
    """Flush a freshly written directory's files, then the directory itself."""
    for child in path.iterdir():
        if child.is_file():
            with open(child, "rb") as fh:
                os.fsync(fh.fileno())
    _fsync(path)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
