"""The connection behind the store: a SQLite file by default, PostgreSQL by URL (SQLAlchemy 2).

One code path for both engines: callers get a SQLAlchemy `Connection` from `read()` or
`transaction()` and run portable SQL. What differs stays here: SQLite is one file shared by a
few processes (WAL, `BEGIN IMMEDIATE` for writers, one connection at a time in a process, as
its single writer wants); PostgreSQL is a server shared by many instances (a connection pool,
pre-ping to replace connections the server dropped, back-off while it cannot be reached).
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.engine.url import URL
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, SQLAlchemyError

from corpus.errors import StoreError

__all__ = ["Database", "database_url", "masked"]

log = logging.getLogger(__name__)

# Waits between attempts to reach a server that was reachable before (a restart, a fail-over):
# about half a minute in all, then the caller gets a StoreError. At start-up there is no wait:
# a wrong URL stops start-up at once.
BACKOFF = (0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0)
CONNECT_TIMEOUT = 5  # seconds for one attempt to reach PostgreSQL
SQLITE_BUSY_MS = 10_000  # another process's write: wait this long for the lock


def database_url(target: str | Path) -> URL:
    """A SQLAlchemy URL from a URL string or a SQLite file path; StoreError when malformed."""
    if isinstance(target, Path) or "://" not in str(target):
        return URL.create("sqlite", database=str(Path(target)))
    try:
        url = make_url(str(target))
    except ArgumentError as exc:
        raise StoreError(f"the database URL {masked(str(target))} is malformed") from exc
    backend = url.get_backend_name()
    if backend == "postgresql" and url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg")  # psycopg 3 is the driver we ship
    if backend not in ("sqlite", "postgresql"):
        raise StoreError(
            f"the database URL {masked(url)} is neither sqlite:/// nor postgresql+psycopg://"
        )
    return url


def masked(url: URL | str | Path) -> str:
    """The URL as it may be shown: the password replaced by ***."""
    if isinstance(url, Path):
        return str(url)
    if isinstance(url, str):
        try:
            url = make_url(url)
        except ArgumentError:
            head, at, tail = url.rpartition("@")
            return f"{head.split(':', 2)[0]}:***@{tail}" if at else url
    return url.render_as_string(hide_password=True)


class Database:
    """An engine with the store's transaction rules; safe to share across threads."""

    def __init__(self, target: str | Path) -> None:
        self.url = database_url(target)
        self.name = masked(self.url)
        self.dialect = self.url.get_backend_name()
        self._password = self.url.password or ""
        self._local = threading.local()  # the connection this thread is using, for nesting
        self._closed = False
        self._reachable = False  # until the first connection: no back-off for a wrong URL
        self.backoff = BACKOFF
        if self.dialect == "sqlite":
            path = Path(self.url.database or "")
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(f"cannot open the store at {path}: {exc}") from exc
            self.engine = _sqlite_engine(self.url)
            self._lock: contextlib.AbstractContextManager = threading.RLock()
        else:
            try:
                self.engine = sa.create_engine(
                    self.url,
                    pool_pre_ping=True,  # a connection the server dropped is replaced, not used
                    pool_size=5,
                    max_overflow=10,
                    connect_args={"connect_timeout": CONNECT_TIMEOUT},
                )
            except (NoSuchModuleError, ImportError) as exc:
                raise StoreError(f"no driver for the database URL {self.name}: {exc}") from exc
            self._lock = contextlib.nullcontext()
        with self.read():
            self._reachable = True

    @property
    def is_postgres(self) -> bool:
        return self.dialect == "postgresql"

    def close(self) -> None:
        """Close every connection; later calls raise StoreError."""
        self._closed = True
        self.engine.dispose()

    # -- connections ------------------------------------------------------------------

    @contextlib.contextmanager
    def read(self) -> Iterator[Connection]:
        """A connection for queries; inside a transaction of this thread, that transaction's."""
        current: Connection | None = getattr(self._local, "conn", None)
        if current is not None:
            with self._translated():
                yield current
            return
        with self._lock, self._checkout() as conn, self._translated():
            try:
                yield conn
            finally:
                self._local.conn = None
                with contextlib.suppress(SQLAlchemyError):
                    conn.rollback()  # end the read: no snapshot held, no idle transaction

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Connection]:
        """BEGIN … COMMIT, or ROLLBACK on any error; nested calls use a savepoint."""
        current: Connection | None = getattr(self._local, "conn", None)
        if current is not None:
            with self._translated(), current.begin_nested():
                yield current
            return
        with self._lock, self._checkout() as conn, self._translated():
            try:
                if self.dialect == "sqlite":
                    # Take the write lock now: a deferred transaction that reads, then writes,
                    # can fail at once with SQLITE_BUSY instead of waiting for the lock.
                    conn.info["begin"] = "BEGIN IMMEDIATE"
                with conn.begin():
                    yield conn
            finally:
                self._local.conn = None

    @contextlib.contextmanager
    def _checkout(self) -> Iterator[Connection]:
        """A pooled connection, retried with back-off when a server that was up is not."""
        if self._closed:
            raise StoreError(f"the store at {self.name} is closed")
        waits = iter(self.backoff if self._reachable and self.is_postgres else ())
        while True:
            try:
                conn = self.engine.connect()
                break
            except DBAPIError as exc:
                wait = next(waits, None)
                if wait is None or not _is_disconnect(exc):
                    raise self._error(exc) from exc
                log.warning(
                    "the database at %s cannot be reached (%s); trying again in %.2g s",
                    self.name, self._reason(exc), wait,
                )  # fmt: skip
                time.sleep(wait)
        self._local.conn = conn
        try:
            yield conn
        finally:
            self._local.conn = None
            conn.close()

    @contextlib.contextmanager
    def _translated(self) -> Iterator[None]:
        try:
            yield
        except DBAPIError as exc:
            raise self._error(exc) from exc

    def _reason(self, exc: DBAPIError) -> str:
        reason = " ".join(str(exc.orig).split())
        return reason.replace(self._password, "***") if self._password else reason

    def _error(self, exc: DBAPIError) -> StoreError:
        """One line for people that names the database (password masked) and what went wrong."""
        message = self._reason(exc)
        if self.dialect == "sqlite":
            path = self.url.database
            if "closed" in message:
                return StoreError(f"the store at {path} is closed")
            if any(word in message for word in ("not a database", "malformed", "encrypted")):
                return StoreError(f"{path} is not a store database or is corrupt ({message})")
            if "locked" in message or "busy" in message:
                return StoreError(f"the store at {path} is locked by another process ({message})")
            if "unable to open" in message:
                return StoreError(f"cannot open the store at {path}: {message}")
            return StoreError(f"database error in {path}: {message}")
        if not self._reachable:
            return StoreError(f"cannot connect to the database at {self.name}: {message}")
        if _is_disconnect(exc):
            return StoreError(f"lost the connection to the database at {self.name}: {message}")
        return StoreError(f"database error in {self.name}: {message}")


def _sqlite_engine(url: URL) -> Engine:
    engine = sa.create_engine(
        url,
        # One connection a process, used under the database's lock (SQLite has one writer).
        poolclass=sa.pool.StaticPool,
        connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_MS / 1000},
    )

    @sa.event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
        dbapi_conn.isolation_level = None  # transactions begin where we say (below)
        cursor = dbapi_conn.cursor()
        for pragma in (
            f"busy_timeout = {SQLITE_BUSY_MS}",
            "journal_mode = WAL",
            "synchronous = NORMAL",
            "foreign_keys = ON",
        ):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        # Reads run statement by statement, as before; writes open the transaction they asked.
        mode = conn.info.pop("begin", None)
        if mode:
            conn.exec_driver_sql(mode)

    return engine


def _is_disconnect(exc: DBAPIError) -> bool:
    if exc.connection_invalidated:
        return True
    orig = exc.orig
    return type(orig).__name__ in ("OperationalError", "InterfaceError") and any(
        word in str(orig).lower()
        for word in ("connection", "server closed", "terminating", "could not receive")
    )
