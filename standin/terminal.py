"""The terminal chat's driver: one user's private chat with a bot through the stand-in.

Each line typed becomes a private message, a button press, a document or an inline query;
the session waits until the bot has handled it (a handler the caller registers in a group
after all of the bot's calls `ChatSession.on_handled`), then prints what the bot sent or
edited, so a piped session is deterministic. Nothing here knows which bot it talks to.
"""

from __future__ import annotations

import asyncio
import contextlib
import mimetypes
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from telegram import Update

    from .server import StandIn

__all__ = [
    "HANDLED_GROUP",
    "ChatSession",
    "Terminal",
    "format_buttons",
    "read_line",
    "render_text",
]

REPLY_TIMEOUT = 300.0  # an upload of a long article is embedded before the reply
SETTLE = 0.2  # after the reply, wait this long for follow-ups (deliveries) before reading on
HANDLED_GROUP = 1_000  # a handler group after all of the bot's: runs once an update is handled
YOU, BOT, NOTE = "you › ", "bot › ", "  · "
MESSAGE_LIMIT = 4096  # characters Telegram carries in one text message
INDENT = " " * len(BOT)

_STYLES = {  # entity type -> (open, close) with terminal emphasis
    "bold": ("\x1b[1m", "\x1b[22m"),
    "italic": ("\x1b[3m", "\x1b[23m"),
    "underline": ("\x1b[4m", "\x1b[24m"),
    "strikethrough": ("\x1b[9m", "\x1b[29m"),
    "code": ("\x1b[36m", "\x1b[39m"),
    "pre": ("\x1b[36m", "\x1b[39m"),
}


# -- rendering: Bot API message dicts as terminal text ---------------------------------------


def render_text(text: str, entities: list[dict[str, Any]] | None, *, color: bool = False) -> str:
    """Text with its entities shown: links as “title <url>”, emphasis as ANSI when `color`."""
    units = text.encode("utf-16-le")  # entity offsets count UTF-16 code units
    events: list[tuple[int, int, int, str]] = []
    for entity in entities or ():
        start, end = entity["offset"], entity["offset"] + entity["length"]
        opening, closing = _STYLES.get(entity["type"], ("", "")) if color else ("", "")
        if entity["type"] == "text_link":
            label = units[2 * start : 2 * end].decode("utf-16-le", "replace")
            if label.strip() != entity["url"]:
                closing += f" <{entity['url']}>"
        if opening:
            events.append((start, 1, -end, opening))
        if closing:
            events.append((end, 0, -start, closing))
    events.sort(key=lambda event: event[:3])  # closings first; inner closes before outer
    pieces, position = [], 0
    for at, _, _, mark in events:
        pieces.append(units[2 * position : 2 * at].decode("utf-16-le", "replace"))
        pieces.append(mark)
        position = at
    pieces.append(units[2 * position :].decode("utf-16-le", "replace"))
    return "".join(pieces)


def buttons_of(message: dict[str, Any]) -> list[dict[str, Any]]:
    """The inline keyboard's buttons, row by row, as one numbered-from-1 list."""
    rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    return [button for row in rows for button in row]


def format_buttons(buttons: list[dict[str, Any]], width: int = 88) -> str:
    """`[1] More ▸  [2] 🔔 Subscribe to this topic`, one per line when that is too wide."""
    labels = [f"[{n}] {button['text']}" for n, button in enumerate(buttons, start=1)]
    line = "  ".join(labels)
    return line if len(line) <= width else "\n".join(labels)


def format_message(message: dict[str, Any], *, color: bool = False) -> str:
    """A bot message as text: its body (text or caption), attachments, buttons."""
    body = render_text(
        message.get("text") or message.get("caption") or "",
        message.get("entities") or message.get("caption_entities"),
        color=color,
    )
    if document := message.get("document"):
        body = f"[file {document.get('file_name', 'unnamed')}]" + (f"\n{body}" if body else "")
    elif "photo" in message:
        body = "[photo]" + (f"\n{body}" if body else "")
    if buttons := buttons_of(message):
        body += "\n" + format_buttons(buttons)
    return body


def first_line(message: dict[str, Any], limit: int = 50) -> str:
    line = (message.get("text") or message.get("caption") or "").strip().split("\n", 1)[0]
    return line if len(line) <= limit else line[: limit - 1] + "…"


# -- the terminal ----------------------------------------------------------------------------


