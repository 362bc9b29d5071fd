"""The store of articles, passages and passage vectors: the source of truth.

One code path on SQLAlchemy 2 Core for both engines (corpus.database): a SQLite file by
default, PostgreSQL by URL. The schema is migrated by Alembic (corpus.schema).
"""

from __future__ import annotations

import hashlib
import itertools
import logging
from collections.abc import Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from types import TracebackType

import numpy as np
import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict
from sqlalchemy.engine import Connection, RowMapping

from corpus import schema
from corpus.database import Database
from corpus.errors import ArticleNotFound, DuplicateArticle, StoreError
from corpus.models import Article, Passage, Speaker, Status

__all__ = ["ArticleSummary", "Change", "Store"]

log = logging.getLogger(__name__)

# "BrBf": marks a SQLite file as ours, so a foreign SQLite file is refused, not altered.
APPLICATION_ID = 0x42724266
# Writers of the change log (and of the claim history) take this transaction lock on
# PostgreSQL, so that sequence numbers become visible in the order they were handed out: a
# reader that has seen entry n never finds an entry below n appear later.
LOG_LOCK = 0x42724267

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
    """Articles, passages and their vectors in one database; safe to share across threads."""

    def __init__(self, target: str | Path) -> None:
        """Open the store at `target` (a SQLite file path, or a database URL), creating and
        migrating it as needed."""
        self.db = Database(target)
        self.name = self.db.name
        self.path = Path(self.db.url.database or "") if self.db.dialect == "sqlite" else None
        self._upgraded: set[str] = set()
        try:
            if self.db.dialect == "sqlite":
                self._claim_file()
            self.upgrade(schema.CORPUS)
        except BaseException:
            self.db.close()
            raise

    @property
    def dialect(self) -> str:
        """The engine: "sqlite" or "postgresql"."""
        return self.db.dialect

    # -- lifecycle -------------------------------------------------------------------

    def close(self) -> None:
        """Close the connections; later calls raise StoreError."""
        self.db.close()

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
    def transaction(self) -> Iterator[Connection]:
        """BEGIN … COMMIT, or ROLLBACK on any error; nested calls use a savepoint."""
        with self.db.transaction() as conn:
            yield conn

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A connection for other packages' queries (their transaction's, inside one)."""
        with self.db.read() as conn:
            yield conn

    def lock_log(self, conn: Connection) -> None:
        """Inside a transaction that appends to a log: commit in sequence order (LOG_LOCK)."""
        if self.db.is_postgres:
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOG_LOCK})

    def upgrade(self, chain: schema.Chain, to: str | None = None) -> list[str]:
        """Apply the chain's missing migrations (once a process), or those up to revision
        `to`; return the revisions run."""
        if chain.name in self._upgraded:
            return []
        try:
            with self.transaction() as conn:
                ran = schema.upgrade(conn, chain, to)
        except Exception as exc:  # a revision that fails: its SQL error, or Alembic's own
            raise StoreError(f"migrating {chain.name} in {self.name} failed: {exc}") from exc
        for revision in ran:
            log.info("%s: applied migration %s", self.name, revision)
        if to is None:
            self._upgraded.add(chain.name)
        return ran

    def revisions(self, chains: Sequence[schema.Chain] = (schema.CORPUS,)) -> dict[str, str | None]:
        """Each chain's revision recorded in this database."""
        with self.read() as conn:
            return schema.heads(conn, list(chains))

    def _claim_file(self) -> None:
        """Mark a new file as ours; refuse a SQLite file that belongs to something else."""
        with self.transaction() as conn:
            app_id = conn.exec_driver_sql("PRAGMA application_id").scalar_one()
            if app_id == APPLICATION_ID:
                return
            if app_id == 0:
                tables = conn.exec_driver_sql("SELECT count(*) FROM sqlite_master").scalar_one()
                if tables == 0:
                    conn.exec_driver_sql(f"PRAGMA application_id = {APPLICATION_ID}")
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
            self.lock_log(conn)
            existing = conn.execute(
                sa.text("SELECT id, title FROM articles WHERE id = :id"), {"id": article.id}
            ).first()
            if existing is not None:
                raise DuplicateArticle(existing.id, existing.title)
            if matrix is not None and len(matrix):
                self._check_dim(conn, matrix.shape[1])
            conn.execute(
                sa.text(
                    "INSERT INTO articles (id, title, source, url, published, format, text,"
                    " added_at) VALUES (:id, :title, :source, :url, :published, :format, :text,"
                    " :added_at)"
                ),
                {
                    "id": article.id,
                    "title": article.title,
                    "source": article.source,
                    "url": article.url,
                    "published": article.published.isoformat() if article.published else None,
                    "format": article.format,
                    "text": article.text,
                    "added_at": _now(),
                },
            )
            stored: list[Passage] = []
            insert = sa.text(
                "INSERT INTO passages (article_id, ordinal, section, status, start, end_, text,"
                " speaker_name, speaker_role, speaker_place, speaker_when)"
                " VALUES (:article_id, :ordinal, :section, :status, :start, :end_, :text,"
                " :speaker_name, :speaker_role, :speaker_place, :speaker_when) RETURNING id"
            )
            for passage in article.passages:
                speaker = passage.speaker
                rowid = conn.execute(
                    insert,
                    {
                        "article_id": article.id,
                        "ordinal": passage.ordinal,
                        "section": passage.section,
                        "status": passage.status.value,
                        "start": passage.start,
                        "end_": passage.end,
                        "text": passage.text,
                        "speaker_name": speaker.name if speaker else None,
                        "speaker_role": speaker.role if speaker else None,
                        "speaker_place": speaker.place if speaker else None,
                        "speaker_when": speaker.when if speaker else None,
                    },
                ).scalar_one()
                stored.append(passage.model_copy(update={"id": rowid}))
            if matrix is not None and stored:
                conn.execute(
                    sa.text("INSERT INTO passage_vectors (passage_id, vector) VALUES (:p, :v)"),
                    [{"p": p.id, "v": matrix[i].tobytes()} for i, p in enumerate(stored)],
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
        with self.read() as conn:
            row = (
                conn.execute(sa.text("SELECT * FROM articles WHERE id = :id"), {"id": article_id})
                .mappings()
                .first()
            )
            if row is None:
                return None
            rows = (
                conn.execute(
                    sa.text(
                        f"SELECT {_PASSAGE_COLUMNS} FROM passages WHERE article_id = :id"
                        " ORDER BY ordinal"
                    ),
                    {"id": article_id},
                )
                .mappings()
                .all()
            )
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
        with self.read() as conn:
            return conn.execute(
                sa.text("SELECT title FROM articles WHERE id = :id"), {"id": article_id}
            ).scalar()

    def text_of(self, article_id: str) -> str | None:
        """The stored article's text, without loading its passages."""
        with self.read() as conn:
            return conn.execute(
                sa.text("SELECT text FROM articles WHERE id = :id"), {"id": article_id}
            ).scalar()

    def speakers(self) -> list[tuple[str, str | None]]:
        """Every (speaker name, role) pair of the stored passages."""
        with self.read() as conn:
            rows = conn.execute(
                sa.text(
                    "SELECT DISTINCT speaker_name, speaker_role FROM passages"
                    " WHERE speaker_name IS NOT NULL ORDER BY speaker_name, speaker_role"
                )
            ).all()
        return [(r[0], r[1]) for r in rows]

    def documents(self) -> Iterator[tuple[int, str, str, str | None, str | None]]:
        """(passage id, article title, text, speaker name, speaker role) for every passage,
        in id order, streamed: what the keyword index is rebuilt from."""
        with self.read() as conn:
            rows = conn.execute(
                sa.text(
                    "SELECT p.id, a.title, p.text, p.speaker_name, p.speaker_role"
                    " FROM passages p JOIN articles a ON a.id = p.article_id ORDER BY p.id"
                )
            ).all()
        for r in rows:
            yield r[0], r[1], r[2], r[3], r[4]

    def articles(self) -> list[ArticleSummary]:
        """All articles, newest publication first; undated ones last, newest added first (the
        day an article was added says nothing of when it was news)."""
        with self.read() as conn:
            rows = (
                conn.execute(
                    sa.text(
                        "SELECT a.id, a.title, a.source, a.url, a.published, a.added_at,"
                        " (SELECT count(*) FROM passages p WHERE p.article_id = a.id)"
                        " AS passage_count FROM articles a ORDER BY a.published IS NULL,"
                        " a.published DESC, a.added_at DESC, a.id"
                    )
                )
                .mappings()
                .all()
            )
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
            self.lock_log(conn)
            article = self.get(article_id)
            conn.execute(sa.text("DELETE FROM articles WHERE id = :id"), {"id": article_id})
            _log_change(conn, article_id, "remove")
        return article

    def changes_since(self, seq: int, limit: int = 1000) -> list[Change]:
        """Log entries after `seq`, oldest first."""
        with self.read() as conn:
            rows = conn.execute(
                sa.text(
                    "SELECT seq, article_id, op FROM changes WHERE seq > :seq ORDER BY seq"
                    " LIMIT :limit"
                ),
                {"seq": seq, "limit": limit},
            ).all()
        return [Change(seq=r[0], article_id=r[1], op=r[2]) for r in rows]

    def last_change(self) -> int:
        """The newest log entry's sequence number (0 for none)."""
        with self.read() as conn:
            return conn.execute(sa.text("SELECT coalesce(max(seq), 0) FROM changes")).scalar_one()

    def count_articles(self) -> int:
        """How many articles are stored."""
        with self.read() as conn:
            return conn.execute(sa.text("SELECT count(*) FROM articles")).scalar_one()

    # -- passages --------------------------------------------------------------------

    def passages(self, ids: Iterable[int]) -> dict[int, Passage]:
        """The passages with these ids that exist, by id."""
        found: dict[int, Passage] = {}
        query = _in(f"SELECT {_PASSAGE_COLUMNS} FROM passages WHERE id IN :ids")
        with self.read() as conn:
            for chunk in _chunks(sorted({int(i) for i in ids})):
                for row in conn.execute(query, {"ids": chunk}).mappings():
                    found[row["id"]] = _passage(row)
        return found

    def all_passages(self) -> list[Passage]:
        """Every passage, ordered by id."""
        with self.read() as conn:
            rows = conn.execute(sa.text(f"SELECT {_PASSAGE_COLUMNS} FROM passages ORDER BY id"))
            return [_passage(row) for row in rows.mappings()]

    def passage_ids(self) -> set[int]:
        """The ids of every stored passage."""
        with self.read() as conn:
            return set(conn.execute(sa.text("SELECT id FROM passages")).scalars())

    def count_passages(self) -> int:
        """How many passages are stored."""
        with self.read() as conn:
            return conn.execute(sa.text("SELECT count(*) FROM passages")).scalar_one()

    def checksum(self) -> str:
        """SHA-256 over every passage (id, article, span, status, text, speaker) and its
        vector, in id order: two stores that agree on it hold the same passages."""
        digest = hashlib.sha256()
        with self.read() as conn:
            rows = conn.execute(
                sa.text(
                    f"SELECT {_PASSAGE_COLUMNS}, v.vector FROM passages p"
                    " LEFT JOIN passage_vectors v ON v.passage_id = p.id ORDER BY p.id"
                )
            )
            for row in rows:
                *fields, vector = row
                digest.update(repr(tuple(fields)).encode())
                digest.update(bytes(vector) if vector is not None else b"-")
        return digest.hexdigest()

    # -- vectors ---------------------------------------------------------------------

    def vectors(self, ids: Sequence[int] | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(int64 ids, float32 matrix) ordered by id; all when `ids` is None, else those stored."""
        with self.read() as conn:
            if ids is None:
                rows = conn.execute(
                    sa.text("SELECT passage_id, vector FROM passage_vectors ORDER BY passage_id")
                ).all()
            else:
                query = _in(
                    "SELECT passage_id, vector FROM passage_vectors WHERE passage_id IN :ids"
                    " ORDER BY passage_id"
                )
                rows = []
                for chunk in _chunks(sorted({int(i) for i in ids})):
                    rows.extend(conn.execute(query, {"ids": chunk}).all())
        out_ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
        if not rows:
            return out_ids, np.zeros((0, 0), dtype=np.float32)
        sizes = {len(r[1]) for r in rows}
        if len(sizes) != 1:
            raise StoreError(f"stored vectors have mixed sizes {sorted(sizes)} bytes")
        dim = sizes.pop() // 4
        blob = b"".join(bytes(r[1]) for r in rows)
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
            query = _in("SELECT id FROM passages WHERE id IN :ids")
            for chunk in _chunks(id_list):
                present.update(conn.execute(query, {"ids": chunk}).scalars())
            rows = [
                {"p": pid, "v": matrix[i].tobytes()}
                for i, pid in enumerate(id_list)
                if pid in present
            ]
            if rows:
                conn.execute(
                    sa.text(
                        "INSERT INTO passage_vectors (passage_id, vector) VALUES (:p, :v)"
                        " ON CONFLICT (passage_id) DO UPDATE SET vector = excluded.vector"
                    ),
                    rows,
                )
            written = [row["p"] for row in rows]
        return written

    def ids_without_vector(self) -> list[int]:
        """Ids of passages with no stored vector, ascending."""
        with self.read() as conn:
            return list(
                conn.execute(
                    sa.text(
                        "SELECT p.id FROM passages p LEFT JOIN passage_vectors v"
                        " ON v.passage_id = p.id WHERE v.passage_id IS NULL ORDER BY p.id"
                    )
                ).scalars()
            )

    def clear_vectors(self) -> None:
        """Delete every stored vector (e.g. when the embedding model changes)."""
        with self.transaction() as conn:
            conn.execute(sa.text("DELETE FROM passage_vectors"))

    def _check_dim(self, conn: Connection, dim: int, replacing: Collection[int] = ()) -> None:
        """Refuse vectors whose dimension differs from stored ones that would remain."""
        # Every write goes through this check, so all stored vectors share one dimension: one
        # row tells it, and the usual case costs an index lookup instead of a table scan.
        size = {"size": dim * 4}
        first = conn.execute(sa.text("SELECT length(vector) FROM passage_vectors LIMIT 1")).scalar()
        if first is None or first == dim * 4:
            return
        other = conn.execute(
            sa.text(
                "SELECT length(vector) / 4 FROM passage_vectors WHERE length(vector) != :size"
                " LIMIT 1"
            ),
            size,
        ).scalar()
        if other is None:
            return
        remaining = conn.execute(
            sa.text("SELECT count(*) FROM passage_vectors WHERE length(vector) != :size"), size
        ).scalar_one()
        query = _in(
            "SELECT count(*) FROM passage_vectors WHERE length(vector) != :size"
            " AND passage_id IN :ids"
        )
        for chunk in _chunks(sorted(replacing)):
            remaining -= conn.execute(query, {**size, "ids": chunk}).scalar_one()
        if remaining:
            raise ValueError(
                f"vectors of dimension {dim} do not match the stored dimension {other};"
                " replace them all or call clear_vectors() first"
            )

    # -- meta ------------------------------------------------------------------------

    def get_meta(self, key: str) -> str | None:
        """The value stored under `key`, or None."""
        with self.read() as conn:
            return conn.execute(
                sa.text("SELECT value FROM meta WHERE key = :key"), {"key": key}
            ).scalar()

    def set_meta(self, key: str, value: str) -> None:
        """Store `value` under `key`, replacing any previous value."""
        with self.transaction() as conn:
            conn.execute(
                sa.text(
                    "INSERT INTO meta (key, value) VALUES (:key, :value)"
                    " ON CONFLICT (key) DO UPDATE SET value = excluded.value"
                ),
                {"key": key, "value": value},
            )


# -- helpers -----------------------------------------------------------------------------


def _in(sql: str) -> sa.TextClause:
    """A query whose `:ids` is a list, expanded to IN (…)."""
    return sa.text(sql).bindparams(sa.bindparam("ids", expanding=True))


def _now() -> str:
    return datetime.now(UTC).isoformat()


def _date(value: str | None) -> date | None:
    return None if value is None else date.fromisoformat(value)


def _passage(row: RowMapping) -> Passage:
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


def _log_change(conn: Connection, article_id: str, op: str) -> None:
    conn.execute(
        sa.text("INSERT INTO changes (article_id, op, at) VALUES (:article_id, :op, :at)"),
        {"article_id": article_id, "op": op, "at": _now()},
    )
