"""The real bot over the stand-in, with the hashing embedder (fast, no model to load)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from retrieval.embedder import HashingEmbedder
from tests.bot.conftest import ADMIN_ID, BotHarness, bot_settings, start_standin

UPLOAD_LIMIT = 50_000
# More admins than the one of tests/bot: tests that upload a lot use one chat each (Telegram
# paces a chat to a message a second).
ADMINS = [ADMIN_ID, *range(900, 920)]


@pytest.fixture
async def harness(tmp_path: Path) -> AsyncIterator[BotHarness]:
    """The stand-in validating against api.json, and the bot on `tmp_path / "data"`."""
    standin = await start_standin()
    settings = bot_settings(standin, tmp_path / "data", ADMINS, max_upload_bytes=UPLOAD_LIMIT)
    bot = BotHarness(standin, settings, HashingEmbedder())
    try:
        await bot.start()
        yield bot
    finally:
        try:
            await bot.stop()
        finally:
            await standin.stop()
