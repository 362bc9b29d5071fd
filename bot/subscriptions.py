"""Subscriptions and the delivery queue, in the corpus SQLite file (the source of truth)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from enum import StrEnum

import numpy as np
from pydantic import BaseModel

from corpus.store import Store

MIGRATIONS: list[tuple[str, str]] = [
    (
        "bot.0001_subscriptions",
        """
        CREATE TABLE subscriptions (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            chat_id INTEGER NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('topic', 'speaker')),
            query TEXT NOT NULL,
            schedule TEXT NOT NULL CHECK (schedule IN ('instant', 'daily')),
            vector BLOB,
            model TEXT,
            created_at TEXT NOT NULL,
            UNIQUE (chat_id, kind, query)
        );
        CREATE TABLE paused_chats (
            chat_id INTEGER PRIMARY KEY,
            reason TEXT NOT NULL,
            paused_at TEXT NOT NULL
        );
        CREATE TABLE deliveries (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            subscription_id INTEGER NOT NULL REFERENCES subscriptions (id) ON DELETE CASCADE,
            article_id TEXT NOT NULL,
            passage_ids TEXT NOT NULL,
            state TEXT NOT NULL DEFAULT 'pending'
                CHECK (state IN ('pending', 'sending', 'sent', 'failed')),
            attempts INTEGER NOT NULL DEFAULT 0,
            queued_at TEXT NOT NULL,
            sent_at TEXT,
            UNIQUE (subscription_id, article_id)
        );
        CREATE INDEX deliveries_pending ON deliveries (state, id);
        """,
    ),
    (
        # How far along the store's change log (corpus: changes) subscriptions were matched:
        # advanced in the transaction that queues the deliveries, so an article committed just
        # before a crash is matched after the restart, and none is matched twice.
        "bot.0003_match_cursor",
        """
        CREATE TABLE match_cursor (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            seq INTEGER NOT NULL
        );
        INSERT INTO match_cursor (id, seq) VALUES (1, 0);
        """,
    ),
    (
        # One queue for everything the bot pushes: a delivery is an article for a
        # subscription, or the follow-up of a claim event (confirmed, denied) for a chat that
        # was shown the claim, replying to the message it saw; each once (its own UNIQUE).
        # The follow-up cursor follows the claim history as match_cursor follows the log.
        "bot.0004_claim_deliveries",
        """
        CREATE TABLE deliveries_v2 (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            kind TEXT NOT NULL DEFAULT 'article' CHECK (kind IN ('article', 'claim')),
            subscription_id INTEGER REFERENCES subscriptions (id) ON DELETE CASCADE,
            article_id TEXT,
            chat_id INTEGER,
            claim_event_id INTEGER,
            reply_to INTEGER,
            passage_ids TEXT NOT NULL,
            state TEXT NOT NULL DEFAULT 'pending'
                CHECK (state IN ('pending', 'sending', 'sent', 'failed')),
            attempts INTEGER NOT NULL DEFAULT 0,
            queued_at TEXT NOT NULL,
            sent_at TEXT,
            UNIQUE (subscription_id, article_id),
            UNIQUE (chat_id, claim_event_id),
            CHECK ((kind = 'article' AND subscription_id IS NOT NULL AND article_id IS NOT NULL
                    AND chat_id IS NULL)
                OR (kind = 'claim' AND chat_id IS NOT NULL AND claim_event_id IS NOT NULL
                    AND subscription_id IS NULL))
        );
        INSERT INTO deliveries_v2 (id, subscription_id, article_id, passage_ids, state, attempts,
            queued_at, sent_at)
            SELECT id, subscription_id, article_id, passage_ids, state, attempts, queued_at,
                sent_at FROM deliveries;
        DROP TABLE deliveries;
        ALTER TABLE deliveries_v2 RENAME TO deliveries;
        CREATE INDEX deliveries_pending ON deliveries (state, id);
        CREATE TABLE followup_cursor (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            seq INTEGER NOT NULL
        );
        INSERT INTO followup_cursor (id, seq) VALUES (1, 0);
        """,
    ),
]


class Kind(StrEnum):
    TOPIC = "topic"
    SPEAKER = "speaker"


class Schedule(StrEnum):
    INSTANT = "instant"
    DAILY = "daily"


class Subscription(BaseModel):
    """A chat's standing interest: a topic (free text) or a speaker to follow."""

    id: int
    chat_id: int
    kind: Kind
    query: str
    schedule: Schedule


class Delivery(BaseModel):
    """One message waiting to be sent: an article's matching passages for a subscription, or
    a claim event's follow-up for a chat (replying to `reply_to`, the message it saw)."""

    id: int
    chat_id: int
    subscription: Subscription | None = None
    article_id: str | None = None
    claim_event_id: int | None = None
    reply_to: int | None = None
    passage_ids: list[int]
    attempts: int


