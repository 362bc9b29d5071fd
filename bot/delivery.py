"""Sending queued deliveries within Telegram's limits: a named JobQueue job, and the digest."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging

from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.ext import Application, ContextTypes, JobQueue

from bot import render
from bot.context import BotContext, Services
from bot.subscriptions import Delivery, Kind, Schedule

log = logging.getLogger(__name__)

JOB_NAME = "deliver"
BATCH = 30
NETWORK_RETRY = 5  # seconds before deliveries are tried again when Telegram cannot be reached
CHAT_INTERVAL = 1.0  # Telegram: at most one message a second to one chat
SWEEP_SECONDS = 30  # pending deliveries are also picked up this often (after a restart, a 429)


def schedule_jobs(application: Application, services: Services) -> None:
    """The repeating delivery sweep and the daily digest."""
    jq = application.job_queue
    jq.run_repeating(deliver, interval=SWEEP_SECONDS, first=1, name=JOB_NAME)
    hour = services.settings.digest_hour_utc
    jq.run_daily(send_digests, time=dt.time(hour=hour, tzinfo=dt.UTC), name="digest")


def kick_delivery(job_queue: JobQueue | None) -> None:
    """Deliver now rather than at the next sweep (after an article was added)."""
    if job_queue is not None:
        job_queue.run_once(deliver, when=0, name=JOB_NAME)


async def deliver(context: BotContext) -> None:
    """Send every pending instant delivery; one job at a time."""
    lock: asyncio.Lock = context.application.bot_data.setdefault("delivery_lock", asyncio.Lock())
    if lock.locked():
        return
    async with lock:
        services = context.services
        while True:
            batch = await asyncio.to_thread(services.subscriptions.claim, Schedule.INSTANT, BATCH)
            if not batch:
                return
            while batch:
                # The chat that may be written to soonest: a chat's second delivery waits.
                delivery = min(batch, key=lambda d: _turn(context, d.subscription.chat_id))
                batch.remove(delivery)
                await _pace(context, delivery.subscription.chat_id)
                sent = await _send(context, services, delivery)
                _note_sent(context, delivery.subscription.chat_id)
                if not sent:
                    # The rest of the batch waits in the queue for the next run.
                    ids = [d.id for d in batch]
                    await asyncio.to_thread(services.subscriptions.finish, ids, "pending")
                    return


def _turn(context: ContextTypes.DEFAULT_TYPE, chat_id: int) -> float:
    """Seconds until the chat may get another message from the delivery jobs."""
    last: dict[int, float] = context.application.bot_data.setdefault("last_sent", {})
    if chat_id not in last:
        return 0.0
    return last[chat_id] + CHAT_INTERVAL - asyncio.get_running_loop().time()


async def _pace(context: ContextTypes.DEFAULT_TYPE, chat_id: int) -> None:
    """Wait for the chat's turn."""
    wait = _turn(context, chat_id)
    if wait > 0:
        await asyncio.sleep(wait)


def _note_sent(context: ContextTypes.DEFAULT_TYPE, chat_id: int) -> None:
    """The chat was just written to: its next message waits CHAT_INTERVAL from now."""
    last: dict[int, float] = context.application.bot_data.setdefault("last_sent", {})
    now = asyncio.get_running_loop().time()
    if len(last) > 4 * BATCH:  # forget chats whose turn has come anyway
        for chat in [c for c, t in last.items() if t < now - CHAT_INTERVAL]:
            del last[chat]
    last[chat_id] = now


