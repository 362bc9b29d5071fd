"""The store against both engines: a real SQLite file in tmp_path, a real PostgreSQL schema."""

from __future__ import annotations

import sqlite3
import threading
from datetime import date
from pathlib import Path

import numpy as np
import pytest
import sqlalchemy as sa

from corpus import schema
from corpus.errors import ArticleNotFound, CorpusError, DuplicateArticle, StoreError
from corpus.models import Article, Passage, Speaker, Status, article_id
from corpus.store import ArticleSummary, Store

DIM = 8


def make_article(text: str, *, title: str = "Title", published: date | None = None) -> Article:
    """An article whose passages are its lines, the second one a statement with a speaker."""
    aid = article_id(text)
    passages = []
    offset = 0
    for ordinal, line in enumerate(text.split("\n")):
        speaker = None
        status = Status.VERIFIED
        if ordinal == 1:
            status = Status.STATEMENT
            speaker = Speaker(name="Jane Roe", role="Mayor", place="Springfield", when="3 May")
        passages.append(
            Passage(
                article_id=aid,
                ordinal=ordinal,
                section="Verified Facts" if ordinal != 1 else "Official Statements",
                status=status,
                start=offset,
                end=offset + len(line),
                text=line,
                speaker=speaker,
            )
        )
        offset += len(line) + 1
    return Article(
        id=aid,
        title=title,
        source="Daily News",
        url="https://example.com/a",
        published=published,
        format="briefing",
        text=text,
        passages=tuple(passages),
    )


def random_vectors(n: int, seed: int = 0, dim: int = DIM) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal((n, dim)).astype(np.float32)


@pytest.fixture
def store(database: str | Path):
    with Store(database) as s:
        yield s


ARTICLE_TEXT = "The bridge reopened.\n“We are proud,” she said.\nTraffic is back."


def test_round_trip_keeps_passages_speakers_and_dates(store: Store) -> None:
    article = make_article(ARTICLE_TEXT, published=date(2024, 5, 3))
    stored = store.add(article)

    ids = [p.id for p in stored.passages]
    assert all(isinstance(i, int) for i in ids)
    assert ids == sorted(ids) and len(set(ids)) == 3
    assert stored.model_copy(update={"passages": article.passages}) == article

    loaded = store.get(article.id)
    assert loaded == stored
    assert loaded.published == date(2024, 5, 3)
    assert loaded.sections == ("Verified Facts", "Official Statements")
    assert loaded.passages[1].speaker == Speaker(
        name="Jane Roe", role="Mayor", place="Springfield", when="3 May"
    )
    assert loaded.passages[1].status is Status.STATEMENT
    assert loaded.passages[0].speaker is None
    assert loaded.text[loaded.passages[2].start : loaded.passages[2].end] == "Traffic is back."
    assert store.find("nope") is None
    with pytest.raises(ArticleNotFound):
        store.get("nope")


def test_passage_lookups(store: Store) -> None:
    stored = store.add(make_article(ARTICLE_TEXT))
    other = store.add(make_article("Other one.\nSecond line."))
    all_ids = [p.id for p in stored.passages + other.passages]

    assert store.passage_ids() == set(all_ids)
    assert [p.id for p in store.all_passages()] == sorted(all_ids)
    picked = store.passages([all_ids[1], all_ids[3], 999_999])
    assert set(picked) == {all_ids[1], all_ids[3]}
    assert picked[all_ids[1]] == stored.passages[1]
    assert store.count_articles() == 2
    assert store.count_passages() == 5


def test_duplicate_raises_and_changes_nothing(store: Store) -> None:
    first = store.add(make_article(ARTICLE_TEXT, title="First"), random_vectors(3))
    before = (store.articles(), store.all_passages(), store.vectors())

    again = make_article(ARTICLE_TEXT, title="Renamed")
    with pytest.raises(DuplicateArticle) as caught:
        store.add(again, random_vectors(3, seed=1))

    assert caught.value.existing_id == first.id
    assert caught.value.title == "First"
    after = (store.articles(), store.all_passages(), store.vectors())
    assert after[:2] == before[:2]
    assert np.array_equal(after[2][0], before[2][0])
    assert np.array_equal(after[2][1], before[2][1])


def test_failed_add_rolls_back_everything(store: Store) -> None:
    with pytest.raises(ValueError):
        store.add(make_article(ARTICLE_TEXT), random_vectors(2))  # 3 passages, 2 vectors
    assert store.count_articles() == 0
    assert store.count_passages() == 0


def test_remove_cascades_to_passages_and_vectors(store: Store) -> None:
    keep = store.add(make_article("Kept article.\nStill here."), random_vectors(2, seed=1))
    gone = store.add(make_article(ARTICLE_TEXT), random_vectors(3, seed=2))

    removed = store.remove(gone.id)

    assert removed == gone
    assert store.find(gone.id) is None
    assert store.passage_ids() == {p.id for p in keep.passages}
    ids, _ = store.vectors()
    assert set(ids.tolist()) == {p.id for p in keep.passages}
    with pytest.raises(ArticleNotFound):
        store.remove(gone.id)


def test_passage_ids_are_not_reused_after_remove(store: Store) -> None:
    first = store.add(make_article(ARTICLE_TEXT))
    store.remove(first.id)
    second = store.add(make_article("A new article.\nWith lines."))
    assert min(p.id for p in second.passages) > max(p.id for p in first.passages)


