"""Questions end to end: the seed question, "More" across a restart, inline mode, groups."""

from __future__ import annotations

import asyncio
import copy
import re
from typing import Any

import pytest

from bot import asking
from tests.bot.conftest import (
    BOT_USERNAME,
    BotHarness,
    button_data,
    buttons,
    sample_bytes,
    seed_bytes,
)

USER = 1001
SEED_QUESTION = "what did Putin say about Western troops?"
SEED_QUOTE = "If some troops appear there, especially now, during military operations"
PUTIN_LINE = "Vladimir Putin, Russian President (Vladivostok, Sept. 5, 2025)"


def numbered(text: str) -> list[int]:
    """The result numbers shown in an answer page ("1. …", "4. …")."""
    return [int(n) for n in re.findall(r"^(\d+)\. ", text, flags=re.MULTILINE)]


def first_result(text: str) -> str:
    """The text of result 1 (up to result 2)."""
    return text.split("\n1. ", 1)[1].split("\n\n2. ", 1)[0]


async def test_seed_question_answers_with_putins_quote_first(bot_harness: BotHarness) -> None:
    h = bot_harness
    await h.add_article(seed_bytes(), "000_5a3bb7c29c49728e.txt")

    reply = await h.ask(USER, SEED_QUESTION)

    first = first_result(reply["text"])
    assert first.startswith("🗣 On record"), first
    assert SEED_QUOTE in first
    assert f"— {PUTIN_LINE}" in first
    assert (USER, "typing") not in h.standin.chat_actions  # a quick answer needs none
    labels = [b["text"] for b in buttons(reply)]
    assert "More ▸" in labels
    assert "👤 Follow Vladimir Putin" in labels  # a who-said answer offers the person
    for button in buttons(reply):
        assert 1 <= len(button["callback_data"].encode("utf-8")) <= 64
    assert numbered(reply["text"]) == [1, 2, 3]
    h.standin.assert_no_refusals()


