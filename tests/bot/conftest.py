"""End-to-end fixtures: the real bot, polling the Bot API stand-in over HTTP on 127.0.0.1.

Everything is real except Telegram itself: python-telegram-bot's Application, the
bundled all-MiniLM-L6-v2 model (loaded once per session), SQLite and FAISS in
``tmp_path``. Tests play users through :class:`BotHarness` and end with
``standin.assert_no_refusals()``, so a message Telegram would refuse fails the test.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from telegram.ext import Application

from bot.app import build_application, start_polling
from bot.context import Services
from bot.language import LanguageCheck
from bot.settings import Settings
from corpus import SAMPLES_DIR
from retrieval.embedder import Embedder, SentenceTransformerEmbedder
from retrieval.library import Library
from standin import StandIn
from tests.conftest import SEED_FILE, shared_path, spec_or_none

ADMIN_ID = 42
# Calls the stand-in counts against a chat's rate limit (standin.methods.RATE_LIMITED).
RATE_LIMITED = frozenset({"sendMessage", "sendDocument", "sendPhoto", "editMessageText"})
BOT_USERNAME = "briefbot_test_bot"
SAMPLES = {
    "putin": "putin_vladivostok_western_troops.txt",
    "dam": "ostrel_river_dam_failure.txt",
    "strike": "port_of_tessaly_dock_strike.txt",
    "breach": "stridely_app_data_breach.txt",
    "vaccine": "norvania_rsv_vaccine_approval.txt",
    "recount": "brevik_mayoral_election_recount.txt",
    "tram": "plain_lindmark_tram_extension.txt",
}


def sample_bytes(key: str) -> bytes:
    """One of the bundled sample articles (corpus.SAMPLES_DIR)."""
    return (SAMPLES_DIR / SAMPLES[key]).read_bytes()


def seed_bytes() -> bytes:
    """The user's own example briefing from ../shared/seed, or skip when it is absent."""
    return shared_path("seed", SEED_FILE).read_bytes()


async def start_standin(**options: Any) -> StandIn:
    """The stand-in, started, checking every call against ../shared/telegram/api.json where
    that folder is present (and Telegram's text, HTML and limit rules everywhere)."""
    standin = StandIn(spec_path=spec_or_none(), bot_username=BOT_USERNAME, **options)
    await standin.start()
    return standin


def bot_settings(
    standin: StandIn, data_dir: Path, admins: Iterable[int] = (ADMIN_ID,), **extra: Any
) -> Settings:
    """Settings for the real bot talking to ``standin`` over ``data_dir``."""
    return Settings(
        _env_file=None,
        data_dir=data_dir,
        telegram_bot_token=standin.token,
        telegram_api_url=standin.base_url,
        telegram_file_url=standin.base_file_url,
        admin_ids=",".join(map(str, admins)),
        **extra,
    )


def buttons(message: dict[str, Any]) -> list[dict[str, Any]]:
    """The inline keyboard buttons under a bot message, row by row, flattened."""
    rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    return [button for row in rows for button in row]


def button_data(message: dict[str, Any], prefix: str) -> str:
    """The callback_data of the first button whose data starts with ``prefix``."""
    for button in buttons(message):
        if button.get("callback_data", "").startswith(prefix):
            return button["callback_data"]
    raise AssertionError(f"no {prefix!r} button under: {buttons(message)}")


