"""Fusion and re-scoring as pure functions over literal `(passage_id, score)` inputs."""

from __future__ import annotations

import math

import pytest

from corpus.models import Passage, Speaker, Status
from retrieval.query import Query
from retrieval.ranking import (
    Weights,
    hybrid,
    reciprocal_rank_fusion,
    reports_words_of,
    rescore,
    speaks,
    topic_coverage,
)

W = Weights(lexical=0.2, speaker=0.15, reported=0.05, statement=0.05, status=0.03, overview=0.03)


def passage(
    pid: int, text: str, status: Status = Status.UNSPECIFIED, speaker: str | None = None
) -> Passage:
    return Passage(
        id=pid,
        article_id="a1",
        ordinal=pid,
        section="Section",
        status=status,
        start=0,
        end=len(text),
        text=text,
        speaker=Speaker(name=speaker) if speaker else None,
    )


# -- hybrid -----------------------------------------------------------------------------


def test_hybrid_adds_weighted_bm25_relative_to_the_best_lexical_match() -> None:
    dense = {1: 0.50, 2: 0.40, 3: 0.30}
    lexical = [(2, 10.0), (3, 5.0), (9, 8.0)]  # 9 has no vector: it gains nothing

    fused = hybrid(dense, lexical, 0.2)

    assert fused == pytest.approx({1: 0.50, 2: 0.40 + 0.2 * 1.0, 3: 0.30 + 0.2 * 0.5})
    assert dense == {1: 0.50, 2: 0.40, 3: 0.30}  # the input is not modified


def test_hybrid_without_lexical_matches_is_the_dense_scores() -> None:
    assert hybrid({1: 0.7, 2: 0.1}, [], 0.2) == {1: 0.7, 2: 0.1}
    assert hybrid({1: 0.7}, [(1, 0.0)], 0.2) == {1: 0.7}  # a zero best score adds nothing


# -- reciprocal rank fusion -------------------------------------------------------------


def test_reciprocal_rank_fusion_sums_one_over_k_plus_rank() -> None:
    dense = [(1, 0.9), (2, 0.8)]
    lexical = [(2, 12.0), (3, 4.0)]

    fused = reciprocal_rank_fusion([dense, lexical], k=60)
    assert fused == pytest.approx({1: 1 / 61, 2: 1 / 62 + 1 / 61, 3: 1 / 62})

    weighted = reciprocal_rank_fusion([dense, lexical], k=10, weights=[1.0, 0.5])
    assert weighted == pytest.approx({1: 1 / 11, 2: 1 / 12 + 0.5 / 11, 3: 0.5 / 12})


# -- who speaks, who is reported --------------------------------------------------------


def test_speaks_and_reports_words_of() -> None:
    quote = passage(1, "“We will treat them as targets.”", Status.STATEMENT, "Vladimir Putin")
    report = passage(2, "President Putin said foreign troops would be targets.", Status.VERIFIED)
    mention = passage(3, "Putin arrived in Vladivostok on Friday.", Status.VERIFIED)

    assert speaks(quote, "Putin") and speaks(quote, "Vladimir Putin")
    assert not speaks(quote, "Volodymyr Zelenskiy")
    assert not speaks(report, "Vladimir Putin")  # no speaker: reporting is not speaking
    assert reports_words_of(report, "Vladimir Putin")
    assert not reports_words_of(mention, "Vladimir Putin")  # named, but no verb of saying
    assert not reports_words_of(report, "Emmanuel Macron")


# -- rescore ----------------------------------------------------------------------------


def test_rescore_puts_the_named_speakers_statements_first_then_reports_then_the_rest() -> None:
    passages = {
        1: passage(1, "“Troops there will be targets.”", Status.STATEMENT, "Vladimir Putin"),
        2: passage(2, "Putin said troops would be legitimate targets.", Status.VERIFIED),
        3: passage(3, "The war began in 2022.", Status.CONTEXT),
        4: passage(4, "“We are ready for talks.”", Status.STATEMENT, "Volodymyr Zelenskiy"),
        5: passage(5, "“Peace makes foreign troops unnecessary.”", Status.STATEMENT, "Putin"),
    }
    base = {1: 0.40, 2: 0.70, 3: 0.90, 4: 0.80, 5: 0.30, 99: 0.99}  # 99 is not a passage
    query = Query(text="what did putin say", speakers=("Vladimir Putin",), wants_statement=True)

    ranked = rescore(base, passages, query, W)

    assert [pid for pid, _ in ranked] == [1, 5, 2, 3, 4]
    assert dict(ranked) == pytest.approx({1: 0.55, 5: 0.45, 2: 0.75, 3: 0.90, 4: 0.80})