async def test_a_slow_answer_shows_typing_first(
    bot_harness: BotHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    h = bot_harness
    await h.add_article(seed_bytes(), "000_5a3bb7c29c49728e.txt")
    monkeypatch.setattr(asking, "TYPING_AFTER", 0.0)  # every answer counts as slow

    reply = await h.ask(USER, SEED_QUESTION)

    assert SEED_QUOTE in first_result(reply["text"])
    assert h.standin.chat_actions == [(USER, "typing")]


async def test_a_crowd_gets_answers_not_typing(
    bot_harness: BotHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the line to Telegram busy, "typing…" would only delay the answers behind it."""
    h = bot_harness
    await h.add_article(seed_bytes(), "000_5a3bb7c29c49728e.txt")
    monkeypatch.setattr(asking, "TYPING_AFTER", 0.0)
    crowd = range(5001, 5031)

    replies = await asyncio.gather(*(h.ask(user, SEED_QUESTION) for user in crowd))

    assert all(SEED_QUOTE in first_result(reply["text"]) for reply in replies)
    typing = [chat for chat, _ in h.standin.chat_actions]
    assert 1 <= len(typing) < len(crowd), typing  # some while the line was free, not all


async def test_more_pages_through_results_and_survives_a_restart(bot_harness: BotHarness) -> None:
    h = bot_harness
    await h.add_article(seed_bytes(), "000_5a3bb7c29c49728e.txt")
    first = await h.ask(USER, SEED_QUESTION)

    (second,) = await h.press(USER, first, button_data(first, "more:"))

    assert numbered(second["text"]) == [4, 5, 6]
    passages = set(re.split(r"\n\n\d+\. ", first["text"])[1:])
    assert not passages & set(re.split(r"\n\n\d+\. ", second["text"])[1:])
    assert SEED_QUOTE not in second["text"]
    # The pressed message keeps no stale "More"; the new page carries the buttons.
    (pressed,) = [m for m in h.standin.messages(USER) if m["message_id"] == first["message_id"]]
    assert not any(b["callback_data"].startswith("more:") for b in buttons(pressed))
    assert any(b["callback_data"].startswith("sub:") for b in buttons(second))

    await h.restart()  # a new process: nothing but the data directory survives
    (third,) = await h.press(USER, second, button_data(second, "more:"))

    assert numbered(third["text"])[0] == 7
    assert "That answer has expired" not in third["text"]
    h.standin.assert_no_refusals()


async def test_inline_query_offers_the_quote(bot_harness: BotHarness) -> None:
    h = bot_harness
    await h.add_article(sample_bytes("putin"), "putin.txt")
    await h.add_article(seed_bytes(), "seed.txt")

    h.standin.inline_query(USER, "what did putin say about western troops")
    await h.wait_until(lambda: len(h.standin.inline_answers) == 1, timeout=20)
    h.standin.inline_query(USER, "   ")
    await h.wait_until(lambda: len(h.standin.inline_answers) == 2, timeout=20)

    answered, empty = h.standin.inline_answers
    texts = [r["input_message_content"]["message_text"] for r in answered["results"]]
    assert texts, "no inline results"
    assert any(SEED_QUOTE in t for t in texts)
    assert all(r["type"] == "article" and r["title"] for r in answered["results"])
    assert empty["results"] == []
    h.standin.assert_no_refusals()


async def push_user_message(h: BotHarness, user_id: int, **content: Any) -> dict[str, Any]:
    """A private message with any content (a photo, a sticker); returns the bot's reply."""
    world = h.standin.world
    message = world.add_message(h.standin.chat(user_id), h.standin.user(user_id), **content)
    before = h.count(user_id)
    world.push_update("message", copy.deepcopy(message))
    return (await h.new_messages(user_id, before, 1))[-1]


async def test_empty_long_and_non_text_messages_get_friendly_replies(
    bot_harness: BotHarness,
) -> None:
    h = bot_harness
    await h.add_article(sample_bytes("putin"), "putin.txt")

    blank = await h.ask(2001, " ")
    assert "Ask me a question" in blank["text"]

    limit = h.settings.max_question_chars
    huge = await h.ask(2002, "Why " * 1250)  # 5,000 characters
    assert f"under {limit} characters" in huge["text"]
    assert len(huge["text"]) < 200

    # A photo and a sticker: the player has no helpers for them, so the updates are queued
    # through its world, as its own send_message does.
    photo = [{"file_id": "AgACph0t0", "file_unique_id": "ph1", "width": 90, "height": 90}]
    sticker = {
        "file_id": "CAACst1ck", "file_unique_id": "st1", "type": "regular", "width": 512,
        "height": 512, "is_animated": False, "is_video": False, "emoji": "👍",
    }  # fmt: skip
    replies = [
        await push_user_message(h, 2003, photo=photo),
        await push_user_message(h, 2004, sticker=sticker),
    ]
    for reply in replies:
        assert reply["text"] == "I can only read text questions. Ask me something, or send /help."

    for message in (blank, huge, *replies):
        assert not buttons(message)
    assert not [chat for chat, _ in h.standin.chat_actions if 2001 <= chat <= 2004]
    h.standin.assert_no_refusals()


async def test_groups_answer_ask_and_mentions_only(bot_harness: BotHarness) -> None:
    h = bot_harness
    await h.add_article(sample_bytes("putin"), "putin.txt")
    group = -100200300

    asked = await h.ask(USER, "/ask what did Putin say about Western troops?", chat_id=group,
                        chat_type="group")  # fmt: skip
    assert "legitimate targets" in asked["text"]  # the sample retells his words
    assert "Vladimir Putin" in asked["text"]

    h.standin.send_message(USER, "what did Putin say about Western troops?", chat_id=group,
                           chat_type="group")  # fmt: skip
    assert await h.quiet(group, 2.0) == []

    mentioned = await h.ask(
        USER, f"@{BOT_USERNAME} what did Putin say about Western troops?",
        chat_id=group, chat_type="group",
    )  # fmt: skip
    assert "legitimate targets" in mentioned["text"]
    assert BOT_USERNAME not in mentioned["text"].split("\n", 1)[0]

    await h.pace(group)
    before = h.count(group)
    h.standin.send_message(USER, "and what did Macron say?", chat_id=group, chat_type="group",
                           reply_to_message_id=mentioned["message_id"])  # fmt: skip
    (followed_up,) = await h.new_messages(group, before, 1)
    assert "Macron" in followed_up["text"]
    bare = await h.ask(USER, "/ask", chat_id=group, chat_type="group")
    assert bare["text"].startswith("Ask me a question")
    h.standin.assert_no_refusals()


async def test_a_person_who_never_addressed_the_topic_gets_no_statement_and_related(
    bot_harness: BotHarness,
) -> None:
    h = bot_harness
    await h.add_article(sample_bytes("tram"), "tram.txt")
    await h.add_article(sample_bytes("vaccine"), "vaccine.txt")

    reply = await h.ask(USER, "what did Clara Osterby say about the vaccine?")

    text = reply["text"]
    assert text.startswith("No statement by Clara Osterby on ")
    assert "vaccine" in text.split("\n", 1)[0]
    assert "Not an answer — their nearest statements on other things:" in text
    assert "— Clara Osterby" in text  # her own words, labelled as not an answer
    assert numbered(text) == []  # no ranked results
    h.standin.assert_no_refusals()


async def test_a_misspelt_name_is_read_as_the_closest_person_and_says_so(
    bot_harness: BotHarness,
) -> None:
    h = bot_harness
    await h.add_article(sample_bytes("tram"), "tram.txt")

    reply = await h.ask(USER, "what did Osterbry say about the tram?")

    text = reply["text"]
    assert "🔤 Did you mean Clara Osterby? Nobody called “Osterbry” is quoted" in text
    assert "— Clara Osterby" in first_result(text)  # her words, read through the misspelling
    assert "👤 Follow Clara Osterby" in [b["text"] for b in buttons(reply)]

    spelt_right = await h.ask(USER, "what did Osterby say about the tram?")
    assert "Did you mean" not in spelt_right["text"]
    h.standin.assert_no_refusals()
