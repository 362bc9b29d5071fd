"""The Bot API methods the stand-in serves, each answering with real Bot API JSON.

:class:`BotApi` maps a method name to a handler. Handlers validate first (text and
markup rules, targets, blocked users), then take a rate-limit slot, then change state,
so that refused calls change nothing and are not counted.
"""

from __future__ import annotations

import asyncio
import copy
import re
from collections.abc import Awaitable, Callable
from typing import Any

from . import rules
from .errors import ApiError
from .ratelimit import RateLimiter
from .request import Params
from .spec import UploadedFile
from .world import Chat, StoredFile, World, file_path

__all__ = ["BotApi"]

Handler = Callable[[Params], Awaitable[Any]]

# Counted against the broadcast limits.
RATE_LIMITED = frozenset({"sendMessage", "sendDocument", "sendPhoto", "editMessageText"})
# Fail with 403 when the target private chat's user blocked the bot.
BLOCKABLE = frozenset(
    {"sendMessage", "sendDocument", "sendPhoto", "sendChatAction", "editMessageText"}
)
CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
GET_FILE_MAX_BYTES = 20 * 1024 * 1024
_COMMAND = re.compile(r"[a-z0-9_]{1,32}")
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)
QUERY_TOO_OLD = "query is too old and response timeout expired or query ID is invalid"


