"""The delivery queue with claim follow-ups: the migration keeps queued deliveries, and
follow-ups are queued once per chat and claim event beside article deliveries."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from bot.subscriptions import MIGRATIONS, Kind, Schedule, SubscriptionBook
from corpus.store import Store


def test_the_migration_keeps_queued_deliveries_and_adds_follow_ups(database: str | Path) -> None:
    store = Store(database)
    store.upgrade(MIGRATIONS, to="bot_0003")  # a data directory from before claim follow-ups
    with store.transaction() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO subscriptions (chat_id, kind, query, schedule, created_at)"
                " VALUES (7, 'topic', 'floods', 'instant', 'now')"
            )
        )
        conn.execute(
            sa.text(
                "INSERT INTO deliveries (subscription_id, article_id, passage_ids, queued_at)"
                " VALUES (1, 'a1', '[1, 2]', 'now')"
            )
        )
    book = SubscriptionBook(store)
    assert book.queue_followups([(9, 1, 55, [3]), (9, 1, 56, [3])], through=1) == 1
    assert book.queue_followups([(9, 1, 55, [3])], through=1) == 0  # one per chat and event
    assert book.followup_cursor() == 1
    first, second = book.claim(Schedule.INSTANT)
    assert (first.chat_id, first.article_id, first.subscription.kind) == (7, "a1", Kind.TOPIC)
    assert (second.chat_id, second.claim_event_id, second.reply_to) == (9, 1, 55)
    assert second.subscription is None and second.passage_ids == [3]
    assert book.release() == 2
    book.pause(9, "blocked")
    assert [d.chat_id for d in book.claim(Schedule.INSTANT)] == [7]


def test_a_digest_round_claims_whole_subscriptions_queued_before_it_began(
    database: str | Path,
) -> None:
    with Store(database) as store:
        book = SubscriptionBook(store)
        floods = book.add(7, Kind.TOPIC, "floods", Schedule.DAILY)
        strikes = book.add(8, Kind.TOPIC, "strikes", Schedule.DAILY)
        book.queue([(floods.id, "a1", [1]), (strikes.id, "a2", [2]), (floods.id, "a3", [3])])
        assert book.claim(Schedule.DAILY) == []  # no round has begun
        book.begin_digest("2999-01-01T08:00:00+00:00")
        book.begin_digest("2000-01-01T08:00:00+00:00")  # an instance that is late: no change
        # One subscription at a time: both of its deliveries, though one was queued last.
        first = book.claim(Schedule.DAILY, limit=1)
        assert sorted(d.article_id for d in first) == ["a1", "a3"]
        assert {d.subscription.id for d in first} == {floods.id}
        (second,) = book.claim(Schedule.DAILY, limit=1)
        assert second.article_id == "a2"
        book.finish([d.id for d in [*first, second]])

        book.begin_digest("2000-01-01T08:00:00+00:00")
        later = "2999-01-01T09:00:00+00:00"  # queued after the round began: the next one's
        with store.transaction() as conn:
            conn.execute(
                sa.text(
                    "INSERT INTO deliveries (subscription_id, article_id, passage_ids, queued_at)"
                    " VALUES (:sub, 'a4', '[4]', :at)"
                ),
                {"sub": floods.id, "at": later},
            )
        assert book.claim(Schedule.DAILY) == []
        book.begin_digest("2999-01-02T08:00:00+00:00")
        assert [d.article_id for d in book.claim(Schedule.DAILY)] == ["a4"]
