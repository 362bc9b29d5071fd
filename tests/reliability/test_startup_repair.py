"""Start on damaged or foreign files: repaired with a log line, or refused with a clear message.

A saved corpus of 40 briefings (440 passages, more than the 50 candidates a question draws
from each index, so an index that is wrong changes answers) is damaged one way per test:
index files deleted, truncated, filled with garbage, replaced by another store's; the
database replaced by another program's, truncated, or made by an older version. Opening the
library then either repairs (a WARNING names what was done, the indexes agree with the store
and every question gets its right answer) or raises StoreError with a message for people.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import faiss
import numpy as np
import pytest

from bot.answers import AnswerArchive
from bot.subscriptions import MIGRATIONS as BOT
from bot.subscriptions import Kind, SubscriptionBook
from corpus.errors import StoreError
from retrieval.embedder import HashingEmbedder
from retrieval.indexes import INDEX_DIR, LEXICAL_DIR
from retrieval.library import STORE_FILE, Library
from retrieval.vector_index import INDEX_FILE, MANIFEST_FILE
from tests.reliability.articles import briefing, question

pytestmark = pytest.mark.reliability

ROOT = Path(__file__).resolve().parents[2]
OURS = range(0, 40)
THEIRS = range(500, 540)  # another deployment's corpus: same sizes, same passage ids


def _filled(directory: Path, numbers: range) -> Path:
    library = Library(directory, HashingEmbedder())
    library.ingest_many([(f"a{i}.txt", briefing(i), None) for i in numbers])
    library.close()
    return directory


@pytest.fixture(scope="module")
def saved(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(our saved corpus, another deployment's) to copy from."""
    ours = _filled(tmp_path_factory.mktemp("ours"), OURS)
    theirs = _filled(tmp_path_factory.mktemp("theirs"), THEIRS)
    return ours, theirs


@pytest.fixture
def data_dir(saved: tuple[Path, Path], tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(saved[0], target)
    return target


def _truncate(path: Path, keep: float = 0.5) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])


def _json(path: Path, value: object) -> None:
    path.write_text(json.dumps(value), encoding="utf-8")


def _foreign_faiss(index_dir: Path) -> None:
    """A valid FAISS file of another kind, with a manifest whose checksum matches it."""
    other = faiss.IndexFlatL2(256)
    other.add(np.random.default_rng(0).random((10, 256), dtype=np.float32))
    faiss.write_index(other, str(index_dir / INDEX_FILE))
    manifest = json.loads((index_dir / MANIFEST_FILE).read_text())
    manifest["sha256"] = hashlib.sha256((index_dir / INDEX_FILE).read_bytes()).hexdigest()
    _json(index_dir / MANIFEST_FILE, manifest)


def _other_ids(path: Path) -> None:
    ids = np.load(path)
    np.save(path, ids + 100_000)


def _replace_dir(name: str) -> Callable[[Path, Path], None]:
    def replace(data: Path, theirs: Path) -> None:
        shutil.rmtree(data / name)
        shutil.copytree(theirs / name, data / name)

    return replace


V, K = INDEX_DIR, LEXICAL_DIR
# (what is done to the saved files, what the WARNING says)
REPAIRS: dict[str, tuple[Callable[[Path, Path], None], str]] = {
    "vector index deleted": (lambda d, o: shutil.rmtree(d / V), "rebuilding the vector index"),
    "index.faiss deleted": (lambda d, o: (d / V / INDEX_FILE).unlink(), "cannot read"),
    "index.faiss truncated": (lambda d, o: _truncate(d / V / INDEX_FILE), "checksum differs"),
    "index.faiss empty": (lambda d, o: (d / V / INDEX_FILE).write_bytes(b""), "checksum differs"),
    "index.faiss garbage": (
        lambda d, o: (d / V / INDEX_FILE).write_bytes(os.urandom(4096)),
        "checksum differs",
    ),
    "index.faiss foreign but checksummed": (lambda d, o: _foreign_faiss(d / V), "manifest says"),
    "vector manifest deleted": (lambda d, o: (d / V / MANIFEST_FILE).unlink(), "missing"),
    "vector manifest truncated": (lambda d, o: _truncate(d / V / MANIFEST_FILE), "unreadable"),
    "vector manifest a JSON list": (lambda d, o: _json(d / V / MANIFEST_FILE, [1]), "JSON object"),
    "vector index of another store": (_replace_dir(V), "another store"),
    "keyword index deleted": (lambda d, o: shutil.rmtree(d / K), "keyword index"),
    "keyword manifest deleted": (lambda d, o: (d / K / "manifest.json").unlink(), "keyword index"),
    "keyword manifest truncated": (lambda d, o: _truncate(d / K / "manifest.json"), "unreadable"),
    "keyword manifest a JSON list": (
        lambda d, o: _json(d / K / "manifest.json", [1, 2]),
        "unreadable",
    ),
    "keyword ids truncated": (lambda d, o: _truncate(d / K / "ids.npy"), "unreadable"),
    "keyword ids of other passages": (lambda d, o: _other_ids(d / K / "ids.npy"), "440 to drop"),
    "keyword matrix truncated": (
        lambda d, o: _truncate(d / K / "data.csc.index.npy", 0.3),
        "unreadable",
    ),
    "keyword params a JSON list": (
        lambda d, o: _json(d / K / "params.index.json", []),
        "unreadable",
    ),
    "keyword vocabulary garbage": (
        lambda d, o: (d / K / "vocab.index.json").write_text("{]"),
        "unreadable",
    ),
    "tokenizer vocabulary a JSON list": (
        lambda d, o: _json(d / K / "vocab.tokenizer.json", []),
        "unreadable",
    ),
    "keyword index of another store": (_replace_dir(K), "another store"),
    "both indexes of another store": (
        lambda d, o: (_replace_dir(V)(d, o), _replace_dir(K)(d, o)),
        "another store",
    ),
}