class BotApi:
    """Handlers for the implemented methods, keyed by their Bot API spelling."""

    def __init__(self, world: World, limiter: RateLimiter, closing: asyncio.Event):
        self.world = world
        self.limiter = limiter
        self.closing = closing
        self.blocked: set[int] = set()
        self.migrated: dict[int, int] = {}  # group id -> the supergroup it became
        self.webhook: dict[str, Any] | None = None
        self.commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.pending_callbacks: set[str] = set()
        self.pending_inline: set[str] = set()
        self.callback_answers: list[dict[str, Any]] = []
        self.inline_answers: list[dict[str, Any]] = []
        self.chat_actions: list[tuple[int, str]] = []
        self.handlers: dict[str, Handler] = {
            "getMe": self.get_me,
            "getUpdates": self.get_updates,
            "setWebhook": self.set_webhook,
            "deleteWebhook": self.delete_webhook,
            "getWebhookInfo": self.get_webhook_info,
            "setMyCommands": self.set_my_commands,
            "getMyCommands": self.get_my_commands,
            "deleteMyCommands": self.delete_my_commands,
            "sendMessage": self.send_message,
            "editMessageText": self.edit_message_text,
            "editMessageReplyMarkup": self.edit_message_reply_markup,
            "deleteMessage": self.delete_message,
            "answerCallbackQuery": self.answer_callback_query,
            "answerInlineQuery": self.answer_inline_query,
            "sendChatAction": self.send_chat_action,
            "getFile": self.get_file,
            "sendDocument": self.send_document,
            "sendPhoto": self.send_photo,
            "getChat": self.get_chat,
            "close": self.close,
            "logOut": self.close,
        }
        self._by_lower = {name.lower(): name for name in self.handlers}

    def implemented(self, method: str) -> str | None:
        """The handler's spelling of ``method`` if the stand-in serves it."""
        return self._by_lower.get(method.lower())

    async def call(self, method: str, params: Params) -> Any:
        """Run ``method`` (already resolved by :meth:`implemented`)."""
        if method in BLOCKABLE:
            chat_id = params.chat_id()
            if isinstance(chat_id, int) and chat_id in self.blocked:
                raise ApiError(403, "Forbidden: bot was blocked by the user")
            if isinstance(chat_id, int) and chat_id in self.migrated:
                raise ApiError(
                    400,
                    "Bad Request: group chat was upgraded to a supergroup chat",
                    migrate_to_chat_id=self.migrated[chat_id],
                )
        return await self.handlers[method](params)

    # -- helpers ----------------------------------------------------------------------

    def _chat(self, params: Params, *, known: bool = False) -> Chat:
        chat_id = params.chat_id()
        if chat_id is None:
            raise ApiError.bad_request("chat_id is empty")
        if isinstance(chat_id, str):
            for chat in self.world.chats.values() if chat_id.startswith("@") else ():
                if chat.username and f"@{chat.username}".lower() == chat_id.lower():
                    return chat
            raise ApiError.bad_request("chat not found")
        if known and chat_id not in self.world.chats:
            raise ApiError.bad_request("chat not found")
        return self.world.chat_for(chat_id)

    def _rate(self, method: str, chat: Chat) -> None:
        if method not in RATE_LIMITED:
            return
        wait = self.limiter.acquire(chat.id)
        if wait is not None:
            raise ApiError(429, f"Too Many Requests: retry after {wait}", retry_after=wait)

    def _bot_message(self, params: Params, chat: Chat, *, verb: str) -> dict[str, Any]:
        message_id = params.integer("message_id")
        if message_id is None:
            raise ApiError.bad_request("message identifier is not specified")
        message = self.world.message(chat.id, message_id)
        if message is None:
            raise ApiError.bad_request(f"message to {verb} not found")
        if message["from"]["id"] != self.world.bot.id:
            raise ApiError.bad_request(f"message can't be {verb}ed")
        return message

    def _markup(self, params: Params) -> dict[str, Any] | None:
        markup = params.obj("reply_markup")
        if markup is not None and not isinstance(markup, dict):
            raise ApiError.bad_request("can't parse reply keyboard markup JSON object")
        rules.check_reply_markup(markup)
        return markup

    def _reply_to(self, params: Params, chat: Chat) -> dict[str, Any] | None:
        reply = params.obj("reply_parameters")
        if not isinstance(reply, dict) or "message_id" not in reply:
            return None
        target = self.world.message(chat.id, reply["message_id"])
        if target is None:
            if reply.get("allow_sending_without_reply"):
                return None
            raise ApiError.bad_request("message to be replied not found")
        return {k: v for k, v in target.items() if k != "reply_to_message"}

    def _store(self, upload: UploadedFile | str | None, kind: str) -> StoredFile:
        if isinstance(upload, UploadedFile):
            stored = StoredFile(
                file_id=self.world.new_id("BQAC"),
                file_unique_id=self.world.new_id("AgAD"),
                file_path=file_path(kind, len(self.world.files), upload.filename),
                data=upload.data,
                file_name=upload.filename,
                mime_type=upload.content_type,
            )
            self.world.files[stored.file_id] = stored
            return stored
        if isinstance(upload, str) and upload in self.world.files:
            return self.world.files[upload]
        raise ApiError.bad_request("wrong file identifier/HTTP URL specified")

    def _finish(self, method: str, params: Params, message: dict[str, Any]) -> dict[str, Any]:
        self.world.record(method, params.loggable(), copy.deepcopy(message))
        return message

    # -- updates and webhook -------------------------------------------------------------

    async def get_me(self, params: Params) -> dict[str, Any]:
        return {
            **self.world.bot.to_api(),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": True,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def get_updates(self, params: Params) -> list[dict[str, Any]]:
        if self.webhook:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = params.integer("offset")
        if offset:
            self.world.confirm(offset)
        limit = min(max(params.integer("limit") or 100, 1), 100)
        timeout = max(params.integer("timeout") or 0, 0)
        if "allowed_updates" in params:
            allowed = params.obj("allowed_updates")
            self.world.allowed_updates = list(allowed) if allowed else None
        updates = self.world.deliverable(limit)
        if not updates and timeout and not self.closing.is_set():
            await self.world.updates_arrived(timeout, self.closing)
            updates = self.world.deliverable(limit)
        return copy.deepcopy(updates)

    async def set_webhook(self, params: Params) -> bool:
        url = params.text("url") or ""
        if not url:
            self.webhook = None
            return True
        if not url.startswith("https://"):
            raise ApiError.bad_request("bad webhook: HTTPS url must be provided for webhook")
        self.webhook = {
            "url": url,
            "allowed_updates": params.obj("allowed_updates"),
            "secret_token": params.text("secret_token"),
        }
        if "allowed_updates" in params:
            allowed = params.obj("allowed_updates")
            self.world.allowed_updates = list(allowed) if allowed else None
        if params.flag("drop_pending_updates"):
            self.world.updates.clear()
        return True

    async def delete_webhook(self, params: Params) -> bool:
        self.webhook = None
        if params.flag("drop_pending_updates"):
            self.world.updates.clear()
        return True

    async def get_webhook_info(self, params: Params) -> dict[str, Any]:
        info: dict[str, Any] = {
            "url": self.webhook["url"] if self.webhook else "",
            "has_custom_certificate": False,
            "pending_update_count": len(self.world.updates),
        }
        if self.webhook and self.webhook.get("allowed_updates"):
            info["allowed_updates"] = self.webhook["allowed_updates"]
        return info

    # -- commands ----------------------------------------------------------------------

    def _command_key(self, params: Params) -> tuple[str, str]:
        scope = params.obj("scope") or {"type": "default"}
        return (repr(sorted(scope.items())), params.text("language_code") or "")

    async def set_my_commands(self, params: Params) -> bool:
        commands = params.obj("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise ApiError.bad_request("commands must be an array of at most 100 BotCommand")
        for command in commands:
            if not _COMMAND.fullmatch(str(command.get("command", ""))):
                raise ApiError.bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", ""))) <= 256:
                raise ApiError.bad_request("command description must be 1-256 characters")
        self.commands[self._command_key(params)] = commands
        return True

    async def get_my_commands(self, params: Params) -> list[dict[str, Any]]:
        return self.commands.get(self._command_key(params), [])

    async def delete_my_commands(self, params: Params) -> bool:
        self.commands.pop(self._command_key(params), None)
        return True

    # -- messages ----------------------------------------------------------------------

    async def send_message(self, params: Params) -> dict[str, Any]:
        chat = self._chat(params)
        parsed = rules.check_text(
            params.text("text"), params.text("parse_mode"), params.obj("entities")
        )
        markup = self._markup(params)
        reply_to = self._reply_to(params, chat)
        self._rate("sendMessage", chat)
        message = self.world.add_message(
            chat,
            self.world.bot,
            reply_to_message=reply_to,
            text=parsed.text,
            entities=parsed.entities or None,
            link_preview_options=params.obj("link_preview_options"),
            reply_markup=_inline_only(markup),
        )
        return self._finish("sendMessage", params, message)

    async def edit_message_text(self, params: Params) -> dict[str, Any] | bool:
        parsed = rules.check_text(
            params.text("text"), params.text("parse_mode"), params.obj("entities")
        )
        markup = _inline_only(self._markup(params))
        if "inline_message_id" in params:
            self.world.record("editMessageText", params.loggable(), True)
            return True
        chat = self._chat(params)
        message = self._bot_message(params, chat, verb="edit")
        if "text" not in message:
            raise ApiError.bad_request("there is no text in the message to edit")
        entities = parsed.entities or None
        if (message["text"], message.get("entities"), message.get("reply_markup")) == (
            parsed.text,
            entities,
            markup,
        ):
            raise ApiError.bad_request(NOT_MODIFIED)
        self._rate("editMessageText", chat)
        message["text"] = parsed.text
        _set(message, "entities", entities)
        _set(message, "reply_markup", markup)
        message["edit_date"] = self.world.clock_seconds()
        return self._finish("editMessageText", params, copy.deepcopy(message))

    async def edit_message_reply_markup(self, params: Params) -> dict[str, Any] | bool:
        markup = _inline_only(self._markup(params))
        if "inline_message_id" in params:
            self.world.record("editMessageReplyMarkup", params.loggable(), True)
            return True
        chat = self._chat(params)
        message = self._bot_message(params, chat, verb="edit")
        if message.get("reply_markup") == markup:
            raise ApiError.bad_request(NOT_MODIFIED)
        _set(message, "reply_markup", markup)
        message["edit_date"] = self.world.clock_seconds()
        return self._finish("editMessageReplyMarkup", params, copy.deepcopy(message))

    async def delete_message(self, params: Params) -> bool:
        chat = self._chat(params)
        message_id = params.integer("message_id")
        if message_id is None or self.world.message(chat.id, message_id) is None:
            raise ApiError.bad_request("message to delete not found")
        del self.world.messages[chat.id][message_id]
        self.world.record("deleteMessage", params.loggable(), True)
        return True

    async def send_document(self, params: Params) -> dict[str, Any]:
        return await self._send_media(params, "sendDocument", "document")

    async def send_photo(self, params: Params) -> dict[str, Any]:
        return await self._send_media(params, "sendPhoto", "photo")

    async def _send_media(self, params: Params, method: str, kind: str) -> dict[str, Any]:
        chat = self._chat(params)
        upload = params.file(kind)
        if upload is None:
            raise ApiError.bad_request(f"there is no {kind} in the request")
        caption = rules.check_caption(
            params.text("caption"), params.text("parse_mode"), params.obj("caption_entities")
        )
        markup = self._markup(params)
        reply_to = self._reply_to(params, chat)
        stored = self._store(upload, f"{kind}s")
        self._rate(method, chat)
        media: Any = stored.to_document()
        if kind == "photo":
            # The stand-in does not decode images: dimensions are reported as 0.
            media = [{**_without(media, "file_name", "mime_type"), "width": 0, "height": 0}]
        message = self.world.add_message(
            chat,
            self.world.bot,
            reply_to_message=reply_to,
            **{kind: media},
            caption=caption.text if caption else None,
            caption_entities=(caption.entities or None) if caption else None,
            reply_markup=_inline_only(markup),
        )
        return self._finish(method, params, message)

    async def send_chat_action(self, params: Params) -> bool:
        chat = self._chat(params)
        action = params.text("action")
        if action not in CHAT_ACTIONS:
            raise ApiError.bad_request("wrong parameter action in request")
        self.chat_actions.append((chat.id, action))
        return True

    # -- queries -----------------------------------------------------------------------

    async def answer_callback_query(self, params: Params) -> bool:
        query_id = params.text("callback_query_id")
        if query_id not in self.pending_callbacks:
            raise ApiError.bad_request(QUERY_TOO_OLD)
        text = params.text("text")
        rules.check_callback_answer(text)
        self.pending_callbacks.discard(query_id)
        self.callback_answers.append(
            {
                "callback_query_id": query_id,
                "text": text,
                "show_alert": params.flag("show_alert"),
                "url": params.text("url"),
                "cache_time": params.integer("cache_time"),
            }
        )
        return True

    async def answer_inline_query(self, params: Params) -> bool:
        query_id = params.text("inline_query_id")
        results = params.obj("results")
        rules.check_inline_results(results)
        if query_id not in self.pending_inline:
            raise ApiError.bad_request(QUERY_TOO_OLD)
        self.pending_inline.discard(query_id)
        self.inline_answers.append(
            {
                "inline_query_id": query_id,
                "results": results,
                "cache_time": params.integer("cache_time"),
                "is_personal": params.flag("is_personal"),
                "next_offset": params.text("next_offset"),
                "button": params.obj("button"),
            }
        )
        return True

    # -- files and chats -------------------------------------------------------------------

    async def get_file(self, params: Params) -> dict[str, Any]:
        stored = self.world.files.get(params.text("file_id") or "")
        if stored is None:
            raise ApiError.bad_request("invalid file_id")
        if len(stored.data) > GET_FILE_MAX_BYTES:
            raise ApiError.bad_request("file is too big")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.data),
            "file_path": stored.file_path,
        }

    async def get_chat(self, params: Params) -> dict[str, Any]:
        chat = self._chat(params, known=True)
        return {
            **chat.to_api(),
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }

    async def close(self, params: Params) -> bool:
        return True


def _inline_only(markup: dict[str, Any] | None) -> dict[str, Any] | None:
    """Messages echo only inline keyboards; reply keyboards are not part of a Message."""
    return markup if markup and "inline_keyboard" in markup else None


def _set(message: dict[str, Any], key: str, value: Any) -> None:
    if value is None:
        message.pop(key, None)
    else:
        message[key] = value


def _without(data: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k not in keys}
