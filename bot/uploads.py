"""Feedback on uploads: one that takes a while gets a working message, edited with its
progress and then with the result; a burst of uploads from one chat shares one message that
ends as a summary."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

from telegram import Message
from telegram.constants import ParseMode
from telegram.error import BadRequest

from bot.render import clip, esc

EDIT_EVERY = 2.0  # seconds between two progress edits (Telegram allows about one a second)


@dataclass
class Upload:
    """One file being added, as its line in the chat's upload message."""

    name: str
    stage: str = "waiting"
    line: str | None = None  # the outcome, once known

    def update(self, stage: str) -> None:
        self.stage = stage

    def html(self) -> str:
        return self.line or f"⏳ {esc(clip(self.name, 80))} — {esc(self.stage)}…"


@dataclass
class _Batch:
    uploads: list[Upload] = field(default_factory=list)
    message: Message | None = None
    shown: str = ""
    edited_at: float = 0.0
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    @property
    def pending(self) -> int:
        return sum(u.line is None for u in self.uploads)


class UploadFeedback:
    """The uploads in progress, by chat."""

    def __init__(self, working_after: float) -> None:
        self.working_after = working_after
        self._batches: dict[int, _Batch] = {}

    def begin(self, chat_id: int, name: str) -> Upload:
        """A new upload; it joins the chat's uploads still in progress."""
        upload = Upload(name)
        self._batches.setdefault(chat_id, _Batch()).uploads.append(upload)
        return upload

    async def wait(self, message: Message, upload: Upload, work: asyncio.Future) -> None:
        """While the work runs: after `working_after` seconds, a working message, edited with
        the progress every few seconds."""
        await asyncio.wait({work}, timeout=self.working_after)
        while not work.done():
            await self._show(message, final=False)
            await asyncio.wait({work}, timeout=EDIT_EVERY)

    async def finish(self, message: Message, upload: Upload, line: str, result: str) -> None:
        """The upload's outcome: its own reply (`result`), or its line in the shared message,
        which becomes the summary when the last upload of the burst is done."""
        upload.line = line
        batch = self._batches[message.chat_id]
        alone = len(batch.uploads) == 1
        if batch.pending == 0:
            self._batches.pop(message.chat_id, None)
        if alone:
            if batch.message is None:
                await message.reply_text(result, parse_mode=ParseMode.HTML)
            else:
                await self._edit(batch, result)
            return
        await self._show(message, final=batch.pending == 0, batch=batch)

    async def _show(self, message: Message, *, final: bool, batch: _Batch | None = None) -> None:
        batch = batch or self._batches.get(message.chat_id)
        if batch is None:
            return
        async with batch.lock:
            text = _render(batch, final=final)
            if batch.message is None:
                batch.message = await message.reply_text(text, parse_mode=ParseMode.HTML)
                batch.shown, batch.edited_at = text, time.monotonic()
            elif final or time.monotonic() - batch.edited_at >= EDIT_EVERY:
                await self._edit(batch, text)

    async def _edit(self, batch: _Batch, text: str) -> None:
        if text == batch.shown or batch.message is None:
            return  # Telegram refuses an edit that changes nothing
        try:
            await batch.message.edit_text(text, parse_mode=ParseMode.HTML)
        except BadRequest:  # the message was deleted meanwhile: say it anew
            batch.message = await batch.message.reply_text(text, parse_mode=ParseMode.HTML)
        batch.shown, batch.edited_at = text, time.monotonic()


def _render(batch: _Batch, *, final: bool) -> str:
    """The shared message: a header, then one line a file (clipped to fit one message)."""
    n = len(batch.uploads)
    if final:
        added = sum((u.line or "").startswith("✅") for u in batch.uploads)
        header = f"<b>Added {added} of {n} file{'s' if n != 1 else ''}</b>"
    else:
        header = f"<b>Adding {n} file{'s' if n != 1 else ''}…</b>"
    lines = [header]
    for upload in batch.uploads:
        if sum(len(x) for x in lines) > 3600:
            lines.append(f"… and {n - len(lines) + 1} more")
            break
        lines.append(upload.html())
    return "\n".join(lines)
