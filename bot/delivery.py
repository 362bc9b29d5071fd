"""Sending queued deliveries within Telegram's limits: a named JobQueue job, and the digest.

What "sent once" means. Each (subscription, article) is queued once (a UNIQUE row) and
marked sent as soon as Telegram accepts its message. Telegram has no idempotency key, so
a delivery whose outcome we could not learn is sent again: when the request timed out or
the connection broke after Telegram may have accepted it (`TimedOut`, `NetworkError`), when
the process died between Telegram's answer and the store's record of it, or when the store
could not record a send even after retries. In those cases, and only those, a chat can get
one message twice; nothing queued is ever lost.

Every delivery a run claims ends that run sent, failed for good, or pending again: an
unexpected error (a bug, a store that stays busy) puts the rest of the batch back in the
queue, and a run starts by returning whatever an earlier run of this process left claimed.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from telegram import ReplyParameters
from telegram.constants import ParseMode
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.ext import Application, ContextTypes, JobQueue

from bot import render
from bot.context import BotContext, Services
from bot.followups import followup_text, open_claims
from bot.limits import retry_after_seconds
from bot.subscriptions import Delivery, Kind, Schedule, SubscriptionBook
from corpus.errors import StoreError

log = logging.getLogger(__name__)

JOB_NAME = "deliver"
DIGEST_JOB = "digest"
BATCH = 30  # deliveries claimed at once: about a second of sending at the paced rate
DIGEST_BATCH = 100  # subscriptions whose digests are claimed at once
NETWORK_RETRY = 5  # seconds before deliveries are tried again when Telegram cannot be reached
ERROR_RETRY = 30  # seconds before a run that stopped on an unexpected error is tried again
MAX_ATTEMPTS = 5  # claims of one delivery before an unexpected error fails it for good
SWEEP_SECONDS = 30  # pending deliveries are also picked up this often (after a restart, a 429)
RECORD_RETRIES = (0.1, 0.5, 2.0)  # waits before retrying a store write that failed


class LateJobQueue(JobQueue):
    """A job queue whose jobs run however late they come round. APScheduler drops a run more
    than a second late by default, and start-up (the models loading) or a busy machine holds
    the loop longer than that: the sweep's first run, dropped, left what was queued before a
    restart for the next sweep, and a digest round's take-over was lost."""

    @property
    def scheduler_configuration(self) -> dict[str, Any]:
        return {**super().scheduler_configuration, "job_defaults": {"misfire_grace_time": None}}


def schedule_jobs(application: Application, services: Services) -> None:
    """The repeating delivery sweep and the daily digest (and the rest of a round a stopped
    sender left unsent)."""
    jq = application.job_queue
    jq.run_repeating(deliver, interval=SWEEP_SECONDS, first=1, name=JOB_NAME)
    hour = services.settings.digest_hour_utc
    jq.run_daily(send_digests, time=dt.time(hour=hour, tzinfo=dt.UTC), name=DIGEST_JOB)
    jq.run_once(resume_digests, when=1, name=DIGEST_JOB)


def kick_delivery(job_queue: JobQueue | None) -> None:
    """Deliver now rather than at the next sweep (after an article was added)."""
    if job_queue is not None:
        job_queue.run_once(deliver, when=0, name=JOB_NAME)


@dataclass
class Parcel:
    """One message to send and the claimed deliveries it carries."""

    chat_id: int
    deliveries: list[Delivery]
    text: Callable[[], Awaitable[str | None]]  # None: nothing left to send (article removed)
    reply_to: int | None = None  # the message a follow-up answers, where it still exists
    # Unconfirmed passages the message shows (filled by `text`): a follow-up is owed to the
    # chat when one of them is settled.
    shown: list[int] = field(default_factory=list)

    @property
    def ids(self) -> list[int]:
        return [d.id for d in self.deliveries]


@dataclass(frozen=True)
class Outcome:
    """How one send ended: the deliveries' new state, and whether the run stops."""

    state: str  # "sent", "failed" or "pending"
    resume_in: float | None = None  # stop this run; run again after this many seconds
    message_id: int | None = None  # of the message sent


