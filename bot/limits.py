"""What the bot may send to Telegram and when: its limits, paced before Telegram refuses."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiolimiter import AsyncLimiter
from telegram.ext import AIORateLimiter

# Telegram allows about 30 messages a second overall and 20 a minute to one group. The rate
# limiter's leaky bucket lets BURST messages through at once and then drains at its rate, so
# any one-second (one-minute) window may hold both: BURST + 25 = 30, BURST + 15 = 20.
BURST = 5
# Calls that put a message in a chat: Telegram allows about one a second to one chat.
CHAT_PACED = frozenset({"sendMessage", "sendDocument", "sendPhoto", "editMessageText"})


class ChatRateLimiter(AIORateLimiter):
    """python-telegram-bot's limiter (overall and per group) plus one message a second to each
    chat: a chat getting many replies at once (an admin's bulk upload) waits its turn instead of
    drawing 429s, which would pause every other chat's messages too."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
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
        if endpoint in CHAT_PACED and chat_id is not None:
            callback = _paced(callback, self._chat_limiter(chat_id))
        self.pending += 1
        try:
            return await super().process_request(
                callback, args, kwargs, endpoint, data, rate_limit_args
            )
        finally:
            self.pending -= 1

    def _chat_limiter(self, chat_id: int | str) -> AsyncLimiter:
        if len(self._chats) > 512:  # forget chats whose limit is all unused again
            for key, limiter in list(self._chats.items()):
                if key != chat_id and limiter.has_capacity(limiter.max_rate):
                    del self._chats[key]
        if chat_id not in self._chats:
            self._chats[chat_id] = AsyncLimiter(max_rate=1, time_period=1)
        return self._chats[chat_id]


def _paced(call: Callable[..., Awaitable[Any]], limiter: AsyncLimiter) -> Callable[..., Any]:
    """The request, sent when the chat's limiter allows: paced last, after the overall limit
    and any pause for a 429, which would otherwise release a chat's queued messages at once."""

    async def paced(*args: Any, **kwargs: Any) -> Any:
        async with limiter:
            return await call(*args, **kwargs)

    return paced
