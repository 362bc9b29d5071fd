"""Answers kept in the database, so that "More" works after a restart and on any instance."""

from __future__ import annotations

import sqlalchemy as sa

from bot.subscriptions import MIGRATIONS, now
from corpus.store import Store
from retrieval.answer import Answer

KEEP = 50_000  # most recent answers kept; older "More" buttons say the answer expired


class AnswerArchive:
    """Saved answers by id."""

    def __init__(self, store: Store) -> None:
        self.store = store
        store.upgrade(MIGRATIONS)

    def save(self, chat_id: int, answer: Answer) -> int:
        with self.store.transaction() as conn:
            answer_id = conn.execute(
                sa.text(
                    "INSERT INTO answers (chat_id, body, created_at) VALUES (:chat, :body, :at)"
                    " RETURNING id"
                ),
                {"chat": chat_id, "body": answer.model_dump_json(), "at": now()},
            ).scalar_one()
            conn.execute(
                sa.text("DELETE FROM answers WHERE id <= :oldest"), {"oldest": answer_id - KEEP}
            )
        return int(answer_id)

    def load(self, answer_id: int) -> tuple[int, Answer] | None:
        """(chat id, answer) saved under this id, or None when it expired."""
        with self.store.read() as conn:
            row = conn.execute(
                sa.text("SELECT chat_id, body FROM answers WHERE id = :id"), {"id": answer_id}
            ).first()
        if row is None:
            return None
        return row.chat_id, Answer.model_validate_json(row.body)