async def deliver(context: BotContext) -> None:
    """Send every pending instant delivery; one job at a time."""
    lock: asyncio.Lock = context.application.bot_data.setdefault("delivery_lock", asyncio.Lock())
    if lock.locked() or not context.services.election.is_sender:
        return  # another run of this job is sending, or another instance is the sender
    async with lock:
        services = context.services
        book = services.subscriptions
        await _record(book.release, Schedule.INSTANT)
        while services.election.is_sender:  # an instance that lost the election stops
            # At most one delivery a chat in a batch, so that no chat's second message waits
            # in the rate limiter while other chats' messages could go.
            batch = await asyncio.to_thread(book.claim, Schedule.INSTANT, BATCH)
            if not batch:
                return
            parcels = [_instant(services, d) for d in batch]
            if not await _send_all(context, parcels, deliver, JOB_NAME):
                return


def _instant(services: Services, delivery: Delivery) -> Parcel:
    if delivery.claim_event_id is not None:
        return _followup(services, delivery)
    parcel = Parcel(delivery.chat_id, [delivery], _nothing)

    async def text() -> str | None:
        results = await asyncio.to_thread(services.library.results_for, delivery.passage_ids)
        sub = delivery.subscription
        assert sub is not None
        parcel.shown[:] = open_claims(results)
        return delivery_text(sub.kind, sub.query, results) if results else None

    parcel.text = text
    return parcel


def _followup(services: Services, delivery: Delivery) -> Parcel:
    """A claim event's follow-up, replying to the message where the chat saw the claim."""

    def compose() -> str | None:
        claims = services.library.claims
        event = claims.event(delivery.claim_event_id)
        settling = services.library.results_for(delivery.passage_ids)
        if event is None or not settling:  # the settling article was removed since
            return None
        claim = claims.claim(event.claim_id)
        return followup_text(claims.standing(event.claim_id), claim.text, settling[0])

    async def text() -> str | None:
        return await asyncio.to_thread(compose)

    return Parcel(delivery.chat_id, [delivery], text, reply_to=delivery.reply_to)


async def _nothing() -> str | None:
    return None