class BotHarness:
    """The stand-in plus the real application over one data directory, restartable."""

    def __init__(self, standin: StandIn, settings: Settings, embedder: Embedder) -> None:
        self.standin = standin
        self.settings = settings
        self.embedder = embedder
        self.app: Application | None = None
        self.library: Library | None = None

    # -- lifecycle ----------------------------------------------------------------------

    async def start(self) -> None:
        """Build a new Library and Application on the data directory and poll, as
        ``Application.run_polling`` does: initialize, post_init, polling, start."""
        assert self.app is None, "already running"
        self.library = await asyncio.to_thread(
            Library, self.settings.data_dir, self.embedder, database_url=self.settings.database_url
        )
        app = build_application(self.settings, self.library)
        await start_polling(app)
        self.app = app

    async def stop(self) -> None:
        """Stop as ``run_polling`` does: polling, jobs, post_stop, shutdown, post_shutdown
        (which closes the library)."""
        app, self.app = self.app, None
        if app is None:
            return
        if app.updater.running:
            await app.updater.stop()
        if app.running:
            await app.stop()
        if app.post_stop:
            await app.post_stop(app)
        await app.shutdown()
        if app.post_shutdown:
            await app.post_shutdown(app)
        self.library = None

    async def restart(self) -> None:
        """A new process on the same data directory: nothing survives but the files."""
        await self.stop()
        await self.start()

    @property
    def services(self) -> Services:
        assert self.app is not None, "the application is not running"
        return self.app.bot_data["services"]

    # -- playing users ------------------------------------------------------------------

    async def pace(self, chat_id: int, room: int = 1) -> None:
        """Act at a person's pace: wait until the bot may send ``room`` messages to the chat.

        Telegram allows about one message a second to one chat after a short burst, and
        the stand-in answers 429 beyond that; a test firing commands back to back would
        provoke it. The stand-in's token bucket is replayed from its log of accepted calls.
        """
        limiter = self.standin.limiter
        rate, burst = limiter.per_chat_per_second, float(limiter.chat_burst)
        tokens, last = burst, None
        for call in self.standin.sent_log:
            if call.method in RATE_LIMITED and _chat_of(call.params) == chat_id:
                if last is not None:
                    tokens = min(burst, tokens + (call.at - last) * rate)
                tokens, last = tokens - 1.0, call.at
        if last is not None:
            tokens = min(burst, tokens + (time.time() - last) * rate)
        if tokens < room:
            await asyncio.sleep((room - tokens) / rate + 0.1)

    def count(self, chat_id: int) -> int:
        """Messages the bot has sent to this chat so far."""
        return len(self.standin.messages(chat_id))

    async def send(
        self,
        user_id: int,
        text: str,
        *,
        chat_id: int | None = None,
        chat_type: str = "private",
        expect: int = 1,
        timeout: float = 20.0,
    ) -> list[dict[str, Any]]:
        """The user writes ``text``; wait for ``expect`` new bot messages in the chat."""
        chat = user_id if chat_id is None else chat_id
        await self.pace(chat)
        before = self.count(chat)
        self.standin.send_message(user_id, text, chat_id=chat_id, chat_type=chat_type)
        return await self.new_messages(chat, before, expect, timeout)

    async def ask(self, user_id: int, text: str, **kwargs: Any) -> dict[str, Any]:
        """Send ``text`` and return the bot's next message in that chat (settled)."""
        reply = (await self.send(user_id, text, **kwargs))[-1]
        return await self.settled(reply["chat"]["id"], reply)

    async def upload(
        self,
        user_id: int,
        filename: str,
        content: bytes,
        *,
        caption: str | None = "/add",
        mime_type: str = "text/plain",
        timeout: float = 30.0,
    ) -> dict[str, Any]:
        """The user uploads a document; return the bot's reply (a working message once it
        has been edited into the result)."""
        await self.pace(user_id)
        before = self.count(user_id)
        self.standin.send_document(user_id, filename, content, mime_type, caption=caption)
        reply = (await self.new_messages(user_id, before, 1, timeout))[-1]
        return await self.settled(user_id, reply, timeout)

    async def settled(
        self, chat_id: int, message: dict[str, Any], timeout: float = 30.0
    ) -> dict[str, Any]:
        """The message as it stands once no longer a working message (bot.uploads)."""

        def current() -> dict[str, Any]:
            return next(m for m in self.standin.messages(chat_id)
                        if m["message_id"] == message["message_id"])  # fmt: skip

        await self.wait_until(lambda: not current()["text"].startswith(("⏳", "Adding")), timeout)
        return current()

    async def add_article(self, content: bytes, filename: str = "article.txt") -> dict[str, Any]:
        """The admin uploads an article with the caption /add; return the bot's summary."""
        reply = await self.upload(ADMIN_ID, filename, content)
        assert "Added" in reply["text"], reply["text"]
        return reply

    async def press(
        self,
        user_id: int,
        message: dict[str, Any],
        data: str,
        *,
        forged: bool = False,
        expect: int = 1,
        timeout: float = 20.0,
    ) -> list[dict[str, Any]]:
        """Press the button ``data`` under ``message``; wait for ``expect`` new messages."""
        chat = message["chat"]["id"]
        await self.pace(chat)
        before = self.count(chat)
        answers = len(self.standin.callback_answers)
        self.standin.press_button(user_id, message, data, forged=forged)
        if expect == 0:
            await self.wait_until(lambda: len(self.standin.callback_answers) > answers, timeout)
            return []
        return await self.new_messages(chat, before, expect, timeout)

    async def new_messages(
        self, chat_id: int, before: int, expect: int, timeout: float = 20.0
    ) -> list[dict[str, Any]]:
        await self.standin.wait_for_messages(chat_id, before + expect, timeout=timeout)
        return self.standin.messages(chat_id)[before:]

    async def quiet(self, chat_id: int, seconds: float = 1.5) -> list[dict[str, Any]]:
        """What the bot sends to the chat within ``seconds`` (expected: nothing)."""
        before = self.count(chat_id)
        await asyncio.sleep(seconds)
        return self.standin.messages(chat_id)[before:]

    async def wait_until(self, predicate: Callable[[], bool], timeout: float = 10.0) -> None:
        """Poll a condition that is not a message (a database state, a refusal)."""
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                raise TimeoutError(f"condition not met within {timeout}s")
            await asyncio.sleep(0.05)

    def attempts(self, chat_id: int, method: str = "sendMessage") -> int:
        """Calls of ``method`` to the chat, accepted or refused."""
        sent = sum(
            1
            for call in self.standin.sent_log
            if call.method == method and _chat_of(call.params) == chat_id
        )
        refused = sum(
            1 for r in self.standin.refusals if r.method == method and _chat_of(r.params) == chat_id
        )
        return sent + refused


