"""A subscription fan-out through the real bot and the stand-in, measured (test and benchmark).

Chats subscribe to topics that one new article matches: most private chats once, some private
chats and some groups several times (one message per subscription, so a chat gets several).
The admin adds the article with /add; the bot queues the deliveries and sends them. The
stand-in enforces Telegram's limits (about 30 messages a second overall, one a second to a
chat after a burst of three, 20 a minute to a group) and counts the busiest windows.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path

from bot.subscriptions import Kind, Schedule
from retrieval.embedder import HashingEmbedder
from standin import StandIn
from tests.bot.conftest import ADMIN_ID, BOT_USERNAME, BotHarness, bot_settings
from tests.conftest import spec_or_none
from tests.reliability.articles import briefing, question, speaker, word

ARTICLE = 0
FIRST_CHAT = 100_000
FIRST_GROUP = -200_000


def topics() -> list[str]:
    """Different topics, each of which the article matches."""
    town = word(ARTICLE, 3).capitalize()
    return [
        question(ARTICLE),
        f"{town} port audit of the {word(ARTICLE, 5)} depot",
        f"what did {speaker(ARTICLE)} say about the crates",
    ]


@dataclass
class FanOut:
    """What happened: messages by chat, timing, and the stand-in's counts."""

    expected: dict[int, int]
    received: dict[int, int] = field(default_factory=dict)
    seconds: float = 0.0
    max_per_second_overall: int = 0
    max_per_second_chat: int = 0
    max_per_minute_group: int = 0
    too_many_requests: int = 0  # 429 answers
    retried_early: int = 0  # retries sent before the retry_after of their 429 had passed
    refusals: list[str] = field(default_factory=list)
    lost: set[int] = field(default_factory=set)  # chats where Telegram's answer was lost once
    unsure: int = 0  # sends the bot logged as "may arrive twice" (no answer from Telegram)

    def report(self) -> str:
        n = sum(self.expected.values())
        return (
            f"{len(self.expected)} chats, {n} deliveries: "
            f"{sum(self.received.values())} messages in {self.seconds:.1f} s "
            f"({n / max(self.seconds, 1e-9):.1f}/s); busiest second overall "
            f"{self.max_per_second_overall}, busiest second to one chat "
            f"{self.max_per_second_chat}, busiest minute to one group "
            f"{self.max_per_minute_group}; 429s {self.too_many_requests}, "
            f"retried early {self.retried_early}; replies lost {len(self.lost)}, sends the "
            f"bot could not confirm {self.unsure}, resent {self.resends}; "
            f"exactly once: {self.exactly_once}"
        )

    @property
    def resends(self) -> int:
        """Messages beyond what the chats' subscriptions call for."""
        return sum(max(0, self.received.get(c, 0) - n) for c, n in self.expected.items())

    @property
    def exactly_once(self) -> bool:
        """Every chat got what it subscribed to; once more only where Telegram's answer was
        lost (Telegram has no idempotency key: the bot cannot know the first one arrived)."""
        return all(
            self.received.get(c, 0) - n in ((0, 1) if c in self.lost else (0,))
            for c, n in self.expected.items()
        )


async def fan_out(
    data_dir: Path,
    private: int,
    *,
    multi: int = 0,
    groups: int = 0,
    overall_per_second: int = 30,
    throttled: dict[int, int] | None = None,
    lost: int = 0,
    timeout: float = 600.0,
) -> FanOut:
    """`private` chats with one subscription, `multi` private chats and `groups` groups with
    one subscription per topic; returns what the stand-in saw.

    `throttled` maps the n-th private chat to how many 429s its first attempts get (a chat
    Telegram keeps refusing for a while). The first `lost` private chats' first message is
    delivered but its answer lost on the way back.
    """
    throttled = {FIRST_CHAT + n: times for n, times in (throttled or {}).items()}
    logging.getLogger("httpx").setLevel(logging.WARNING)
    standin = StandIn(
        spec_path=spec_or_none(),
        bot_username=BOT_USERNAME,
        overall_per_second=overall_per_second,
    )
    attempts: list[tuple[float, int, int | None]] = []
    acquire = standin.limiter.acquire

    def counted(chat_id: int) -> int | None:
        if throttled.get(chat_id, 0) > 0:
            throttled[chat_id] -= 1
            standin.limiter.stats.limited += 1
            wait: int | None = 1
        else:
            wait = acquire(chat_id)
        attempts.append((standin.limiter.clock(), chat_id, wait))
        return wait

    standin.limiter.acquire = counted
    unsure = _Counting("may arrive twice")
    logging.getLogger("bot.delivery").addHandler(unsure)
    await standin.start()
    settings = bot_settings(standin, data_dir)
    harness = BotHarness(standin, settings, HashingEmbedder())
    await harness.start()
    try:
        services = harness.services
        library = services.library
        vectors = dict(zip(topics(), library.encode_queries(topics()), strict=True))
        expected: dict[int, int] = {}
        chats = [(FIRST_CHAT + i, topics()[:1]) for i in range(private)]
        chats += [(FIRST_CHAT + private + i, topics()) for i in range(multi)]
        chats += [(FIRST_GROUP - i, topics()) for i in range(groups)]
        for chat, chosen in chats:
            standin.chat(chat, "private" if chat > 0 else "group")
            for topic in chosen:
                services.subscriptions.add(
                    chat, Kind.TOPIC, topic, Schedule.INSTANT, vectors[topic], library.embedder.name
                )
            expected[chat] = len(chosen)
        result = FanOut(expected=expected, lost={FIRST_CHAT + n for n in range(lost)})
        for chat in result.lost:
            standin.lose_reply(chat)
        started = time.monotonic()
        summary = await harness.add_article(briefing(ARTICLE).encode(), "audit.txt")
        assert f"Subscribers to notify: {sum(expected.values())}" in summary["text"], summary
        total = sum(expected.values())
        await harness.wait_until(
            lambda: services.subscriptions.counts()["sent"] == total, timeout=timeout
        )
        result.seconds = time.monotonic() - started
        await asyncio.sleep(1.5)  # anything sent twice would show now
        result.received = {chat: len(standin.messages(chat)) for chat in expected}
    finally:
        await harness.stop()
        await standin.stop()
        logging.getLogger("bot.delivery").removeHandler(unsure)
    result.unsure = unsure.count
    stats = standin.stats
    result.max_per_second_overall = stats.max_per_second_overall
    result.max_per_second_chat = max(
        (n for chat, n in stats.max_per_second_by_chat.items() if chat != ADMIN_ID), default=0
    )
    result.max_per_minute_group = max(
        (n for chat, n in stats.max_per_minute_by_chat.items() if chat < 0), default=0
    )
    result.too_many_requests = stats.limited
    result.retried_early = _retried_early(attempts)
    result.refusals = [f"{r.method} {r.error_code} {r.description}" for r in standin.refusals]
    return result


class _Counting(logging.Handler):
    """Counts the log records whose message holds a phrase."""

    def __init__(self, phrase: str) -> None:
        super().__init__(logging.WARNING)
        self.phrase, self.count = phrase, 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += self.phrase in record.getMessage()


def _retried_early(attempts: list[tuple[float, int, int | None]]) -> int:
    """Messages to a chat sent again before the retry_after its 429 named had passed."""
    early = 0
    for i, (at, chat, wait) in enumerate(attempts):
        if wait is None:
            continue
        later = next((t for t, c, _ in attempts[i + 1 :] if c == chat), None)
        if later is not None and later < at + wait - 0.05:
            early += 1
    return early
