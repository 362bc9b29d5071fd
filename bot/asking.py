"""Questions: private messages, /ask and mentions in groups, "More", inline mode."""

from __future__ import annotations

import asyncio
import logging
import re

from telegram import (
    InlineQueryResultArticle,
    InputTextMessageContent,
    LinkPreviewOptions,
    Message,
    Update,
)
from telegram.constants import ChatAction, ParseMode

from bot import render, smalltalk
from bot.context import BotContext
from bot.followups import open_claims
from bot.limits import ChatRateLimiter
from bot.sightings import Sightings
from retrieval.answer import Answer

log = logging.getLogger(__name__)

# "typing…" only for an answer slower than this (most take tens of milliseconds), and only
# when the line to Telegram is free: every chat action is a call within Telegram's 30 a
# second, so in a crowd it would delay the answers queued behind it.
TYPING_AFTER = 0.5

WELCOME = (
    "I answer questions about the news briefings in my corpus with the matching passages, "
    "each labelled with its standing: ✅ verified, ⚠️ unconfirmed, 🗣 on record, "
    "📝 the outlet's summary, ▫️ reported.\n\n"
    "Ask me anything, for example:\n<i>{example}</i>\n\n"
    "/latest shows the newest articles; /help lists everything I do."
)
HELP = (
    "<b>Asking</b>\n"
    "Write a question (in groups: /ask QUESTION, mention me, or reply to me), "
    "e.g. <i>{example}</i>\n"
    "/latest — the newest articles · /articles — browse them all\n\n"
    "<b>Following the news</b>\n"
    "/subscribe TOPIC — new passages on a topic (add <code>daily</code> for a digest)\n"
    "/follow NAME — every new statement by a person\n"
    "/subscriptions — yours · /unsubscribe [NAME] — stop one\n"
    "/followups on|off — be told when a report you saw unconfirmed is settled"
)
ADMIN_HELP = (
    "\n\n<b>Admin</b>\n"
    "/add TEXT, a reply with /add, or a .txt/.md/.html upload — add an article\n"
    "/remove ID — remove one (ids in /articles) · /stats — corpus and deliveries"
)


async def start(update: Update, context: BotContext) -> None:
    """/start: what the bot does, with an example from the current corpus."""
    example = await asyncio.to_thread(example_question, context.services.library)
    await update.effective_message.reply_text(
        WELCOME.format(example=render.esc(example)), parse_mode=ParseMode.HTML
    )


async def help_command(update: Update, context: BotContext) -> None:
    """/help: every command, and the admin's for admins."""
    services = context.services
    example = await asyncio.to_thread(example_question, services.library)
    text = HELP.format(example=render.esc(example))
    user = update.effective_user
    if services.is_admin(user.id if user else None):
        text += ADMIN_HELP
    await update.effective_message.reply_text(text, parse_mode=ParseMode.HTML)


async def unknown_command(update: Update, context: BotContext) -> None:
    """A command the bot does not have: say so (in groups, only when it was addressed to us)."""
    message = update.effective_message
    word = (message.text or "").split(maxsplit=1)[0]
    command, _, addressee = word.partition("@")
    if addressee.lower() != (context.bot.username or "").lower() and (
        addressee or message.chat.type != "private"
    ):
        return  # another bot's command, or a bare one in a group that may be another bot's
    await message.reply_text(
        f"I don't know {render.clip(command, 40)}. Send /help for what I can do."
    )


def example_question(library) -> str:
    """A question the corpus can answer: about the newest statement's speaker, if any."""
    summaries = library.articles()
    for summary in summaries[:20]:
        article = library.find(summary.id)
        for p in article.passages if article else ():
            if p.speaker and " " in p.speaker.name:
                return f"What did {p.speaker.name.split()[-1]} say?"
    if summaries:
        return f"What happened with {render.clip(summaries[0].title, 80)}?"
    return "What did Putin say about Western troops?"


async def private_text(update: Update, context: BotContext) -> None:
    """In a private chat any text is a question."""
    await answer_question(update, context, update.effective_message.text or "")


async def ask_command(update: Update, context: BotContext) -> None:
    """/ask QUESTION, in any chat."""
    await answer_question(update, context, " ".join(context.args or []))


async def group_text(update: Update, context: BotContext) -> None:
    """In groups: answer a mention of the bot or a reply to one of its messages."""
    message = update.effective_message
    text = message.text or ""
    mention = f"@{context.bot.username}".lower()
    replied = message.reply_to_message
    if mention in text.lower():
        text = re.sub(re.escape(mention), " ", text, flags=re.IGNORECASE)
    elif not (replied and replied.from_user and replied.from_user.id == context.bot.id):
        return
    await answer_question(update, context, text)


