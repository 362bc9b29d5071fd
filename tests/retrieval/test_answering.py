"""Answers with the real model: the seed's question, abstention, confirmation questions."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from corpus import SAMPLE_QUESTION, SAMPLES_DIR
from corpus.models import Status
from retrieval.answer import Answer
from retrieval.embedder import SentenceTransformerEmbedder
from retrieval.library import Library

pytestmark = pytest.mark.slow

PUTIN_QUOTE = "If some troops appear there, especially now, during military operations"
PUTIN_REPORTED = "President Putin said that if foreign troops appear in Ukraine"


@pytest.fixture(scope="module")
def seed_library(
    tmp_path_factory: pytest.TempPathFactory,
    real_embedder: SentenceTransformerEmbedder,
    seed_path: Path,
) -> Iterator[Library]:
    """The seed article alone."""
    library = Library(tmp_path_factory.mktemp("seed"), real_embedder)
    library.ingest(seed_path.read_bytes(), filename=seed_path.name)
    yield library
    library.close()


@pytest.fixture(scope="module")
def full_library(
    tmp_path_factory: pytest.TempPathFactory,
    real_embedder: SentenceTransformerEmbedder,
    seed_path: Path,
) -> Iterator[Library]:
    """The seed and every bundled sample."""
    library = Library(tmp_path_factory.mktemp("full"), real_embedder)
    library.ingest(seed_path.read_bytes(), filename=seed_path.name, save=False)
    samples = sorted(p for p in SAMPLES_DIR.iterdir() if p.is_file())
    assert len(samples) >= 6
    for path in samples:
        library.ingest(path.read_bytes(), filename=path.name, save=False)
    library.save_index()
    yield library
    library.close()


def assert_putin_first(answer: Answer) -> None:
    first = answer.results[0].passage
    assert first.status is Status.STATEMENT
    assert first.speaker is not None and first.speaker.name == "Vladimir Putin"
    assert first.speaker.role == "Russian President"


def test_the_seeds_question_brings_putins_quote_then_the_verified_report(
    seed_library: Library,
) -> None:
    answer = seed_library.ask("what did Putin say about Western troops?")

    assert_putin_first(answer)
    first = answer.results[0]
    assert PUTIN_QUOTE in first.passage.text
    assert first.passage.section == "Official Statements"
    assert first.article.title == "Putin says Western troops in Ukraine would be legitimate targets"
    # The Key Takeaway saying the same thing is folded into the quote, not shown again.
    assert "Key Takeaways" in first.also_in_sections
    assert not any(
        r.passage.text.startswith("Putin said Western troops in Ukraine") for r in answer.results
    )

    # His statements first, then the passages reporting his words (the parser gives them
    # his name as speaker, their status stays the section's), verified ones leading.
    shown = [r.passage for r in answer.results]
    by_putin = [
        p.status is Status.STATEMENT and p.speaker is not None
        and p.speaker.name == "Vladimir Putin"
        for p in shown
    ]  # fmt: skip
    n = by_putin.index(False)
    assert not any(by_putin[n:])
    reports = shown[n:]
    assert reports[0].status is Status.VERIFIED and "Putin" in reports[0].text
    assert all(p.status is not Status.STATEMENT for p in reports[:3])
    assert any(PUTIN_REPORTED in p.text and p.status is Status.VERIFIED for p in reports[:3])
    zelenskiy = [i for i, p in enumerate(shown) if p.speaker and "Zelenskiy" in p.speaker.name]
    assert all(i > n for i in zelenskiy)


def test_the_samples_question_is_answered_by_putins_statement_first(
    full_library: Library,
) -> None:
    answer = full_library.ask(SAMPLE_QUESTION)

    assert_putin_first(answer)
    top3 = [r.passage for r in answer.results[:3]]
    assert any(PUTIN_QUOTE in p.text for p in top3)  # the seed's quote
    # The sample retells the same remarks as reported speech: his name, never on record.
    retold = [
        r.passage
        for r in answer.results
        if r.article.title.startswith("Putin warns Western troops sent to Ukraine")
    ]
    assert any(p.speaker and p.speaker.name == "Vladimir Putin" for p in retold)
    assert all(p.status is not Status.STATEMENT for p in retold)


@pytest.mark.parametrize(
    "question",
    [
        "who won the chess olympiad?",
        "what is the recipe for banana bread?",
    ],
)
def test_an_unrelated_question_is_not_answered(full_library: Library, question: str) -> None:
    answer = full_library.ask(question)
    assert not answer.found
    assert answer.results == []


def test_a_confirmation_question_brings_the_verified_and_the_unconfirmed_passages(
    full_library: Library,
) -> None:
    answer = full_library.ask("is it confirmed that the Stridely database is for sale?")

    top = answer.results[:3]
    stridely = [r for r in top if r.article.title.startswith("Fitness app Stridely")]
    assert len(stridely) == len(top)
    statuses = [r.passage.status for r in stridely]
    assert Status.UNCONFIRMED in statuses and Status.VERIFIED in statuses
    forum = top[0].passage
    assert forum.status is Status.UNCONFIRMED and "criminal forum" in forum.text
    assert forum.status.label == "⚠️ Unconfirmed"
    verified = next(r.passage for r in stridely if r.passage.status is Status.VERIFIED)
    assert verified.section == "Verified Facts" and verified.status.label == "✅ Verified"


def test_ask_respects_the_limit_and_orders_by_score_within_a_tier(full_library: Library) -> None:
    answer = full_library.ask("what happened at the Port of Tessaly?", limit=3)
    assert 1 <= len(answer.results) <= 3
    assert all(r.article.title.startswith("Dockworkers walk out") for r in answer.results)
    scores = [r.score for r in answer.results]
    assert scores == sorted(scores, reverse=True)


def test_a_who_said_answer_is_the_persons_words_then_the_rest_marked(
    full_library: Library,
) -> None:
    answer = full_library.ask("what did Osterby say about the tram line?")

    assert answer.found and answer.speaker == "Clara Osterby"
    first = answer.results[0].passage
    assert first.status is Status.STATEMENT and first.speaker.name == "Clara Osterby"
    mine = [not r.someone_else for r in answer.results]
    assert mine == sorted(mine, reverse=True)  # hers first, everything else after
    for r in answer.results:
        speaker = r.passage.speaker
        assert r.someone_else == (
            (speaker is None and "Osterby" not in r.passage.text)
            or (speaker is not None and "Osterby" not in speaker.name)
        )


def test_a_known_person_asked_about_what_they_never_addressed(full_library: Library) -> None:
    answer = full_library.ask("what did Clara Osterby say about the vaccine?")

    assert not answer.found and answer.results == []
    assert answer.missing_speaker == "Clara Osterby"
    assert answer.topic and "vaccine" in answer.topic
    assert answer.related, "her nearest statements are offered"
    assert all(r.passage.speaker.name == "Clara Osterby" for r in answer.related)


def test_a_misspelt_name_still_finds_the_person(full_library: Library) -> None:
    query = full_library.analyze("what did Osterbry say about the tram?")
    assert query.speaker is not None and query.speaker.name == "Clara Osterby"
    assert query.speaker.how == "spelling" and query.speaker.confidence < 1.0

    answer = full_library.ask("what did Osterbry say about the tram?")
    assert answer.speaker == "Clara Osterby" and answer.spelt == "Osterbry"
    assert full_library.ask("what did Osterby say about the tram?").spelt is None
