"""Test-only driver: the real bot in its own process, killed by SIGKILL at a named point.

    python -m tests.reliability.bot_driver DATA_DIR

runs the bot (python-telegram-bot's Application from `bot.app.build_application`, the
library with the hashing embedder) against the Bot API named by TELEGRAM_API_URL and
TELEGRAM_FILE_URL, with TELEGRAM_BOT_TOKEN, until it is killed.

``BRIEFBOT_KILL_AT=POINT:N`` kills it the N-th time a delivery reaches the point:
``queue`` (an article is committed and matched, its deliveries not yet queued),
``claimed`` (a batch of deliveries marked as being sent, none sent yet), ``send`` (about
to call sendMessage), ``sent`` (Telegram accepted the message, the store not yet told) and
``finished`` (the outcome recorded).
"""

from __future__ import annotations

import os
import signal
import sys
from collections import Counter
from pathlib import Path

from telegram import Update
from telegram.ext import ExtBot

from bot.app import build_application
from bot.settings import Settings
from bot.subscriptions import SubscriptionBook
from retrieval.embedder import HashingEmbedder
from retrieval.library import Library

POINTS = ("queue", "claimed", "send", "sent", "finished")
_counts: Counter[str] = Counter()
_spec = os.environ.get("BRIEFBOT_KILL_AT", "")
TARGET = (_spec.partition(":")[0], int(_spec.partition(":")[2] or 1)) if _spec else None


def reach(point: str) -> None:
    _counts[point] += 1
    if (point, _counts[point]) == TARGET:
        os.kill(os.getpid(), signal.SIGKILL)


def install() -> None:
    real_claim, real_finish = SubscriptionBook.claim, SubscriptionBook.finish
    real_queue = SubscriptionBook.queue
    real_send = ExtBot.send_message

    def queue(self, items, **kwargs):
        if items:
            reach("queue")
        return real_queue(self, items, **kwargs)

    def claim(self, *args, **kwargs):
        batch = real_claim(self, *args, **kwargs)
        if batch:
            reach("claimed")
        return batch

    def finish(self, delivery_ids, state="sent"):
        if state == "sent":
            reach("sent")
        real_finish(self, delivery_ids, state)
        reach("finished")

    async def send_message(self, *args, **kwargs):
        reach("send")
        return await real_send(self, *args, **kwargs)

    SubscriptionBook.queue = queue
    SubscriptionBook.claim = claim
    SubscriptionBook.finish = finish
    ExtBot.send_message = send_message


def main(argv: list[str]) -> int:
    if TARGET is not None and TARGET[0] not in POINTS:
        raise SystemExit(f"unknown kill point {TARGET[0]!r}; known: {', '.join(POINTS)}")
    install()
    settings = Settings(_env_file=None, data_dir=Path(argv[0]))
    library = Library(settings.data_dir, HashingEmbedder())
    application = build_application(settings, library)
    print("READY", flush=True)
    application.run_polling(allowed_updates=Update.ALL_TYPES, poll_interval=0.0, timeout=1)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
