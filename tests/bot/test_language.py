"""Which questions are in a language the bot does not read, and the seam for more languages."""

from __future__ import annotations

import pytest

from bot.language import LanguageCheck
from bot.settings import Settings
from bot.smalltalk import reply_to


@pytest.mark.parametrize(
    ("question", "language"),
    [
        ("Was hat Ona Marr über den Streik der Fähren gesagt?", "GERMAN"),
        ("Что сказала Она Марр о забастовке паромов?", "RUSSIAN"),
        ("¿Qué dijo Ona Marr sobre la huelga de los transbordadores?", "SPANISH"),
    ],
)
def test_a_question_in_another_language_is_recognised(question: str, language: str) -> None:
    found = LanguageCheck(["en"]).foreign(question)
    assert found is not None and found.name == language


@pytest.mark.parametrize(
    "question",
    ["what did Ona Marr say?", "did the Brisk ferry strike end?", "Velm bridge", "Halden Ferries"],
)
def test_english_questions_and_bare_names_pass(question: str) -> None:
    assert LanguageCheck(["en"]).foreign(question) is None


def test_a_language_listed_in_the_settings_is_understood() -> None:
    settings = Settings(_env_file=None, languages="en, de")
    check = LanguageCheck(list(settings.languages))
    assert check.foreign("Was hat Ona Marr über den Streik der Fähren gesagt?") is None
    assert check.names() == "English and German"
    with pytest.raises(ValueError, match="ISO 639-1"):
        LanguageCheck(["klingon"])


@pytest.mark.parametrize("message", ["thanks!", "Thank you so much", "?", "😀👍", "the", "hi"])
def test_no_question_gets_a_reply(message: str) -> None:
    assert reply_to(message)


@pytest.mark.parametrize(
    "message", ["what's new?", "port strike", "Ona Marr", "thanks to whom did the ferries stop?"]
)
def test_questions_and_topics_get_no_small_talk(message: str) -> None:
    assert reply_to(message) is None
