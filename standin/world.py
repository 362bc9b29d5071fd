"""What the stand-in remembers: users, chats, messages, files and pending updates.

Everything is Bot API JSON (plain dicts) so that it can be returned to the bot as is.
Message ids count per chat and are shared by user and bot messages, as in private
chats and groups on Telegram.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import re
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

__all__ = ["ApiCall", "Chat", "StoredFile", "User", "World", "file_path"]


@dataclass
class User:
    """A Telegram user (or the bot itself)."""

    id: int
    first_name: str = "Test"
    last_name: str | None = None
    username: str | None = None
    is_bot: bool = False
    language_code: str | None = None

    def to_api(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "is_bot": self.is_bot, "first_name": self.first_name}
        for key in ("last_name", "username", "language_code"):
            if getattr(self, key) is not None:
                data[key] = getattr(self, key)
        return data


@dataclass
class Chat:
    """A chat; ``type`` is private, group, supergroup or channel."""

    id: int
    type: str = "private"
    title: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    username: str | None = None

    def to_api(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "type": self.type}
        for key in ("title", "first_name", "last_name", "username"):
            if getattr(self, key) is not None:
                data[key] = getattr(self, key)
        return data


@dataclass
class StoredFile:
    """An uploaded file, reachable through getFile and the file download route."""

    file_id: str
    file_unique_id: str
    file_path: str
    data: bytes
    file_name: str | None = None
    mime_type: str | None = None

    def to_document(self) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": len(self.data),
        }
        if self.file_name:
            doc["file_name"] = self.file_name
        if self.mime_type:
            doc["mime_type"] = self.mime_type
        return doc


@dataclass
class ApiCall:
    """One successful message-changing call the bot made (``sent_log`` entry)."""

    method: str
    params: dict[str, Any]
    result: Any
    at: float = field(default_factory=time.time)


_UPDATE_KINDS_DEFAULT_OFF = {"chat_member", "message_reaction", "message_reaction_count"}


def file_path(kind: str, number: int, filename: str | None) -> str:
    """A download path as Telegram makes it ("documents/file_3.txt"): the sender's file name
    never appears in it, only a plain extension."""
    suffix = re.search(r"\.[A-Za-z0-9]{1,8}$", filename or "")
    return f"{kind}/file_{number}{suffix[0] if suffix else ''}"


class World:
    """State shared by the HTTP side (the bot) and the player side (tests)."""

    def __init__(self, bot: User):
        self.bot = bot
        self.users: dict[int, User] = {}
        self.chats: dict[int, Chat] = {}
        self.messages: dict[int, dict[int, dict[str, Any]]] = {}
        self.received: dict[int, int] = {}  # chat -> count of bot messages sent there
        self.files: dict[str, StoredFile] = {}
        self.updates: list[dict[str, Any]] = []
        self.allowed_updates: list[str] | None = None
        self.sent_log: list[ApiCall] = []
        self._next_update_id = 1
        self._next_message_id: dict[int, int] = {}
        self._ids = itertools.count(1)
        self._update_event = asyncio.Event()
        self._sent_event = asyncio.Event()

    # -- identities -----------------------------------------------------------------

    def new_id(self, prefix: str = "") -> str:
        """A fresh opaque identifier (file ids, callback query ids)."""
        return f"{prefix}{next(self._ids)}{secrets.token_hex(4)}"

    def chat_for(self, chat_id: int) -> Chat:
        """The chat with this id; unknown ids get a type guessed from their sign."""
        chat = self.chats.get(chat_id)
        if chat is None:
            if chat_id > 0:
                kind = "private"
            elif chat_id <= -1_000_000_000_000:
                kind = "supergroup"
            else:
                kind = "group"
            chat = Chat(chat_id, kind, title=None if kind == "private" else f"Group {chat_id}")
            self.chats[chat_id] = chat
        return chat

    # -- messages -------------------------------------------------------------------

    def add_message(self, chat: Chat, sender: User, **content: Any) -> dict[str, Any]:
        """Store a new message in ``chat`` and return its Bot API dict."""
        message_id = self._next_message_id.get(chat.id, 0) + 1
        self._next_message_id[chat.id] = message_id
        message: dict[str, Any] = {
            "message_id": message_id,
            "from": sender.to_api(),
            "chat": chat.to_api(),
            "date": self.clock_seconds(),
            **{key: value for key, value in content.items() if value is not None},
        }
        self.messages.setdefault(chat.id, {})[message_id] = message
        if sender.id == self.bot.id:
            self.received[chat.id] = self.received.get(chat.id, 0) + 1
        return message

    def clock_seconds(self) -> int:
        """Unix time as Telegram stamps messages."""
        return int(time.time())

    def message(self, chat_id: int, message_id: int) -> dict[str, Any] | None:
        return self.messages.get(chat_id, {}).get(message_id)

    def record(self, method: str, params: dict[str, Any], result: Any) -> None:
        """Log a message-changing call and wake whoever waits for bot messages."""
        self.sent_log.append(ApiCall(method, params, result))
        self._sent_event.set()
        self._sent_event = asyncio.Event()

    async def sent_changed(self, timeout: float) -> None:
        """Wait until the bot sends, edits or deletes something (or ``timeout``)."""
        event = self._sent_event
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), timeout)

    # -- updates --------------------------------------------------------------------

    def push_update(self, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        """Queue an update of ``kind`` (message, callback_query, …) for getUpdates."""
        update = {"update_id": self._next_update_id, kind: payload}
        self._next_update_id += 1
        self.updates.append(update)
        self._update_event.set()
        self._update_event = asyncio.Event()
        return update

    def confirm(self, offset: int) -> None:
        """Forget updates below ``offset`` (negative: keep only the last ``-offset``)."""
        if offset < 0:
            self.updates = self.updates[offset:]
        else:
            self.updates = [u for u in self.updates if u["update_id"] >= offset]

    def deliverable(self, limit: int) -> list[dict[str, Any]]:
        """Pending updates the bot asked for, dropping kinds it did not ask for."""
        allowed = self.allowed_updates

        def wanted(update: dict[str, Any]) -> bool:
            kind = next(key for key in update if key != "update_id")
            if allowed:
                return kind in allowed
            return kind not in _UPDATE_KINDS_DEFAULT_OFF

        self.updates = [u for u in self.updates if wanted(u)]
        return self.updates[:limit]

    async def updates_arrived(self, timeout: float, closing: asyncio.Event) -> None:
        """Wait for a new update, the server closing, or ``timeout``."""
        waiters = [
            asyncio.ensure_future(self._update_event.wait()),
            asyncio.ensure_future(closing.wait()),
        ]
        try:
            await asyncio.wait(waiters, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiter in waiters:
                waiter.cancel()
