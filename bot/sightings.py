"""Which chat was shown which unconfirmed passage, in which message: what claim follow-ups
are owed (bot.followups), with the chats that opted out of them."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

from bot.subscriptions import MIGRATIONS, now
from corpus.store import Store


class Sightings:
    """Which chat was shown which unconfirmed passage, in which message; who opted out."""

    def __init__(self, store: Store) -> None:
        self.store = store
        store.upgrade(MIGRATIONS)

    def record(self, chat_id: int, message_id: int, passage_ids: Iterable[int]) -> None:
        at = now()
        rows = [
            {"chat": chat_id, "passage": pid, "message": message_id, "at": at}
            for pid in dict.fromkeys(passage_ids)
        ]
        if not rows:
            return
        with self.store.transaction() as conn:
            conn.execute(
                sa.text(
                    "INSERT INTO sightings (chat_id, passage_id, message_id, seen_at)"
                    " VALUES (:chat, :passage, :message, :at) ON CONFLICT DO NOTHING"
                ),
                rows,
            )

    def seen(self, passage_ids: Iterable[int]) -> dict[int, int]:
        """chat id → the newest message in which it saw one of the passages (opted-out chats
        left out)."""
        ids = sorted(set(passage_ids))
        if not ids:
            return {}
        query = sa.text(
            "SELECT chat_id, max(message_id) FROM sightings WHERE passage_id IN :ids"
            " AND chat_id NOT IN (SELECT chat_id FROM followup_optouts)"
            " GROUP BY chat_id ORDER BY chat_id"
        ).bindparams(sa.bindparam("ids", expanding=True))
        with self.store.read() as conn:
            return {chat: message for chat, message in conn.execute(query, {"ids": ids})}

    def opt_out(self, chat_id: int, out: bool = True) -> None:
        with self.store.transaction() as conn:
            if out:
                conn.execute(
                    sa.text(
                        "INSERT INTO followup_optouts (chat_id, since) VALUES (:chat, :at)"
                        " ON CONFLICT DO NOTHING"
                    ),
                    {"chat": chat_id, "at": now()},
                )
            else:
                conn.execute(
                    sa.text("DELETE FROM followup_optouts WHERE chat_id = :chat"),
                    {"chat": chat_id},
                )

    def opted_out(self, chat_id: int) -> bool:
        with self.store.read() as conn:
            row = conn.execute(
                sa.text("SELECT 1 FROM followup_optouts WHERE chat_id = :chat"), {"chat": chat_id}
            ).first()
        return row is not None
