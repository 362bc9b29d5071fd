"""Many users asking at once while an admin adds articles, through the real bot and the stand-in.

Measured: each question's latency (from the user's message reaching the stand-in to the
stand-in accepting the bot's answer), the longest stall of the bot's event loop (a watchdog
coroutine sleeps 10 ms and records how late it wakes; the stand-in serves from its own thread
and loop), and what went wrong (error log records, refused calls, questions left unanswered).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path

from retrieval.embedder import Embedder, HashingEmbedder
from retrieval.library import Library
from tests.bot.conftest import ADMIN_ID, BotHarness, bot_settings, start_standin
from tests.reliability.articles import briefing, question

FIRST_USER = 300_000
KNOWN = range(0, 20)  # in the corpus before the crowd arrives: every question has an answer
ADDED = range(100, 150)  # what the admin uploads meanwhile


def added(replies: list[dict]) -> int:
    """Articles the admin was told were added: one reply each, or the count in the summary
    that a burst of uploads shares (bot.uploads: "Added 12 of 13 files")."""
    total = 0
    for m in replies:
        if summary := re.match(r"Added (\d+) of \d+ files?", m["text"]):
            total += int(summary.group(1))
        else:
            total += m["text"].startswith("✅ Added")
    return total


@dataclass
class Crowd:
    latencies: list[float] = field(default_factory=list)
    unanswered: list[int] = field(default_factory=list)
    not_found: list[int] = field(default_factory=list)
    added: int = 0
    errors: list[str] = field(default_factory=list)
    refusals: list[str] = field(default_factory=list)
    too_many_requests: int = 0
    longest_stall: float = 0.0
    stalls_over_50ms: int = 0
    seconds: float = 0.0

    def report(self) -> str:
        ordered = sorted(self.latencies) or [float("nan")]

        def pct(q: float) -> float:
            return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]

        return (
            f"{len(self.latencies)} questions answered, {len(self.unanswered)} unanswered, "
            f"{len(self.not_found)} 'nothing found'; {self.added} articles added; "
            f"latency p50 {pct(0.5):.2f} s, p95 {pct(0.95):.2f} s, max {ordered[-1]:.2f} s "
            f"(mean {statistics.fmean(ordered):.2f} s); longest event-loop stall "
            f"{self.longest_stall * 1000:.0f} ms ({self.stalls_over_50ms} over 50 ms); "
            f"{self.seconds:.1f} s in all; "
            f"{len(self.errors)} errors logged, {len(self.refusals)} calls refused "
            f"({self.too_many_requests} of them 429)"
        )


class _Errors(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.seen: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        cause = f" ({record.exc_info[1]!r})" if record.exc_info else ""
        self.seen.append(f"{record.name}: {record.getMessage()}{cause}")


async def _watchdog(stop: asyncio.Event, worst: list[float], stalls: list[float]) -> None:
    loop = asyncio.get_running_loop()
    while not stop.is_set():
        before = loop.time()
        await asyncio.sleep(0.010)
        late = loop.time() - before - 0.010
        worst[0] = max(worst[0], late)
        if late > 0.05:
            stalls.append(late)


async def crowd(
    data_dir: Path,
    users: int = 200,
    *,
    embedder: Embedder | None = None,
    rate_limits: bool = True,
    timeout: float = 300.0,
) -> Crowd:
    """`users` users each ask one question at the same moment the admin uploads 50 articles."""
    logging.getLogger("httpx").setLevel(logging.WARNING)
    embedder = embedder or HashingEmbedder()
    library = Library(data_dir, embedder)
    library.ingest_many([(f"k{i}.txt", briefing(i), None) for i in KNOWN])
    library.close()
    # In its own thread, the stand-in counts each call against Telegram's limits when it
    # arrives, not when this loop, busy with the bot, gets round to reading it.
    standin = await start_standin(rate_limits=rate_limits, own_thread=True)
    settings = bot_settings(standin, data_dir)
    errors = _Errors()
    logging.getLogger().addHandler(errors)
    harness = BotHarness(standin, settings, embedder)
    result = Crowd()
    stop, worst, stalls = asyncio.Event(), [0.0], []
    await harness.start()
    watchdog = asyncio.create_task(_watchdog(stop, worst, stalls))
    try:
        asked: dict[int, float] = {}
        started = time.time()
        chats = [FIRST_USER + n for n in range(users)]
        uploads = iter(ADDED)
        for n, chat in enumerate(chats):  # the admin's uploads arrive among the questions
            await asyncio.sleep(0)  # users on their own devices: this loop is not the bot's
            standin.send_message(chat, question(KNOWN[n % len(KNOWN)]))
            asked[chat] = time.time()
            if n % (users // len(ADDED) or 1) == 0 and (i := next(uploads, None)) is not None:
                standin.send_document(ADMIN_ID, f"a{i}.txt", briefing(i).encode(), "text/plain",
                                      caption="/add")  # fmt: skip
        for i in uploads:
            standin.send_document(ADMIN_ID, f"a{i}.txt", briefing(i).encode(), "text/plain",
                                  caption="/add")  # fmt: skip

        def done() -> bool:
            answered = sum(1 for c in chats if standin.world.received.get(c, 0) >= 1)
            return answered == users and added(standin.messages(ADMIN_ID)) >= len(ADDED)

        with contextlib.suppress(TimeoutError):
            await standin.wait_for(done, timeout=timeout)
        result.seconds = time.time() - started
        await asyncio.sleep(0.5)
        first_reply: dict[int, float] = {}
        for call in standin.sent_log:
            if call.method == "sendMessage":
                chat = int(call.params["chat_id"])
                first_reply.setdefault(chat, call.at)
        for chat in chats:
            if chat not in first_reply:
                result.unanswered.append(chat)
                continue
            result.latencies.append(first_reply[chat] - asked[chat])
            (reply,) = standin.messages(chat)
            if not reply["text"].startswith("🔎"):
                result.not_found.append(chat)
        replies = standin.messages(ADMIN_ID)
        result.added = added(replies)
        # Taken before the bot stops: its last long poll, cut off, is no fault of the load.
        result.errors = list(errors.seen)
        result.refusals = [
            f"{r.method} {r.error_code} {r.description} (chat {r.params.get('chat_id')})"
            for r in standin.refusals
        ]
    finally:
        stop.set()
        await watchdog
        await harness.stop()
        await standin.stop()
        logging.getLogger().removeHandler(errors)
    result.longest_stall = worst[0]
    result.stalls_over_50ms = len(stalls)
    result.too_many_requests = standin.stats.limited
    return result
