"""Admin commands: /add (text, reply or document), /remove, /stats, /claims."""

from __future__ import annotations

import asyncio
import logging
import unicodedata

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode

from bot import render
from bot.context import BotContext
from bot.delivery import kick_delivery
from bot.followups import queue_followups
from bot.subscribing import match_new_articles
from bot.uploads import Upload
from corpus.claims import Claim, Link, LinkKind
from corpus.errors import ArticleNotFound, DuplicateArticle, ParseError
from corpus.models import Article
from corpus.parse import ArticleMeta
from corpus.sidecar import split_meta

log = logging.getLogger(__name__)

UPLOAD_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm")


async def refuse(update: Update, context: BotContext, what: str) -> bool:
    """Refuse a non-admin, log the attempt; True when refused."""
    user = update.effective_user
    if context.services.is_admin(user.id if user else None):
        return False
    log.warning("refused %s for user %s in chat %s", what, user and user.id,
                update.effective_chat and update.effective_chat.id)  # fmt: skip
    if update.callback_query:
        await update.callback_query.answer("Only admins can do that.", show_alert=True)
    else:
        await update.effective_message.reply_text("Sorry, only admins can do that.")
    return True


async def add(update: Update, context: BotContext) -> None:
    """/add TEXT, /add as a reply to a message, or /add as a document's caption."""
    if await refuse(update, context, "/add"):
        return
    message = update.effective_message
    if message.document:
        await add_document(update, context)
        return
    # Everything after the command, whether a space or a line break follows it.
    parts = (message.text or "").split(None, 1)
    text = parts[1] if len(parts) > 1 else ""
    if not text.strip() and message.reply_to_message:
        replied = message.reply_to_message
        text = replied.text or replied.caption or ""
    meta, text = split_meta(text)
    if not text.strip():
        await message.reply_text(
            "Send /add followed by the article text, reply /add to a message holding it, "
            "or upload a .txt, .md or .html file with the caption /add. Lines before the "
            "text may give its address and outlet: https://example.org/story Example Daily"
        )
        return
    await ingest(message, context, text.encode("utf-8"), "message.txt", meta)


async def add_document(update: Update, context: BotContext) -> None:
    """An uploaded article file (caption /add, or any upload in a private chat with an admin)."""
    if await refuse(update, context, "document upload"):
        return
    message = update.effective_message
    document = message.document
    services = context.services
    name = document.file_name or "upload.txt"
    if "/" in name or "\\" in name or any(unicodedata.category(c) == "Cc" for c in name):
        # Telegram apps send a plain name; anything else came from a forged client.
        await message.reply_text(
            "Not added: the file name has path separators or control characters."
        )
        return
    if not name.lower().endswith(UPLOAD_SUFFIXES):
        await message.reply_text("I can add .txt, .md and .html files only.")
        return
    limit = services.settings.max_upload_bytes
    if document.file_size and document.file_size > limit:
        await message.reply_text(
            f"That file is {document.file_size:,} bytes; the limit is {limit:,}."
        )
        return
    # Counted before the download, so that files sent together share one message.
    upload = services.uploads.begin(message.chat_id, name)
    file = await document.get_file()
    data = bytes(await file.download_as_bytearray())
    caption = (message.caption or "").strip()
    if caption.lower().startswith("/add"):
        caption = caption.split(None, 1)[1] if len(caption.split(None, 1)) > 1 else ""
    meta, _ = split_meta(caption)
    await ingest(message, context, data, name, meta, upload)


async def ingest(
    message: Message,
    context: BotContext,
    data: bytes,
    filename: str,
    meta: ArticleMeta | None = None,
    upload: Upload | None = None,
) -> None:
    """Parse, store and index; queue subscribers' deliveries; reply with what was parsed (a
    long upload is told as it goes, a burst of them in one message: bot.uploads)."""
    services = context.services
    feedback = services.uploads
    upload = upload or feedback.begin(message.chat_id, filename)
    loop = asyncio.get_running_loop()

    def progress(stage: str) -> None:  # from the worker thread
        loop.call_soon_threadsafe(upload.update, stage)

    async def work() -> Article:
        async with services.writing:  # one change to the corpus at a time: others wait here
            upload.update("reading")
            return await asyncio.to_thread(services.library.ingest, data, filename=filename,
                                           meta=meta, on_progress=progress)  # fmt: skip

    task = asyncio.ensure_future(work())
    await feedback.wait(message, upload, task)
    name = render.esc(render.clip(filename, 80))
    try:
        article = await task
    except DuplicateArticle as exc:
        text = f"Already in the corpus: {render.esc(exc.title)} ({exc.existing_id})."
        await feedback.finish(message, upload, f"↩️ {name} — {text}", text)
        return
    except ParseError as exc:
        text = f"Not added: {render.esc(exc.reason)}."
        await feedback.finish(message, upload, f"✖ {name} — {text}", text)
        return
    await asyncio.to_thread(match_new_articles, services)
    await asyncio.to_thread(queue_followups, services)
    notified = await asyncio.to_thread(services.subscriptions.queued_for, article.id)
    line = (
        f"✅ {name} — <b>{render.esc(render.clip(article.title, 120))}</b> "
        f"({len(article.passages)} passages)"
    )
    await feedback.finish(message, upload, line, render.article_summary(article, notified))
    kick_delivery(context.job_queue)