def test_vectors_round_trip_and_upsert(store: Store) -> None:
    stored = store.add(make_article(ARTICLE_TEXT))
    ids = [p.id for p in stored.passages]
    assert store.ids_without_vector() == ids
    empty_ids, empty = store.vectors()
    assert empty_ids.shape == (0,) and empty.shape[0] == 0

    vectors = random_vectors(3)
    written = store.set_vectors(list(reversed(ids)), vectors[::-1])
    assert written == list(reversed(ids))
    got_ids, got = store.vectors()
    assert got_ids.dtype == np.int64 and got.dtype == np.float32
    assert got_ids.tolist() == ids
    assert np.array_equal(got, vectors)
    assert store.ids_without_vector() == []

    replacement = random_vectors(1, seed=9)
    store.set_vectors([ids[1]], replacement)
    sub_ids, sub = store.vectors([ids[1], ids[0]])
    assert sub_ids.tolist() == [ids[0], ids[1]]
    assert np.array_equal(sub[1], replacement[0])
    assert np.array_equal(sub[0], vectors[0])

    assert store.set_vectors([ids[0], 424242], random_vectors(2)) == [ids[0]]

    store.clear_vectors()
    assert store.vectors()[0].size == 0
    assert store.ids_without_vector() == ids


def test_vector_dimension_change_needs_a_full_replacement(store: Store) -> None:
    stored = store.add(make_article(ARTICLE_TEXT), random_vectors(3))
    ids = [p.id for p in stored.passages]
    with pytest.raises(ValueError, match="dimension"):
        store.set_vectors(ids[:1], random_vectors(1, dim=DIM * 2))
    store.set_vectors(ids, random_vectors(3, dim=DIM * 2))
    assert store.vectors()[1].shape == (3, DIM * 2)


def test_articles_newest_first_with_counts(store: Store) -> None:
    store.add(make_article("Old.\nx", title="Old", published=date(2020, 1, 1)))
    store.add(make_article("New.\ny\nz", title="New", published=date(2024, 1, 1)))
    store.add(make_article("Mid.\nw", title="Mid", published=date(2022, 6, 1)))

    summaries = store.articles()
    assert [s.title for s in summaries] == ["New", "Mid", "Old"]
    assert isinstance(summaries[0], ArticleSummary)
    assert summaries[0].passage_count == 3
    assert summaries[0].added_at.tzinfo is not None
    with pytest.raises(Exception):  # noqa: B017 - frozen model, pydantic's own error type
        summaries[0].title = "x"  # type: ignore[misc]


def test_meta(store: Store) -> None:
    assert store.get_meta("embedding_model") is None
    store.set_meta("embedding_model", "a")
    store.set_meta("embedding_model", "b")
    assert store.get_meta("embedding_model") == "b"


def test_migrations_applied_once_and_recorded(database: str | Path) -> None:
    with Store(database) as store:
        assert store.revisions() == {"corpus": schema.head(schema.CORPUS)}
        assert store.upgrade(schema.CORPUS) == []
        store.add(make_article(ARTICLE_TEXT))

    with Store(database) as store:  # a second open must not re-run (CREATE TABLE would fail)
        assert store.revisions() == {"corpus": schema.head(schema.CORPUS)}
        assert store.count_articles() == 1


def test_a_failing_migration_is_rolled_back_and_not_recorded(
    database: str | Path, tmp_path: Path
) -> None:
    versions = tmp_path / "versions"
    versions.mkdir()
    (versions / "x_0001.py").write_text(
        'revision = "x_0001"\ndown_revision = None\n'
        "from alembic import op\n"
        "def upgrade():\n"
        '    op.execute("CREATE TABLE t1 (a INTEGER)")\n'
        '    op.execute("CREATE TABLE articles (b INTEGER)")\n'
    )
    chain = schema.Chain("x", versions)
    with Store(database) as store:
        with pytest.raises(StoreError, match=r"migrating x in .* failed"):
            store.upgrade(chain)
        assert store.revisions([chain]) == {"x": None}
        with store.read() as conn:
            assert not sa.inspect(conn).has_table("t1")


def test_pragmas(tmp_path: Path) -> None:
    with Store(tmp_path / "s.db") as store, store.read() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_non_sqlite_file_gives_store_error(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_bytes(b"this is not a database, just some text " * 200)
    with pytest.raises(StoreError, match="not a store database or is corrupt") as caught:
        Store(path)
    assert isinstance(caught.value, CorpusError)
    assert isinstance(caught.value.__cause__.orig, sqlite3.DatabaseError)


def test_foreign_sqlite_database_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    raw = sqlite3.connect(path)
    raw.execute("CREATE TABLE articles (whatever TEXT)")
    raw.commit()
    raw.close()
    with pytest.raises(StoreError, match="another application"):
        Store(path)
    raw = sqlite3.connect(path)
    tables = {r[0] for r in raw.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    raw.close()
    assert tables == {"articles"}


def test_closed_store_raises_store_error(database: str | Path) -> None:
    store = Store(database)
    store.close()
    with pytest.raises(StoreError, match="closed"):
        store.count_articles()


def test_usable_from_worker_threads(store: Store) -> None:
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            store.add(make_article(f"Article number {n}.\nLine two of {n}."))
            store.articles()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert store.count_articles() == 8
    assert store.count_passages() == 16
