"""The keyword index: search, incremental changes, persistence and reconciliation."""

from __future__ import annotations

from pathlib import Path

import pytest

from retrieval.embedder import HashingEmbedder
from retrieval.indexes import LEXICAL_DIR
from retrieval.lexical import LexicalIndex, terms
from retrieval.library import Library

DOCS = [
    (1, "The dam on the Ostrel river gave way after heavy rain"),
    (2, "Dockworkers at the port went on strike over pay"),
    (3, "The central bank raised its key interest rate"),
]


def test_search_ranks_the_matching_document_first() -> None:
    index = LexicalIndex()
    index.rebuild(DOCS)
    hits = index.search("dockworkers strike", 3)
    assert hits[0][0] == 2
    assert all(score > 0 for _, score in hits)


@pytest.mark.parametrize(
    ("text", "query"),
    [("Renée Ostvall opened the Zürich hearing", "renee zurich"),
     ("Renee Ostvall opened the Zurich hearing", "Renée Zürich")],
)  # fmt: skip
def test_accents_are_folded_on_both_sides(text: str, query: str, tmp_path: Path) -> None:
    index = LexicalIndex()
    index.rebuild([*DOCS, (4, text)])
    assert [pid for pid, _ in index.search(query, 3)] == [4]
    index.save(tmp_path / "kw")
    loaded, _ = LexicalIndex.load(tmp_path / "kw")
    assert [pid for pid, _ in loaded.search(query, 3)] == [4]  # the saved vocabulary too
    assert terms(query) <= terms(text)


def test_search_among_some_passages_scores_only_those() -> None:
    index = LexicalIndex()
    index.rebuild(DOCS)
    everywhere = dict(index.search("the dam and the strike", 3))
    among = index.search("the dam and the strike", 3, among={1, 3})
    assert [pid for pid, _ in among] == [1]  # 2 matches too, but is not among them
    assert among[0][1] == pytest.approx(everywhere[1])  # the corpus's statistics, unchanged


def test_removed_documents_are_filtered_before_the_rebuild() -> None:
    index = LexicalIndex()
    index.rebuild(DOCS)
    index.remove([2])
    assert index.stale
    assert 2 not in [pid for pid, _ in index.search("dockworkers strike", 3)]
    assert index.ids() == {1, 3}


def test_added_documents_wait_for_the_rebuild() -> None:
    index = LexicalIndex()
    index.rebuild(DOCS[:2])
    index.add([3])
    assert index.ids() == {1, 2, 3}
    assert index.search("interest rate", 3) == []
    index.rebuild(DOCS)
    assert not index.stale
    assert index.search("interest rate", 3)[0][0] == 3


def test_save_and_load_round_trip(tmp_path: Path) -> None:
    index = LexicalIndex()
    index.rebuild(DOCS)
    index.save(tmp_path / "kw", {"articles": ["a"]})
    loaded = LexicalIndex.load(tmp_path / "kw")
    assert loaded is not None
    again, manifest = loaded
    assert manifest["articles"] == ["a"]
    assert again.search("central bank rate", 3) == index.search("central bank rate", 3)


@pytest.mark.parametrize("damage", ["delete", "manifest", "ids"])
def test_damaged_saved_index_is_not_used(tmp_path: Path, damage: str) -> None:
    index = LexicalIndex()
    index.rebuild(DOCS)
    index.save(tmp_path / "kw")
    if damage == "delete":
        for f in (tmp_path / "kw").iterdir():
            f.unlink()
    elif damage == "manifest":
        (tmp_path / "kw" / "manifest.json").write_text("{not json", encoding="utf-8")
    else:
        (tmp_path / "kw" / "ids.npy").write_bytes(b"garbage")
    assert LexicalIndex.load(tmp_path / "kw") is None


ARTICLE = """Port strike halts container traffic

Dockworkers at the port of Tessaly walked out on Monday over pay and automation.

The terminal operator said the offer on the table was fair.
"""


def test_library_reopens_from_the_saved_keyword_index(tmp_path: Path) -> None:
    library = Library(tmp_path, HashingEmbedder())
    article = library.ingest(ARTICLE)
    before = library.lexical.search("dockworkers automation", 5)
    library.close()
    assert (tmp_path / LEXICAL_DIR / "manifest.json").is_file()

    reopened = Library(tmp_path, HashingEmbedder())
    try:
        assert not reopened.lexical.stale
        assert reopened.lexical.search("dockworkers automation", 5) == before
        assert reopened.lexical.ids() == {p.id for p in article.passages}
    finally:
        reopened.close()


def test_library_rebuilds_a_deleted_keyword_index(tmp_path: Path) -> None:
    library = Library(tmp_path, HashingEmbedder())
    library.ingest(ARTICLE)
    library.close()
    for f in (tmp_path / LEXICAL_DIR).iterdir():
        f.unlink()
    (tmp_path / LEXICAL_DIR).rmdir()

    reopened = Library(tmp_path, HashingEmbedder())
    try:
        assert reopened.lexical.search("dockworkers automation", 5)
        assert (tmp_path / LEXICAL_DIR / "manifest.json").is_file()
    finally:
        reopened.close()


def test_large_corpus_rebuilds_in_the_background(tmp_path: Path) -> None:
    from retrieval.library import Tuning

    library = Library(tmp_path, HashingEmbedder(), Tuning(lexical_sync_limit=1))
    try:
        library.ingest(ARTICLE)
        thread = library.indexes.lexical_thread
        assert thread is not None
        thread.join(timeout=30)
        assert not library.lexical.stale
        assert library.lexical.search("dockworkers automation", 5)
    finally:
        library.close()
