"""Subscriptions: /subscribe, /follow, /unsubscribe, /subscriptions, and matching new articles."""

from __future__ import annotations

import asyncio
import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode

from bot import render
from bot.context import BotContext, Services
from bot.delivery import kick_delivery
from bot.followups import queue_followups
from bot.subscriptions import AlreadySubscribed, Kind, Schedule, Subscription, SubscriptionLimit
from corpus.models import Article, Status
from corpus.speakers import SpeakerRegistry, closest, same_person

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
    """/follow NAME: every new on-record statement by that person, under any form of the name.

    A name the corpus knows is followed under its fullest form; a misspelt one ("Mos") is
    answered with the closest known people to choose from; a name nobody in the corpus has
    yet is followed as typed, and said so."""
    name = " ".join(" ".join(context.args or []).split())
    if not name:
        await update.effective_message.reply_text("Usage: /follow NAME — e.g. /follow Putin")
        return
    known = await asyncio.to_thread(context.services.library.speakers)
    # The registry's rule: a family name two known people share names neither of them. Built
    # off the event loop: it compares every pair of known names.
    person = await asyncio.to_thread(_canonical, name, known)
    if person is not None:
        await add_subscription(update, context, Kind.SPEAKER, person, Schedule.INSTANT)
        return
    near = [n for n in closest(name, known) if _fits(FOLLOW + n)]
    if near:
        buttons = [[InlineKeyboardButton(f"👤 {n}", callback_data=FOLLOW + n)] for n in near]
        if _fits(FOLLOW + name):
            typed = f"Follow “{render.clip(name, 30)}”"
            buttons.append([InlineKeyboardButton(typed, callback_data=FOLLOW + name)])
        await update.effective_message.reply_text(
            f"Nobody called “{render.esc(name)}” is quoted in the corpus. Did you mean:",
            parse_mode=ParseMode.HTML,
            reply_markup=InlineKeyboardMarkup(buttons),
        )
        return
    await add_subscription(
        update, context, Kind.SPEAKER, name, Schedule.INSTANT,
        note="Nobody of that name is quoted in the corpus yet.",
    )  # fmt: skip


FOLLOW = "follow:"


def _canonical(name: str, known: list[str]) -> str | None:
    return SpeakerRegistry((k, None) for k in known).canonical(name)


def _fits(data: str) -> bool:
    return len(data.encode()) <= 64  # Telegram's limit for callback_data


async def follow_button(update: Update, context: BotContext) -> None:
    """A "did you mean" button from /follow."""
    query = update.callback_query
    await query.answer()
    name = (query.data or "")[len(FOLLOW) :]
    if name:
        await add_subscription(update, context, Kind.SPEAKER, name, Schedule.INSTANT)