async def answer_question(update: Update, context: BotContext, question: str) -> None:
    """Compute the answer off the event loop, save it for paging, send the first page."""
    message = update.effective_message
    services = context.services
    question = " ".join(question.split())
    if not question:
        await message.reply_text(
            "Ask me a question, e.g. “What did Putin say about Western troops?”"
        )
        return
    limit = services.settings.max_question_chars
    if len(question) > limit:
        await message.reply_text(f"That is a long one: please ask in under {limit} characters.")
        return
    if (courtesy := smalltalk.reply_to(question)) is not None:
        await message.reply_text(courtesy)
        return
    foreign = await asyncio.to_thread(services.language.foreign, question)
    if foreign is not None:
        await message.reply_text(not_understood(foreign.name.title(), services.language.names()))
        return
    asking = asyncio.ensure_future(asyncio.to_thread(services.library.ask, question))
    done, _ = await asyncio.wait({asking}, timeout=TYPING_AFTER)
    limiter = context.bot.rate_limiter
    busy = isinstance(limiter, ChatRateLimiter) and not limiter.has_room
    if not done and not busy:
        await context.bot.send_chat_action(message.chat_id, ChatAction.TYPING)
    answer = await asking
    answer_id = await asyncio.to_thread(services.answers.save, message.chat_id, answer)
    await send_answer_page(message, answer, answer_id, 0, sightings=services.sightings)


def not_understood(language: str, understood: str) -> str:
    """The honest answer to a question in a language the model cannot read."""
    return (
        f"That looks like {language}. I can only search the articles with questions in "
        f"{understood} for now: please ask again in {understood}."
    )


async def send_answer_page(
    message: Message,
    answer: Answer,
    answer_id: int,
    offset: int,
    *,
    edit: bool = False,
    sightings: Sightings | None = None,
) -> None:
    """One page of an answer; the open claims it shows are remembered for their follow-ups."""
    text, next_offset = render.answer_page(answer, offset)
    keyboard = render.answer_keyboard(
        answer_id, next_offset, found=answer.found, speaker=answer.speaker, listing=answer.listing
    )
    # One preview a message at most: the first linked article's, small, under the text.
    url = render.preview_url(answer, offset)
    preview = LinkPreviewOptions(
        is_disabled=url is None, url=url, prefer_small_media=True, show_above_text=False
    )
    if edit:
        sent = await message.edit_text(text, parse_mode=ParseMode.HTML, reply_markup=keyboard,
                                       link_preview_options=preview)  # fmt: skip
    else:
        sent = await message.reply_text(text, parse_mode=ParseMode.HTML, reply_markup=keyboard,
                                        link_preview_options=preview)  # fmt: skip
    shown = open_claims(answer.results[offset : next_offset or len(answer.results)])
    if sightings is not None and shown and isinstance(sent, Message):
        await asyncio.to_thread(sightings.record, sent.chat_id, sent.message_id, shown)


async def more(update: Update, context: BotContext) -> None:
    """The "More" button: the next results of a saved answer, as a new message."""
    query = update.callback_query
    await query.answer()
    answer_id, offset = _two_ints(query.data)
    saved = await asyncio.to_thread(context.services.answers.load, answer_id)
    if saved is None or offset is None:
        await query.message.reply_text("That answer has expired; please ask again.")
        return
    chat_id, answer = saved
    if chat_id != query.message.chat_id:
        log.warning("forged 'more' callback from user %s", query.from_user.id)
        return
    await query.edit_message_reply_markup(reply_markup=None)
    await send_answer_page(
        query.message, answer, answer_id, offset, sightings=context.services.sightings
    )


def _two_ints(data: str | None) -> tuple[int, int | None]:
    parts = (data or "").split(":")
    try:
        return int(parts[1]), int(parts[2]) if len(parts) > 2 else None
    except (IndexError, ValueError):
        return -1, None


async def inline_query(update: Update, context: BotContext) -> None:
    """@bot question in any chat: the top passages, each ready to send."""
    query = update.inline_query
    question = " ".join(query.query.split())[: context.services.settings.max_question_chars]
    if not question:
        await query.answer([], cache_time=5)
        return
    answer = await asyncio.to_thread(context.services.library.ask, question, limit=5)
    results = [
        InlineQueryResultArticle(
            id=str(r.passage.id),
            title=render.clip(f"{r.passage.status.label} {r.passage.text}", 100),
            description=render.clip(r.article.title, 100),
            input_message_content=InputTextMessageContent(
                render.card(r), parse_mode=ParseMode.HTML, disable_web_page_preview=True
            ),
        )
        for r in answer.results
    ]
    await query.answer(results, cache_time=30)


async def not_text(update: Update, context: BotContext) -> None:
    """Stickers, photos, voice: say what the bot understands."""
    await update.effective_message.reply_text(
        "I can only read text questions. Ask me something, or send /help."
    )
