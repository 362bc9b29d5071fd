"""Messages that are not questions, and questions in a language the model cannot read, get an
honest short reply through the stand-in, not passages."""

from __future__ import annotations

import pytest

from tests.bot.conftest import ADMIN_ID, BotHarness

READER = 4501

FERRY = (
    "Brisk ferry strike enters its second week\n\n"
    "Published Oct. 10, 2025\n\n"
    "The strike by crews of Halden Ferries in Brisk entered its second week on Friday. "
    "Ona Marr, who leads the union, said talks with Halden Ferries had stalled."
)


@pytest.mark.parametrize(
    ("message", "reply"),
    [
        ("thanks!", "You're welcome!"),
        ("?", "Ask me about the news"),
        ("😀", "Ask me about the news"),
        ("the", "Could you say a little more?"),
        ("hello", "Hello!"),
    ],
)
async def test_a_message_that_is_no_question_gets_a_friendly_word(
    bot_harness: BotHarness, message: str, reply: str
) -> None:
    h = bot_harness
    await h.ask(ADMIN_ID, f"/add {FERRY}")
    answer = await h.ask(READER, message)
    assert answer["text"].startswith(reply), answer["text"]
    assert "Brisk" not in answer["text"] and "reply_markup" not in answer
    h.standin.assert_no_refusals()


async def test_a_question_in_another_language_is_told_which_languages_work(
    bot_harness: BotHarness,
) -> None:
    h = bot_harness
    await h.ask(ADMIN_ID, f"/add {FERRY}")
    german = await h.ask(READER, "Was hat Ona Marr über den Streik der Fähren gesagt?")
    assert german["text"].startswith("That looks like German.")
    assert (
        "questions in English" in german["text"] and "Nothing in the corpus" not in german["text"]
    )
    russian = await h.ask(READER, "Что сказала Она Марр о забастовке паромов?")
    assert russian["text"].startswith("That looks like Russian.")
    english = await h.ask(READER, "what did Ona Marr say about the ferry strike?")
    assert "Ona Marr" in english["text"] and "looks like" not in english["text"]
    h.standin.assert_no_refusals()
