"""Two bot instances on one PostgreSQL, behind a load balancer: the stand-in delivers each
update by webhook to one of them in turn, as a balancer in front of a server pool would.

Every question is answered exactly once, by whichever instance got it; an article added
through one instance is found through the other within 5 s; one elected instance sends the
fan-out, and when it dies the other takes over and nothing is lost; the two together stay
within Telegram's overall limit (one send budget for the bot token, in the database).
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
import sqlalchemy as sa

from bot.delivery import send_digests
from bot.subscriptions import Kind, Schedule
from retrieval.embedder import Embedder
from standin import StandIn
from tests.bot.conftest import sample_bytes, start_standin
from tests.bot.instances import Instance

DAM_TOPIC = "dam collapse and flooding"

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

DAM_QUESTION = "how many villages were evacuated after the dam broke?"
DAM_TITLE = "📰 Dam on Ostrel River gives way"
# A second dam failure (invented), so that a daily subscription's digest gathers two articles.
HALVMERE = """Halvmere reservoir dam collapses in the night, flooding the Ottrin valley
Lead: On Nov. 2, 2025 in Ottrin, the Halvmere reservoir dam collapsed after a week of storms, \
flooding four hamlets downstream; one person is missing.
Key Takeaways
  • The dam wall gave way at about 01:10 local time.
  • About 800 residents of the Ottrin valley were evacuated by boat.
Verified Facts
The Ottrin valley flood office said the collapse of the dam released most of the reservoir \
within two hours. Floodwater stood a metre deep in the hamlets of Vessby and Marrow Ford by dawn.
Official Statements
"The dam collapse caught the valley asleep. Our crews are still searching the flooded hamlets."
Idris Vellacott, Head of the Ottrin Flood Office (Ottrin, Nov. 2, 2025)
Unconfirmed
  • Farmers say cracks in the dam wall were reported to the owner in the spring.
