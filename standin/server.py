"""The stand-in server: HTTP routes for the bot, and a player API for tests.

The bot talks to it exactly as to Telegram::

    standin = StandIn(spec_path=Path("../shared/telegram/api.json"))
    await standin.start()
    app = (
        ApplicationBuilder().token(standin.token)
        .base_url(standin.base_url).base_file_url(standin.base_file_url).build()
    )

and a test plays users through ``send_message``, ``send_document``, ``press_button`` and
``inline_query``, then inspects ``messages(chat_id)``, ``callback_answers`` and
``refusals`` (every call Telegram would have refused, so a fixture can fail the test
that caused it).

``StandIn(own_thread=True)`` serves from a thread with its own event loop. Sharing the bot's
loop, the stand-in reads a request only when the loop gets to it: after a stall of the bot's
loop (or of the machine), requests the bot sent a second apart are read, and counted against
the rate limits, within a few milliseconds, a burst the bot never sent. In its own thread it
reads them as they arrive. The player API stays the same: its calls run on the server's loop.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import copy
import functools
import logging
import re
import secrets
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, TypeVar

from aiohttp import web

from .entities import utf16_len
from .errors import ApiError, StandInError
from .methods import BotApi
from .ratelimit import RateLimiter, RateStats
from .request import Params, read_params
from .spec import Spec
from .world import ApiCall, Chat, StoredFile, User, World, file_path

__all__ = ["Refusal", "StandIn"]

logger = logging.getLogger(__name__)

_MENTION = re.compile(r"(?<![\w@])@[A-Za-z0-9_]{5,32}")

_P = ParamSpec("_P")
_R = TypeVar("_R")


def _on_server_loop(
    method: Callable[Concatenate[StandIn, _P], _R],
) -> Callable[Concatenate[StandIn, _P], _R]:
    """A player call, run on the loop that serves the bot: the world it changes is the one
    that loop's handlers read, and the long polls it wakes wait on that loop."""

    @functools.wraps(method)
    def call(self: StandIn, *args: _P.args, **kwargs: _P.kwargs) -> _R:
        loop = self._foreign_loop()
        if loop is None:
            return method(self, *args, **kwargs)
        done: concurrent.futures.Future[_R] = concurrent.futures.Future()

        def run() -> None:
            try:
                done.set_result(method(self, *args, **kwargs))
            except BaseException as exc:  # handed to the caller
                done.set_exception(exc)

        loop.call_soon_threadsafe(run)
        return done.result()

    return call


@dataclass
class Refusal:
    """A call the stand-in refused, as Telegram would have."""

    method: str
    error_code: int
    description: str
    params: dict[str, Any] = field(default_factory=dict)


