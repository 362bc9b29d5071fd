"""Shared checks for crash tests: what must hold on disk and in the library after a kill."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterable
from pathlib import Path

import faiss
import numpy as np

from corpus.parse import parse_article
from retrieval.indexes import INDEX_DIR, LEXICAL_DIR
from retrieval.lexical import LexicalIndex
from retrieval.library import STORE_FILE, Library
from retrieval.vector_index import INDEX_FILE, MANIFEST_FILE
from tests.reliability.articles import briefing, question

# Where an index file may wait for its manifest while a save is under way.
PENDING_NAMES = ("index.faiss.pending",)


def article_ids(numbers: Iterable[int]) -> dict[int, str]:
    return {i: parse_article(briefing(i)).id for i in numbers}


def expected_passages(numbers: Iterable[int]) -> dict[str, int]:
    return {(a := parse_article(briefing(i))).id: len(a.passages) for i in numbers}


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def saved_vector_ids(directory: Path) -> frozenset[int] | None:
    """The passage ids of the complete file set the saved manifest names, read without repair.

    None when nothing was saved yet. Fails when the manifest names no complete, matching
    file: that would be a torn save.
    """
    manifest_path = directory / MANIFEST_FILE
    if not manifest_path.exists():
        assert not (directory / INDEX_FILE).exists(), "an index file without its manifest"
        return None
    manifest = json.loads(manifest_path.read_bytes())
    for name in (INDEX_FILE, *PENDING_NAMES):
        path = directory / name
        if path.exists() and _sha(path) == manifest["sha256"]:
            index = faiss.read_index(str(path))
            held = faiss.vector_to_array(index.id_map).astype(np.int64)
            assert sorted(held.tolist()) == sorted(manifest["ids"]), "file and manifest differ"
            return frozenset(manifest["ids"])
    present = sorted(p.name for p in directory.iterdir())
    raise AssertionError(f"torn vector index: no file matches the manifest's checksum: {present}")


def saved_lexical_ids(directory: Path) -> frozenset[int] | None:
    """The passage ids of the complete keyword index a save left, read without repair.

    A save builds a new directory and swaps it in: the complete set is `directory`, or, in
    the instant between the two renames, the previous one moved aside to `.NAME-old`.
    """
    old = directory.with_name(f".{directory.name}-old")
    chosen = directory if (directory / "manifest.json").is_file() else old
    if not (chosen / "manifest.json").is_file():
        assert not directory.exists(), f"torn keyword index: {sorted(directory.iterdir())}"
        return None
    loaded = LexicalIndex.load(chosen)
    assert loaded is not None, f"torn keyword index in {chosen.name}"
    index, manifest = loaded
    assert manifest["count"] == len(index.ids())
    return frozenset(index.ids())


def store_state(data_dir: Path) -> tuple[dict[str, list[int]], int]:
    """(passage ids by article, passages without a vector), read straight from SQLite."""
    conn = sqlite3.connect(data_dir / STORE_FILE)
    try:
        by_article: dict[str, list[int]] = {
            aid: [] for (aid,) in conn.execute("SELECT id FROM articles")
        }
        for pid, aid in conn.execute("SELECT id, article_id FROM passages ORDER BY id"):
            by_article[aid].append(pid)
        unvectored = conn.execute(
            "SELECT count(*) FROM passages p LEFT JOIN passage_vectors v"
            " ON v.passage_id = p.id WHERE v.passage_id IS NULL"
        ).fetchone()[0]
    finally:
        conn.close()
    return by_article, unvectored


def check_library(
    library: Library,
    acked: Iterable[str],
    expected: dict[str, int],
    numbers: dict[str, int],
    *,
    search: Iterable[str] = (),
) -> None:
    """Store and both indexes agree exactly; every stored article is whole; every acknowledged
    one is there; the articles in `search` are found by their own question."""
    ids = library.store.passage_ids()
    assert library.index.ids() == ids, "vector index and store disagree"
    assert library.lexical.ids() == ids, "keyword index and store disagree"
    assert not library.lexical.stale
    stored = {a.id: a.passage_count for a in library.articles()}
    for aid, count in stored.items():
        assert count == expected[aid], f"article {aid} is half-present: {count}/{expected[aid]}"
    for aid in acked:
        assert stored.get(aid) == expected[aid], f"acknowledged article {aid} is missing"
    for aid in search:
        answer = library.ask(question(numbers[aid]))
        assert answer.found and answer.results[0].passage.article_id == aid, (
            f"article {aid} is stored but not found by its question"
        )


__all__ = [
    "INDEX_DIR",
    "LEXICAL_DIR",
    "article_ids",
    "check_library",
    "expected_passages",
    "saved_lexical_ids",
    "saved_vector_ids",
    "store_state",
]