Bottom Line
The Halvmere collapse leaves the Ottrin valley under water and its dam owner facing questions.
Sources
"""
HALVMERE_TITLE = "📰 Halvmere reservoir dam collapses"


def subscribe_all(standin: StandIn, instance: Instance, readers: range, schedule: Schedule) -> None:
    """Every reader subscribed to the dam topic straight in the book."""
    library, book = instance.services.library, instance.services.subscriptions
    (vector,) = library.encode_queries([DAM_TOPIC])
    for chat in readers:
        standin.chat(chat)
        book.add(chat, Kind.TOPIC, DAM_TOPIC, schedule, vector, library.embedder.name)


@pytest.fixture
async def pool(
    tmp_path: Path, bot_embedder: Embedder, postgres_url: str
) -> AsyncIterator[tuple[StandIn, Instance, Instance]]:
    standin = await start_standin()
    first = Instance(standin, tmp_path / "first", postgres_url, bot_embedder)
    second = Instance(standin, tmp_path / "second", postgres_url, bot_embedder)
    try:
        await first.start()  # the first up is elected sender
        await second.start()
        standin.balance_webhook([first.local_url, second.local_url])
        yield standin, first, second
    finally:
        try:
            for instance in (second, first):
                await instance.stop()
        finally:
            await standin.stop()


async def test_updates_by_webhook_to_either_instance_are_answered_once(
    pool: tuple[StandIn, Instance, Instance],
) -> None:
    standin, first, second = pool
    assert first.services.election.holds_lock and not second.services.election.holds_lock

    standin.pinned = 0  # the admin's upload goes to the first instance
    await first.add_article(sample_bytes("dam"), "dam.txt")
    added = time.monotonic()
    standin.pinned = 1  # questions to the second, until its index has taken the article in
    reader = 5001
    while DAM_TITLE not in (await second.ask(reader, DAM_QUESTION))["text"]:
        assert time.monotonic() - added < 5.0, "the other instance did not find it in 5 s"
        await asyncio.sleep(0.2)

    standin.pinned = None  # in turn, as a balancer does
    readers = range(5101, 5109)
    for user in readers:
        standin.send_message(user, DAM_QUESTION)
    for user in readers:
        await standin.wait_for_messages(user, 1, timeout=20)
    await asyncio.sleep(1.5)  # a second answer, were there one, would be in by now
    assert [len(standin.messages(u)) for u in readers] == [1] * len(readers)
    assert all(DAM_TITLE in standin.messages(u)[0]["text"] for u in readers)
    targets = Counter(index for _, index in standin.webhook_log[-len(readers) :])
    assert targets == {0: 4, 1: 4}
    standin.assert_no_refusals()


async def test_the_webhook_refuses_a_request_without_the_secret_token(
    pool: tuple[StandIn, Instance, Instance],
) -> None:
    _, first, _ = pool
    update = {"update_id": 999_999, "message": {"message_id": 1, "date": 0,
              "chat": {"id": 1, "type": "private"}, "text": "hello"}}  # fmt: skip
    async with aiohttp.ClientSession() as session:
        for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "guessed"}):
            async with session.post(first.local_url, json=update, headers=headers) as response:
                assert response.status == 403


async def test_one_sender_sends_the_fan_out_and_the_other_takes_over_when_it_dies(
    pool: tuple[StandIn, Instance, Instance], postgres_url: str
) -> None:
    standin, first, second = pool
    readers = list(range(6001, 6061))
    for user in readers:  # subscribed through both instances, in turn
        standin.send_message(user, "/subscribe dam collapse and flooding")
        await asyncio.sleep(0.1)  # a person's pace
    for user in readers:
        await standin.wait_for_messages(user, 1, timeout=30)

    standin.pinned = 1  # added through the instance that does not send
    await second.add_article(sample_bytes("dam"), "dam.txt")

    def notified() -> list[int]:
        return [u for u in readers if len(standin.messages(u)) >= 2]

    await first.wait_until(lambda: len(notified()) >= 10, timeout=30)
    assert not second.services.election.is_sender
    # The sender dies: the server ends its sessions, its lock among them, as after SIGKILL.
    with sa.create_engine(postgres_url).connect() as admin:
        admin.execute(
            sa.text(
                "SELECT pg_terminate_backend(pid) FROM pg_locks"
                " WHERE locktype = 'advisory' AND granted"
            )
        )
    await first.wait_until(lambda: second.services.election.is_sender, timeout=10)
    await first.wait_until(lambda: not first.services.election.is_sender, timeout=10)
    await first.wait_until(lambda: len(notified()) == len(readers), timeout=60)

    # Every reader notified once: nothing lost, and no two senders at once (the new one
    # waits out the grace time, by which the old one has seen it lost and stopped).
    counts = Counter(len(standin.messages(u)) - 1 for u in readers)
    assert counts == {1: len(readers)}, counts
    book = second.services.subscriptions
    await first.wait_until(lambda: book.counts()["sent"] == len(readers))  # recorded, too
    assert book.counts()["pending"] == 0
    standin.assert_no_refusals()


async def test_a_fan_out_of_2000_while_the_other_instance_answers_stays_within_the_limit(
    pool: tuple[StandIn, Instance, Instance],
) -> None:
    standin, first, second = pool
    await first.wait_until(lambda: first.services.election.is_sender)
    book = first.services.subscriptions
    readers = range(700_000, 702_000)
    # As 2,000 /subscribe would, without 2,000 replies first.
    await asyncio.to_thread(subscribe_all, standin, first, readers, Schedule.INSTANT)
    standin.pinned = 1  # the admin and everyone asking meanwhile talk to the other instance
    summary = await second.add_article(sample_bytes("dam"), "dam.txt")
    assert f"Subscribers to notify: {len(readers)}" in summary["text"], summary["text"]
    await first.wait_until(lambda: book.counts()["sent"] >= 100, timeout=120)
    # The sender goes at the bot's full pace; 150 people write to the other instance at 15 a
    # second meanwhile. Paced apart, the two would send about 39 messages a second.
    askers = range(800_000, 800_150)
    for user in askers:
        standin.send_message(user, "/help")
        await asyncio.sleep(1 / 15)
    for user in askers:
        await standin.wait_for_messages(user, 1, timeout=120)
    await first.wait_until(lambda: book.counts()["sent"] == len(readers), timeout=600)
    await asyncio.sleep(1.5)  # a message sent twice would be in by now

    assert all(len(standin.messages(u)) == 1 for u in askers)
    counts = Counter(len(standin.messages(chat)) for chat in readers)
    assert counts == {1: len(readers)}, counts  # every delivery sent once, none lost
    assert all("Dam on Ostrel River" in standin.messages(c)[0]["text"] for c in readers)
    assert book.counts()["pending"] == 0
    answered_by_second = {index for _, index in standin.webhook_log[-len(askers) :]}
    assert answered_by_second == {1}
    assert standin.stats.limited == 0  # no 429: not one over Telegram's 30 a second
    assert standin.stats.max_per_second_overall <= 30
    standin.assert_no_refusals()


async def test_the_digest_round_is_finished_by_the_instance_that_takes_over(
    pool: tuple[StandIn, Instance, Instance], postgres_url: str
) -> None:
    standin, first, second = pool
    await first.wait_until(lambda: first.services.election.is_sender)
    book = first.services.subscriptions
    readers = range(900_000, 900_300)
    # As 300 "/subscribe … daily" would.
    await asyncio.to_thread(subscribe_all, standin, first, readers, Schedule.DAILY)
    standin.pinned = 1
    for content, name in ((sample_bytes("dam"), "dam.txt"), (HALVMERE.encode(), "halvmere.txt")):
        summary = await second.add_article(content, name)
        assert f"Subscribers to notify: {len(readers)}" in summary["text"], summary["text"]
    assert await first.quiet(readers[0]) == []  # daily: nothing before the digest

    def digested() -> list[int]:
        return [c for c in readers if standin.messages(c)]

    # The digest hour: the daily job runs on both instances; the sender sends.
    for instance in (first, second):
        instance.app.job_queue.run_once(send_digests, 0)
    await first.wait_until(lambda: len(digested()) >= 30, timeout=120)
    with sa.create_engine(postgres_url).connect() as admin:  # the sender dies mid-round
        admin.execute(
            sa.text(
                "SELECT pg_terminate_backend(pid) FROM pg_locks"
                " WHERE locktype = 'advisory' AND granted"
            )
        )
    await first.wait_until(lambda: not first.services.election.is_sender, timeout=10)
    assert len(digested()) < len(readers)  # the round was cut short: the rest is the new one's
    await first.wait_until(lambda: second.services.election.is_sender, timeout=10)
    await first.wait_until(lambda: len(digested()) == len(readers), timeout=120)
    await asyncio.sleep(1.5)  # a second digest, were there one, would be in by now

    # One digest a subscription, with both articles: none split, none sent twice, none lost.
    for chat in readers:
        (digest,) = standin.messages(chat)
        assert digest["text"].startswith(f"🗞 Daily digest: “{DAM_TOPIC}”"), digest["text"]
        assert DAM_TITLE in digest["text"] and HALVMERE_TITLE in digest["text"], digest["text"]
    await first.wait_until(lambda: book.counts()["sent"] == 2 * len(readers))
    assert book.counts()["pending"] == 0
    standin.assert_no_refusals()
