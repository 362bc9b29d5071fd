"""The SQLite store of articles, passages and passage vectors: the source of truth."""

from __future__ import annotations

import itertools
import logging
import sqlite3
import threading
from collections.abc import Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from types import TracebackType

import numpy as np
from pydantic import BaseModel, ConfigDict

from corpus.errors import ArticleNotFound, DuplicateArticle, StoreError
from corpus.models import Article, Passage, Speaker, Status

__all__ = ["MIGRATIONS", "ArticleSummary", "Change", "Store"]

log = logging.getLogger(__name__)

# "BrBf": marks a database file as ours, so a foreign SQLite file is refused, not altered.
APPLICATION_ID = 0x42724266

# Named migrations, applied once each in this order. Other packages pass their own
# (with names prefixed by the package) to `Store.migrate`; never edit an applied one.
MIGRATIONS: list[tuple[str, str]] = [
    (
        "corpus.0001_articles_passages_vectors",
        """
        CREATE TABLE articles (
            id TEXT PRIMARY KEY,
            title TEXT NOT NULL,
            source TEXT,
            url TEXT,
            published TEXT,
            format TEXT NOT NULL,
            text TEXT NOT NULL,
            added_at TEXT NOT NULL
        );
        CREATE TABLE passages (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            ordinal INTEGER NOT NULL,
            section TEXT NOT NULL,
            status TEXT NOT NULL,
            start INTEGER NOT NULL,
            end_ INTEGER NOT NULL,
            text TEXT NOT NULL,
            speaker_name TEXT,
            speaker_role TEXT,
            speaker_place TEXT,
            speaker_when TEXT,
            UNIQUE (article_id, ordinal)
        );
        CREATE TABLE passage_vectors (
            passage_id INTEGER PRIMARY KEY REFERENCES passages(id) ON DELETE CASCADE,
            vector BLOB NOT NULL
        );
        CREATE TABLE meta (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );
        CREATE INDEX articles_newest ON articles (published, added_at);
        """,
    ),
    (
        # Every article added or removed, in commit order: how another process (the bot while
        # `briefbot ingest` runs, another instance) learns what changed, and how the bot's
        # subscription matching resumes where it stopped.
        "corpus.0002_change_log",
        """
        CREATE TABLE changes (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            article_id TEXT NOT NULL,
            op TEXT NOT NULL CHECK (op IN ('add', 'remove')),
            at TEXT NOT NULL
        );
        """,
    ),
]

_CHUNK = 500  # ids per IN (...) query, well under SQLite's variable limit

_PASSAGE_COLUMNS = (
    "id, article_id, ordinal, section, status, start, end_, text,"
    " speaker_name, speaker_role, speaker_place, speaker_when"
)


class ArticleSummary(BaseModel):
    """One line of the article list: what an admin needs to recognise and remove it."""

    model_config = ConfigDict(frozen=True)

    id: str
    title: str
    source: str | None
    url: str | None
    published: date | None
    added_at: datetime
    passage_count: int


class Change(BaseModel):
    """One entry of the change log: an article added or removed."""

    model_config = ConfigDict(frozen=True)

    seq: int
    article_id: str
    op: str  # "add" or "remove"


