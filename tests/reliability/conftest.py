"""The real bot over the stand-in, with the hashing embedder (fast, no model to load)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.settings import Settings
from bot.standin import StandIn
from retrieval.embedder import HashingEmbedder
from tests.bot.conftest import ADMIN_ID, BOT_USERNAME, SPEC, BotHarness

UPLOAD_LIMIT = 50_000
# More admins than the one of tests/bot: tests that upload a lot use one chat each (Telegram
# paces a chat to a message a second).
ADMINS = [ADMIN_ID, *range(900, 920)]


@pytest.fixture
async def harness(tmp_path: Path) -> AsyncIterator[BotHarness]:
    """The stand-in validating against api.json, and the bot on `tmp_path / "data"`."""
    if not SPEC.exists():
        pytest.skip(f"Bot API spec not found at {SPEC} (shared/telegram/api.json)")
    standin = StandIn(spec_path=SPEC, bot_username=BOT_USERNAME)
    await standin.start()
    settings = Settings(
        _env_file=None,
        data_dir=tmp_path / "data",
        telegram_bot_token=standin.token,
        telegram_api_url=standin.base_url,
        telegram_file_url=standin.base_file_url,
        admin_ids=",".join(map(str, ADMINS)),
        max_upload_bytes=UPLOAD_LIMIT,
    )
    bot = BotHarness(standin, settings, HashingEmbedder())
    try:
        await bot.start()
        yield bot
    finally:
        try:
            await bot.stop()
        finally:
            await standin.stop()