def _chat_of(params: dict[str, Any]) -> int | None:
    try:
        return int(params.get("chat_id"))
    except (TypeError, ValueError):
        return None


class RememberingEmbedder:
    """The real model, remembering each text's vector for the session.

    Many tests add the same sample articles; on a small CPU the model needs seconds per
    article, so each distinct text is encoded once. The vectors are the model's own.
    """

    def __init__(self, model: Embedder) -> None:
        self.model = model
        self.name = model.name
        self.dim = model.dim
        self._known: dict[str, np.ndarray] = {}
        self._lock = threading.Lock()

    def encode(self, texts: list[str], *, batch_size: int = 64) -> np.ndarray:
        with self._lock:
            missing = list(dict.fromkeys(t for t in texts if t not in self._known))
            if missing:
                vectors = self.model.encode(missing, batch_size=batch_size)
                self._known.update(zip(missing, vectors, strict=True))
            if not texts:
                return np.zeros((0, self.dim), dtype=np.float32)
            return np.stack([self._known[t] for t in texts])


@pytest.fixture(scope="session")
def bot_embedder(request: pytest.FixtureRequest) -> Embedder:
    """The real model, loaded once: the session's shared one when tests/conftest.py offers it."""
    try:
        model = request.getfixturevalue("real_embedder")
    except pytest.FixtureLookupError:
        model = SentenceTransformerEmbedder()
    return RememberingEmbedder(model)


@contextlib.asynccontextmanager
async def running_bot(
    data_dir: Path, embedder: Embedder, **overrides: Any
) -> AsyncIterator[BotHarness]:
    """The stand-in (validating against api.json) and the real bot polling it, with any
    settings overridden; both stopped at the end."""
    standin = await start_standin()
    harness = BotHarness(standin, bot_settings(standin, data_dir, **overrides), embedder)
    try:
        await harness.start()
        yield harness
    finally:
        try:
            await harness.stop()
        finally:
            await standin.stop()


@pytest.fixture
async def bot_harness(tmp_path: Path, bot_embedder: Embedder) -> AsyncIterator[BotHarness]:
    """The stand-in (validating against api.json) and the real bot polling it."""
    async with running_bot(tmp_path, bot_embedder) as harness:
        yield harness


@pytest.fixture(scope="session", autouse=True)
def language_models() -> None:
    """The language detector's models, loaded once before the first bot answers a question."""
    LanguageCheck(["en"]).warm()
