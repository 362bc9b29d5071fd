"""Time in questions, read against a fixed day; the story order over literal results."""

from __future__ import annotations

from datetime import date

import pytest

from corpus.models import Passage, Status
from retrieval.answer import Result, Source
from retrieval.recency import latest_of_story, newer_within_story, newest_first, read_time

TODAY = date(2026, 3, 18)  # a Wednesday


@pytest.mark.parametrize(
    ("question", "start", "end", "rest"),
    [
        ("what happened in October 2025?", date(2025, 10, 1), date(2025, 10, 31),
         "what happened ?"),
        ("ferry strike in October", date(2025, 10, 1), date(2025, 10, 31), "ferry strike"),
        ("ferry news in March", date(2026, 3, 1), date(2026, 3, 31), "ferry news"),
        ("anything this week?", date(2026, 3, 16), date(2026, 3, 18), "anything ?"),
        ("what did Ona Marr say last week", date(2026, 3, 9), date(2026, 3, 15),
         "what did Ona Marr say"),
        ("news from the past 3 days", date(2026, 3, 16), date(2026, 3, 18), "news from the"),
        ("what happened yesterday", date(2026, 3, 17), date(2026, 3, 17), "what happened"),
        ("tram votes in 2024", date(2024, 1, 1), date(2024, 12, 31), "tram votes"),
        ("what happened on Oct. 3, 2025?", date(2025, 10, 3), date(2025, 10, 3),
         "what happened on ?"),
        ("the tram since March 2025", date(2025, 3, 1), date.max, "the tram"),
    ],
)  # fmt: skip
def test_a_period_is_read_relative_to_today(question, start, end, rest) -> None:
    asked = read_time(question, TODAY)
    assert asked.period is not None
    assert (asked.period.start, asked.period.end) == (start, end)
    assert asked.rest == rest


def test_a_month_without_a_year_says_which_year_it_was_read_as() -> None:
    assert read_time("the ferry strike in October", TODAY).period.words == "in October 2025"


@pytest.mark.parametrize("question", ["what's new?", "latest news", "most recent article"])
def test_asking_for_the_newest_with_no_topic(question: str) -> None:
    asked = read_time(question, TODAY)
    assert asked.newest and asked.period is None and not asked.topical


def test_the_newest_on_a_topic_keeps_the_topic() -> None:
    asked = read_time("what's the latest on the Brisk ferry strike?", TODAY)
    assert asked.newest and asked.topical and "Brisk ferry strike" in asked.rest


@pytest.mark.parametrize(
    "question",
    ["did the Brisk ferry strike end?", "may the council overrule the mayor?",
     "what did the October vote decide?"],
)  # fmt: skip
def test_questions_without_time_pass_through(question: str) -> None:
    asked = read_time(question, TODAY)
    assert not asked.asks and asked.rest == question


def result(article: str, day: date | None, n: int) -> Result:
    passage = Passage(id=n, article_id=article, ordinal=n, section="Body",
                      status=Status.UNSPECIFIED, start=0, end=1, text=f"passage {n}")  # fmt: skip
    source = Source(article_id=article, title=f"title {article}", published=day)
    return Result(passage=passage, article=source, score=1.0 / n, relevance=0.5)


def test_newest_first_puts_undated_last_and_keeps_the_ranking_within_a_day() -> None:
    ranked = [result("a", date(2025, 10, 1), 1), result("b", None, 2),
              result("c", date(2025, 10, 9), 3), result("c", date(2025, 10, 9), 4)]  # fmt: skip
    assert [r.passage.id for r in newest_first(ranked)] == [3, 4, 1, 2]


def test_the_later_article_of_a_story_moves_ahead_and_others_keep_their_place() -> None:
    stories = {frozenset("ab")}  # a and b tell one story; c is another

    def same_story(x: str, y: str) -> bool:
        return frozenset((x, y)) in stories

    ranked = [result("a", date(2025, 10, 10), 1), result("c", date(2025, 11, 1), 2),
              result("b", date(2025, 10, 24), 3), result("a", date(2025, 10, 10), 4)]  # fmt: skip
    assert [r.passage.id for r in newer_within_story(ranked, same_story)] == [3, 1, 2, 4]


def test_the_latest_on_a_topic_is_the_newest_of_the_best_results_story() -> None:
    def same_story(x: str, y: str) -> bool:
        return {x, y} == {"a", "b"}

    ranked = [result("a", date(2025, 10, 10), 1), result("c", date(2025, 11, 1), 2),
              result("b", date(2025, 10, 24), 3)]  # fmt: skip
    assert [r.passage.id for r in latest_of_story(ranked, same_story)] == [3, 1, 2]
