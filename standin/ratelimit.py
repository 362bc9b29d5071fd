"""Telegram's broadcast limits, counted on messages the bot sends.

Defaults follow the Bot API FAQ: about 30 messages per second overall, one message per
second to one chat (Telegram tolerates a short burst, modelled here as a token bucket
of ``chat_burst`` messages refilled at ``per_chat_per_second``), and 20 messages per
minute to one group (negative chat id). A call over a limit is answered with 429 and an
integer ``retry_after`` of at least one second; refused calls are not counted.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

__all__ = ["RateLimiter", "RateStats"]


@dataclass
class RateStats:
    """The busiest windows observed among accepted messages."""

    max_per_second_overall: int = 0
    max_per_second_by_chat: dict[int, int] = field(default_factory=dict)
    max_per_minute_by_chat: dict[int, int] = field(default_factory=dict)
    limited: int = 0  # calls answered with 429


@dataclass
class _Bucket:
    tokens: float
    stamp: float


class RateLimiter:
    """Sliding windows and token buckets; ``acquire`` either counts a message or says wait."""

    def __init__(
        self,
        *,
        enabled: bool = True,
        overall_per_second: int = 30,
        per_chat_per_second: float = 1.0,
        chat_burst: int = 3,
        group_per_minute: int = 20,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.enabled = enabled
        self.overall_per_second = overall_per_second
        self.per_chat_per_second = per_chat_per_second
        self.chat_burst = chat_burst
        self.group_per_minute = group_per_minute
        self.clock = clock
        self.stats = RateStats()
        self._overall: deque[float] = deque()
        self._by_chat: dict[int, deque[float]] = {}
        self._buckets: dict[int, _Bucket] = {}

    def acquire(self, chat_id: int) -> int | None:
        """Count one message to ``chat_id``; return seconds to wait instead if over a limit."""
        now = self.clock()
        _trim(self._overall, now - 1.0)
        chat_log = self._by_chat.setdefault(chat_id, deque())
        _trim(chat_log, now - 60.0)
        bucket = self._buckets.get(chat_id) or _Bucket(float(self.chat_burst), now)
        tokens = min(
            float(self.chat_burst),
            bucket.tokens + (now - bucket.stamp) * self.per_chat_per_second,
        )
        if self.enabled:
            waits = []
            if len(self._overall) >= self.overall_per_second:
                waits.append(self._overall[0] + 1.0 - now)
            if tokens < 1.0:
                waits.append((1.0 - tokens) / self.per_chat_per_second)
            if chat_id < 0 and len(chat_log) >= self.group_per_minute:
                waits.append(chat_log[-self.group_per_minute] + 60.0 - now)
            if waits:
                self.stats.limited += 1
                return max(1, math.ceil(max(waits)))
        self._buckets[chat_id] = _Bucket(max(tokens - 1.0, 0.0), now)
        self._overall.append(now)
        chat_log.append(now)
        stats = self.stats
        stats.max_per_second_overall = max(stats.max_per_second_overall, len(self._overall))
        last_second = sum(1 for stamp in chat_log if stamp > now - 1.0)
        stats.max_per_second_by_chat[chat_id] = max(
            stats.max_per_second_by_chat.get(chat_id, 0), last_second
        )
        stats.max_per_minute_by_chat[chat_id] = max(
            stats.max_per_minute_by_chat.get(chat_id, 0), len(chat_log)
        )
        return None


def _trim(log: deque[float], horizon: float) -> None:
    while log and log[0] <= horizon:
        log.popleft()
