"""Subscriptions: /subscribe, /follow, /unsubscribe, /subscriptions, and matching new articles."""

from __future__ import annotations

import asyncio
import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode

from bot import render
from bot.context import BotContext, Services
from bot.subscriptions import AlreadySubscribed, Kind, Schedule, Subscription, SubscriptionLimit
from corpus.models import Article, Status
from corpus.speakers import same_person

log = logging.getLogger(__name__)


async def subscribe(update: Update, context: BotContext) -> None:
    """/subscribe TOPIC [daily]"""
    words = list(context.args or [])
    schedule = Schedule.INSTANT
    if words and words[-1].lower() in ("daily", "digest"):
        schedule = Schedule.DAILY
        words = words[:-1]
    topic = " ".join(words)
    if not topic:
        await update.effective_message.reply_text(
            "Usage: /subscribe TOPIC — e.g. /subscribe Western troops in Ukraine\n"
            "Add “daily” at the end for one digest a day."
        )
        return
    await add_subscription(update, context, Kind.TOPIC, topic, schedule)


async def follow(update: Update, context: BotContext) -> None:
    """/follow NAME: every new on-record statement by that person."""
    name = " ".join(context.args or [])
    if not name:
        await update.effective_message.reply_text("Usage: /follow NAME — e.g. /follow Putin")
        return
    await add_subscription(update, context, Kind.SPEAKER, name, Schedule.INSTANT)


async def add_subscription(
    update: Update, context: BotContext, kind: Kind, query: str, schedule: Schedule
) -> None:
    services = context.services
    chat_id = update.effective_chat.id
    limit = services.settings.max_question_chars
    if len(query) > limit:
        await update.effective_message.reply_text(f"Please keep it under {limit} characters.")
        return
    try:
        sub = await asyncio.to_thread(_store_subscription, services, chat_id, kind, query, schedule)
    except AlreadySubscribed as exc:
        text = f"You already follow “{render.esc(exc.subscription.query)}”."
    except SubscriptionLimit as exc:
        text = (
            f"You have {exc.limit} subscriptions, the most a chat can have. /unsubscribe one first."
        )
    else:
        what = "statements by" if kind is Kind.SPEAKER else "new passages on"
        when = " in a daily digest" if schedule is Schedule.DAILY else ""
        text = f"🔔 You will get {what} “{render.esc(sub.query)}”{when}."
    await update.effective_message.reply_text(text, parse_mode=ParseMode.HTML)


def _store_subscription(
    services: Services, chat_id: int, kind: Kind, query: str, schedule: Schedule
) -> Subscription:
    vector = None
    if kind is Kind.TOPIC:
        vector = services.library.encode_queries([query])[0]
    return services.subscriptions.add(
        chat_id, kind, query, schedule, vector, services.library.embedder.name
    )


async def subscribe_button(update: Update, context: BotContext) -> None:
    """ "Subscribe to this topic" / "Tell me when this appears" under an answer."""
    query = update.callback_query
    await query.answer()
    try:
        answer_id = int((query.data or "").split(":")[1])
    except (IndexError, ValueError):
        return
    saved = await asyncio.to_thread(context.services.answers.load, answer_id)
    if saved is None or saved[0] != query.message.chat_id:
        await query.message.reply_text("That answer has expired; use /subscribe TOPIC.")
        return
    await add_subscription(update, context, Kind.TOPIC, saved[1].question, Schedule.INSTANT)


async def subscriptions(update: Update, context: BotContext) -> None:
    """/subscriptions: the chat's subscriptions."""
    subs = await asyncio.to_thread(context.services.subscriptions.of_chat, update.effective_chat.id)
    if not subs:
        await update.effective_message.reply_text("No subscriptions yet. Try /subscribe TOPIC.")
        return
    lines = ["<b>Your subscriptions</b>"]
    for s in subs:
        what = "👤 " if s.kind is Kind.SPEAKER else "🔔 "
        when = " (daily)" if s.schedule is Schedule.DAILY else ""
        lines.append(f"{what}{render.esc(s.query)}{when}")
    lines.append("\n/unsubscribe to stop one.")
    await update.effective_message.reply_text("\n".join(lines), parse_mode=ParseMode.HTML)


async def unsubscribe(update: Update, context: BotContext) -> None:
    """/unsubscribe: one button per subscription of this chat."""
    subs = await asyncio.to_thread(context.services.subscriptions.of_chat, update.effective_chat.id)
    if not subs:
        await update.effective_message.reply_text("You have no subscriptions.")
        return
    buttons = [
        [InlineKeyboardButton(f"✖ {render.clip(s.query, 40)}", callback_data=f"unsub:{s.id}")]
        for s in subs
    ]
    await update.effective_message.reply_text(
        "Which one should I stop?", reply_markup=InlineKeyboardMarkup(buttons)
    )


async def unsubscribe_button(update: Update, context: BotContext) -> None:
    """A button from /unsubscribe: only the chat's own subscriptions can be removed."""
    query = update.callback_query
    try:
        sub_id = int((query.data or "").split(":")[1])
    except (IndexError, ValueError):
        await query.answer()
        return
    removed = await asyncio.to_thread(
        context.services.subscriptions.remove, query.message.chat_id, sub_id
    )
    await query.answer("Stopped." if removed else "Already gone.")
    if removed:
        await query.edit_message_text(
            f"Stopped “{render.esc(removed.query)}”.", parse_mode=ParseMode.HTML
        )


def queue_for_article(services: Services, article: Article) -> int:
    """Match a new article against every active subscription and queue the deliveries.

    Returns how many subscriptions will hear about it. Runs in a worker thread.
    """
    book = services.subscriptions
    library = services.library
    items: list[tuple[int, str, list[int]]] = []
    topics = book.active(Kind.TOPIC)
    stale = [(s, v) for s, v, model in topics if v is None or model != library.embedder.name]
    if stale:
        vectors = library.encode_queries([s.query for s, _ in stale])
        for (sub, _), vector in zip(stale, vectors, strict=True):
            book.set_vector(sub.id, vector, library.embedder.name)
        fresh = {s.id: v for (s, _), v in zip(stale, vectors, strict=True)}
        topics = [(s, fresh.get(s.id, v), m) for s, v, m in topics]
    if topics:
        matches = library.match_article(article.id, [(s.query, v) for s, v, _ in topics])
        for (sub, _, _), results in zip(topics, matches, strict=True):
            if results:
                items.append((sub.id, article.id, [r.passage.id for r in results]))
    statements = [p for p in article.passages if p.status is Status.STATEMENT and p.speaker]
    for sub, _, _ in book.active(Kind.SPEAKER) if statements else []:
        said = [p.id for p in statements if same_person(p.speaker.name, sub.query)]
        if said:
            items.append((sub.id, article.id, said))
    queued = book.queue(items)
    log.info("article %s matched %d subscriptions", article.id, queued)
    return queued