async def remove(update: Update, context: BotContext) -> None:
    """/remove ID: delete an article from the store and both indexes."""
    if await refuse(update, context, "/remove"):
        return
    message = update.effective_message
    if not context.args:
        await message.reply_text("Usage: /remove ID (see /articles for ids).")
        return
    try:
        async with context.services.writing:
            removed = await asyncio.to_thread(context.services.library.remove, context.args[0])
    except ArticleNotFound:
        await message.reply_text("No article has that id (see /articles).")
        return
    await message.reply_text(
        f"Removed <b>{render.esc(render.clip(removed.title, 300))}</b> "
        f"({len(removed.passages)} passages).",
        parse_mode=ParseMode.HTML,
    )


async def stats(update: Update, context: BotContext) -> None:
    """/stats: corpus and delivery figures."""
    if await refuse(update, context, "/stats"):
        return
    services = context.services
    library = services.library
    counts = await asyncio.to_thread(services.subscriptions.counts)
    corpus = await asyncio.to_thread(library.stats)
    await update.effective_message.reply_text(
        f"Articles: {corpus.articles}\nPassages: {corpus.passages}\n"
        f"Vector index: {corpus.index_kind}, {corpus.vectors} vectors "
        f"({render.esc(corpus.model)})\n"
        f"Subscriptions: {counts['subscriptions']} ({counts['paused_chats']} chats paused)\n"
        f"Deliveries pending: {counts['pending']} · sent: {counts['sent']} · "
        f"failed: {counts['failed']}",
        parse_mode=ParseMode.HTML,
    )


CLAIMS_PER_PAGE = 8
_WOULD = {LinkKind.CONFIRMS: "✅ would confirm", LinkKind.DENIES: "❌ would deny"}


async def claims(update: Update, context: BotContext) -> None:
    """/claims: the suggested links between the thresholds, each with Accept and Reject."""
    if await refuse(update, context, "/claims"):
        return
    library = context.services.library
    pending = await asyncio.to_thread(library.claims.suggestions, CLAIMS_PER_PAGE)
    if not pending:
        await update.effective_message.reply_text("No suggested claim links to review.")
        return
    stored = await asyncio.to_thread(library.passages, [k.passage_id for k, _ in pending])
    text, keyboard = claims_page(pending, {pid: p.text for pid, p in stored.items()})
    await update.effective_message.reply_text(
        text, parse_mode=ParseMode.HTML, reply_markup=keyboard, disable_web_page_preview=True
    )


def claims_page(
    pending: list[tuple[Link, Claim]], texts: dict[int, str]
) -> tuple[str, InlineKeyboardMarkup]:
    """The suggestions as one message (every part clipped: at most 8 fit in 4096) and a row
    of buttons for each."""
    lines = ["<b>Suggested claim links</b> (below the automatic threshold)"]
    rows = []
    for i, (link, claim) in enumerate(pending, start=1):
        day = claim.stated_on.strftime("%d %b") if claim.stated_on else "undated"
        settles = link.dated.strftime("%d %b") if link.dated else "undated"
        lines.append(
            f"<b>{i}.</b> ⚠️ “{render.esc(render.clip(claim.text, 200))}” "
            f"({render.esc(render.clip(claim.source or claim.title, 60))}, {day})\n"
            f"{_WOULD[link.kind]} it ({render.esc(render.clip(link.source or link.title, 60))}, "
            f"{settles}, score {link.score:.2f}):\n"
            f"<i>{render.esc(render.clip(texts.get(link.passage_id, '(removed)'), 200))}</i>"
        )
        rows.append(
            [
                InlineKeyboardButton(f"✅ Accept {i}", callback_data=f"clm:y:{link.id}"),
                InlineKeyboardButton(f"✖ Reject {i}", callback_data=f"clm:n:{link.id}"),
            ]
        )
    return "\n\n".join(lines), InlineKeyboardMarkup(rows)


async def claim_button(update: Update, context: BotContext) -> None:
    """Accept or reject one suggestion; an accepted one is followed up like any other."""
    if await refuse(update, context, "claims button"):
        return
    query = update.callback_query
    try:
        _, verb, link_id = (query.data or "").split(":")
        accept = {"y": True, "n": False}[verb]
        link_id_n = int(link_id)
    except (KeyError, ValueError):
        await query.answer("This button is no longer valid.")
        return
    services = context.services
    decided = await asyncio.to_thread(
        services.library.claims.decide, link_id_n, accept, query.from_user.id
    )
    if decided is None:
        await query.answer("Already decided.")
        return
    await query.answer("Accepted." if accept else "Rejected.")
    if accept and await asyncio.to_thread(queue_followups, services):
        kick_delivery(context.job_queue)
