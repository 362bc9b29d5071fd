"""The one place that wires the Telegram application: handlers, jobs, start and stop."""

from __future__ import annotations

import asyncio
import gc
import logging

from telegram import BotCommand, Update
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    InlineQueryHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot import admin, asking, browsing, followups, subscribing
from bot.answers import AnswerArchive
from bot.budget import SharedPace, bot_id
from bot.context import BotContext, Services
from bot.delivery import LateJobQueue, schedule_jobs, take_over
from bot.election import ELECTION_SECONDS, SenderElection
from bot.language import LanguageCheck
from bot.limits import ChatRateLimiter
from bot.secrets import hide_secrets
from bot.settings import Settings
from bot.sightings import Sightings
from bot.subscriptions import SubscriptionBook
from bot.uploads import UploadFeedback
from retrieval.library import Library

log = logging.getLogger(__name__)

# How often the bot looks for articles that another process (`briefbot ingest`) added or
# removed: one indexed query when nothing changed.
SYNC_SECONDS = 2.0
TAKE_IN_JOB = "take-in"

COMMANDS = [
    BotCommand("help", "What I do, with an example"),
    BotCommand("ask", "Ask a question (in groups)"),
    BotCommand("latest", "The newest articles"),
    BotCommand("articles", "Browse every article"),
    BotCommand("subscribe", "Get new passages on a topic"),
    BotCommand("follow", "Get every new statement by a person"),
    BotCommand("subscriptions", "Your subscriptions"),
    BotCommand("unsubscribe", "Stop a subscription"),
    BotCommand("followups", "Updates when a report you saw is confirmed or denied: on/off"),
]


def build_services(settings: Settings, library: Library) -> Services:
    # The bot's own tables (subscriptions, answers, sightings, the sender lease) live in the
    # corpus's database, so that one file or one server holds the whole state.
    return Services(
        settings=settings,
        library=library,
        subscriptions=SubscriptionBook(
            library.store, per_chat_limit=settings.subscriptions_per_chat
        ),
        answers=AnswerArchive(library.store),
        sightings=Sightings(library.store),
        election=SenderElection(library.store),
        language=LanguageCheck(list(settings.languages)),
        uploads=UploadFeedback(settings.upload_working_after),
    )


def build_application(settings: Settings, library: Library) -> Application:
    """The bot: python-telegram-bot's Application over the library, ready to poll."""
    if settings.telegram_bot_token is None:
        raise ValueError("TELEGRAM_BOT_TOKEN is not set")
    token = settings.telegram_bot_token.get_secret_value()
    hide_secrets(token)
    services = build_services(settings, library)
    # Telegram's overall limit is the token's: instances on one PostgreSQL share one budget.
    shared = library.store.dialect == "postgresql"
    pace = SharedPace(library.store, bot_id(token)) if shared else None

    async def post_init(app: Application) -> None:
        await asyncio.to_thread(services.election.campaign)
        if not services.election.contested:
            await recover_deliveries(services)
        await app.bot.set_my_commands(COMMANDS)
        schedule_jobs(app, services)
        if services.election.contested:
            app.job_queue.run_repeating(campaign, interval=ELECTION_SECONDS, name="elect")
        # The language models load before the first update, not while it waits: loading holds
        # the interpreter for seconds, which would stall the event loop mid-service.
        await asyncio.to_thread(services.language.warm)
        app.job_queue.run_repeating(
            subscribing.take_in_changes, interval=SYNC_SECONDS, first=0, name=TAKE_IN_JOB
        )
        # What start-up loaded (model, indexes, modules) lives until the end: kept out of the
        # collector's full passes, which otherwise stall the event loop for 80 ms and more.
        gc.collect()
        gc.freeze()

    async def post_shutdown(app: Application) -> None:
        gc.unfreeze()
        await asyncio.to_thread(services.election.resign)
        await asyncio.to_thread(library.close)

    application = (
        ApplicationBuilder()
        .token(token)
        .base_url(settings.telegram_api_url)
        .base_file_url(settings.telegram_file_url)
        .context_types(ContextTypes(context=BotContext))
        .rate_limiter(ChatRateLimiter(pace))
        .job_queue(LateJobQueue())
        .concurrent_updates(True)
        .post_init(post_init)
        .post_shutdown(post_shutdown)
        .build()
    )
    application.bot_data["services"] = services
    register_handlers(application)
    return application