def _answers_right(library: Library) -> list[int]:
    """The articles whose own question does not find them first."""
    wrong = []
    for i in OURS:
        answer = library.ask(question(i))
        if not answer.found or not answer.results[0].article.title.endswith(f"({i})"):
            wrong.append(i)
    return wrong


@pytest.mark.parametrize("damage", list(REPAIRS))
def test_damaged_index_is_repaired_with_a_log_line(
    data_dir: Path, saved: tuple[Path, Path], damage: str, caplog: pytest.LogCaptureFixture
) -> None:
    harm, said = REPAIRS[damage]
    harm(data_dir, saved[1])
    with caplog.at_level(logging.INFO):
        library = Library(data_dir, HashingEmbedder())
    try:
        logged = [r.getMessage() for r in caplog.records if r.name.startswith("retrieval")]
        assert any(said in line for line in logged), logged
        ids = library.store.passage_ids()
        assert len(ids) == 440
        assert library.index.ids() == ids and library.lexical.ids() == ids
        assert _answers_right(library) == []
    finally:
        library.close()
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="retrieval"):
        again = Library(data_dir, HashingEmbedder())  # repaired for good: nothing more to do
    again.close()
    # The test embedder is not the model the ranker was fitted with: that is said each start.
    repairs = [r.getMessage() for r in caplog.records if r.name != "retrieval.ranker"]
    assert not repairs, repairs


def _other_program(path: Path) -> None:
    path.unlink()
    for extra in path.parent.glob(f"{path.name}-*"):
        extra.unlink()
    conn = sqlite3.connect(path)
    conn.executescript(
        "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT);"
        "INSERT INTO notes (body) VALUES ('shopping list');"
    )
    conn.close()


REFUSALS: dict[str, tuple[Callable[[Path], None], str]] = {
    "database of another program": (_other_program, "of another application, not a store"),
    "database garbage": (
        lambda p: p.write_bytes(os.urandom(64 * 1024)),
        "not a store database or is corrupt",
    ),
    "database truncated": (lambda p: _truncate(p, 0.4), "not a store database or is corrupt"),
    "database a text file": (
        lambda p: p.write_text("id,title\n1,hello\n" * 500),
        "not a store database or is corrupt",
    ),
}


@pytest.mark.parametrize("damage", list(REFUSALS))
def test_a_database_that_is_not_ours_is_refused_clearly(data_dir: Path, damage: str) -> None:
    harm, said = REFUSALS[damage]
    harm(data_dir / STORE_FILE)
    before = sorted(p.name for p in data_dir.rglob("*"))
    with pytest.raises(StoreError) as refused:
        Library(data_dir, HashingEmbedder()).close()
    assert said in refused.value.reason
    assert str(data_dir / STORE_FILE) in refused.value.reason
    assert sorted(p.name for p in data_dir.rglob("*")) == before  # nothing was touched


def test_the_command_line_refuses_in_one_line(data_dir: Path) -> None:
    _other_program(data_dir / STORE_FILE)
    env = {**os.environ, "BRIEFBOT_DATA_DIR": str(data_dir)}
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "articles"],
        cwd=data_dir, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        f"briefbot: {data_dir / STORE_FILE} is a SQLite database of another application, "
        "not a store"
    ]


def test_an_emptied_database_is_not_served_from_old_indexes(
    data_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (data_dir / STORE_FILE).write_bytes(b"")  # the corpus is gone; its indexes are not
    with caplog.at_level(logging.WARNING):
        library = Library(data_dir, HashingEmbedder())
    try:
        assert library.store.count_articles() == 0
        assert len(library.index) == 0 and len(library.lexical) == 0
        assert not library.ask(question(3)).found
        assert caplog.records, "the indexes of the lost corpus were dropped without a word"
    finally:
        library.close()


def test_a_store_missing_later_migrations_is_migrated_with_a_log_line(
    data_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # The saved corpus was made by the library alone: no subscriptions or answers tables yet,
    # as in a store written before the bot's migrations existed.
    with caplog.at_level(logging.INFO):
        library = Library(data_dir, HashingEmbedder())
        book = SubscriptionBook(library.store)
        AnswerArchive(library.store)
    try:
        logged = " ".join(r.getMessage() for r in caplog.records)
        names = [f"bot_{n:04d}" for n in range(1, 8)]
        ran = [name for name in names if f"applied migration {name}" in logged]
        assert ran == names, logged
        assert library.store.revisions([BOT]) == {"bot": names[-1]}
        book.add(7, Kind.TOPIC, "port audits")
        assert [s.query for s in book.of_chat(7)] == ["port audits"]
        assert _answers_right(library) == []
    finally:
        library.close()


def test_a_store_from_the_version_with_article_sections_still_serves(data_dir: Path) -> None:
    # Commit e6cea01 had a migration corpus.0002_article_sections (a column since retired).
    conn = sqlite3.connect(data_dir / STORE_FILE)
    conn.executescript("ALTER TABLE articles ADD COLUMN sections TEXT NOT NULL DEFAULT '[]';")
    conn.close()
    library = Library(data_dir, HashingEmbedder())
    try:
        assert _answers_right(library) == []
        added = library.ingest(briefing(77), filename="new.txt")
        assert library.ask(question(77)).results[0].article.article_id == added.id
    finally:
        library.close()