async def add_subscription(
    update: Update,
    context: BotContext,
    kind: Kind,
    query: str,
    schedule: Schedule,
    note: str | None = None,
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
        hour = services.settings.digest_hour_utc
        when = f" in a daily digest at {hour:02d}:00 UTC" if schedule is Schedule.DAILY else ""
        text = f"🔔 You will get {what} “{render.esc(sub.query)}”{when}."
        if note:
            text = f"{render.esc(note)} {text}"
    await update.effective_message.reply_text(text, parse_mode=ParseMode.HTML)


def _store_subscription(
    services: Services, chat_id: int, kind: Kind, query: str, schedule: Schedule
) -> Subscription:
    if kind is Kind.SPEAKER:  # one follow per person, whatever form of the name
        for sub in services.subscriptions.of_chat(chat_id):
            if sub.kind is Kind.SPEAKER and same_person(sub.query, query):
                raise AlreadySubscribed(sub)
    vector = None
    if kind is Kind.TOPIC:
        vector = services.library.encode_queries([query])[0]
    return services.subscriptions.add(
        chat_id, kind, query, schedule, vector, services.library.model_name
    )


async def subscribe_button(update: Update, context: BotContext) -> None:
    """ "Subscribe to this topic", "Tell me when this appears" or "Follow NAME" under an
    answer."""
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
    answer = saved[1]
    if answer.speaker:  # a who-said answer: follow the person, not the question's words
        await add_subscription(update, context, Kind.SPEAKER, answer.speaker, Schedule.INSTANT)
    else:
        await add_subscription(update, context, Kind.TOPIC, answer.question, Schedule.INSTANT)


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
    """/unsubscribe NAME stops the subscription to that topic or person; otherwise (or when the
    name is unclear) one button per subscription of this chat."""
    book = context.services.subscriptions
    chat_id = update.effective_chat.id
    subs = await asyncio.to_thread(book.of_chat, chat_id)
    if not subs:
        await update.effective_message.reply_text("You have no subscriptions.")
        return
    prompt = "Which one should I stop?"
    if name := " ".join(context.args or []):
        shown = render.esc(render.clip(name, 100))
        chosen = [s for s in subs if _names(s, name)]
        if len(chosen) == 1:
            await asyncio.to_thread(book.remove, chat_id, chosen[0].id)
            await update.effective_message.reply_text(
                f"Stopped “{render.esc(chosen[0].query)}”.", parse_mode=ParseMode.HTML
            )
            return
        if chosen:
            subs, prompt = chosen, f"Several match “{shown}”: which one should I stop?"
        else:
            prompt = f"You follow nothing called “{shown}”. Which one should I stop?"
    buttons = [
        [InlineKeyboardButton(f"✖ {render.clip(s.query, 40)}", callback_data=f"unsub:{s.id}")]
        for s in subs
    ]
    await update.effective_message.reply_text(
        prompt, parse_mode=ParseMode.HTML, reply_markup=InlineKeyboardMarkup(buttons)
    )


def _names(sub: Subscription, name: str) -> bool:
    """Whether `name` is how a person would refer to this subscription."""
    if sub.kind is Kind.SPEAKER:
        return same_person(sub.query, name)
    return " ".join(name.lower().split()) == sub.query.lower()


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


async def take_in_changes(context: BotContext) -> None:
    """The repeating job that follows the store: articles another process added become
    searchable here and are matched against subscriptions, claims settled anywhere are
    followed up; deliveries go out at once."""
    matched = await asyncio.to_thread(match_new_articles, context.services)
    followed = await asyncio.to_thread(queue_followups, context.services)
    election = context.services.election
    # The sender of several instances also sends what the others queued (one cheap query
    # when nothing waits), so that their deliveries go out within seconds, not at the sweep.
    if matched or followed or (election.contested and election.is_sender):
        kick_delivery(context.job_queue)


def match_new_articles(services: Services) -> int:
    """Match every article added to the store since the last match (through the bot, the CLI
    or another process) against the active subscriptions and queue the deliveries.

    Follows the store's change log from the book's cursor; each article's deliveries and the
    cursor's move are one transaction, so a crash at any point neither loses nor repeats a
    match. Returns how many deliveries were queued. Runs in a worker thread.
    """
    with services.matching:
        library = services.library
        library.sync()  # what another process added is searchable (and matchable) here first
        queued = 0
        book = services.subscriptions
        while changes := library.changes_since(book.match_cursor()):
            for change in changes:
                article = library.find(change.article_id) if change.op == "add" else None
                items = _matches(services, article) if article is not None else []
                queued += book.queue(items, through=change.seq)
                if article is not None:
                    log.info("article %s matched %d subscriptions", article.id, len(items))
        return queued


def _matches(services: Services, article: Article) -> list[tuple[int, str, list[int]]]:
    """(subscription id, article id, passage ids) for each subscription the article answers."""
    book = services.subscriptions
    library = services.library
    items: list[tuple[int, str, list[int]]] = []
    topics = book.active(Kind.TOPIC)
    stale = [(s, v) for s, v, model in topics if v is None or model != library.model_name]
    if stale:
        vectors = library.encode_queries([s.query for s, _ in stale])
        for (sub, _), vector in zip(stale, vectors, strict=True):
            book.set_vector(sub.id, vector, library.model_name)
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
    return items
