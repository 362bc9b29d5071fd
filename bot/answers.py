"""Answers kept in SQLite, so that "More" works after a restart."""

from __future__ import annotations

from bot.subscriptions import now
from corpus.store import Store
from retrieval.answer import Answer

MIGRATIONS: list[tuple[str, str]] = [
    (
        "bot.0002_answers",
        """
        CREATE TABLE answers (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            chat_id INTEGER NOT NULL,
            body TEXT NOT NULL,
            created_at TEXT NOT NULL
        );
        """,
    ),
]
KEEP = 50_000  # most recent answers kept; older "More" buttons say the answer expired


class AnswerArchive:
    """Saved answers by id."""

    def __init__(self, store: Store) -> None:
        self.store = store
        store.migrate(MIGRATIONS)

    def save(self, chat_id: int, answer: Answer) -> int:
        with self.store.transaction() as conn:
            cur = conn.execute(
                "INSERT INTO answers (chat_id, body, created_at) VALUES (?, ?, ?)",
                (chat_id, answer.model_dump_json(), now()),
            )
            conn.execute("DELETE FROM answers WHERE id <= ?", (cur.lastrowid - KEEP,))
        return int(cur.lastrowid)

    def load(self, answer_id: int) -> tuple[int, Answer] | None:
        """(chat id, answer) saved under this id, or None when it expired."""
        with self.store.read() as conn:
            row = conn.execute(
                "SELECT chat_id, body FROM answers WHERE id = ?", (answer_id,)
            ).fetchone()
        if row is None:
            return None
        return row["chat_id"], Answer.model_validate_json(row["body"])
