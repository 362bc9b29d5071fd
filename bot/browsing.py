"""Browsing the corpus, for everyone: /latest and /articles (admins also see each id)."""

from __future__ import annotations

import asyncio

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode

from bot import render
from bot.context import BotContext
from corpus.store import ArticleSummary
from retrieval.answer import Source

ARTICLES_PER_PAGE = 10
LATEST = 5


async def latest(update: Update, context: BotContext) -> None:
    """/latest: the newest articles with their headlines and sources."""
    summaries = await asyncio.to_thread(context.services.library.articles)
    if not summaries:
        await update.effective_message.reply_text("The corpus is empty.")
        return
    lines = ["<b>Newest articles</b>"]
    lines += [f"📰 {_entry(s, admin=False)}" for s in summaries[:LATEST]]
    lines.append("\nAsk me about any of them, or /articles to browse all.")
    await update.effective_message.reply_text(
        "\n\n".join(lines), parse_mode=ParseMode.HTML, disable_web_page_preview=True
    )


async def articles(update: Update, context: BotContext) -> None:
    """/articles: every stored article, newest first, ten a page."""
    await send_articles_page(update, context, 0)


async def articles_page(update: Update, context: BotContext) -> None:
    """The "Older" button under /articles."""
    await update.callback_query.answer()
    try:
        offset = max(0, int((update.callback_query.data or "").split(":")[1]))
    except (IndexError, ValueError):
        return
    await send_articles_page(update, context, offset)


async def send_articles_page(update: Update, context: BotContext, offset: int) -> None:
    summaries = await asyncio.to_thread(context.services.library.articles)
    page = summaries[offset : offset + ARTICLES_PER_PAGE]
    if not page:
        await update.effective_message.reply_text(
            "No more articles." if summaries else "The corpus is empty."
        )
        return
    user = update.effective_user
    admin = context.services.is_admin(user.id if user else None)
    lines = [f"<b>Articles {offset + 1}–{offset + len(page)} of {len(summaries)}</b>"]
    lines += [_entry(s, admin=admin) for s in page]
    if admin:
        lines.append("/remove ID removes one.")
    keyboard = None
    if offset + ARTICLES_PER_PAGE < len(summaries):
        older = InlineKeyboardButton("Older ▸", callback_data=f"arts:{offset + ARTICLES_PER_PAGE}")
        keyboard = InlineKeyboardMarkup([[older]])
    await update.effective_message.reply_text(
        "\n\n".join(lines),
        parse_mode=ParseMode.HTML,
        reply_markup=keyboard,
        disable_web_page_preview=True,
    )


def _entry(summary: ArticleSummary, *, admin: bool) -> str:
    """One article: headline (linked), outlet, date; its id for admins."""
    line = render.source_html(Source.of(summary))
    if summary.published is None:
        line += " · no date"
    return f"<code>{summary.id}</code> · {line}" if admin else line
