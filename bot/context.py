"""What every handler reaches through its context: the services, typed."""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass, field

from telegram.ext import Application, CallbackContext, ExtBot

from bot.answers import AnswerArchive
from bot.election import SenderElection
from bot.language import LanguageCheck
from bot.settings import Settings
from bot.sightings import Sightings
from bot.subscriptions import SubscriptionBook
from bot.uploads import UploadFeedback
from retrieval.library import Library


@dataclass
class Services:
    """The bot's dependencies, built once in `build_application`."""

    settings: Settings
    library: Library
    subscriptions: SubscriptionBook
    answers: AnswerArchive
    sightings: Sightings
    election: SenderElection  # whether this instance is the one that sends
    language: LanguageCheck
    uploads: UploadFeedback
    # Held around every change to the corpus: the library makes them one at a time anyway, and
    # an upload waiting here does not hold one of the worker threads that questions run in.
    writing: asyncio.Lock = field(default_factory=asyncio.Lock)
    # One matching of new articles against subscriptions at a time (a worker thread's).
    matching: threading.Lock = field(default_factory=threading.Lock)

    def is_admin(self, user_id: int | None) -> bool:
        return user_id is not None and user_id in self.settings.admin_ids


class BotContext(CallbackContext[ExtBot, dict, dict, dict]):
    """CallbackContext with the services as a typed attribute."""

    def __init__(self, application: Application, chat_id: int | None = None,
                 user_id: int | None = None) -> None:  # fmt: skip
        super().__init__(application, chat_id=chat_id, user_id=user_id)

    @property
    def services(self) -> Services:
        return self.application.bot_data["services"]
