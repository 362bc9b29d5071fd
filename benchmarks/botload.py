"""Question-to-reply latency of the real bot through the Bot API stand-in.

The real python-telegram-bot Application (`bot.app.build_application`) polls the stand-in
over HTTP on 127.0.0.1, as it would poll Telegram. A user's question is queued at the
stand-in; the latency is the time until the stand-in accepts the bot's reply (`sendMessage`
to that chat). The stand-in's own Telegram rate limits (429 answers) are switched off so
they do not dominate; the bot's own limiter (python-telegram-bot's AIORateLimiter, set to
Telegram's 30 messages a second overall) stays on: it is part of the product.
"""

from __future__ import annotations

import asyncio
import logging
import statistics
import tempfile
import time
from pathlib import Path

from bot.app import build_application
from bot.settings import Settings
from retrieval.library import Library
from standin import StandIn
from tests.conftest import spec_or_none

FIRST_USER = 1_000


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


async def _reply_times(
    standin: StandIn, sent: dict[int, float], timeout: float
) -> dict[int, float]:
    """Seconds from each chat's question to the bot's first sendMessage to it after that."""
    deadline = time.monotonic() + timeout
    got: dict[int, float] = {}
    while len(got) < len(sent):
        for call in reversed(standin.sent_log):
            if call.method != "sendMessage":
                continue
            try:
                chat = int(call.params.get("chat_id"))
            except (TypeError, ValueError):
                continue
            if chat in sent and chat not in got and call.at >= sent[chat]:
                got[chat] = call.at - sent[chat]
        if len(got) < len(sent):
            if time.monotonic() > deadline:
                raise TimeoutError(f"{len(sent) - len(got)} questions got no reply in {timeout}s")
            await asyncio.sleep(0.002)
    return got


async def _session(
    library: Library,
    questions: list[str],
    users: list[int],
    *,
    rounds: int,
    sequential: int,
    limiter: bool,
) -> dict:
    """One application on the stand-in: `sequential` questions from one user, then `rounds`
    bursts of one question from each of `users` at once."""
    standin = StandIn(spec_path=spec_or_none(), rate_limits=False)
    await standin.start()
    with tempfile.TemporaryDirectory(prefix="briefbot-bench-bot-") as tmp:
        settings = Settings(
            _env_file=None,
            data_dir=Path(tmp),
            telegram_bot_token=standin.token,
            telegram_api_url=standin.base_url,
            telegram_file_url=standin.base_file_url,
        )
        app = build_application(settings, library)
        app.post_shutdown = None  # the benchmark owns the library and closes it
        if not limiter:
            app.bot._rate_limiter = None  # to show what the limiter's pacing costs
        await app.initialize()
        if app.post_init:
            await app.post_init(app)
        await app.updater.start_polling(poll_interval=0.0, timeout=1)
        await app.start()
        try:
            # Warm-up: one question through the whole path.
            sent = {FIRST_USER - 1: time.time()}
            standin.send_message(FIRST_USER - 1, questions[0])
            await _reply_times(standin, sent, 60)

            # One question in flight at a time, each from another user: one chat gets at most
            # one message a second (Telegram's rule, kept by the bot), and nobody asks faster.
            one: list[float] = []
            for i in range(sequential):
                user = FIRST_USER + 1_000 + i
                sent = {user: time.time()}
                standin.send_message(user, questions[i % len(questions)])
                one.extend((await _reply_times(standin, sent, 60)).values())
                await asyncio.sleep(0.05)

            many: list[float] = []
            for r in range(rounds):
                sent = {}
                for n, user in enumerate(users):
                    sent[user] = time.time()
                    standin.send_message(user, questions[(r * len(users) + n) % len(questions)])
                many.extend((await _reply_times(standin, sent, 300)).values())
                await asyncio.sleep(2.0)  # let the bot's limiter drain between bursts
            refusals = len(standin.refusals)
        finally:
            await app.updater.stop()
            await app.stop()
            await app.shutdown()
            await standin.stop()
    out = {f"users_{len(users)}": _summary(many), "refusals": refusals}
    if sequential:
        out["users_1"] = _summary(one)
    return out


async def _run(
    library: Library, questions: list[str], users: list[int], rounds: int, sequential: int
) -> dict:
    logging.getLogger("httpx").setLevel(logging.WARNING)
    on = await _session(
        library, questions, users, rounds=rounds, sequential=sequential, limiter=True
    )
    off = await _session(library, questions, users, rounds=rounds, sequential=0, limiter=False)
    key = f"users_{len(users)}"
    return {
        "users_1": on["users_1"],
        key: on[key],
        f"{key}_limiter_off": off[key],
        "refusals": on["refusals"] + off["refusals"],
        "standin_rate_limits": "off",
        "bot_rate_limiter": "AIORateLimiter, 30 requests/s overall (burst 5), as in bot.app",
    }


def _summary(seconds: list[float]) -> dict:
    ms = [s * 1000 for s in seconds]
    return {
        "n": len(ms),
        "p50_ms": round(statistics.median(ms), 1),
        "p95_ms": round(percentile(ms, 0.95), 1),
        "max_ms": round(max(ms), 1),
    }


def measure(
    library: Library,
    questions: list[str],
    *,
    users: int = 50,
    rounds: int = 3,
    sequential: int = 40,
) -> dict:
    """p50/p95 question-to-reply latency for one user at a time and for `users` at once."""
    ids = [FIRST_USER + n for n in range(users)]
    return asyncio.run(_run(library, questions, ids, rounds, sequential))
