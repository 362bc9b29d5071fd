"""Bot instances in webhook mode on one database, for the scale-out tests and benchmark."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path

from telegram import Update

from bot.app import build_application
from bot.runner import webhook_path
from retrieval.embedder import Embedder
from retrieval.library import Library
from standin import StandIn
from tests.bot.conftest import BotHarness, bot_settings

SECRET = "balancer-test-secret"
PUBLIC = "https://bot.example.org"  # what Telegram is told; the balancer maps it to instances


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Instance(BotHarness):
    """One `briefbot run` in webhook mode: its own data directory and port, the shared
    database and stand-in."""

    def __init__(self, standin: StandIn, data_dir: Path, url: str, embedder: Embedder) -> None:
        super().__init__(standin, bot_settings(standin, data_dir, database_url=url), embedder)
        self.port = free_port()
        self.path = webhook_path(standin.token)

    @property
    def local_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/{self.path}"

    async def start(self) -> None:
        """As `Application.run_webhook` does: initialize, post_init, webhook server, start."""
        self.library = await asyncio.to_thread(
            Library, self.settings.data_dir, self.embedder, database_url=self.settings.database_url
        )
        app = build_application(self.settings, self.library)
        await app.initialize()
        await app.post_init(app)
        await app.updater.start_webhook(
            listen="127.0.0.1", port=self.port, url_path=self.path,
            webhook_url=f"{PUBLIC}/{self.path}", secret_token=SECRET,
            allowed_updates=Update.ALL_TYPES,
        )  # fmt: skip
        await app.start()
        self.app = app