class Store:
    """Articles, passages and their vectors in one SQLite file; safe to share across threads."""

    def __init__(self, path: Path) -> None:
        """Open (creating if needed) the store at `path` and apply the corpus migrations."""
        self.path = Path(path)
        self._lock = threading.RLock()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._conn = sqlite3.connect(
                self.path, check_same_thread=False, isolation_level=None, timeout=10.0
            )
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(f"cannot open the store at {self.path}: {exc}") from exc
        self._conn.row_factory = sqlite3.Row
        try:
            with self._guard():
                self._conn.execute("PRAGMA busy_timeout = 10000")
                self._conn.execute("PRAGMA journal_mode = WAL")
                self._conn.execute("PRAGMA synchronous = NORMAL")
                self._conn.execute("PRAGMA foreign_keys = ON")
                self._claim_file()
            self.migrate(MIGRATIONS)
        except BaseException:
            self._conn.close()
            raise

    # -- lifecycle -------------------------------------------------------------------

    def close(self) -> None:
        """Close the connection; later calls raise StoreError."""
        with self._lock:
            self._conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- transactions and migrations -------------------------------------------------

    @contextmanager
    def _guard(self) -> Iterator[sqlite3.Connection]:
        """Hold the lock and translate sqlite3 errors into StoreError."""
        with self._lock:
            try:
                yield self._conn
            except sqlite3.Error as exc:
                raise _translate(exc, self.path) from exc

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE … COMMIT, or ROLLBACK on any error; nested calls use a savepoint."""
        with self._guard() as conn:
            if conn.in_transaction:
                conn.execute("SAVEPOINT nested")
                try:
                    yield conn
                except BaseException:
                    conn.execute("ROLLBACK TO nested")
                    conn.execute("RELEASE nested")
                    raise
                conn.execute("RELEASE nested")
                return
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """The connection under the store's lock, for other packages' queries."""
        with self._guard() as conn:
            yield conn

    def migrate(self, migrations: Sequence[tuple[str, str]]) -> list[str]:
        """Apply the named migrations not yet recorded, in order; return the names applied."""
        names = [name for name, _ in migrations]
        if len(set(names)) != len(names):
            raise ValueError(f"duplicate migration names in {names}")
        with self.transaction() as conn:
            conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations"
                " (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)"
            )
        applied: list[str] = []
        for name, sql in migrations:
            with self.transaction() as conn:
                done = conn.execute("SELECT 1 FROM schema_migrations WHERE name = ?", (name,))
                if done.fetchone():
                    continue
                try:
                    for statement in _statements(sql):
                        conn.execute(statement)
                except sqlite3.Error as exc:
                    raise StoreError(f"migration {name} failed: {exc}") from exc
                conn.execute(
                    "INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)",
                    (name, _now()),
                )
            log.info("%s: applied migration %s", self.path.name, name)
            applied.append(name)
        return applied

    def applied_migrations(self) -> list[str]:
        """Names of the migrations recorded in this file, oldest first."""
        with self._guard() as conn:
            rows = conn.execute("SELECT name FROM schema_migrations ORDER BY applied_at, rowid")
            return [row["name"] for row in rows]

    def _claim_file(self) -> None:
        """Mark a new file as ours; refuse a SQLite file that belongs to something else."""
        app_id = self._conn.execute("PRAGMA application_id").fetchone()[0]
        if app_id == APPLICATION_ID:
            return
        if app_id == 0:
            tables = self._conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
            if tables == 0:
                self._conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
                return
        raise StoreError(f"{self.path} is a SQLite database of another application, not a store")

    # -- articles --------------------------------------------------------------------

    def add(self, article: Article, vectors: np.ndarray | None = None) -> Article:
        """Store the article, its passages and optional vectors in one transaction."""
        _check_passages(article)
        matrix = None
        if vectors is not None:
            matrix = _as_matrix(vectors, len(article.passages))
        with self.transaction() as conn:
            existing = conn.execute(
                "SELECT id, title FROM articles WHERE id = ?", (article.id,)
            ).fetchone()
            if existing is not None:
                raise DuplicateArticle(existing["id"], existing["title"])
            if matrix is not None and len(matrix):
                self._check_dim(conn, matrix.shape[1])
            conn.execute(
                "INSERT INTO articles"
                " (id, title, source, url, published, format, text, added_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    article.id,
                    article.title,
                    article.source,
                    article.url,
                    article.published.isoformat() if article.published else None,
                    article.format,
                    article.text,
                    _now(),
                ),
            )
            stored: list[Passage] = []
            for i, passage in enumerate(article.passages):
                speaker = passage.speaker
                cursor = conn.execute(
                    "INSERT INTO passages (article_id, ordinal, section, status, start, end_,"
                    " text, speaker_name, speaker_role, speaker_place, speaker_when)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        article.id,
                        passage.ordinal,
                        passage.section,
                        passage.status.value,
                        passage.start,
                        passage.end,
                        passage.text,
                        speaker.name if speaker else None,
                        speaker.role if speaker else None,
                        speaker.place if speaker else None,
                        speaker.when if speaker else None,
                    ),
                )
                rowid = cursor.lastrowid
                assert rowid is not None
                stored.append(passage.model_copy(update={"id": rowid}))
                if matrix is not None:
                    conn.execute(
                        "INSERT INTO passage_vectors (passage_id, vector) VALUES (?, ?)",
                        (rowid, matrix[i].tobytes()),
                    )
            _log_change(conn, article.id, "add")
        return article.model_copy(update={"passages": tuple(stored)})

    def get(self, article_id: str) -> Article:
        """The article with its passages, or raise ArticleNotFound."""
        article = self.find(article_id)
        if article is None:
            raise ArticleNotFound(article_id)
        return article

    def find(self, article_id: str) -> Article | None:
        """The article with its passages, or None."""
        with self._guard() as conn:
            row = conn.execute("SELECT * FROM articles WHERE id = ?", (article_id,)).fetchone()
            if row is None:
                return None
            rows = conn.execute(
                f"SELECT {_PASSAGE_COLUMNS} FROM passages WHERE article_id = ? ORDER BY ordinal",
                (article_id,),
            ).fetchall()
        return Article(
            id=row["id"],
            title=row["title"],
            source=row["source"],
            url=row["url"],
            published=_date(row["published"]),
            format=row["format"],
            text=row["text"],
            passages=tuple(_passage(r) for r in rows),
        )

    def title_of(self, article_id: str) -> str | None:
        """The stored article's title, or None when there is no such article."""
        with self._guard() as conn:
            row = conn.execute("SELECT title FROM articles WHERE id = ?", (article_id,)).fetchone()
        return None if row is None else row["title"]

    def text_of(self, article_id: str) -> str | None:
        """The stored article's text, without loading its passages."""
        with self._guard() as conn:
            row = conn.execute("SELECT text FROM articles WHERE id = ?", (article_id,)).fetchone()
        return None if row is None else row["text"]

    def speakers(self) -> list[tuple[str, str | None]]:
        """Every (speaker name, role) pair of the stored passages."""
        with self._guard() as conn:
            rows = conn.execute(
                "SELECT DISTINCT speaker_name, speaker_role FROM passages"
                " WHERE speaker_name IS NOT NULL ORDER BY speaker_name"
            ).fetchall()
        return [(r["speaker_name"], r["speaker_role"]) for r in rows]

    def documents(self) -> Iterator[tuple[int, str, str, str | None, str | None]]:
        """(passage id, article title, text, speaker name, speaker role) for every passage,
        in id order, streamed: what the keyword index is rebuilt from."""
        with self._guard() as conn:
            rows = conn.execute(
                "SELECT p.id, a.title, p.text, p.speaker_name, p.speaker_role"
                " FROM passages p JOIN articles a ON a.id = p.article_id ORDER BY p.id"
            ).fetchall()
        for r in rows:
            yield r[0], r[1], r[2], r[3], r[4]

    def articles(self) -> list[ArticleSummary]:
        """All articles, newest publication first; undated ones last, newest added first (the
        day an article was added says nothing of when it was news)."""
        with self._guard() as conn:
            rows = conn.execute(
                "SELECT a.id, a.title, a.source, a.url, a.published, a.added_at,"
                " (SELECT count(*) FROM passages p WHERE p.article_id = a.id) AS passage_count"
                " FROM articles a"
                " ORDER BY a.published IS NULL, a.published DESC, a.added_at DESC, a.id"
            ).fetchall()
        return [
            ArticleSummary(
                id=r["id"],
                title=r["title"],
                source=r["source"],
                url=r["url"],
                published=_date(r["published"]),
                added_at=datetime.fromisoformat(r["added_at"]),
                passage_count=r["passage_count"],
            )
            for r in rows
        ]

    def remove(self, article_id: str) -> Article:
        """Delete the article with its passages and vectors; return what was removed."""
        with self.transaction() as conn:
            article = self.get(article_id)
            conn.execute("DELETE FROM articles WHERE id = ?", (article_id,))
            _log_change(conn, article_id, "remove")
        return article

    def changes_since(self, seq: int, limit: int = 1000) -> list[Change]:
        """Log entries after `seq`, oldest first."""
        with self._guard() as conn:
            rows = conn.execute(
                "SELECT seq, article_id, op FROM changes WHERE seq > ? ORDER BY seq LIMIT ?",
                (seq, limit),
            ).fetchall()
        return [Change(seq=r[0], article_id=r[1], op=r[2]) for r in rows]

    def last_change(self) -> int:
        """The newest log entry's sequence number (0 for none)."""
        with self._guard() as conn:
            return conn.execute("SELECT coalesce(max(seq), 0) FROM changes").fetchone()[0]

    def count_articles(self) -> int:
        """How many articles are stored."""
        with self._guard() as conn:
            return conn.execute("SELECT count(*) FROM articles").fetchone()[0]

    # -- passages --------------------------------------------------------------------

    def passages(self, ids: Iterable[int]) -> dict[int, Passage]:
        """The passages with these ids that exist, by id."""
        found: dict[int, Passage] = {}
        with self._guard() as conn:
            for chunk in _chunks(sorted({int(i) for i in ids})):
                marks = ",".join("?" * len(chunk))
                rows = conn.execute(
                    f"SELECT {_PASSAGE_COLUMNS} FROM passages WHERE id IN ({marks})", chunk
                )
                for row in rows:
                    found[row["id"]] = _passage(row)
        return found

    def all_passages(self) -> list[Passage]:
        """Every passage, ordered by id."""
        with self._guard() as conn:
            rows = conn.execute(f"SELECT {_PASSAGE_COLUMNS} FROM passages ORDER BY id")
            return [_passage(row) for row in rows]

    def passage_ids(self) -> set[int]:
        """The ids of every stored passage."""
        with self._guard() as conn:
            return {row[0] for row in conn.execute("SELECT id FROM passages")}

    def count_passages(self) -> int:
        """How many passages are stored."""
        with self._guard() as conn:
            return conn.execute("SELECT count(*) FROM passages").fetchone()[0]

    # -- vectors ---------------------------------------------------------------------

    def vectors(self, ids: Sequence[int] | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(int64 ids, float32 matrix) ordered by id; all when `ids` is None, else those stored."""
        with self._guard() as conn:
            if ids is None:
                rows = conn.execute(
                    "SELECT passage_id, vector FROM passage_vectors ORDER BY passage_id"
                ).fetchall()
            else:
                rows = []
                for chunk in _chunks(sorted({int(i) for i in ids})):
                    marks = ",".join("?" * len(chunk))
                    rows.extend(
                        conn.execute(
                            "SELECT passage_id, vector FROM passage_vectors"
                            f" WHERE passage_id IN ({marks}) ORDER BY passage_id",
                            chunk,
                        )
                    )
        out_ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
        if not rows:
            return out_ids, np.zeros((0, 0), dtype=np.float32)
        sizes = {len(r[1]) for r in rows}
        if len(sizes) != 1:
            raise StoreError(f"stored vectors have mixed sizes {sorted(sizes)} bytes")
        dim = sizes.pop() // 4
        blob = b"".join(r[1] for r in rows)
        return out_ids, np.frombuffer(blob, dtype=np.float32).reshape(len(rows), dim).copy()

    def set_vectors(self, ids: Sequence[int], vectors: np.ndarray) -> list[int]:
        """Upsert one vector per id in one transaction; return the ids of passages that exist."""
        id_list = [int(i) for i in ids]
        matrix = _as_matrix(vectors, len(id_list))
        if len(set(id_list)) != len(id_list):
            raise ValueError("set_vectors: ids must be unique")
        written: list[int] = []
        with self.transaction() as conn:
            if not id_list:
                return written
            self._check_dim(conn, matrix.shape[1], replacing=set(id_list))
            present: set[int] = set()
            for chunk in _chunks(id_list):
                marks = ",".join("?" * len(chunk))
                rows = conn.execute(f"SELECT id FROM passages WHERE id IN ({marks})", chunk)
                present.update(row[0] for row in rows)
            for i, pid in enumerate(id_list):
                if pid in present:
                    conn.execute(
                        "INSERT INTO passage_vectors (passage_id, vector) VALUES (?, ?)"
                        " ON CONFLICT (passage_id) DO UPDATE SET vector = excluded.vector",
                        (pid, matrix[i].tobytes()),
                    )
                    written.append(pid)
        return written

    def ids_without_vector(self) -> list[int]:
        """Ids of passages with no stored vector, ascending."""
        with self._guard() as conn:
            rows = conn.execute(
                "SELECT p.id FROM passages p LEFT JOIN passage_vectors v ON v.passage_id = p.id"
                " WHERE v.passage_id IS NULL ORDER BY p.id"
            )
            return [row[0] for row in rows]

    def clear_vectors(self) -> None:
        """Delete every stored vector (e.g. when the embedding model changes)."""
        with self.transaction() as conn:
            conn.execute("DELETE FROM passage_vectors")

    def _check_dim(
        self, conn: sqlite3.Connection, dim: int, replacing: Collection[int] = ()
    ) -> None:
        """Refuse vectors whose dimension differs from stored ones that would remain."""
        # Every write goes through this check, so all stored vectors share one dimension: one
        # row tells it, and the usual case costs an index lookup instead of a table scan.
        first = conn.execute("SELECT length(vector) FROM passage_vectors LIMIT 1").fetchone()
        if first is None or first[0] == dim * 4:
            return
        other = conn.execute(
            "SELECT length(vector) / 4 FROM passage_vectors WHERE length(vector) != ? LIMIT 1",
            (dim * 4,),
        ).fetchone()
        if other is None:
            return
        remaining = conn.execute(
            "SELECT count(*) FROM passage_vectors WHERE length(vector) != ?", (dim * 4,)
        ).fetchone()[0]
        for chunk in _chunks(sorted(replacing)):
            marks = ",".join("?" * len(chunk))
            remaining -= conn.execute(
                "SELECT count(*) FROM passage_vectors"
                f" WHERE length(vector) != ? AND passage_id IN ({marks})",
                (dim * 4, *chunk),
            ).fetchone()[0]
        if remaining:
            raise ValueError(
                f"vectors of dimension {dim} do not match the stored dimension {other[0]};"
                " replace them all or call clear_vectors() first"
            )

    # -- meta ------------------------------------------------------------------------

    def get_meta(self, key: str) -> str | None:
        """The value stored under `key`, or None."""
        with self._guard() as conn:
            row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
            return None if row is None else row[0]

    def set_meta(self, key: str, value: str) -> None:
        """Store `value` under `key`, replacing any previous value."""
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?)"
                " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, value),
            )


# -- helpers -----------------------------------------------------------------------------


def _now() -> str:
    return datetime.now(UTC).isoformat()


def _date(value: str | None) -> date | None:
    return None if value is None else date.fromisoformat(value)


def _passage(row: sqlite3.Row) -> Passage:
    speaker = None
    if row["speaker_name"] is not None:
        speaker = Speaker(
            name=row["speaker_name"],
            role=row["speaker_role"],
            place=row["speaker_place"],
            when=row["speaker_when"],
        )
    return Passage(
        id=row["id"],
        article_id=row["article_id"],
        ordinal=row["ordinal"],
        section=row["section"],
        status=Status(row["status"]),
        start=row["start"],
        end=row["end_"],
        text=row["text"],
        speaker=speaker,
    )


def _check_passages(article: Article) -> None:
    ordinals = [p.ordinal for p in article.passages]
    if len(set(ordinals)) != len(ordinals):
        raise ValueError(f"article {article.id} has repeated passage ordinals")
    for passage in article.passages:
        if passage.article_id != article.id:
            raise ValueError(
                f"passage {passage.ordinal} belongs to {passage.article_id}, not {article.id}"
            )


def _as_matrix(vectors: np.ndarray, rows: int) -> np.ndarray:
    matrix = np.ascontiguousarray(vectors, dtype=np.float32)
    if matrix.ndim != 2 or matrix.shape[0] != rows:
        raise ValueError(f"expected {rows} vectors as a 2-D array, got shape {matrix.shape}")
    return matrix


def _chunks(items: Sequence[int]) -> Iterator[list[int]]:
    iterator = iter(items)
    while chunk := list(itertools.islice(iterator, _CHUNK)):
        yield chunk


def _statements(sql: str) -> Iterator[str]:
    """Split a script into complete statements (triggers with inner `;` stay whole)."""
    buffer = ""
    for piece in sql.split(";"):
        buffer += piece + ";"
        if sqlite3.complete_statement(buffer):
            if buffer.strip(" \t\r\n;"):
                yield buffer.strip()
            buffer = ""
    if buffer.strip(" \t\r\n;"):
        raise ValueError(f"incomplete SQL statement in migration: {buffer.strip()[:80]}")


def _log_change(conn: sqlite3.Connection, article_id: str, op: str) -> None:
    conn.execute(
        "INSERT INTO changes (article_id, op, at) VALUES (?, ?, ?)", (article_id, op, _now())
    )


def _translate(exc: sqlite3.Error, path: Path) -> StoreError:
    message = str(exc)
    if isinstance(exc, sqlite3.ProgrammingError) and "closed" in message:
        return StoreError(f"the store at {path} is closed")
    if "not a database" in message or "malformed" in message or "encrypted" in message:
        return StoreError(f"{path} is not a store database or is corrupt ({message})")
    if "locked" in message or "busy" in message:
        return StoreError(f"the store at {path} is locked by another process ({message})")
    return StoreError(f"database error in {path}: {message}")