async def recover_deliveries(services: Services) -> None:
    """The sender's first act: what a stopped sender left claimed goes back to the queue."""
    recovered = await asyncio.to_thread(services.subscriptions.release)
    if recovered:
        log.info("%d deliveries interrupted by the last sender's stop will be sent again",
                 recovered)  # fmt: skip


async def campaign(context: BotContext) -> None:
    """The repeating election job: an instance that becomes the sender takes over the queue."""
    services = context.services
    took_over = context.application.bot_data.get("took_over", False)
    if not await asyncio.to_thread(services.election.campaign):
        context.application.bot_data["took_over"] = False
    elif not took_over:
        context.application.bot_data["took_over"] = True
        await recover_deliveries(services)
        take_over(context.job_queue)


async def start_polling(application: Application) -> None:
    """What ``run_polling`` does, inside a running event loop: initialize, post_init, poll,
    start (the terminal chat and the tests share their loop with the stand-in)."""
    await application.initialize()
    if application.post_init:
        await application.post_init(application)
    await application.updater.start_polling(
        poll_interval=0.0, timeout=1, allowed_updates=Update.ALL_TYPES
    )
    await application.start()


def register_handlers(app: Application) -> None:
    private = filters.ChatType.PRIVATE
    groups = filters.ChatType.GROUPS
    add_caption = filters.CaptionRegex(r"^/add(@\w+)?(\s|$)")
    app.add_handler(TypeHandler(Update, resume_paused_chat), group=-1)
    app.add_handlers(
        [
            CommandHandler("start", asking.start),
            CommandHandler("help", asking.help_command),
            CommandHandler("latest", browsing.latest),
            CommandHandler("ask", asking.ask_command),
            CommandHandler("subscribe", subscribing.subscribe),
            CommandHandler("follow", subscribing.follow),
            CommandHandler("subscriptions", subscribing.subscriptions),
            CommandHandler("unsubscribe", subscribing.unsubscribe),
            CommandHandler("add", admin.add),
            CommandHandler("remove", admin.remove),
            CommandHandler("articles", browsing.articles),
            CommandHandler("stats", admin.stats),
            CommandHandler("claims", admin.claims),
            CommandHandler("followups", followups.followups),
            MessageHandler(filters.Document.ALL & (add_caption | private), admin.add_document),
            CallbackQueryHandler(asking.more, pattern=r"^more:"),
            CallbackQueryHandler(subscribing.subscribe_button, pattern=r"^sub:"),
            CallbackQueryHandler(subscribing.follow_button, pattern=r"^follow:"),
            CallbackQueryHandler(subscribing.unsubscribe_button, pattern=r"^unsub:"),
            CallbackQueryHandler(browsing.articles_page, pattern=r"^arts:"),
            CallbackQueryHandler(admin.claim_button, pattern=r"^clm:"),
            CallbackQueryHandler(stale_button),
            MessageHandler(filters.TEXT & ~filters.COMMAND & private, asking.private_text),
            MessageHandler(filters.TEXT & ~filters.COMMAND & groups, asking.group_text),
            InlineQueryHandler(asking.inline_query),
            MessageHandler(private & ~filters.TEXT & ~filters.COMMAND, asking.not_text),
            MessageHandler(filters.COMMAND, asking.unknown_command),
        ]
    )
    app.add_error_handler(on_error)


async def resume_paused_chat(update: Update, context: BotContext) -> None:
    """A chat that blocked the bot and writes again gets its deliveries back."""
    chat = update.effective_chat
    book = context.services.subscriptions
    if chat and update.effective_message and book.is_paused(chat.id):
        await asyncio.to_thread(book.resume, chat.id)


async def stale_button(update: Update, context: BotContext) -> None:
    """A button this version of the bot does not know (or forged data)."""
    await update.callback_query.answer("This button is no longer valid.")


async def on_error(update: object, context: BotContext) -> None:
    """The one edge that turns unexpected errors into words: log, then apologise."""
    log.error("error while handling an update", exc_info=context.error)
    if isinstance(update, Update) and update.effective_message:
        try:
            await update.effective_message.reply_text(
                "Sorry, something went wrong. Please try again."
            )
        except Exception:  # the reply itself may be what fails
            log.exception("could not tell the user about the error")