class Terminal:
    """Prints with a speaker prefix; keeps an interactive prompt intact around bot output."""

    def __init__(self, out: TextIO, *, interactive: bool, color: bool) -> None:
        self.out, self.interactive, self.color = out, interactive, color
        self.at_prompt = False

    def say(self, prefix: str, text: str) -> None:
        lines = text.rstrip().split("\n") or [""]
        block = "\n".join(
            [prefix + lines[0], *(INDENT + line if line else "" for line in lines[1:])]
        )
        if self.at_prompt:
            block = "\n" + block
        self.out.write(block + "\n")
        if self.at_prompt:
            self.out.write(YOU)
        self.out.flush()

    def prompt(self) -> None:
        if self.interactive:
            self.out.write(YOU)
            self.out.flush()
            self.at_prompt = True

    def got(self, line: str) -> None:
        """A line was read: echo it when it came from a pipe (so transcripts read well)."""
        if self.at_prompt:
            self.at_prompt = False
        elif not self.interactive:
            self.out.write(f"{YOU}{line}\n")


async def read_line() -> str:
    """One line from stdin ('' at its end) without blocking the event loop.

    A daemon thread per line, not the default executor: a Ctrl-C while a read is pending
    must not keep the process waiting for one more line at exit.
    """
    loop = asyncio.get_running_loop()
    future: asyncio.Future[str] = loop.create_future()

    def read() -> None:
        try:
            line = sys.stdin.readline()
        except (OSError, ValueError):  # stdin closed
            line = ""
        with contextlib.suppress(RuntimeError):  # the loop is gone: nobody is waiting
            loop.call_soon_threadsafe(lambda: future.done() or future.set_result(line))

    threading.Thread(target=read, name="briefbot-chat-stdin", daemon=True).start()
    return await future


# -- the session -----------------------------------------------------------------------------