def test_rescore_without_a_saying_question_keeps_one_tier_and_a_small_bonus() -> None:
    """A question naming Putin without asking what he said ("putin in china") has no tiers,
    and his statements get only the small statement bonus, not the speaker bonus."""
    passages = {
        1: passage(1, "“Welcome, friends.”", Status.STATEMENT, "Vladimir Putin"),
        2: passage(2, "The trip lasted three days.", Status.VERIFIED),
    }
    query = Query(text="putin in china", speakers=("Vladimir Putin",))

    ranked = rescore({1: 0.50, 2: 0.70}, passages, query, W)

    assert ranked == [(2, pytest.approx(0.70)), (1, pytest.approx(0.50 + W.statement))]


def test_rescore_statement_bonus_when_asked_what_was_said_by_no_one_in_particular() -> None:
    passages = {
        1: passage(1, "“We will not sign.”", Status.STATEMENT, "Marta Quillon"),
        2: passage(2, "The union called the strike.", Status.VERIFIED),
    }
    query = Query(text="what did the union say", wants_statement=True)

    ranked = rescore({1: 0.60, 2: 0.62}, passages, query, W)

    assert ranked == [(1, pytest.approx(0.65)), (2, pytest.approx(0.62))]


def test_rescore_status_bonus_goes_to_verified_and_unconfirmed_only() -> None:
    passages = {
        1: passage(1, "The loan is 6 billion, sources say.", Status.UNCONFIRMED),
        2: passage(2, "Talks with the fund began.", Status.VERIFIED),
        3: passage(3, "“Talks are going well.”", Status.STATEMENT, "Emil Dravos"),
        4: passage(4, "The crisis deepened.", Status.CONTEXT),
    }
    query = Query(text="is the loan confirmed?", wants_status=True)

    ranked = dict(rescore({1: 0.5, 2: 0.5, 3: 0.5, 4: 0.5}, passages, query, W))

    assert ranked == pytest.approx({1: 0.53, 2: 0.53, 3: 0.50, 4: 0.50})


def test_rescore_overview_bonus_goes_to_the_outlets_summary() -> None:
    passages = {
        1: passage(1, "Dockworkers walked out.", Status.CONTEXT),
        2: passage(2, "The strike began at 06:00.", Status.VERIFIED),
    }
    query = Query(text="what happened at the port", wants_overview=True)

    ranked = rescore({1: 0.60, 2: 0.61}, passages, query, W)

    assert ranked == [(1, pytest.approx(0.63)), (2, pytest.approx(0.61))]


def test_rescore_breaks_ties_by_passage_id() -> None:
    passages = {pid: passage(pid, f"Text {pid}.") for pid in (7, 3, 5)}
    ranked = rescore({7: 0.5, 3: 0.5, 5: 0.5}, passages, Query(text="q"), W)
    assert [pid for pid, _ in ranked] == [3, 5, 7]


# -- topic coverage ---------------------------------------------------------------------


def test_topic_coverage_weighs_words_the_corpus_has_never_seen_the_most() -> None:
    freq = {"outbreak": 3, "ebola": 0}
    ebola = math.log(5 / 0.5)  # in no article of four: the rarest
    outbreak = math.log(5 / 3.5)

    covered = topic_coverage({"ebola", "outbreak"}, {"outbreak", "virus"}, freq, 4)

    assert covered == pytest.approx(outbreak / (ebola + outbreak))
    assert covered < 0.2  # the common word alone covers little of the question
    assert topic_coverage({"ebola", "outbreak"}, {"ebola"}, freq, 4) == pytest.approx(
        ebola / (ebola + outbreak)
    )
    assert topic_coverage({"ebola", "outbreak"}, {"ebola", "outbreak"}, freq, 4) == 1.0
    assert topic_coverage({"ebola"}, {"outbreak"}, freq, 4) == 0.0


def test_topic_coverage_of_an_empty_topic_is_full() -> None:
    assert topic_coverage(set(), {"anything"}, {}, 10) == 1.0
    assert topic_coverage(set(), set(), {}, 0) == 1.0


def test_overview_questions_lift_the_lede_twice_and_summaries_once() -> None:
    passages = {
        0: passage(0, "The council approved the tram line on Thursday."),  # the lede
        1: passage(1, "The line will cost 410 million.", Status.CONTEXT),
        2: passage(2, "Work starts next year."),
    }
    query = Query(text="tram line what happened", wants_overview=True)

    ranked = dict(rescore({0: 0.5, 1: 0.5, 2: 0.5}, passages, query, W))

    assert ranked == pytest.approx({0: 0.5 + 2 * W.overview, 1: 0.5 + W.overview, 2: 0.5})