async def _send(context: BotContext, services: Services, delivery: Delivery) -> bool:
    """Send one delivery and record the outcome; False to stop this run (rate limited, or
    Telegram out of reach)."""
    book = services.subscriptions
    results = await asyncio.to_thread(services.library.results_for, delivery.passage_ids)
    if not results:  # the article was removed since
        await asyncio.to_thread(book.finish, [delivery.id], "failed")
        return True
    sub = delivery.subscription
    if await asyncio.to_thread(book.is_paused, sub.chat_id):  # blocked since it was claimed
        await asyncio.to_thread(book.finish, [delivery.id], "failed")
        return True
    try:
        await context.bot.send_message(
            sub.chat_id, delivery_text(sub.kind, sub.query, results),
            parse_mode=ParseMode.HTML, disable_web_page_preview=True,
        )  # fmt: skip
    except RetryAfter as exc:
        await asyncio.to_thread(book.finish, [delivery.id], "pending")
        retry = exc.retry_after
        seconds = retry.total_seconds() if isinstance(retry, dt.timedelta) else float(retry)
        log.info("rate limited; deliveries resume in %.0f s", seconds)
        context.job_queue.run_once(deliver, when=seconds + 0.5, name=JOB_NAME)
        return False
    except Forbidden:
        log.info("chat %s blocked the bot; its subscriptions are paused", sub.chat_id)
        await asyncio.to_thread(book.pause, sub.chat_id, "blocked")
        await asyncio.to_thread(book.finish, [delivery.id], "failed")
        return True
    except BadRequest as exc:
        log.error("delivery %s refused by Telegram: %s", delivery.id, exc.message)
        await asyncio.to_thread(book.finish, [delivery.id], "failed")
        return True
    except (TimedOut, NetworkError) as exc:
        # Telegram out of reach is no fault of this delivery: it waits, with the rest, for the
        # next run (counting it as an attempt failed whole queues in a ten-second outage).
        log.warning("delivery %s failed (%s); retrying in %d s", delivery.id, exc, NETWORK_RETRY)
        await asyncio.to_thread(book.finish, [delivery.id], "pending")
        context.job_queue.run_once(deliver, when=NETWORK_RETRY, name=JOB_NAME)
        return False
    await asyncio.to_thread(book.finish, [delivery.id], "sent")
    return True


def delivery_text(kind: Kind, query: str, results: list) -> str:
    """The message for one (subscription, article): the topic, then the matching passages."""
    head = "👤 New statement by" if kind is Kind.SPEAKER else "🔔 New on"
    parts = [f"{head} “{render.esc(render.clip(query, 200))}”"]
    for r in results:
        block = render.card(r)
        if render.text_length("\n\n".join([*parts, block])) > render.MAX_TEXT - 100:
            parts.append("…")
            break
        parts.append(block)
    return "\n\n".join(parts)


async def send_digests(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Once a day: each daily subscription gets one message with what matched since."""
    services: Services = context.application.bot_data["services"]
    book = services.subscriptions
    while True:
        batch = await asyncio.to_thread(book.claim, Schedule.DAILY, 500)
        if not batch:
            return
        by_sub: dict[int, list[Delivery]] = {}
        for d in batch:
            by_sub.setdefault(d.subscription.id, []).append(d)
        groups = list(by_sub.values())
        for n, deliveries in enumerate(groups):
            sub = deliveries[0].subscription
            ids = [pid for d in deliveries for pid in d.passage_ids[:2]]
            results = await asyncio.to_thread(services.library.results_for, ids)
            done = [d.id for d in deliveries]
            if not results or await asyncio.to_thread(book.is_paused, sub.chat_id):
                await asyncio.to_thread(book.finish, done, "failed")
                continue
            text = delivery_text(sub.kind, sub.query, results).replace(
                "🔔 New on", "🗞 Daily digest:", 1
            )
            await _pace(context, sub.chat_id)
            try:
                await context.bot.send_message(
                    sub.chat_id, text, parse_mode=ParseMode.HTML, disable_web_page_preview=True
                )
                _note_sent(context, sub.chat_id)
            except Forbidden:
                await asyncio.to_thread(book.pause, sub.chat_id, "blocked")
                await asyncio.to_thread(book.finish, done, "failed")
            except RetryAfter as exc:
                # This digest and the rest of the batch go back to the queue, sent after the wait.
                rest = [d.id for later in groups[n:] for d in later]
                await asyncio.to_thread(book.finish, rest, "pending")
                retry = exc.retry_after
                seconds = retry.total_seconds() if isinstance(retry, dt.timedelta) else retry
                context.job_queue.run_once(send_digests, when=float(seconds) + 0.5, name="digest")
                return
            except BadRequest as exc:
                log.error("digest for subscription %s refused by Telegram: %s", sub.id, exc.message)
                await asyncio.to_thread(book.finish, done, "failed")
            except (TimedOut, NetworkError) as exc:
                log.warning("digests interrupted (%s); the rest go out with the next ones", exc)
                rest = [d.id for later in groups[n:] for d in later]
                await asyncio.to_thread(book.finish, rest, "pending")
                return
            else:
                await asyncio.to_thread(book.finish, done, "sent")
