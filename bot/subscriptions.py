"""Subscriptions and the delivery queue, in the corpus store's database (the source of truth).

Their schema is the bot's chain of migrations (bot/migrations, corpus.schema)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path

import numpy as np
import sqlalchemy as sa
from pydantic import BaseModel
from sqlalchemy.engine import RowMapping

from corpus.schema import Chain
from corpus.store import Store

# The bot's tables: subscriptions, deliveries, answers, sightings (one chain for the package).
MIGRATIONS = Chain("bot", Path(__file__).parent / "migrations")


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


def _subscription(row: RowMapping) -> Subscription:
    return Subscription(
        id=row["id"], chat_id=row["chat_id"], kind=row["kind"], query=row["query"],
        schedule=row["schedule"],
    )  # fmt: skip


class SubscriptionBook:
    """Subscriptions and deliveries over the corpus store's connection."""

    def __init__(self, store: Store, *, per_chat_limit: int = 20) -> None:
        self.store = store
        self.per_chat_limit = per_chat_limit
        store.upgrade(MIGRATIONS)
        # Every update asks whether its chat is paused: answer from memory, write only on change.
        with store.read() as conn:
            self._paused = set(conn.execute(sa.text("SELECT chat_id FROM paused_chats")).scalars())

    def _rows(self, sql: str, **params: object) -> list[RowMapping]:
        with self.store.read() as conn:
            return list(conn.execute(sa.text(sql), params).mappings())

    def _value(self, sql: str, **params: object) -> int:
        with self.store.read() as conn:
            return conn.execute(sa.text(sql), params).scalar_one()

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
            row = (
                conn.execute(
                    sa.text(
                        f"SELECT {_SUB_COLUMNS} FROM subscriptions s WHERE chat_id = :chat"
                        " AND kind = :kind AND lower(query) = lower(:query)"
                    ),
                    {"chat": chat_id, "kind": kind.value, "query": query},
                )
                .mappings()
                .first()
            )
            if row is not None:
                raise AlreadySubscribed(_subscription(row))
            count = conn.execute(
                sa.text("SELECT count(*) FROM subscriptions WHERE chat_id = :chat"),
                {"chat": chat_id},
            ).scalar_one()
            if count >= self.per_chat_limit:
                raise SubscriptionLimit(self.per_chat_limit)
            blob = None if vector is None else np.asarray(vector, dtype=np.float32).tobytes()
            new_id = conn.execute(
                sa.text(
                    "INSERT INTO subscriptions (chat_id, kind, query, schedule, vector, model,"
                    " created_at) VALUES (:chat, :kind, :query, :schedule, :vector, :model,"
                    " :at) RETURNING id"
                ),
                {"chat": chat_id, "kind": kind.value, "query": query,
                 "schedule": schedule.value, "vector": blob, "model": model, "at": now()},
            ).scalar_one()  # fmt: skip
            conn.execute(
                sa.text("DELETE FROM paused_chats WHERE chat_id = :chat"), {"chat": chat_id}
            )
        self._paused.discard(chat_id)
        return Subscription(id=new_id, chat_id=chat_id, kind=kind, query=query, schedule=schedule)

    def of_chat(self, chat_id: int) -> list[Subscription]:
        rows = self._rows(
            f"SELECT {_SUB_COLUMNS} FROM subscriptions s WHERE chat_id = :chat ORDER BY id",
            chat=chat_id,
        )
        return [_subscription(r) for r in rows]

    def get(self, subscription_id: int) -> Subscription | None:
        rows = self._rows(
            f"SELECT {_SUB_COLUMNS} FROM subscriptions s WHERE id = :id", id=subscription_id
        )
        return _subscription(rows[0]) if rows else None

    def remove(self, chat_id: int, subscription_id: int) -> Subscription | None:
        """Delete one of the chat's subscriptions (and its pending deliveries)."""
        with self.store.transaction() as conn:
            row = (
                conn.execute(
                    sa.text(
                        f"SELECT {_SUB_COLUMNS} FROM subscriptions s"
                        " WHERE id = :id AND chat_id = :chat"
                    ),
                    {"id": subscription_id, "chat": chat_id},
                )
                .mappings()
                .first()
            )
            if row is None:
                return None
            conn.execute(
                sa.text("DELETE FROM subscriptions WHERE id = :id"), {"id": subscription_id}
            )
        return _subscription(row)

    def active(self, kind: Kind) -> list[tuple[Subscription, np.ndarray | None, str | None]]:
        """Subscriptions of chats that are not paused, with their stored topic vectors."""
        rows = self._rows(
            f"SELECT {_SUB_COLUMNS}, s.vector, s.model FROM subscriptions s"
            " WHERE kind = :kind AND chat_id NOT IN (SELECT chat_id FROM paused_chats)"
            " ORDER BY id",
            kind=kind.value,
        )
        return [
            (
                _subscription(r),
                None
                if r["vector"] is None
                else np.frombuffer(bytes(r["vector"]), dtype=np.float32),
                r["model"],
            )
            for r in rows
        ]

    def set_vector(self, subscription_id: int, vector: np.ndarray, model: str) -> None:
        with self.store.transaction() as conn:
            conn.execute(
                sa.text("UPDATE subscriptions SET vector = :vector, model = :model WHERE id = :id"),
                {"vector": np.asarray(vector, dtype=np.float32).tobytes(), "model": model,
                 "id": subscription_id},
            )  # fmt: skip

    # -- paused chats -----------------------------------------------------------------

    def pause(self, chat_id: int, reason: str) -> None:
        """Stop deliveries to a chat (it blocked the bot); its subscriptions are kept, what was
        queued for it fails (a chat that comes back gets new articles, not a backlog)."""
        with self.store.transaction() as conn:
            conn.execute(
                sa.text(
                    "INSERT INTO paused_chats (chat_id, reason, paused_at)"
                    " VALUES (:chat, :reason, :at) ON CONFLICT (chat_id)"
                    " DO UPDATE SET reason = excluded.reason, paused_at = excluded.paused_at"
                ),
                {"chat": chat_id, "reason": reason, "at": now()},
            )
            conn.execute(
                sa.text(
                    "UPDATE deliveries SET state = 'failed' WHERE state = 'pending'"
                    " AND (subscription_id IN (SELECT id FROM subscriptions"
                    " WHERE chat_id = :chat) OR chat_id = :chat)"
                ),
                {"chat": chat_id},
            )
        self._paused.add(chat_id)

    def resume(self, chat_id: int) -> bool:
        """The chat talks to the bot again: deliveries resume. True if it was paused."""
        if chat_id not in self._paused:
            return False
        with self.store.transaction() as conn:
            conn.execute(
                sa.text("DELETE FROM paused_chats WHERE chat_id = :chat"), {"chat": chat_id}
            )
        self._paused.discard(chat_id)
        return True

    def is_paused(self, chat_id: int) -> bool:
        return chat_id in self._paused

    # -- deliveries -------------------------------------------------------------------

    def queue(self, items: list[tuple[int, str, list[int]]], *, through: int | None = None) -> int:
        """Queue (subscription id, article id, passage ids); a pair already queued is skipped.
        With `through`, the match cursor moves to that change in the same transaction."""
        insert = sa.text(
            "INSERT INTO deliveries (subscription_id, article_id, passage_ids, queued_at)"
            " VALUES (:sub, :article, :passages, :at)"
            " ON CONFLICT (subscription_id, article_id) DO NOTHING RETURNING id"
        )
        queued = 0
        with self.store.transaction() as conn:
            at = now()
            for sid, aid, pids in items:
                params = {"sub": sid, "article": aid, "passages": json.dumps(pids), "at": at}
                queued += conn.execute(insert, params).first() is not None
            if through is not None:
                conn.execute(
                    sa.text("UPDATE match_cursor SET seq = :seq WHERE id = 1 AND seq < :seq"),
                    {"seq": through},
                )
        return queued

    def queue_followups(
        self, items: list[tuple[int, int, int | None, list[int]]], *, through: int
    ) -> int:
        """Queue (chat id, claim event id, message to reply to, passage ids) follow-ups, once
        per chat and event; the follow-up cursor moves to `through` in the same transaction."""
        insert = sa.text(
            "INSERT INTO deliveries (kind, chat_id, claim_event_id, reply_to, passage_ids,"
            " queued_at) VALUES ('claim', :chat, :event, :reply_to, :passages, :at)"
            " ON CONFLICT (chat_id, claim_event_id) DO NOTHING RETURNING id"
        )
        queued = 0
        with self.store.transaction() as conn:
            at = now()
            for chat, event, reply_to, pids in items:
                params = {"chat": chat, "event": event, "reply_to": reply_to,
                          "passages": json.dumps(pids), "at": at}  # fmt: skip
                queued += conn.execute(insert, params).first() is not None
            conn.execute(
                sa.text("UPDATE followup_cursor SET seq = :seq WHERE id = 1 AND seq < :seq"),
                {"seq": through},
            )
        return queued

    def followup_cursor(self) -> int:
        """The last claim event whose follow-ups were queued."""
        return self._value("SELECT seq FROM followup_cursor WHERE id = 1")

    def match_cursor(self) -> int:
        """The last change of the store's log whose article was matched against subscriptions."""
        return self._value("SELECT seq FROM match_cursor WHERE id = 1")

    def queued_for(self, article_id: str) -> int:
        """How many subscriptions an article was queued for."""
        return self._value(
            "SELECT count(*) FROM deliveries WHERE article_id = :article", article=article_id
        )

    def release(self, schedule: Schedule | None = None) -> int:
        """Deliveries left claimed (by a crash, or a run that could not record them) go back
        to the queue; they are sent again (at least once). Only the one sender calls it."""
        which = ""
        if schedule is not None:
            which = " AND (subscription_id IN (SELECT id FROM subscriptions WHERE schedule = :s)"
            which += " OR kind = 'claim')" if schedule is Schedule.INSTANT else ")"
        with self.store.transaction() as conn:
            cur = conn.execute(
                sa.text(f"UPDATE deliveries SET state = 'pending' WHERE state = 'sending'{which}"),
                {"s": None if schedule is None else schedule.value},
            )
        return cur.rowcount

    def begin_digest(self, at: str | None = None) -> None:
        """A digest round begins: the daily deliveries queued until `at` (now) are due."""
        with self.store.transaction() as conn:
            conn.execute(
                sa.text(
                    "UPDATE digest_round SET due_through = :at WHERE id = 1"
                    " AND (due_through IS NULL OR due_through < :at)"
                ),
                {"at": at or now()},
            )

    def claim(self, schedule: Schedule, limit: int = 100) -> list[Delivery]:
        """Take pending deliveries of unpaused chats and mark them as being sent.

        Instant: the oldest `limit`, at most one for each chat. Daily: every delivery due in
        the digest round of the oldest `limit` subscriptions that have any, so that each
        subscription's digest is one message.

        On PostgreSQL the rows are locked with FOR UPDATE SKIP LOCKED: two senders claiming at
        once take different deliveries, and neither waits for the other."""
        # Follow-ups of claims have no subscription: they go out with the instant deliveries.
        pending = (
            "FROM deliveries d LEFT JOIN subscriptions s ON s.id = d.subscription_id"
            " WHERE d.state = 'pending' AND coalesce(s.schedule, 'instant') = :schedule"
            " AND coalesce(s.chat_id, d.chat_id) NOT IN (SELECT chat_id FROM paused_chats)"
        )
        if schedule is Schedule.INSTANT:
            chosen = (
                f"SELECT min(d.id) {pending} GROUP BY coalesce(s.chat_id, d.chat_id)"
                " ORDER BY 1 LIMIT :limit"
            )
        else:
            pending += " AND d.queued_at <= (SELECT due_through FROM digest_round WHERE id = 1)"
            chosen = (
                f"SELECT d.id {pending} AND d.subscription_id IN (SELECT d.subscription_id"
                f" {pending} GROUP BY d.subscription_id ORDER BY min(d.id) LIMIT :limit)"
            )
        # The state is checked again on the locked row: another sender may have just taken it.
        lock = " FOR UPDATE OF d SKIP LOCKED" if self.store.dialect == "postgresql" else ""
        with self.store.transaction() as conn:
            rows = (
                conn.execute(
                    sa.text(
                        "SELECT d.id AS did, d.article_id, d.passage_ids, d.attempts,"
                        " d.claim_event_id, d.reply_to, coalesce(s.chat_id, d.chat_id) AS chat,"
                        f" {_SUB_COLUMNS} FROM deliveries d"
                        " LEFT JOIN subscriptions s ON s.id = d.subscription_id"
                        f" WHERE d.id IN ({chosen}) AND d.state = 'pending' ORDER BY d.id{lock}"
                    ),
                    {"schedule": schedule.value, "limit": limit},
                )
                .mappings()
                .all()
            )
            if rows:
                conn.execute(
                    sa.text(
                        "UPDATE deliveries SET state = 'sending', attempts = attempts + 1"
                        " WHERE id = :id"
                    ),
                    [{"id": r["did"]} for r in rows],
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
        ids = {"old": old_chat_id, "new": new_chat_id}
        with self.store.transaction() as conn:
            # Each UPDATE leaves out the rows the new chat already has (their UNIQUE would
            # refuse them); what is left behind under the old id is then dropped.
            moved = conn.execute(
                sa.text(
                    "UPDATE subscriptions SET chat_id = :new WHERE chat_id = :old AND NOT EXISTS"
                    " (SELECT 1 FROM subscriptions n WHERE n.chat_id = :new"
                    " AND n.kind = subscriptions.kind AND n.query = subscriptions.query)"
                ),
                ids,
            ).rowcount
            conn.execute(sa.text("DELETE FROM subscriptions WHERE chat_id = :old"), ids)
            conn.execute(
                sa.text(
                    "UPDATE deliveries SET chat_id = :new WHERE chat_id = :old AND NOT EXISTS"
                    " (SELECT 1 FROM deliveries n WHERE n.chat_id = :new"
                    " AND n.claim_event_id = deliveries.claim_event_id)"
                ),
                ids,
            )
            # A follow-up the new chat already has queued is not sent twice.
            conn.execute(
                sa.text(
                    "UPDATE deliveries SET state = 'failed' WHERE chat_id = :old"
                    " AND state = 'pending'"
                ),
                ids,
            )
            conn.execute(
                sa.text(
                    "UPDATE paused_chats SET chat_id = :new WHERE chat_id = :old AND NOT EXISTS"
                    " (SELECT 1 FROM paused_chats n WHERE n.chat_id = :new)"
                ),
                ids,
            )
            conn.execute(sa.text("DELETE FROM paused_chats WHERE chat_id = :old"), ids)
        if old_chat_id in self._paused:
            self._paused.discard(old_chat_id)
            self._paused.add(new_chat_id)
        return moved

    def finish(self, delivery_ids: list[int], state: str = "sent") -> None:
        """Record deliveries as sent (or failed for good, or pending again to retry)."""
        if not delivery_ids:
            return
        with self.store.transaction() as conn:
            conn.execute(
                sa.text("UPDATE deliveries SET state = :state, sent_at = :at WHERE id = :id"),
                [{"state": state, "at": now() if state == "sent" else None, "id": d}
                 for d in delivery_ids],
            )  # fmt: skip

    def counts(self) -> dict[str, int]:
        """Subscriptions and deliveries by state, for /stats."""
        with self.store.read() as conn:
            subs = conn.execute(sa.text("SELECT count(*) FROM subscriptions")).scalar_one()
            rows = conn.execute(sa.text("SELECT state, count(*) FROM deliveries GROUP BY state"))
            by_state = {state: n for state, n in rows}
            paused = conn.execute(sa.text("SELECT count(*) FROM paused_chats")).scalar_one()
        return {
            "subscriptions": subs,
            "paused_chats": paused,
            "pending": by_state.get("pending", 0) + by_state.get("sending", 0),
            "sent": by_state.get("sent", 0),
            "failed": by_state.get("failed", 0),
        }