class StandIn:
    """A local Telegram Bot API on 127.0.0.1, with a player API for tests.

    ``spec_path`` enables validation against ``api.json``; without it only the
    text, HTML, keyboard and rate rules apply. Rate limits can be switched off or tuned
    (``clock`` lets tests drive time). ``own_thread`` serves from a thread with its own event
    loop (see the module's docstring); such a stand-in is started once.
    """

    def __init__(
        self,
        spec_path: Path | None = None,
        *,
        token: str | None = None,
        bot_id: int = 7_000_000_001,
        bot_username: str = "briefbot_test_bot",
        bot_first_name: str = "BriefBot",
        rate_limits: bool = True,
        overall_per_second: int = 30,
        per_chat_per_second: float = 1.0,
        chat_burst: int = 3,
        group_per_minute: int = 20,
        clock: Callable[[], float] = time.monotonic,
        own_thread: bool = False,
    ):
        self.own_thread = own_thread
        self._thread: threading.Thread | None = None
        self._thread_loop: asyncio.AbstractEventLoop | None = None
        self.spec = Spec.load(spec_path) if spec_path is not None else None
        if token is None:
            token = f"{bot_id}:AA{secrets.token_urlsafe(24)}"
        self.token = token
        self.bot_user = User(bot_id, bot_first_name, username=bot_username, is_bot=True)
        self.limiter = RateLimiter(
            enabled=rate_limits,
            overall_per_second=overall_per_second,
            per_chat_per_second=per_chat_per_second,
            chat_burst=chat_burst,
            group_per_minute=group_per_minute,
            clock=clock,
        )
        self.world = World(self.bot_user)
        self._closing = asyncio.Event()
        self.api = BotApi(self.world, self.limiter, self._closing)
        self.refusals: list[Refusal] = []
        self._lost_replies: dict[int, int] = {}  # chat id -> sends whose answer is lost
        self.port: int | None = None
        self._runner: web.AppRunner | None = None
        # The load balancer in front of webhook instances (see `balance_webhook`).
        self._targets: list[str] = []
        self.pinned: int | None = None  # every update to this target; None: in turn
        self.webhook_log: list[tuple[int, int]] = []  # (update id, target index) delivered
        self._pusher: asyncio.Task | None = None

    # -- lifecycle ----------------------------------------------------------------------

    async def start(self, port: int = 0) -> None:
        """Serve on 127.0.0.1 (``port=0``: a free port, then read ``.port``)."""
        if not self.own_thread:
            await self._serve(port)
            return
        if self._thread is not None:
            raise StandInError("a stand-in in its own thread is started once")
        ready: concurrent.futures.Future[None] = concurrent.futures.Future()
        self._thread = threading.Thread(
            target=asyncio.run,
            args=(self._serve_in_thread(port, ready),),
            name="standin",
            daemon=True,  # a test that never stops it does not hold the interpreter open
        )
        self._thread.start()
        await asyncio.wrap_future(ready)

    async def _serve_in_thread(self, port: int, ready: concurrent.futures.Future[None]) -> None:
        try:
            await self._serve(port)
        except BaseException as exc:
            ready.set_exception(exc)
            return
        self._thread_loop = asyncio.get_running_loop()
        ready.set_result(None)
        await self._closing.wait()
        await self._shutdown()

    def _foreign_loop(self) -> asyncio.AbstractEventLoop | None:
        """The server's loop when the caller runs on another thread, else None."""
        loop = self._thread_loop
        if loop is None or threading.current_thread() is self._thread:
            return None
        return loop

    async def _serve(self, port: int) -> None:
        app = web.Application(client_max_size=60 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{file_path:.+}", self._handle_file)
        self._closing.clear()
        self._runner = web.AppRunner(app, shutdown_timeout=1.0, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", port)
        await site.start()
        self.port = self._runner.addresses[0][1]

    async def stop(self) -> None:
        """Release long polls and stop serving."""
        if self._thread is None:
            await self._shutdown()
            return
        loop, self._thread_loop = self._thread_loop, None  # from now on, calls run here
        if loop is not None:
            loop.call_soon_threadsafe(self._closing.set)
        await asyncio.to_thread(self._thread.join)

    async def _shutdown(self) -> None:
        self._closing.set()
        if self._pusher is not None:
            self._pusher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._pusher
            self._pusher = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> StandIn:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        """For ``ApplicationBuilder().base_url(...)`` / ``Bot(base_url=...)``."""
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        """For ``ApplicationBuilder().base_file_url(...)`` / ``Bot(base_file_url=...)``."""
        return f"http://127.0.0.1:{self.port}/file/bot"

    # -- webhooks ---------------------------------------------------------------------------

    @_on_server_loop
    def balance_webhook(self, targets: list[str]) -> None:
        """Deliver updates by webhook, as Telegram does once the bot set one, to these local
        URLs in turn: the load balancer in front of several bot instances. Updates go one
        at a time, in order, with the secret token the bot registered; one that a target
        does not take (an error status, a refused connection) goes to the next target."""
        self._targets = list(targets)
        if self._pusher is None:
            self._pusher = asyncio.get_running_loop().create_task(self._push_webhooks())

    async def _push_webhooks(self) -> None:
        import aiohttp

        turn = 0
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as session:
            while not self._closing.is_set():
                webhook = self.api.webhook
                updates = self.world.deliverable(1) if webhook and self._targets else []
                if not updates:
                    await self.world.updates_arrived(0.1, self._closing)
                    continue
                update = updates[0]
                index = self.pinned if self.pinned is not None else turn % len(self._targets)
                turn += 1
                headers = {}
                if webhook.get("secret_token"):
                    headers["X-Telegram-Bot-Api-Secret-Token"] = webhook["secret_token"]
                try:
                    async with session.post(
                        self._targets[index], json=update, headers=headers
                    ) as response:
                        taken = response.status == 200
                except aiohttp.ClientError:
                    taken = False
                if taken:
                    self.world.confirm(update["update_id"] + 1)
                    self.webhook_log.append((update["update_id"], index))
                else:
                    await asyncio.sleep(0.1)  # then the next target (or this one again)

    # -- HTTP -----------------------------------------------------------------------------

    async def _handle_api(self, request: web.Request) -> web.Response:
        asked = request.match_info["method"]
        params = Params({})
        try:
            if request.match_info["token"] != self.token:
                raise ApiError(401, "Unauthorized")
            try:
                raw, form = await read_params(request)
            except ConnectionResetError:  # the client died mid-request (a killed bot)
                logger.info("%s: the client went away before its request was read", asked)
                return web.Response(status=400)  # to nobody: as if the request never came
            params = Params(raw)
            method = self._resolve(asked)
            if self.spec is not None:
                self.spec.validate(method, raw, form=form)
            served = self.api.implemented(method)
            if served is None:
                raise ApiError.bad_request("method not supported by the stand-in")
            result = await self.api.call(served, params)
            if self._lose_reply(served, params):
                # Accepted and recorded, but the answer never reaches the bot: the connection
                # drops, as when a network fails between Telegram and the client.
                if request.transport is not None:
                    request.transport.close()
                return web.Response(status=500)
        except ApiError as exc:
            self.refusals.append(Refusal(asked, exc.error_code, exc.description, params.loggable()))
            return web.json_response(exc.envelope(), status=exc.error_code)
        except Exception as exc:  # a stand-in bug must fail the test, not hang the bot
            logger.exception("stand-in failed on %s", asked)
            error = ApiError(500, f"Internal Server Error: stand-in bug: {exc!r}")
            self.refusals.append(Refusal(asked, 500, error.description, params.loggable()))
            return web.json_response(error.envelope(), status=500)
        return web.json_response({"ok": True, "result": result})

    def _resolve(self, asked: str) -> str:
        if self.spec is not None:
            method = self.spec.canonical(asked)
            if method is None:
                raise ApiError(404, "Not Found: method not found")
            return method
        return self.api.implemented(asked) or asked

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return web.json_response(ApiError(401, "Unauthorized").envelope(), status=401)
        path = request.match_info["file_path"]
        for stored in self.world.files.values():
            if stored.file_path == path:
                return web.Response(body=stored.data, content_type="application/octet-stream")
        return web.json_response(ApiError(404, "Not Found").envelope(), status=404)

    # -- the player: users doing things --------------------------------------------------

    @_on_server_loop
    def user(
        self,
        user_id: int,
        first_name: str | None = None,
        *,
        username: str | None = None,
        language_code: str | None = None,
    ) -> User:
        """Register (or update) a user and return it."""
        existing = self.world.users.get(user_id)
        user = existing or User(user_id, first_name or f"User{user_id}")
        if first_name:
            user.first_name = first_name
        if username:
            user.username = username
        if language_code:
            user.language_code = language_code
        self.world.users[user_id] = user
        return user

    @_on_server_loop
    def chat(self, chat_id: int, chat_type: str = "private", title: str | None = None) -> Chat:
        """Register a chat (a group needs a title; one is made up if absent)."""
        chat = self.world.chats.get(chat_id)
        if chat is None:
            chat = Chat(chat_id, chat_type)
            self.world.chats[chat_id] = chat
        chat.type = chat_type
        if chat_type != "private":
            chat.title = title or chat.title or f"Group {chat_id}"
        return chat

    def _user_chat(self, user: User, chat_id: int | None, chat_type: str) -> Chat:
        if chat_id is None:
            if chat_type != "private":
                raise StandInError("a non-private chat needs an explicit chat_id")
            chat_id = user.id
        chat = self.chat(chat_id, chat_type)
        if chat_type == "private":
            chat.first_name, chat.username = user.first_name, user.username
        return chat

    @_on_server_loop
    def send_message(
        self,
        user_id: int,
        text: str,
        chat_id: int | None = None,
        chat_type: str = "private",
        reply_to_message_id: int | None = None,
        first_name: str | None = None,
    ) -> dict[str, Any]:
        """A user sends ``text``; returns the queued update (its ``message`` inside)."""
        user = self.user(user_id, first_name)
        chat = self._user_chat(user, chat_id, chat_type)
        reply_to = None
        if reply_to_message_id is not None:
            target = self.world.message(chat.id, reply_to_message_id)
            if target is None:
                raise StandInError(f"no message {reply_to_message_id} in chat {chat.id}")
            reply_to = {k: v for k, v in target.items() if k != "reply_to_message"}
        message = self.world.add_message(
            chat,
            user,
            reply_to_message=reply_to,
            text=text,
            entities=_user_entities(text) or None,
        )
        return self.world.push_update("message", copy.deepcopy(message))

    @_on_server_loop
    def send_document(
        self,
        user_id: int,
        filename: str,
        content: bytes,
        mime_type: str,
        caption: str | None = None,
        chat_id: int | None = None,
        chat_type: str = "private",
    ) -> dict[str, Any]:
        """A user sends a file; getFile and the download route will serve it."""
        user = self.user(user_id)
        chat = self._user_chat(user, chat_id, chat_type)
        stored = StoredFile(
            file_id=self.world.new_id("BQAC"),
            file_unique_id=self.world.new_id("AgAD"),
            file_path=file_path("documents", len(self.world.files), filename),
            data=content,
            file_name=filename,
            mime_type=mime_type,
        )
        self.world.files[stored.file_id] = stored
        message = self.world.add_message(
            chat,
            user,
            document=stored.to_document(),
            caption=caption,
            caption_entities=_user_entities(caption) or None if caption else None,
        )
        return self.world.push_update("message", copy.deepcopy(message))

    @_on_server_loop
    def press_button(
        self, user_id: int, message: dict[str, Any], callback_data: str, *, forged: bool = False
    ) -> dict[str, Any]:
        """A user presses the button carrying ``callback_data`` under a bot ``message``.

        ``forged=True`` sends data no button carries (a hostile or outdated client).
        """
        chat_id = message["chat"]["id"]
        current = self.world.message(chat_id, message["message_id"])
        if current is None:
            raise StandInError(f"message {message['message_id']} is gone from chat {chat_id}")
        if not forged and callback_data not in _callback_datas(current):
            raise StandInError(f"no button with callback_data {callback_data!r} on that message")
        user = self.user(user_id)
        query_id = self.world.new_id("cq")
        self.api.pending_callbacks.add(query_id)
        query = {
            "id": query_id,
            "from": user.to_api(),
            "message": copy.deepcopy(current),
            "chat_instance": str(abs(hash((self.token, chat_id)))),
            "data": callback_data,
        }
        return self.world.push_update("callback_query", query)

    @_on_server_loop
    def inline_query(self, user_id: int, query: str, offset: str = "") -> dict[str, Any]:
        """A user types ``@botname query`` in some chat."""
        user = self.user(user_id)
        query_id = self.world.new_id("iq")
        self.api.pending_inline.add(query_id)
        payload = {
            "id": query_id,
            "from": user.to_api(),
            "query": query,
            "offset": offset,
            "chat_type": "sender",
        }
        return self.world.push_update("inline_query", payload)

    @_on_server_loop
    def block(self, user_id: int) -> None:
        """The user blocks the bot: sends to their chat fail with 403."""
        self.api.blocked.add(user_id)

    @_on_server_loop
    def unblock(self, user_id: int) -> None:
        self.api.blocked.discard(user_id)

    @_on_server_loop
    def lose_reply(self, chat_id: int, times: int = 1) -> None:
        """The next `times` messages to the chat are delivered, but Telegram's answer is lost
        on the way back (the bot sees a dropped connection): the case where a bot cannot know
        whether its message arrived."""
        self._lost_replies[chat_id] = self._lost_replies.get(chat_id, 0) + times

    def _lose_reply(self, method: str, params: Params) -> bool:
        chat_id = params.chat_id()
        if method != "sendMessage" or self._lost_replies.get(chat_id, 0) <= 0:  # type: ignore[arg-type]
            return False
        self._lost_replies[chat_id] -= 1  # type: ignore[index]
        return True

    @_on_server_loop
    def migrate(self, group_id: int, supergroup_id: int) -> None:
        """The group becomes a supergroup: sends to its old id fail with 400 and the new id
        (``parameters.migrate_to_chat_id``), as Telegram answers them."""
        if group_id >= 0 or supergroup_id >= 0:
            raise StandInError("group and supergroup ids are negative")
        self.api.migrated[group_id] = supergroup_id

    # -- what the bot did --------------------------------------------------------------

    @_on_server_loop
    def messages(self, chat_id: int) -> list[dict[str, Any]]:
        """The bot's messages in ``chat_id`` as they stand now (edits applied, deletions gone)."""
        return [
            copy.deepcopy(message)
            for message in self.world.messages.get(chat_id, {}).values()
            if message["from"]["id"] == self.bot_user.id
        ]

    @property
    def sent_log(self) -> list[ApiCall]:
        """Every successful send, edit and delete, in order."""
        return self.world.sent_log

    @property
    def callback_answers(self) -> list[dict[str, Any]]:
        return self.api.callback_answers

    @property
    def inline_answers(self) -> list[dict[str, Any]]:
        return self.api.inline_answers

    @property
    def chat_actions(self) -> list[tuple[int, str]]:
        """``(chat_id, action)`` for each sendChatAction."""
        return self.api.chat_actions

    @property
    def stats(self) -> RateStats:
        """Busiest windows observed: ``max_per_second_overall`` and per-chat maxima."""
        return self.limiter.stats

    @property
    def pending_updates(self) -> list[dict[str, Any]]:
        """Updates queued and not yet confirmed by the bot."""
        return list(self.world.updates)

    async def wait_for(self, predicate: Callable[[], bool], timeout: float = 5.0) -> None:
        """Wait until ``predicate()`` holds after some send/edit/delete; TimeoutError if not.
        The predicate runs on the server's loop."""
        if (loop := self._foreign_loop()) is not None:
            waiting = asyncio.run_coroutine_threadsafe(self.wait_for(predicate, timeout), loop)
            await asyncio.wrap_future(waiting)
            return
        deadline = asyncio.get_running_loop().time() + timeout
        while not predicate():
            left = deadline - asyncio.get_running_loop().time()
            if left <= 0:
                raise TimeoutError(f"condition not met within {timeout}s")
            await self.world.sent_changed(left)

    async def wait_for_messages(
        self, chat_id: int, count: int = 1, timeout: float = 5.0
    ) -> list[dict[str, Any]]:
        """Wait until the bot has sent at least ``count`` messages to ``chat_id``."""
        try:
            await self.wait_for(lambda: self.world.received.get(chat_id, 0) >= count, timeout)
        except TimeoutError:
            got = self.world.received.get(chat_id, 0)
            raise TimeoutError(
                f"chat {chat_id} got {got} bot message(s), wanted {count}, within {timeout}s; "
                f"refusals: {self.refusals}"
            ) from None
        return self.messages(chat_id)

    def assert_no_refusals(self, allow_codes: Iterable[int] = ()) -> None:
        """Fail if any call was refused (except with an error code in ``allow_codes``)."""
        allowed = set(allow_codes)
        bad = [r for r in self.refusals if r.error_code not in allowed]
        if bad:
            lines = "\n".join(
                f"  {r.method}: {r.error_code} {r.description} {r.params}" for r in bad
            )
            raise AssertionError(f"the stand-in refused {len(bad)} call(s):\n{lines}")

    @_on_server_loop
    def clear_refusals(self) -> None:
        self.refusals.clear()


def _user_entities(text: str) -> list[dict[str, Any]]:
    """Entities a Telegram client marks in a user's text: a leading command, mentions."""
    entities: list[dict[str, Any]] = []
    command_end = 0
    if text.startswith("/"):
        command = re.match(r"/[A-Za-z0-9_]+(?:@[A-Za-z0-9_]+)?", text)
        if command:
            command_end = command.end()
            entities.append({"type": "bot_command", "offset": 0, "length": utf16_len(command[0])})
    for mention in _MENTION.finditer(text, command_end):
        entities.append(
            {
                "type": "mention",
                "offset": utf16_len(text[: mention.start()]),
                "length": utf16_len(mention[0]),
            }
        )
    return entities


def _callback_datas(message: dict[str, Any]) -> set[str]:
    rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    return {button["callback_data"] for row in rows for button in row if "callback_data" in button}
