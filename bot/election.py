"""Which instance sends: one sender for the whole bot, elected by a PostgreSQL advisory lock.

Several instances may answer updates, but only one sends what the queue holds (deliveries,
digests, claim follow-ups), so that Telegram's limits (30 messages a second overall, one a
second a chat) hold for the bot as a whole and claimed deliveries are only ever returned to
the queue by the one instance that claimed them. The sender is the instance whose dedicated
connection holds a session advisory lock; when it dies, its session ends, the server
releases the lock, and the next instance to campaign (every ELECTION_SECONDS) takes over.
It starts sending GRACE_SECONDS after it won: time enough for an old sender that is still
running (its session cut, not its process) to notice at its own next campaign and stop
between two messages, so that the two do not send at once.
On SQLite there is one machine and one bot process: it is always the sender.
"""

from __future__ import annotations

import logging
import threading
import time

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError

from corpus.store import Store

__all__ = ["ELECTION_SECONDS", "GRACE_SECONDS", "SENDER_LOCK", "SenderElection"]

log = logging.getLogger(__name__)

SENDER_LOCK = 0x42724268  # the advisory lock key: one sender a database
ELECTION_SECONDS = 2.0  # how often an instance campaigns (and the sender checks it still is)
GRACE_SECONDS = 1.5 * ELECTION_SECONDS  # from winning the lock to sending


class SenderElection:
    """This instance's standing in the election; `campaign` runs in a worker thread."""

    def __init__(self, store: Store, grace: float = GRACE_SECONDS) -> None:
        self.store = store
        self.grace = grace
        self._conn: Connection | None = None
        self._won_at = 0.0
        self._lock = threading.Lock()

    @property
    def contested(self) -> bool:
        """Whether other instances can compete (PostgreSQL); on SQLite this one sends."""
        return self.store.dialect == "postgresql"

    @property
    def holds_lock(self) -> bool:
        return self._conn is not None

    @property
    def is_sender(self) -> bool:
        """Whether this instance sends now: it holds the lock, and has for the grace time."""
        if not self.contested:
            return True
        return self._conn is not None and time.monotonic() - self._won_at >= self.grace

    def campaign(self) -> bool:
        """Become the sender if no instance is, or check this one still is; True when this
        instance is the sender. A lost connection loses the lock: this one stops sending."""
        if not self.contested:
            return True
        with self._lock:
            try:
                if self._conn is None:
                    conn = self.store.db.engine.connect()
                    won = conn.execute(
                        sa.text("SELECT pg_try_advisory_lock(:key)"), {"key": SENDER_LOCK}
                    ).scalar_one()
                    conn.commit()  # the session's lock outlives the transaction
                    if won:
                        self._conn, self._won_at = conn, time.monotonic()
                        log.info("this instance is elected sender; it sends in %.1f s", self.grace)
                    else:
                        conn.close()
                else:
                    self._conn.execute(sa.text("SELECT 1"))
                    self._conn.commit()
            except SQLAlchemyError as exc:
                if self._conn is not None:
                    log.warning("the sender's lock is lost with its connection (%s)", exc)
                self._drop()
            return self.is_sender

    def resign(self) -> None:
        """Give the lock up (at shutdown): another instance takes over at once."""
        with self._lock:
            self._drop()

    def _drop(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            # Invalidated, not returned to the pool: the session ends, and the lock with it.
            conn.invalidate()
            conn.close()
