"""The send budget that instances on one PostgreSQL share: Telegram's overall limit is the bot
token's, so two instances reserving at once together stay within it."""

from __future__ import annotations

import asyncio
import logging
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa

from bot.budget import SharedPace, bot_id
from bot.limits import BURST, OVERALL_PER_SECOND, ChatRateLimiter, LocalPace
from bot.subscriptions import SubscriptionBook
from corpus.store import Store

pytestmark = pytest.mark.postgres

BOT = 7_000_000_001


def paces(url: str, count: int) -> tuple[list[Store], list[SharedPace]]:
    """`count` instances' paces, each over a store of its own on one database."""
    stores = [Store(url) for _ in range(count)]
    SubscriptionBook(stores[0])  # the bot's migrations, as at an instance's start
    return stores, [SharedPace(store, BOT) for store in stores]


def test_two_instances_reserving_at_once_stay_within_the_overall_limit(postgres_url: str) -> None:
    stores, (first, second) = paces(postgres_url, 2)
    try:
        with ThreadPoolExecutor(2) as pool:
            runs = [pool.submit(lambda p=p: [p.reserve() for _ in range(60)])
                    for p in (first, second)]  # fmt: skip
            moments = sorted(m.at for run in runs for m in run.result())
        # Any one second holds at most OVERALL_PER_SECOND of the 120 messages: the next one
        # after those is a second or more later (the database's clock, not this test's).
        later = [b - a for a, b in zip(moments, moments[OVERALL_PER_SECOND:], strict=False)]
        assert min(later) >= 1.0 - 1e-6, min(later)
        # The burst goes at once, then one every 1/20 s: 120 messages span 116 / 20 s.
        assert moments[-1] - moments[0] >= (120 - BURST) / (OVERALL_PER_SECOND - BURST) - 0.01
    finally:
        for store in stores:
            store.close()


def test_a_refusal_seen_by_one_instance_holds_the_other(postgres_url: str) -> None:
    stores, (first, second) = paces(postgres_url, 2)
    try:
        resume = first.stop_for(3.0)
        assert second.reserve().at >= resume
        assert first.reserve().at >= resume
    finally:
        for store in stores:
            store.close()


def test_bots_on_one_database_have_budgets_of_their_own(postgres_url: str) -> None:
    stores, (first,) = paces(postgres_url, 1)
    other = SharedPace(stores[0], bot_id("7000000002:AAother"))
    try:
        first.stop_for(30.0)
        assert other.reserve().wait == 0.0  # another token's messages are not held
    finally:
        stores[0].close()


async def test_the_rate_limiter_waits_out_a_hold_another_instance_saw(postgres_url: str) -> None:
    stores, (mine, theirs) = paces(postgres_url, 2)
    limiter = ChatRateLimiter(mine)
    sent: list[float] = []

    async def send(*_: object) -> dict:
        sent.append(time.time())  # the database runs on this machine: one clock
        return {}

    try:
        resume = await asyncio.to_thread(theirs.stop_for, 1.0)  # a 429 seen by the other
        await limiter.process_request(send, (), {}, "sendMessage", {"chat_id": 5}, None)
        assert sent and sent[0] >= resume - 0.01
    finally:
        await limiter.shutdown()
        for store in stores:
            store.close()


def test_on_sqlite_the_pace_is_the_process_own() -> None:
    assert isinstance(ChatRateLimiter().pace, LocalPace)


async def test_an_instance_cut_off_from_the_database_paces_alone(
    postgres_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    stores, (pace,) = paces(postgres_url, 1)
    try:
        await pace.take()  # its connection is open
        pid = pace._connection().execute(sa.text("SELECT pg_backend_pid()")).scalar_one()
        with stores[0].read() as conn:
            conn.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        with caplog.at_level(logging.WARNING, logger="bot.budget"):
            for _ in range(BURST + 1):  # the message goes, paced in memory
                await pace.take()
        assert "paces alone" in caplog.text
        assert caplog.text.count("paces alone") == 1  # the database is left alone meanwhile
    finally:
        await pace.close()
        stores[0].close()
