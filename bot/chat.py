"""`briefbot chat`: talk to the real bot from a terminal, through the in-process stand-in.

The stand-in (no spec file; its text, HTML and limit rules still hold) and the bot's
Application share one event loop; `standin.terminal` turns typed lines into updates and
prints what the bot sends. This module only wires the two together.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import sys
from typing import TYPE_CHECKING

from pydantic import SecretStr

from bot.runner import QUIET_LOGGERS
from bot.settings import Settings

if TYPE_CHECKING:  # imported when a session starts, so that other commands start fast
    from telegram.ext import Application

    from standin import StandIn
    from standin.terminal import Terminal

__all__ = ["DEFAULT_USER_ID", "run_chat"]

DEFAULT_USER_ID = 100_000_001

BANNER = """\
briefbot chat: you are talking to the bot through a local stand-in for Telegram.
You are user {user_id}{role}. Corpus: {data_dir} ({corpus}).
Type a question, or a bot command: /help, /latest, /articles, /subscribe TOPIC,
/subscriptions, /follow NAME{admin_cmds}.
  1, 2, …        press that button under the last message with buttons
  /upload PATH   send a file as a document with the caption /add
  /inline QUERY  see what "@{bot} QUERY" offers in any chat
  /quit          leave (or Ctrl-D)
"""

# -- wiring ----------------------------------------------------------------------------------


def run_chat(settings: Settings, *, admin: bool, user_id: int) -> int:
    """Run an interactive (or piped) session until /quit or the end of input."""
    for name in QUIET_LOGGERS:  # with -v, httpx would log every getUpdates of the session
        logging.getLogger(name).setLevel(logging.WARNING)
    for stream in (sys.stdin, sys.stdout):
        with contextlib.suppress(AttributeError, ValueError):
            stream.reconfigure(errors="replace")  # type: ignore[union-attr]
    color = (
        sys.stdout.isatty() and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"
    )
    from standin.terminal import Terminal

    terminal = Terminal(sys.stdout, interactive=sys.stdin.isatty(), color=bool(color))
    try:
        asyncio.run(_session(settings, terminal, admin=admin, user_id=user_id))
    except KeyboardInterrupt:
        if terminal.at_prompt:
            terminal.out.write("\n")
        raise
    return 0


async def _session(settings: Settings, terminal: Terminal, *, admin: bool, user_id: int) -> None:
    from telegram import Update
    from telegram.ext import TypeHandler

    from bot.app import build_application, start_polling
    from bot.services import open_library
    from standin import StandIn
    from standin.terminal import HANDLED_GROUP, ChatSession, read_line

    standin = StandIn()
    await standin.start()
    admins = settings.admin_ids | {user_id} if admin else settings.admin_ids
    settings = settings.model_copy(
        update={
            "telegram_bot_token": SecretStr(standin.token),
            "telegram_api_url": standin.base_url,
            "telegram_file_url": standin.base_file_url,
            "admin_ids": frozenset(admins),
        }
    )
    print(f"Loading the model and the corpus in {settings.data_dir} …", file=sys.stderr, flush=True)
    try:
        library = await asyncio.to_thread(open_library, settings)
    except BaseException:
        await standin.stop()
        raise
    articles = await asyncio.to_thread(library.count_articles)
    application = build_application(settings, library)
    session = ChatSession(standin, user_id, terminal)
    application.add_handler(TypeHandler(Update, session.on_handled), group=HANDLED_GROUP)
    await start_polling(application)
    watcher = asyncio.create_task(session.watch())
    try:
        terminal.out.write(_banner(settings, user_id, user_id in admins, articles, standin))
        terminal.out.flush()
        while True:
            terminal.prompt()
            line = await read_line()
            if not line:  # Ctrl-D or the end of the pipe
                if terminal.interactive:
                    terminal.out.write("\n")
                break
            line = line.rstrip("\r\n")
            terminal.got(line)
            if not await session.handle(line):
                break
    finally:
        watcher.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await watcher
        await _stop(application)
        await standin.stop()


async def _stop(application: Application) -> None:
    if application.updater.running:
        await application.updater.stop()
    if application.running:
        await application.stop()
    await application.shutdown()
    if application.post_shutdown:
        await application.post_shutdown(application)


def _banner(settings: Settings, user_id: int, admin: bool, articles: int, standin: StandIn) -> str:
    if articles:
        corpus = f"{articles} article{'s' if articles != 1 else ''}"
    else:
        corpus = "empty: run `briefbot demo` to add the samples" + (
            ", or /add one" if admin else ""
        )
    return BANNER.format(
        user_id=user_id,
        role=", an admin" if admin else "",
        data_dir=settings.data_dir,
        corpus=corpus,
        admin_cmds=(
            ", and as admin /add TEXT (or /add alone, then paste lines and /end), /remove ID, "
            "/stats"
            if admin
            else ""
        ),
        bot=standin.bot_user.username,
    )
