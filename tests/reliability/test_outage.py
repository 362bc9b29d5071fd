"""Telegram unreachable for a while in the middle of a fan-out: nothing is lost.

The stand-in stops serving (connections refused) after the first deliveries and comes back on
the same port a few seconds later; every subscriber must still get the article, once.
"""

from __future__ import annotations

import asyncio

import pytest

from bot.subscriptions import Kind, Schedule
from tests.bot.conftest import ADMIN_ID, BotHarness
from tests.reliability.articles import briefing, question

pytestmark = pytest.mark.reliability

CHATS = list(range(8001, 8101))


async def test_deliveries_wait_out_an_outage(harness: BotHarness) -> None:
    h = harness
    services = h.services
    (vector,) = services.library.encode_queries([question(0)])
    for chat in CHATS:
        h.standin.chat(chat)
        services.subscriptions.add(
            chat, Kind.TOPIC, question(0), Schedule.INSTANT, vector, services.library.embedder.name
        )
    await h.add_article(briefing(0).encode(), "a0.txt")
    await h.standin.wait_for(lambda: sum(h.count(c) for c in CHATS) >= 8, timeout=20)

    port = h.standin.port
    await h.standin.stop()  # Telegram unreachable: every call fails with a network error
    before = sum(h.count(c) for c in CHATS)
    await asyncio.sleep(8.0)
    await h.standin.start(port)
    counts = services.subscriptions.counts()
    print(f"{before} of {len(CHATS)} delivered before an 8 s outage; then {counts}")

    await h.wait_until(lambda: services.subscriptions.counts()["sent"] == len(CHATS), timeout=90)
    await asyncio.sleep(1.0)
    received = [h.count(c) for c in CHATS]
    assert received == [1] * len(CHATS), received
    assert services.subscriptions.counts()["failed"] == 0
    assert h.count(ADMIN_ID) == 1
