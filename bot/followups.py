"""Claim follow-ups: who was shown a claim unconfirmed, and the one message each gets when it
is confirmed or denied; the per-chat opt-out (/followups).

Every answer page and subscription delivery records which unconfirmed passages it showed to
which chat, in which message. When a claim's history gains a confirmation or a denial (the
claim book's events, followed from a cursor as subscription matching follows the change
log), each chat that saw one of the claim's passages gets a follow-up in the one delivery
queue, replying to the last message in which it saw it: once per chat and event (a UNIQUE
row), sent within the same limits, surviving restarts as every delivery does.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable

from telegram import Update
from telegram.constants import ParseMode

from bot import render
from bot.context import BotContext, Services
from corpus.claims import ClaimStanding, EventKind
from corpus.models import Status
from retrieval.answer import Result

log = logging.getLogger(__name__)

SETTLING_EVENTS = (EventKind.CONFIRMED, EventKind.DENIED)


def open_claims(results: Iterable[Result]) -> list[int]:
    """The passages of these results that a chat sees as unconfirmed claims still open."""
    return [
        r.passage.id
        for r in results
        if r.passage.status is Status.UNCONFIRMED
        and r.passage.id is not None
        and (r.claim is None or not r.claim.settled)
    ]


def queue_followups(services: Services) -> int:
    """Queue a follow-up for every chat that saw a claim now confirmed or denied; returns how
    many were queued. Follows the claim history from the queue's cursor; each event's
    follow-ups and the cursor's move are one transaction. Runs in a worker thread."""
    with services.matching:
        book = services.subscriptions
        claims = services.library.claims
        queued = 0
        while events := claims.events_since(book.followup_cursor(), limit=500):
            for event in events:
                items: list[tuple[int, int, int | None, list[int]]] = []
                if event.kind in SETTLING_EVENTS and event.passage_id is not None:
                    members = claims.members(event.claim_id)
                    for chat, message in services.sightings.seen(members).items():
                        items.append((chat, event.id, message, [event.passage_id]))
                queued += book.queue_followups(items, through=event.id)
                if items:
                    log.info("claim %d %s: %d follow-ups", event.claim_id, event.kind, len(items))
        return queued


def followup_text(standing: ClaimStanding, claim_text: str, settling: Result | None) -> str:
    """The follow-up: what was claimed, its history, and the passage that settled it."""
    head = {
        "confirmed": "✅ A report you were shown as unconfirmed has been confirmed",
        "denied": "❌ A report you were shown as unconfirmed has been denied",
    }.get(standing.standing.value, "⚠️ Update on a report you were shown")
    parts = [
        f"<b>{render.esc(head)}</b>",
        f"<i>{render.esc(render.clip(claim_text, 600))}</i>",
        render.esc(render.clip(standing.line(), 600)),
    ]
    if settling is not None:
        parts.append(render.card(settling))
    parts.append("/followups off — no more updates like this")
    return "\n\n".join(parts)


async def followups(update: Update, context: BotContext) -> None:
    """/followups [on|off]: updates about claims this chat was shown, or none."""
    chat_id = update.effective_chat.id
    sightings = context.services.sightings
    word = (context.args or [""])[0].lower()
    if word in ("off", "stop", "no"):
        await asyncio.to_thread(sightings.opt_out, chat_id, True)
        text = "🔕 No more updates about unconfirmed reports. /followups on to get them again."
    elif word in ("on", "start", "yes"):
        await asyncio.to_thread(sightings.opt_out, chat_id, False)
        text = "🔔 You will be told when a report you were shown as unconfirmed is settled."
    else:
        out = await asyncio.to_thread(sightings.opted_out, chat_id)
        state = "off" if out else "on"
        text = (
            f"Updates about unconfirmed reports you were shown are <b>{state}</b>. "
            "/followups on or /followups off to change it."
        )
    await update.effective_message.reply_text(text, parse_mode=ParseMode.HTML)