class ChatSession:
    """One user's private chat with the bot: turns lines into updates, prints the bot's side."""

    def __init__(self, standin: StandIn, user_id: int, terminal: Terminal) -> None:
        self.standin, self.user_id, self.term = standin, user_id, terminal
        self._handled: set[int] = set()
        self._handled_event = asyncio.Event()
        self._seen = {"sent": 0, "callback": 0, "refusal": 0}
        self._first_lines: dict[int, str] = {}
        self._pasting: list[str] | None = None  # lines of an article after a bare /add

    async def on_handled(self, update: Update, context: object) -> None:
        """The bot finished an update (a handler in a group after all of the bot's)."""
        self._handled.add(update.update_id)
        self._handled_event.set()

    async def handle(self, line: str) -> bool:
        """Act on one input line; False when the session should end."""
        if self._pasting is not None:
            return await self._paste(line)
        command, _, rest = line.strip().partition(" ")
        rest = rest.strip()
        if command in ("/quit", "/exit"):
            return False
        if not command:
            return True
        if command == "/add" and not rest:
            self._pasting = []
            self.term.say(NOTE, "Paste the article (any number of lines), then a line: /end")
            return True
        if command.isdigit():
            update = self.press(int(command))
        elif command == "/upload":
            update = self.upload(rest)
        elif command == "/inline":
            update = self.standin.inline_query(self.user_id, rest) if rest else None
            if update is None:
                self.term.say(NOTE, "usage: /inline QUERY")
        else:
            update = self.standin.send_message(self.user_id, line.strip())
        if update is not None:
            await self.wait_handled(update["update_id"])
            if "inline_query" in update:
                self.show_inline(update["inline_query"]["id"], rest)
            await self.settle()
        return True

    async def _paste(self, line: str) -> bool:
        """A line of a pasted article; at /end, the whole text goes as one /add message."""
        assert self._pasting is not None
        if line.strip() != "/end":
            self._pasting.append(line)
            return True
        text, self._pasting = "\n".join(self._pasting).strip("\n"), None
        if not text.strip():
            self.term.say(NOTE, "Nothing pasted: no article sent.")
            return True
        if len(text) > MESSAGE_LIMIT:
            self.term.say(
                NOTE, f"That is {len(text):,} characters; Telegram carries {MESSAGE_LIMIT:,} in "
                "one message. Save it to a file and send it with /upload PATH."
            )  # fmt: skip
            return True
        update = self.standin.send_message(self.user_id, f"/add\n{text}")
        await self.wait_handled(update["update_id"])
        await self.settle()
        return True

    def press(self, number: int) -> dict[str, Any] | None:
        """Press button `number` of the newest message that has buttons."""
        message = next(
            (m for m in reversed(self.standin.messages(self.user_id)) if buttons_of(m)), None
        )
        if message is None:
            self.term.say(NOTE, "There are no buttons to press.")
            return None
        buttons = buttons_of(message)
        if not 1 <= number <= len(buttons):
            self.term.say(NOTE, f"No button {number}: the last message has {len(buttons)}.")
            return None
        button = buttons[number - 1]
        if "callback_data" not in button:
            where = button.get("url") or "an inline query: try /inline QUERY"
            self.term.say(NOTE, f"“{button['text']}” opens {where}")
            return None
        self.term.say("  ▸ ", f"pressed “{button['text']}”")
        return self.standin.press_button(self.user_id, message, button["callback_data"])

    def upload(self, name: str) -> dict[str, Any] | None:
        path = Path(name).expanduser()
        if not name or not path.is_file():
            self.term.say(
                NOTE,
                f"usage: /upload PATH (no file at {name!r})" if name else "usage: /upload PATH",
            )
            return None
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        data = path.read_bytes()
        self.term.say("  ▸ ", f"sent {path.name} ({len(data):,} bytes) with the caption /add")
        return self.standin.send_document(self.user_id, path.name, data, mime, caption="/add")

    async def wait_handled(self, update_id: int) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + REPLY_TIMEOUT
        while update_id not in self._handled:
            self.show_new()
            left = deadline - loop.time()
            if left <= 0:
                self.term.say(NOTE, f"(the bot has not finished after {REPLY_TIMEOUT:.0f} s)")
                return
            self._handled_event.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._handled_event.wait(), min(left, 1.0))
        self.show_new()

    async def settle(self) -> None:
        """Let follow-ups (a delivery after /add, a retried send) arrive before reading on."""
        for _ in range(25):
            try:
                await self._sent_more(SETTLE)
            except TimeoutError:
                return
            finally:
                self.show_new()

    async def _sent_more(self, timeout: float) -> None:
        """Wait until the bot sends, edits or deletes something; TimeoutError if it does not."""
        log = self.standin.sent_log
        sent = len(log)
        await self.standin.wait_for(lambda: len(log) > sent, timeout)

    async def watch(self) -> None:
        """Print what the bot sends between inputs (deliveries, digests)."""
        while True:
            with contextlib.suppress(TimeoutError):
                await self._sent_more(1.0)
            self.show_new()

    def show_new(self) -> None:
        """Print sends, edits, deletions, callback notices and refusals not shown yet."""
        log = self.standin.sent_log
        for call in log[self._seen["sent"] :]:
            self._show_call(call.method, call.params, call.result)
        self._seen["sent"] = len(log)
        answers = self.standin.callback_answers
        for answer in answers[self._seen["callback"] :]:
            if answer.get("text"):
                self.term.say("bot ⚠ " if answer.get("show_alert") else "bot ⓘ ", answer["text"])
        self._seen["callback"] = len(answers)
        refusals = self.standin.refusals
        for refusal in refusals[self._seen["refusal"] :]:
            if refusal.error_code != 429:  # the bot's rate limiter retries those
                self.term.say(
                    "⚠ ", f"the stand-in refused {refusal.method}: "
                    f"{refusal.error_code} {refusal.description}"
                )  # fmt: skip
        self._seen["refusal"] = len(refusals)

    def _show_call(self, method: str, params: dict[str, Any], result: Any) -> None:
        color = self.term.color
        if isinstance(result, dict):
            if result.get("chat", {}).get("id") != self.user_id:
                return
            message_id = result["message_id"]
            before = self._first_lines.get(message_id, "an earlier message")
            self._first_lines[message_id] = first_line(result)
            if method == "editMessageReplyMarkup":
                buttons = buttons_of(result)
                text = f"new buttons on “{before}”:\n{format_buttons(buttons)}" if buttons else (
                    f"buttons removed from “{before}”"
                )  # fmt: skip
                self.term.say("bot ✎ ", text)
            elif method.startswith("edit"):
                self.term.say("bot ✎ ", f"(edited)\n{format_message(result, color=color)}")
            else:
                self.term.say(BOT, format_message(result, color=color))
        elif method == "deleteMessage" and str(params.get("chat_id")) == str(self.user_id):
            gone = self._first_lines.get(int(params.get("message_id", 0)), "an earlier message")
            self.term.say("bot ✎ ", f"deleted “{gone}”")

    def show_inline(self, query_id: str, query: str) -> None:
        answer = next(
            (a for a in self.standin.inline_answers if a["inline_query_id"] == query_id), None
        )
        results = (answer or {}).get("results") or []
        if not results:
            self.term.say("inline › ", f"no results for “{query}”")
            return
        lines = [f"{len(results)} results for “{query}” (in Telegram you pick one to post it):"]
        for n, result in enumerate(results, start=1):
            lines.append(f"[{n}] {result.get('title', '')}")
            if result.get("description"):
                lines.append(f"    {result['description']}")
        self.term.say("inline › ", "\n".join(lines))
