"""SIGKILL during a subscription fan-out; after a restart every queued delivery is sent once.

40 chats subscribe to a topic and one new article matches them all. The bot runs in its own
process (tests/reliability/bot_driver.py) against the stand-in in this one, and is killed at
a named point of the delivery loop or at a random moment; then the real bot restarts in this
process on the same data directory. The stand-in counts what each chat received.

Telegram has no idempotency key: a message Telegram accepted just before the kill, whose
outcome the store had not yet recorded, is sent again (at least once, never lost). The test
computes that one ambiguous delivery from the store and the stand-in at the moment of the
kill, and requires every other chat to get exactly one message.
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import sqlite3
import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from bot.app import build_services
from bot.settings import Settings
from bot.subscribing import match_new_articles
from bot.subscriptions import Kind, Schedule
from retrieval.embedder import HashingEmbedder
from retrieval.library import STORE_FILE, Library
from standin import StandIn
from tests.bot.conftest import ADMIN_ID, BotHarness, bot_settings, start_standin
from tests.reliability.articles import briefing, question

pytestmark = pytest.mark.reliability

ROOT = Path(__file__).resolve().parents[2]
CHATS = list(range(7001, 7041))
KILLS = ["claimed:1", "send:12", "sent:7", "finished:31", "claimed:2"]
RANDOM_KILLS = 2


@pytest.fixture
async def standin() -> AsyncIterator[StandIn]:
    server = await start_standin()
    yield server
    await server.stop()


def queue_fan_out(settings: Settings, *, ingest: bool = True) -> int:
    """Subscribe every chat to the article's topic and (unless not `ingest`) add the article
    and queue its deliveries."""
    library = Library(settings.data_dir, HashingEmbedder())
    try:
        services = build_services(settings, library)
        (vector,) = library.encode_queries([question(0)])
        for chat in CHATS:
            services.subscriptions.add(
                chat, Kind.TOPIC, question(0), Schedule.INSTANT, vector, library.embedder.name
            )
        if not ingest:
            return 0
        library.ingest(briefing(0), filename="a0.txt")
        return match_new_articles(services)
    finally:
        library.close()


def states(data_dir: Path) -> dict[int, str]:
    """Delivery state by chat, straight from SQLite."""
    conn = sqlite3.connect(data_dir / STORE_FILE)
    try:
        rows = conn.execute(
            "SELECT s.chat_id, d.state FROM deliveries d JOIN subscriptions s"
            " ON s.id = d.subscription_id"
        ).fetchall()
    finally:
        conn.close()
    return dict(rows)


# How long a bot process may take to start (models: embedding, spaCy, the language detector)
# and reach its first send, on a busy machine: a bound on waiting, not a speed requirement.
START = 120


async def run_and_kill(
    standin: StandIn,
    data_dir: Path,
    kill_at: str | None,
    delay: float,
    *,
    then: Callable[[], object] | None = None,
) -> None:
    """Run the bot in its own process until it is killed at `kill_at` (or after `delay`
    seconds of fan-out); `then` plays a user once the bot is up."""
    env = {
        **os.environ,
        "BRIEFBOT_KILL_AT": kill_at or "",
        "BRIEFBOT_ADMIN_IDS": str(ADMIN_ID),
        "TELEGRAM_BOT_TOKEN": standin.token,
        "TELEGRAM_API_URL": standin.base_url,
        "TELEGRAM_FILE_URL": standin.base_file_url,
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.reliability.bot_driver", str(data_dir),
        cwd=ROOT, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    if then is not None:
        assert process.stdout is not None
        assert (await asyncio.wait_for(process.stdout.readline(), START)).strip() == b"READY"
        then()
    if kill_at is None:  # a random moment once the fan-out has begun
        await standin.wait_for(lambda: len(standin.sent_log) > 0, timeout=START)
        await asyncio.sleep(delay)
        process.send_signal(signal.SIGKILL)
    _, stderr = await asyncio.wait_for(process.communicate(), timeout=START)
    assert process.returncode == -signal.SIGKILL, stderr.decode()[-2000:]


async def restart_until_sent(standin: StandIn, settings: Settings) -> None:
    """The real bot restarted in this process on the data directory, until every delivery is
    recorded as sent (and a moment more, for any second try)."""
    harness = BotHarness(standin, settings, HashingEmbedder())
    await harness.start()
    try:
        await harness.wait_until(
            lambda: harness.services.subscriptions.counts()["sent"] == len(CHATS), timeout=60
        )
        await asyncio.sleep(1.0)
    finally:
        await harness.stop()


def received(standin: StandIn) -> dict[int, int]:
    return {chat: len(standin.messages(chat)) for chat in CHATS}


async def kill_then_restart(standin: StandIn, tmp_path: Path, kill_at: str | None, delay: float):
    settings = bot_settings(standin, tmp_path)
    assert queue_fan_out(settings) == len(CHATS)
    await run_and_kill(standin, tmp_path, kill_at, delay)

    at_kill = received(standin)
    left = states(tmp_path)
    # Accepted by Telegram, not recorded as sent: the one delivery a restart repeats.
    ambiguous = {c for c in CHATS if at_kill[c] and left[c] != "sent"}
    assert len(ambiguous) <= 1, ambiguous  # one message in flight at a time
    assert all(at_kill[c] == 1 for c in CHATS if left[c] == "sent")

    await restart_until_sent(standin, settings)
    after = received(standin)
    assert {c for c in CHATS if after[c] != 1} == ambiguous, after
    assert all(after[c] == 2 for c in ambiguous)
    assert standin.stats.max_per_second_overall <= 30
    standin.assert_no_refusals()
    sent_before = sum(at_kill.values())
    print(
        f"killed at {kill_at or f'{delay:.2f}s'}: {sent_before} sent before the kill, "
        f"{sum(after.values())} messages for {len(CHATS)} deliveries "
        f"({len(ambiguous)} in flight at the kill, sent again)"
    )
    return ambiguous


@pytest.mark.parametrize("kill_at", KILLS)
async def test_fan_out_killed_at_a_named_point(
    standin: StandIn, tmp_path: Path, kill_at: str
) -> None:
    ambiguous = await kill_then_restart(standin, tmp_path, kill_at, 0.0)
    # Only a kill between Telegram's acceptance and the store's record repeats a message.
    assert bool(ambiguous) == kill_at.startswith("sent:")


@pytest.mark.parametrize("seed", range(RANDOM_KILLS))
async def test_fan_out_killed_at_a_random_time(standin: StandIn, tmp_path: Path, seed: int) -> None:
    await kill_then_restart(standin, tmp_path, None, random.Random(seed).uniform(0.0, 1.2))


async def test_killed_between_the_commit_and_the_queue(standin: StandIn, tmp_path: Path) -> None:
    """An /add whose article is committed but whose deliveries are not yet queued when the
    bot dies: the restarted bot matches it (the store's change log is past its cursor) and
    every subscriber gets it once."""
    settings = bot_settings(standin, tmp_path)
    queue_fan_out(settings, ingest=False)

    def add() -> None:
        standin.send_message(ADMIN_ID, "/add " + briefing(0))

    await run_and_kill(standin, tmp_path, "queue:1", 0.0, then=add)
    assert states(tmp_path) == {}, "killed before anything was queued"
    assert sum(received(standin).values()) == 0

    await restart_until_sent(standin, settings)
    assert set(received(standin).values()) == {1}
    standin.assert_no_refusals()
