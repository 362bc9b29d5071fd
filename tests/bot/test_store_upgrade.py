"""A data directory made before Alembic opens in place, and `briefbot db` moves it into
PostgreSQL: `db upgrade` and `db copy` through the command line, on real databases."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot.answers import AnswerArchive
from bot.cli import main
from bot.sightings import Sightings
from bot.subscriptions import MIGRATIONS as BOT
from bot.subscriptions import Kind, Schedule, SubscriptionBook
from corpus import schema
from corpus.claims import ClaimBook
from corpus.models import Article, Passage, Status, article_id
from corpus.store import APPLICATION_ID, Store
from retrieval.embedder import HashingEmbedder
from retrieval.library import STORE_FILE, Library

# The store of a data directory as the hand-written sqlite3 store left it, dumped as SQL.
OLD_STORE = Path(__file__).resolve().parents[1] / "data" / "store_v1.sql"
HEADS = {"corpus": "corpus_0003", "bot": "bot_0007"}


@pytest.fixture
def old_store(tmp_path: Path) -> Path:
    path = tmp_path / "data" / STORE_FILE
    path.parent.mkdir()
    raw = sqlite3.connect(path)
    raw.executescript(OLD_STORE.read_text(encoding="utf-8"))
    raw.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    raw.commit()
    raw.close()
    return path


def open_books(store: Store) -> tuple[SubscriptionBook, AnswerArchive, Sightings, ClaimBook]:
    return SubscriptionBook(store), AnswerArchive(store), Sightings(store), ClaimBook(store)


def new_article(text: str) -> Article:
    aid = article_id(text)
    passage = Passage(article_id=aid, ordinal=0, section="Verified Facts",
                      status=Status.VERIFIED, start=0, end=len(text), text=text)  # fmt: skip
    return Article(id=aid, title="Ferry timetable", text=text, passages=(passage,))


def check_old_contents(store: Store) -> None:
    """What the old data directory held is there and works through today's code."""
    subscriptions, answers, sightings, claims = open_books(store)
    assert store.count_articles() == 2 and store.count_passages() == 35
    assert store.revisions([schema.CORPUS, BOT]) == HEADS
    assert [s.query for s in subscriptions.of_chat(4242)] == ["Ada Quill"]
    assert subscriptions.counts() == {"subscriptions": 2, "paused_chats": 0, "pending": 1,
                                      "sent": 1, "failed": 0}  # fmt: skip
    assert subscriptions.match_cursor() == 2
    saved = answers.load(1)
    assert saved is not None and saved[0] == 4242
    assert sightings.seen([1, 2]) == {4242: 77}  # the other chat opted out
    assert len(claims.claims()) == 5 and claims.last_event() == 5
    ids, vectors = store.vectors()
    assert len(ids) == 35 and vectors.shape == (35, 16)
    # New rows continue after the old ones.
    added = store.add(new_article("The ferry leaves at nine."))
    assert added.passages[0].id == 36
    assert subscriptions.add(4242, Kind.TOPIC, "ferries", Schedule.DAILY).id == 3


def test_an_old_data_directory_opens_in_place_with_everything_in_it(old_store: Path) -> None:
    library = Library(old_store.parent, HashingEmbedder(dim=16))
    try:
        assert len(library.articles()) == 2
        check_old_contents(library.store)
    finally:
        library.close()
    with Store(old_store) as store:  # nothing left to run on the next open
        assert store.upgrade(schema.CORPUS) == [] and store.upgrade(BOT) == []
        assert store.count_articles() == 3


def test_db_upgrade_names_each_chain_at_its_head(
    database: str | Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    if isinstance(database, Path):
        monkeypatch.setenv("BRIEFBOT_DATA_DIR", str(database.parent))
        monkeypatch.delenv("BRIEFBOT_DATABASE_URL", raising=False)
    else:
        monkeypatch.setenv("BRIEFBOT_DATABASE_URL", database)
    assert main(["db", "upgrade"]) == 0
    out = capsys.readouterr().out
    assert "corpus at corpus_0003, bot at bot_0007" in out
    if not isinstance(database, Path):
        assert ":***@" in out and ":briefbot@" not in out  # the password is never printed


@pytest.mark.postgres
def test_db_copy_moves_an_old_store_into_postgresql_checked(
    old_store: Path,
    postgres_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("BRIEFBOT_DATABASE_URL", postgres_url)
    assert main(["db", "copy", str(old_store)]) == 0
    out = capsys.readouterr().out
    with Store(old_store) as source:
        checksum = source.checksum()
    assert f"passages checksum {checksum}" in out
    assert "passages                  35 rows" in out and "deliveries                 2 rows" in out
    with Store(postgres_url) as store:
        assert store.checksum() == checksum
        check_old_contents(store)

    # A second copy would overwrite a store in use: refused, nothing changed.
    assert main(["db", "copy", str(old_store)]) == 1
    assert "already holds articles" in capsys.readouterr().err
    with Store(postgres_url) as store:
        assert store.count_articles() == 3


@pytest.mark.postgres
def test_db_copy_wants_an_existing_file_and_a_postgresql_target(
    old_store: Path, tmp_path: Path, postgres_url: str, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    monkeypatch.setenv("BRIEFBOT_DATABASE_URL", postgres_url)
    assert main(["db", "copy", str(tmp_path / "missing.sqlite3")]) == 1
    assert "missing.sqlite3 is not a file" in capsys.readouterr().err
    engine = sa.create_engine(postgres_url)
    with engine.connect() as conn:
        assert not sa.inspect(conn).has_table("articles")  # nothing was created
    engine.dispose()
    monkeypatch.delenv("BRIEFBOT_DATABASE_URL")
    assert main(["db", "copy", str(old_store)]) == 2
    assert "BRIEFBOT_DATABASE_URL must name the PostgreSQL database" in capsys.readouterr().err