class SubscriptionLimit(Exception):
    """The chat already has as many subscriptions as allowed."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        super().__init__(f"a chat can have at most {limit} subscriptions")


class AlreadySubscribed(Exception):
    """The chat already follows this topic or speaker."""

    def __init__(self, subscription: Subscription) -> None:
        self.subscription = subscription
        super().__init__(f"already subscribed to {subscription.query!r}")


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


_SUB_COLUMNS = "s.id, s.chat_id, s.kind, s.query, s.schedule"


def _subscription(row) -> Subscription:
    return Subscription(
        id=row["id"], chat_id=row["chat_id"], kind=row["kind"], query=row["query"],
        schedule=row["schedule"],
    )  # fmt: skip


class SubscriptionBook:
    """Subscriptions and deliveries over the corpus store's SQLite connection."""

    def __init__(self, store: Store, *, per_chat_limit: int = 20) -> None:
        self.store = store
        self.per_chat_limit = per_chat_limit
        store.migrate(MIGRATIONS)
        # Every update asks whether its chat is paused: answer from memory, write only on change.
        with store.read() as conn:
            self._paused = {r[0] for r in conn.execute("SELECT chat_id FROM paused_chats")}

    # -- subscriptions ----------------------------------------------------------------

    def add(
        self,
        chat_id: int,
        kind: Kind,
        query: str,
        schedule: Schedule = Schedule.INSTANT,
        vector: np.ndarray | None = None,
        model: str | None = None,
    ) -> Subscription:
        """Subscribe a chat; raises AlreadySubscribed or SubscriptionLimit."""
        query = " ".join(query.split())
        with self.store.transaction() as conn:
            row = conn.execute(
                f"SELECT {_SUB_COLUMNS} FROM subscriptions s"
                " WHERE chat_id = ? AND kind = ? AND lower(query) = lower(?)",
                (chat_id, kind.value, query),
            ).fetchone()
            if row is not None:
                raise AlreadySubscribed(_subscription(row))
            count = conn.execute(
                "SELECT count(*) FROM subscriptions WHERE chat_id = ?", (chat_id,)
            ).fetchone()[0]
            if count >= self.per_chat_limit:
                raise SubscriptionLimit(self.per_chat_limit)
            blob = None if vector is None else np.asarray(vector, dtype=np.float32).tobytes()
            cur = conn.execute(
                "INSERT INTO subscriptions (chat_id, kind, query, schedule, vector, model,"
                " created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (chat_id, kind.value, query, schedule.value, blob, model, now()),
            )
            conn.execute("DELETE FROM paused_chats WHERE chat_id = ?", (chat_id,))
        self._paused.discard(chat_id)
        return Subscription(
            id=cur.lastrowid, chat_id=chat_id, kind=kind, query=query, schedule=schedule
        )

    def of_chat(self, chat_id: int) -> list[Subscription]:
        with self.store.read() as conn:
            rows = conn.execute(
                f"SELECT {_SUB_COLUMNS} FROM subscriptions s WHERE chat_id = ? ORDER BY id",
                (chat_id,),
            ).fetchall()
        return [_subscription(r) for r in rows]

    def get(self, subscription_id: int) -> Subscription | None:
        with self.store.read() as conn:
            row = conn.execute(
                f"SELECT {_SUB_COLUMNS} FROM subscriptions s WHERE id = ?", (subscription_id,)
            ).fetchone()
        return _subscription(row) if row else None

    def remove(self, chat_id: int, subscription_id: int) -> Subscription | None:
        """Delete one of the chat's subscriptions (and its pending deliveries)."""
        with self.store.transaction() as conn:
            row = conn.execute(
                f"SELECT {_SUB_COLUMNS} FROM subscriptions s WHERE id = ? AND chat_id = ?",
                (subscription_id, chat_id),
            ).fetchone()
            if row is None:
                return None
            conn.execute("DELETE FROM subscriptions WHERE id = ?", (subscription_id,))
        return _subscription(row)

    def active(self, kind: Kind) -> list[tuple[Subscription, np.ndarray | None, str | None]]:
        """Subscriptions of chats that are not paused, with their stored topic vectors."""
        with self.store.read() as conn:
            rows = conn.execute(
                f"SELECT {_SUB_COLUMNS}, s.vector, s.model FROM subscriptions s"
                " WHERE kind = ? AND chat_id NOT IN (SELECT chat_id FROM paused_chats)"
                " ORDER BY id",
                (kind.value,),
            ).fetchall()
        return [
            (
                _subscription(r),
                None if r["vector"] is None else np.frombuffer(r["vector"], dtype=np.float32),
                r["model"],
            )
            for r in rows
        ]

    def set_vector(self, subscription_id: int, vector: np.ndarray, model: str) -> None:
        with self.store.transaction() as conn:
            conn.execute(
                "UPDATE subscriptions SET vector = ?, model = ? WHERE id = ?",
                (np.asarray(vector, dtype=np.float32).tobytes(), model, subscription_id),
            )

    # -- paused chats -----------------------------------------------------------------

    def pause(self, chat_id: int, reason: str) -> None:
        """Stop deliveries to a chat (it blocked the bot); its subscriptions are kept, what was
        queued for it fails (a chat that comes back gets new articles, not a backlog)."""
        with self.store.transaction() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO paused_chats (chat_id, reason, paused_at) VALUES (?, ?, ?)",
                (chat_id, reason, now()),
            )
            conn.execute(
                "UPDATE deliveries SET state = 'failed' WHERE state = 'pending'"
                " AND (subscription_id IN (SELECT id FROM subscriptions WHERE chat_id = ?)"
                " OR chat_id = ?)",
                (chat_id, chat_id),
            )
        self._paused.add(chat_id)

    def resume(self, chat_id: int) -> bool:
        """The chat talks to the bot again: deliveries resume. True if it was paused."""
        if chat_id not in self._paused:
            return False
        with self.store.transaction() as conn:
            conn.execute("DELETE FROM paused_chats WHERE chat_id = ?", (chat_id,))
        self._paused.discard(chat_id)
        return True

    def is_paused(self, chat_id: int) -> bool:
        return chat_id in self._paused

    # -- deliveries -------------------------------------------------------------------

    def queue(self, items: list[tuple[int, str, list[int]]], *, through: int | None = None) -> int:
        """Queue (subscription id, article id, passage ids); a pair already queued is skipped.
        With `through`, the match cursor moves to that change in the same transaction."""
        with self.store.transaction() as conn:
            before = conn.total_changes
            conn.executemany(
                "INSERT OR IGNORE INTO deliveries (subscription_id, article_id, passage_ids,"
                " queued_at) VALUES (?, ?, ?, ?)",
                [(sid, aid, json.dumps(pids), now()) for sid, aid, pids in items],
            )
            queued = conn.total_changes - before
            if through is not None:
                conn.execute("UPDATE match_cursor SET seq = max(seq, ?) WHERE id = 1", (through,))
        return queued

    def queue_followups(
        self, items: list[tuple[int, int, int | None, list[int]]], *, through: int
    ) -> int:
        """Queue (chat id, claim event id, message to reply to, passage ids) follow-ups, once
        per chat and event; the follow-up cursor moves to `through` in the same transaction."""
        with self.store.transaction() as conn:
            before = conn.total_changes
            conn.executemany(
                "INSERT OR IGNORE INTO deliveries (kind, chat_id, claim_event_id, reply_to,"
                " passage_ids, queued_at) VALUES ('claim', ?, ?, ?, ?, ?)",
                [(c, e, r, json.dumps(p), now()) for c, e, r, p in items],
            )
            queued = conn.total_changes - before
            conn.execute("UPDATE followup_cursor SET seq = max(seq, ?) WHERE id = 1", (through,))
        return queued

    def followup_cursor(self) -> int:
        """The last claim event whose follow-ups were queued."""
        with self.store.read() as conn:
            return conn.execute("SELECT seq FROM followup_cursor WHERE id = 1").fetchone()[0]

    def match_cursor(self) -> int:
        """The last change of the store's log whose article was matched against subscriptions."""
        with self.store.read() as conn:
            return conn.execute("SELECT seq FROM match_cursor WHERE id = 1").fetchone()[0]

    def queued_for(self, article_id: str) -> int:
        """How many subscriptions an article was queued for."""
        with self.store.read() as conn:
            return conn.execute(
                "SELECT count(*) FROM deliveries WHERE article_id = ?", (article_id,)
            ).fetchone()[0]

    def release(self, schedule: Schedule | None = None) -> int:
        """Deliveries left claimed (by a crash, or a run that could not record them) go back
        to the queue; they are sent again (at least once). Only the one sender calls it."""
        with self.store.transaction() as conn:
            cur = conn.execute(
                "UPDATE deliveries SET state = 'pending' WHERE state = 'sending'"
                " AND (? IS NULL OR subscription_id IN"
                " (SELECT id FROM subscriptions WHERE schedule = ?)"
                " OR (kind = 'claim' AND ? = 'instant'))",
                (schedule, schedule, schedule),
            )
        return cur.rowcount

    def claim(
        self, schedule: Schedule, limit: int = 100, *, one_per_chat: bool = True
    ) -> list[Delivery]:
        """Take the oldest pending deliveries of unpaused chats and mark them as being sent;
        with `one_per_chat`, at most one for each chat."""
        # Follow-ups of claims have no subscription: they go out with the instant deliveries.
        pending = (
            "FROM deliveries d LEFT JOIN subscriptions s ON s.id = d.subscription_id"
            " WHERE d.state = 'pending' AND coalesce(s.schedule, 'instant') = ?"
            " AND coalesce(s.chat_id, d.chat_id) NOT IN (SELECT chat_id FROM paused_chats)"
        )
        if one_per_chat:
            chosen = (
                f"SELECT min(d.id) {pending} GROUP BY coalesce(s.chat_id, d.chat_id)"
                " ORDER BY 1 LIMIT ?"
            )
        else:
            chosen = f"SELECT d.id {pending} ORDER BY d.id LIMIT ?"
        with self.store.transaction() as conn:
            rows = conn.execute(
                "SELECT d.id AS did, d.article_id, d.passage_ids, d.attempts, d.claim_event_id,"
                " d.reply_to, coalesce(s.chat_id, d.chat_id) AS chat,"
                f" {_SUB_COLUMNS} FROM deliveries d"
                " LEFT JOIN subscriptions s ON s.id = d.subscription_id"
                f" WHERE d.id IN ({chosen}) ORDER BY d.id",
                (schedule.value, limit),
            ).fetchall()
            conn.executemany(
                "UPDATE deliveries SET state = 'sending', attempts = attempts + 1 WHERE id = ?",
                [(r["did"],) for r in rows],
            )
        return [
            Delivery(
                id=r["did"],
                chat_id=r["chat"],
                subscription=_subscription(r) if r["id"] is not None else None,
                article_id=r["article_id"],
                claim_event_id=r["claim_event_id"],
                reply_to=r["reply_to"],
                passage_ids=json.loads(r["passage_ids"]),
                attempts=r["attempts"] + 1,
            )
            for r in rows
        ]

    def migrate(self, old_chat_id: int, new_chat_id: int) -> int:
        """A group became a supergroup: its subscriptions (and their queued deliveries) follow
        it to the new id. One the new chat already has is kept once. Returns how many moved."""
        with self.store.transaction() as conn:
            moved = conn.execute(
                "UPDATE OR IGNORE subscriptions SET chat_id = ? WHERE chat_id = ?",
                (new_chat_id, old_chat_id),
            ).rowcount
            conn.execute("DELETE FROM subscriptions WHERE chat_id = ?", (old_chat_id,))
            conn.execute(
                "UPDATE OR IGNORE deliveries SET chat_id = ? WHERE chat_id = ?",
                (new_chat_id, old_chat_id),
            )
            # A follow-up the new chat already has queued is not sent twice.
            conn.execute(
                "UPDATE deliveries SET state = 'failed' WHERE chat_id = ? AND state = 'pending'",
                (old_chat_id,),
            )
            conn.execute(
                "UPDATE OR IGNORE paused_chats SET chat_id = ? WHERE chat_id = ?",
                (new_chat_id, old_chat_id),
            )
            conn.execute("DELETE FROM paused_chats WHERE chat_id = ?", (old_chat_id,))
        if old_chat_id in self._paused:
            self._paused.discard(old_chat_id)
            self._paused.add(new_chat_id)
        return moved

    def finish(self, delivery_ids: list[int], state: str = "sent") -> None:
        """Record deliveries as sent (or failed for good, or pending again to retry)."""
        with self.store.transaction() as conn:
            conn.executemany(
                "UPDATE deliveries SET state = ?, sent_at = ? WHERE id = ?",
                [(state, now() if state == "sent" else None, d) for d in delivery_ids],
            )

    def counts(self) -> dict[str, int]:
        """Subscriptions and deliveries by state, for /stats."""
        with self.store.read() as conn:
            subs = conn.execute("SELECT count(*) FROM subscriptions").fetchone()[0]
            rows = conn.execute("SELECT state, count(*) AS n FROM deliveries GROUP BY state")
            by_state = {r["state"]: r["n"] for r in rows}
            paused = conn.execute("SELECT count(*) FROM paused_chats").fetchone()[0]
        return {
            "subscriptions": subs,
            "paused_chats": paused,
            "pending": by_state.get("pending", 0) + by_state.get("sending", 0),
            "sent": by_state.get("sent", 0),
            "failed": by_state.get("failed", 0),
        }