async def send_digests(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Once a day, on every instance: a digest round begins (what matched until now is due),
    and the sender sends it. Recorded by all, the round survives a change of sender."""
    services: Services = context.application.bot_data["services"]
    await _record(services.subscriptions.begin_digest)
    await resume_digests(context)


async def resume_digests(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Send what the digest round under way still owes: each daily subscription gets one
    message with what matched since its last one. Run by the daily job, at start and by a new
    sender, which so finishes a round an old sender began."""
    services: Services = context.application.bot_data["services"]
    book = services.subscriptions
    lock: asyncio.Lock = context.application.bot_data.setdefault("digest_lock", asyncio.Lock())
    if lock.locked() or not services.election.is_sender:
        return
    async with lock:
        await _record(book.release, Schedule.DAILY)
        while True:
            batch = await asyncio.to_thread(book.claim, Schedule.DAILY, DIGEST_BATCH)
            if not batch:
                return
            by_sub: dict[int, list[Delivery]] = {}
            for d in batch:
                by_sub.setdefault(d.subscription.id, []).append(d)
            parcels = [_digest(services, ds) for ds in by_sub.values()]
            if not await _send_all(context, parcels, resume_digests, DIGEST_JOB):
                return


def take_over(job_queue: JobQueue | None) -> None:
    """A new sender sends what waits now: instant deliveries, and what is left of a digest
    round that the last sender began and did not finish."""
    kick_delivery(job_queue)
    if job_queue is not None:
        job_queue.run_once(resume_digests, when=0, name=DIGEST_JOB)


def _digest(services: Services, deliveries: list[Delivery]) -> Parcel:
    sub = deliveries[0].subscription

    async def text() -> str | None:
        ids = [pid for d in deliveries for pid in d.passage_ids[:2]]
        results = await asyncio.to_thread(services.library.results_for, ids)
        if not results:
            return None
        parcel.shown[:] = open_claims(results)
        return delivery_text(sub.kind, sub.query, results).replace(
            "🔔 New on", "🗞 Daily digest:", 1
        )

    parcel = Parcel(sub.chat_id, deliveries, text)
    return parcel


async def _send_all(
    context: ContextTypes.DEFAULT_TYPE,
    parcels: list[Parcel],
    job: Callable[[ContextTypes.DEFAULT_TYPE], Awaitable[None]],
    name: str,
) -> bool:
    """Send the parcels in order, recording each outcome; False when the run stops early.

    Whatever happens, every claimed delivery ends this call sent, failed or pending.
    """
    services: Services = context.application.bot_data["services"]
    book = services.subscriptions
    left = list(parcels)
    try:
        # A delivery queued by another process (`briefbot ingest`) may name an article this
        # one has not taken in yet; composed before that, it would come out empty and be lost.
        await asyncio.to_thread(services.library.sync)
        while left:
            if not services.election.is_sender:
                return False  # another instance took over: what is left goes back to it
            parcel = left[0]
            outcome = await _send(context, book, parcel)
            await _record(book.finish, parcel.ids, outcome.state)
            left.pop(0)
            if outcome.message_id is not None and parcel.shown:
                await _note_shown(services, parcel, outcome.message_id)
            if outcome.resume_in is not None:
                context.job_queue.run_once(job, when=outcome.resume_in, name=name)
                return False
    except Exception:
        # A bug or a store that stays busy: not this delivery's fault the first few times.
        head = left[0]
        worn = [d.id for d in head.deliveries if d.attempts >= MAX_ATTEMPTS]
        log.exception(
            "%s run stopped by an unexpected error; %d deliveries go back to the queue%s",
            name, sum(len(p.deliveries) for p in left) - len(worn),
            f", {len(worn)} failed after {MAX_ATTEMPTS} attempts" if worn else "",
        )  # fmt: skip
        await _settle(book, worn, "failed")
        kept = [d for d in head.deliveries if d.id not in worn]
        left[0] = dataclasses.replace(head, deliveries=kept)
        context.job_queue.run_once(job, when=ERROR_RETRY, name=name)
        return False
    finally:
        await _settle(book, [i for p in left for i in p.ids], "pending")
    return True


async def _note_shown(services: Services, parcel: Parcel, message_id: int) -> None:
    """Remember which unconfirmed passages the chat saw in this message; best effort (a
    sighting lost costs one follow-up, never a delivery)."""
    try:
        await _record(services.sightings.record, parcel.chat_id, message_id, parcel.shown)
    except Exception:
        log.exception("could not record what chat %s was shown", parcel.chat_id)


async def _send(context: ContextTypes.DEFAULT_TYPE, book: SubscriptionBook, p: Parcel) -> Outcome:
    """Send one parcel; how it ended. Telegram's refusals are sorted by what to do."""
    if book.is_paused(p.chat_id):  # blocked since it was claimed
        return Outcome("failed")
    text = await p.text()
    if text is None:  # the article was removed since
        return Outcome("failed")
    reply = None
    if p.reply_to is not None:
        reply = ReplyParameters(message_id=p.reply_to, allow_sending_without_reply=True)
    try:
        message = await context.bot.send_message(
            p.chat_id,
            text,
            parse_mode=ParseMode.HTML,
            disable_web_page_preview=True,
            reply_parameters=reply,
        )
    except RetryAfter as exc:  # refused even after the rate limiter's own retries
        seconds = retry_after_seconds(exc)
        log.info("rate limited; deliveries resume in %.0f s", seconds)
        return Outcome("pending", seconds + 0.5)
    except ChatMigrated as exc:
        log.info("chat %s became %s; its subscriptions follow it", p.chat_id, exc.new_chat_id)
        await _record(book.migrate, p.chat_id, exc.new_chat_id)
        return Outcome("pending")  # claimed again, for the new chat id
    except Forbidden:
        log.info("chat %s blocked the bot; its subscriptions are paused", p.chat_id)
        await _record(book.pause, p.chat_id, "blocked")
        return Outcome("failed")
    except BadRequest as exc:
        log.error("delivery %s refused by Telegram: %s", p.ids, exc.message)
        return Outcome("failed")
    except (TimedOut, NetworkError) as exc:
        # Telegram out of reach is no fault of this delivery: it waits, with the rest, for the
        # next run. After a timeout Telegram may have accepted it: the one resend we allow.
        log.warning(
            "delivery %s: no answer from Telegram (%s); sent again in %d s, so it may arrive "
            "twice",
            p.ids, exc, NETWORK_RETRY,
        )  # fmt: skip
        return Outcome("pending", NETWORK_RETRY)
    return Outcome("sent", message_id=message.message_id)


async def _record(write: Callable[..., object], *args: object) -> None:
    """A store write in a worker thread, retried a few times while the store is busy."""
    for wait in (*RECORD_RETRIES, None):
        try:
            await asyncio.to_thread(write, *args)
            return
        except StoreError:
            if wait is None:
                raise
            await asyncio.sleep(wait)


async def _settle(book: SubscriptionBook, ids: list[int], state: str) -> None:
    """Put claimed deliveries in `state`, never raising: what this cannot write, the next run's
    `release` returns to the queue."""
    if not ids:
        return
    try:
        await _record(book.finish, ids, state)
    except Exception:
        log.exception("could not return %d deliveries to %s; the next run will", len(ids), state)


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
