"""Which chat was shown which unconfirmed passage, in which message: what claim follow-ups
are owed (bot.followups), with the chats that opted out of them."""

from __future__ import annotations

from collections.abc import Iterable

from bot.subscriptions import now
from corpus.store import Store

MIGRATIONS: list[tuple[str, str]] = [
    (
        "bot.0004_sightings",
        """
        CREATE TABLE sightings (
            chat_id INTEGER NOT NULL,
            passage_id INTEGER NOT NULL,
            message_id INTEGER NOT NULL,
            seen_at TEXT NOT NULL,
            PRIMARY KEY (chat_id, passage_id, message_id)
        );
        CREATE INDEX sightings_passage ON sightings (passage_id);
        CREATE TABLE followup_optouts (
            chat_id INTEGER PRIMARY KEY,
            since TEXT NOT NULL
        );
        """,
    ),
]


class Sightings:
    """Which chat was shown which unconfirmed passage, in which message; who opted out."""

    def __init__(self, store: Store) -> None:
        self.store = store
        store.migrate(MIGRATIONS)

    def record(self, chat_id: int, message_id: int, passage_ids: Iterable[int]) -> None:
        rows = [(chat_id, pid, message_id, now()) for pid in dict.fromkeys(passage_ids)]
        if not rows:
            return
        with self.store.transaction() as conn:
            conn.executemany(
                "INSERT OR IGNORE INTO sightings (chat_id, passage_id, message_id, seen_at)"
                " VALUES (?, ?, ?, ?)",
                rows,
            )

    def seen(self, passage_ids: Iterable[int]) -> dict[int, int]:
        """chat id → the newest message in which it saw one of the passages (opted-out chats
        left out)."""
        ids = sorted(set(passage_ids))
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        with self.store.read() as conn:
            rows = conn.execute(
                "SELECT chat_id, max(message_id) FROM sightings"
                f" WHERE passage_id IN ({marks})"
                " AND chat_id NOT IN (SELECT chat_id FROM followup_optouts)"
                " GROUP BY chat_id ORDER BY chat_id",
                ids,
            ).fetchall()
        return {r[0]: r[1] for r in rows}

    def opt_out(self, chat_id: int, out: bool = True) -> None:
        with self.store.transaction() as conn:
            if out:
                conn.execute(
                    "INSERT OR IGNORE INTO followup_optouts (chat_id, since) VALUES (?, ?)",
                    (chat_id, now()),
                )
            else:
                conn.execute("DELETE FROM followup_optouts WHERE chat_id = ?", (chat_id,))

    def opted_out(self, chat_id: int) -> bool:
        with self.store.read() as conn:
            row = conn.execute(
                "SELECT 1 FROM followup_optouts WHERE chat_id = ?", (chat_id,)
            ).fetchone()
        return row is not None
