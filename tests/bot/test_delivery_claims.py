"""Claiming the delivery queue from several instances at once (one PostgreSQL): FOR UPDATE
SKIP LOCKED hands each delivery to exactly one of them, and none waits for another."""

from __future__ import annotations

import threading

import pytest

from bot.subscriptions import Delivery, Kind, Schedule, SubscriptionBook
from corpus.store import Store

CHATS = 300


@pytest.mark.postgres
def test_concurrent_claims_take_each_delivery_once(postgres_url: str) -> None:
    stores = [Store(postgres_url) for _ in range(3)]  # three instances, each its own pool
    books = [SubscriptionBook(store) for store in stores]
    subs = [books[0].add(chat, Kind.TOPIC, "harbour tolls") for chat in range(1, CHATS + 1)]
    assert books[0].queue([(s.id, "a1", [1]) for s in subs]) == CHATS
    assert books[0].queue([(s.id, "a2", [2]) for s in subs]) == CHATS
    taken: list[list[Delivery]] = [[] for _ in books]
    start = threading.Barrier(len(books))

    def sender(i: int) -> None:
        start.wait()
        while batch := books[i].claim(Schedule.INSTANT, 25):
            taken[i].extend(batch)
            books[i].finish([d.id for d in batch])

    threads = [threading.Thread(target=sender, args=(i,)) for i in range(len(books))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    ids = [d.id for batch in taken for d in batch]
    assert len(ids) == len(set(ids)) == 2 * CHATS  # every delivery once, by one instance
    assert books[1].counts()["sent"] == 2 * CHATS and books[2].counts()["pending"] == 0
    assert all(d.attempts == 1 for batch in taken for d in batch)
    for store in stores:
        store.close()


def test_a_claimed_delivery_is_not_claimed_again(database: object) -> None:
    store = Store(database)  # type: ignore[arg-type]
    book = SubscriptionBook(store)
    sub = book.add(5, Kind.TOPIC, "ferry fares")
    book.queue([(sub.id, "a1", [1]), (sub.id, "a2", [2])])
    first = book.claim(Schedule.INSTANT)
    assert [d.article_id for d in first] == ["a1"]  # one a chat a batch
    second = book.claim(Schedule.INSTANT)
    assert [d.article_id for d in second] == ["a2"]
    assert book.claim(Schedule.INSTANT) == []
    assert book.release() == 2
    store.close()
