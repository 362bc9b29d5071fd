"""The vector and keyword indexes of one store: saved in the data directory, and brought in
line with the store when opened (DESIGN.md: Storage)."""

from __future__ import annotations

import fcntl
import logging
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from corpus.models import Passage
from corpus.store import Store
from retrieval.lexical import LexicalIndex
from retrieval.vector_index import IndexMismatch, VectorIndex, reconcile_plan

log = logging.getLogger(__name__)

INDEX_DIR = "index"
LEXICAL_DIR = "keywords"
LOCK_FILE = "index.lock"
MODEL_KEY = "embedding_model"
STORE_ID_KEY = "store_id"  # saved with both indexes: an index copied from another store is refused


def document_text(
    title: str, text: str, speaker: str | None = None, role: str | None = None
) -> str:
    """What is embedded and keyword-indexed for a passage: its words, its speaker, its headline."""
    who = ""
    if speaker:
        who = f"{speaker}, {role}: " if role else f"{speaker}: "
    return f"{who}{text}\n({title})"


def passage_document(title: str, passage: Passage) -> str:
    s = passage.speaker
    return document_text(title, passage.text, s.name if s else None, s.role if s else None)


@dataclass(frozen=True)
class Opened:
    """What opening found of the keyword index's manifest, for the library's word counts."""

    articles: frozenset[str] | None  # the articles its word counts were made for (None: none)
    article_freq: dict[str, int]
    keywords_saved: bool  # False: the keyword index is rebuilt and saved once counts are known


class IndexSet:
    """The FAISS vector index and the BM25 keyword index over the store's passages.

    Not locked itself: the library changes it under its write lock. The keyword index is
    rebuilt after changes, in the background when large, one rebuild and save at a time.
    """

    def __init__(
        self,
        data_dir: Path,
        store: Store,
        model: str,
        dim: int,
        *,
        approximate_from: int,
        lexical_sync_limit: int,
    ) -> None:
        self.data_dir = data_dir
        self.store = store
        self.model = model
        self.dim = dim
        self.approximate_from = approximate_from
        self.lexical_sync_limit = lexical_sync_limit
        self.vector = VectorIndex(dim, approximate_from=approximate_from)
        self.lexical = LexicalIndex()
        self.store_id = ""
        self.lexical_thread: threading.Thread | None = None
        self._rebuilding = threading.Lock()

    def open(self, embed_missing: Callable[[list[int]], None]) -> Opened:
        """Load both saved indexes and reconcile them with the store: passages without a
        vector are embedded (`embed_missing`), an index of another model or store rebuilt."""
        if self.store.get_meta(MODEL_KEY) not in (None, self.model):
            log.warning("embedding model changed to %s: re-embedding every passage", self.model)
            self.store.clear_vectors()
        self.store.set_meta(MODEL_KEY, self.model)
        store_id = self.store.get_meta(STORE_ID_KEY)
        if store_id is None:
            store_id = uuid.uuid4().hex
            self.store.set_meta(STORE_ID_KEY, store_id)
        self.store_id = store_id
        missing = self.store.ids_without_vector()
        if missing:
            log.info("embedding %d passages that have no vector", len(missing))
            embed_missing(missing)
        store_ids = self.store.passage_ids()
        self._open_vectors(store_ids)
        return self._open_lexical(store_ids)

    def _open_vectors(self, store_ids: set[int]) -> None:
        try:
            self.vector = VectorIndex.load(
                self.data_dir / INDEX_DIR,
                self.model,
                self.dim,
                approximate_from=self.approximate_from,
                store_id=self.store_id,
            )
            to_add, to_remove = reconcile_plan(self.vector.ids(), store_ids)
            if to_remove:
                self.vector.remove(to_remove)
            if to_add:
                ids, vectors = self.store.vectors(sorted(to_add))
                self.vector.add(ids, vectors)
            if to_add or to_remove:
                log.info("index reconciled: %d added, %d removed", len(to_add), len(to_remove))
                self.save_vectors()
        except IndexMismatch as exc:
            if store_ids:
                log.warning("rebuilding the vector index: %s", exc.reason)
            ids, vectors = self.store.vectors()
            self.vector.rebuild(ids, vectors)
            self.save_vectors()

    def _open_lexical(self, store_ids: set[int]) -> Opened:
        loaded = LexicalIndex.load(self.data_dir / LEXICAL_DIR)
        if loaded is not None and loaded[1].get("store_id") not in (None, self.store_id):
            log.warning("the keyword index was built for another store: rebuilding it")
            loaded = None
        if loaded is None:
            if store_ids:
                log.warning("no usable keyword index was saved: rebuilding it from the store")
            self.lexical.add(store_ids)
            return Opened(None, {}, keywords_saved=False)
        self.lexical, manifest = loaded
        to_add, to_remove = reconcile_plan(self.lexical.ids(), store_ids)
        self.lexical.remove(to_remove)
        self.lexical.add(to_add)
        if to_add or to_remove:
            log.info("keyword index: %d to add, %d to drop", len(to_add), len(to_remove))
        articles = manifest.get("articles")
        return Opened(
            frozenset(articles) if articles is not None else None,
            dict(manifest.get("article_freq", {})),
            keywords_saved=not self.lexical.stale,
        )

    def save_vectors(self) -> None:
        """Write the vector index to disk (atomically; see VectorIndex.save)."""
        with across_processes(self.data_dir):
            self.vector.save(self.data_dir / INDEX_DIR, self.model, store_id=self.store_id)

    def refresh_lexical(self, manifest: Callable[[], dict[str, Any]], *, save: bool) -> None:
        """Rebuild the keyword index after changes: now when small, else in the background.
        `manifest`: what is saved beside it, taken when the rebuild starts."""
        if len(self.lexical) <= self.lexical_sync_limit:
            self._rebuild_lexical(manifest, save)
            return
        thread = self.lexical_thread
        if thread is not None and thread.is_alive():
            return  # it rebuilds from the store as it is when it starts; a later change waits
        self.lexical_thread = threading.Thread(
            target=self._rebuild_lexical, args=(manifest, save), name="keyword-index", daemon=True
        )
        self.lexical_thread.start()

    def _rebuild_lexical(self, manifest: Callable[[], dict[str, Any]], save: bool) -> None:
        # Serialised: ingests in several threads each end here, and two saves at once collide
        # in the directory swap; the one that waits then builds from the newer store.
        with self._rebuilding:
            extra = {"store_id": self.store_id, **manifest()}
            documents = (
                (pid, document_text(title, text, name, role))
                for pid, title, text, name, role in self.store.documents()
            )
            self.lexical.rebuild(documents)
            if save:
                with across_processes(self.data_dir):
                    self.lexical.save(self.data_dir / LEXICAL_DIR, extra)

    def wait(self) -> None:
        """Let a background keyword rebuild finish."""
        thread = self.lexical_thread
        if thread is not None:
            thread.join()


@contextmanager
def across_processes(data_dir: Path) -> Iterator[None]:
    """One index save at a time in the data directory, whichever process makes it: the bot
    and `briefbot ingest` may share one (each save is atomic; two at once would collide in
    the renames)."""
    with open(data_dir / LOCK_FILE, "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
