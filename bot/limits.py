"""What the bot may send to Telegram and when: its limits, paced before Telegram refuses.

Telegram counts the overall limit per bot token, not per process: the overall pace is a seam
(`Pace`). One process (SQLite: one machine) paces in memory (`LocalPace`); several instances
on one PostgreSQL share one budget in the database (bot.budget.SharedPace). The per-chat and
per-group pacing stays in each process.

One policy for all of Telegram's refusals for flooding (429, RetryAfter): the rate limiter
waits the `retry_after` Telegram gives, holding every other call meanwhile, and tries again up
to `MAX_RETRIES` times; a call refused even then reaches its caller, which puts the message
back in its queue (deliveries, digests) or tells the error handler (answers). Waits are read
through `retry_after_seconds` everywhere.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from aiolimiter import AsyncLimiter
from telegram.error import RetryAfter
from telegram.ext import AIORateLimiter

# Telegram allows about 30 messages a second overall and 20 a minute to one group; it counts
# when a message arrives, we when it leaves, and the two differ by the network's jitter and by
# any stall of our event loop (110-170 ms were seen on a busy 2-core machine, enough to put a
# few more than 30 in one of Telegram's seconds). So we pace at 80 % of each limit: 24 a
# second, 16 a minute to a group, one message every 1.25 s to a chat. The leaky bucket lets
# BURST messages through at once and then drains at its rate, so any one-second (one-minute)
# window holds both: BURST + 20 = 24, BURST + 12 = 16.
TELEGRAM_PER_SECOND = 30
TELEGRAM_PER_GROUP_MINUTE = 20
HEADROOM = 0.8
BURST = 4
OVERALL_PER_SECOND = int(TELEGRAM_PER_SECOND * HEADROOM)  # 24
GROUP_PER_MINUTE = int(TELEGRAM_PER_GROUP_MINUTE * HEADROOM)  # 16
MAX_RETRIES = 3
# Calls at most between taking their overall token and Telegram's answer. On a busy machine a
# call can spend seconds in the HTTP client after the limiter let it go (each step waits for
# the event loop, which the worker threads keep from the interpreter), so calls let go a second
# apart could reach Telegram together. A call takes its token only once it holds one of these
# slots: any second on the wire carries the 24 let go in it and at most the 6 let go before it,
# Telegram's 30.
IN_FLIGHT = TELEGRAM_PER_SECOND - OVERALL_PER_SECOND  # 6
# Calls that put a message in a chat: Telegram allows about one a second to one chat; we send
# one every 1.25 s (80 % again: two sends paced exactly a second apart can arrive closer).
CHAT_INTERVAL = 1 / HEADROOM
CHAT_PACED = frozenset({"sendMessage", "sendDocument", "sendPhoto", "editMessageText"})


def retry_after_seconds(exc: RetryAfter) -> float:
    """The wait Telegram asked for (an int today, a timedelta in python-telegram-bot 23)."""
    retry = exc.retry_after
    return retry.total_seconds() if isinstance(retry, dt.timedelta) else float(retry)


class Pace(Protocol):
    """The overall pace of the bot's messages: `take` returns when the next one may leave."""

    async def take(self) -> None: ...

    async def hold(self, seconds: float) -> None:
        """Telegram refused a message for flooding: no message leaves for `seconds`."""

    async def close(self) -> None: ...


class LocalPace:
    """The overall pace of one process: aiolimiter's leaky bucket, BURST at once, then draining
    at OVERALL_PER_SECOND - BURST a second."""

    def __init__(self, per_second: int = OVERALL_PER_SECOND, burst: int = BURST) -> None:
        self._limiter = AsyncLimiter(max_rate=burst, time_period=burst / (per_second - burst))

    async def take(self) -> None:
        await self._limiter.acquire()

    async def hold(self, seconds: float) -> None:
        """Nothing to do: the rate limiter already holds every call of this process."""

    async def close(self) -> None:
        """Nothing to release."""


class ChatRateLimiter(AIORateLimiter):
    """python-telegram-bot's limiter (per group, and its retries after a 429) plus one message a
    second to each chat: a chat getting many messages at once (an admin's bulk upload, several
    deliveries) waits its turn instead of drawing 429s, which would pause every other chat's
    messages too. Every call to a chat then takes one of IN_FLIGHT slots and its turn from the
    overall `pace` (in memory unless one is given).
    The one per-chat pacer of the bot: replies and deliveries alike go through it."""

    def __init__(self, pace: Pace | None = None) -> None:
        super().__init__(
            overall_max_rate=0,  # the pace's, taken in `_paced` after the chat's turn and a slot
            group_max_rate=BURST,
            group_time_period=60 * BURST / (GROUP_PER_MINUTE - BURST),
            max_retries=MAX_RETRIES,
        )
        self.pace: Pace = pace or LocalPace()
        self._in_flight = asyncio.Semaphore(IN_FLIGHT)
        self._chats: dict[int | str, AsyncLimiter] = {}
        self.pending = 0  # requests waiting for their turn or on their way

    @property
    def has_room(self) -> bool:
        """Whether a request now would leave at once rather than queue behind others."""
        return self.pending < BURST

    async def process_request(  # type: ignore[no-untyped-def]
        self, callback, args, kwargs, endpoint, data, rate_limit_args
    ):
        chat_id = data.get("chat_id")
        if chat_id is not None:  # what Telegram counts against the overall limit
            chat = self._chat_limiter(chat_id) if endpoint in CHAT_PACED else None
            callback = _paced(callback, self.pace, chat, self._in_flight)
        self.pending += 1
        try:
            return await super().process_request(
                callback, args, kwargs, endpoint, data, rate_limit_args
            )
        finally:
            self.pending -= 1

    async def shutdown(self) -> None:
        await self.pace.close()

    def _chat_limiter(self, chat_id: int | str) -> AsyncLimiter:
        if len(self._chats) > 512:  # forget chats whose limit is all unused again
            for key, limiter in list(self._chats.items()):
                if key != chat_id and limiter.has_capacity(limiter.max_rate):
                    del self._chats[key]
        if chat_id not in self._chats:
            self._chats[chat_id] = AsyncLimiter(max_rate=1, time_period=CHAT_INTERVAL)
        return self._chats[chat_id]


def _paced(
    call: Callable[..., Awaitable[Any]],
    pace: Pace,
    chat: AsyncLimiter | None,
    in_flight: asyncio.Semaphore,
) -> Callable[..., Any]:
    """The request, sent in the chat's turn, with a slot free and then within the overall
    pace, taken last so that it is close to the wire: paced after any pause for a 429 (which
    would otherwise release the queued messages at once). A 429 holds the pace: shared, it
    holds every instance."""

    async def paced(*args: Any, **kwargs: Any) -> Any:
        if chat is not None:
            await chat.acquire()
        async with in_flight:
            await pace.take()
            try:
                return await call(*args, **kwargs)
            except RetryAfter as exc:
                await pace.hold(retry_after_seconds(exc))
                raise

    return paced
