"""Every admin command and the admin button, tried by someone who is not an admin: in private
chats, groups and supergroups, with real and forged callback data. All refused, nothing
changed; and the bot token appears in no log record (every logger captured at DEBUG)."""

from __future__ import annotations

import logging

import pytest

from tests.bot.conftest import ADMIN_ID, BOT_USERNAME, BotHarness, button_data
from tests.reliability.articles import briefing

pytestmark = pytest.mark.reliability

INTRUDER = 6_000
GROUP, SUPERGROUP = -4_000_000_000, -1_004_000_000_000
REFUSED = "Sorry, only admins can do that."
FORGED = ["arts:10", "arts:0", "arts:-5", "arts:abc", "arts:", "arts:9999999999999999999999"]


def commands(article_id: str) -> list[str]:
    return [
        "/add Breaking: the mayor resigned.\n\nLead: nothing of the sort happened.",
        f"/add@{BOT_USERNAME} Breaking: the mayor resigned.",
        f"/remove {article_id}",
        f"/remove@{BOT_USERNAME} {article_id}",
        "/remove",
        "/stats",
        f"/stats@{BOT_USERNAME}",
    ]


async def test_non_admins_are_refused_everywhere_and_the_token_is_never_logged(
    harness: BotHarness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    h = harness
    secret = h.standin.token.split(":", 1)[1]
    await h.add_article(briefing(0).encode(), "a0.txt")  # through getFile and the download
    h.library.ingest_many([(f"a{i}.txt", briefing(i), None) for i in range(1, 12)])
    article_id = h.library.articles()[0].id
    listing = await h.ask(ADMIN_ID, "/articles")
    older = button_data(listing, "arts:")
    count = h.library.store.count_articles()

    # Each attempt in a chat of its own, all at once: (chat, what the intruder sends).
    attempts: list[int] = []
    n = 0
    for kind, base in (("private", INTRUDER), ("group", GROUP), ("supergroup", SUPERGROUP)):
        for command in commands(article_id):
            n += 1
            user, chat = INTRUDER + n, (INTRUDER + n if kind == "private" else base - n)
            h.standin.send_message(user, command, chat_id=None if kind == "private" else chat,
                                   chat_type=kind)  # fmt: skip
            attempts.append(chat)
        for caption in ("/add", f"/add@{BOT_USERNAME}", None):
            if caption is None and kind != "private":
                continue  # in groups an upload without /add is not for the bot
            n += 1
            user, chat = INTRUDER + n, (INTRUDER + n if kind == "private" else base - n)
            h.standin.send_document(user, "fake.txt", briefing(90).encode(), "text/plain",
                                    caption=caption, chat_id=None if kind == "private" else chat,
                                    chat_type=kind)  # fmt: skip
            attempts.append(chat)
    await h.standin.wait_for(lambda: all(h.count(c) >= 1 for c in attempts), timeout=30)
    for chat in attempts:
        assert [m["text"] for m in h.standin.messages(chat)] == [REFUSED], chat

    # Browsing is for everyone: the admin's "Older" button and forged page numbers, pressed
    # by intruders and by the admin, are answered quietly: never an error, never an id shown.
    group_message = h.standin.messages(attempts[-1])[0]
    for user, message in ((INTRUDER, listing), (INTRUDER + 999, group_message)):
        for data in [older, *FORGED]:
            await h.press(
                user, message, data, forged=message is not listing or data != older, expect=0
            )
    for data in FORGED[1:]:
        await h.press(ADMIN_ID, listing, data, forged=True, expect=0)
    await h.quiet(ADMIN_ID, 0.5)
    for chat in (INTRUDER, group_message["chat"]["id"]):
        assert all(article_id not in m["text"] for m in h.standin.messages(chat))
    presses = 0

    assert h.library.store.count_articles() == count
    assert [a.id for a in h.library.articles()].count(article_id) == 1
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors == []
    logged = [r for r in caplog.records if r.name == "bot.admin" and "refused" in r.message]
    assert len(logged) == len(attempts) + presses
    leaks = [r.name for r in caplog.records if secret in _full_text(r)]
    assert len(caplog.records) > 200 and not leaks, leaks[:5]
    h.standin.assert_no_refusals()
    print(
        f"{len(attempts)} commands and uploads and {presses} button presses refused; "
        f"{len(caplog.records)} log records at DEBUG, none with the token"
    )


def _full_text(record: logging.LogRecord) -> str:
    """What a handler could write: message, arguments, traceback, extra attributes."""
    text = record.getMessage() + repr(record.args) + repr(record.__dict__)
    if record.exc_info:
        text += logging.Formatter().formatException(record.exc_info)
    return text
