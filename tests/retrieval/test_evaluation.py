"""`briefbot eval`: the hit rule, the figures, the JSON contract (DESIGN.md: Evaluation)."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.cli import main
from corpus.models import Passage, Speaker, Status
from retrieval.embedder import SentenceTransformerEmbedder
from retrieval.evaluation import (
    FIGURES,
    article_keys,
    attribution,
    evaluate,
    is_hit,
    score,
    split_chunks,
)

SIX = {"hit@1", "hit@3", "mrr", "status_accuracy", "abstained_negative", "false_abstention"}
SEVEN = SIX | {"attribution"}  # attribution is overall only: null per kind


def span(text: str, part: str, article: str = "ida", status: Status = Status.VERIFIED) -> Passage:
    start = text.index(part)
    return at(start, start + len(part), text, article, status)


def at(
    start: int, end: int, text: str, article: str = "ida", status: Status = Status.VERIFIED
) -> Passage:
    return Passage(article_id=article, ordinal=0, section="S", status=status, start=start,
                   end=end, text=text[start:end])  # fmt: skip


def gold(
    snippet: str, status: str = "verified", article: str = "001", speaker: str | None = None
) -> dict:
    return {"article": article, "snippet": snippet, "status": status, "speaker": speaker}


# -- the hit rule -----------------------------------------------------------------------


def test_a_hit_overlaps_the_snippet_in_the_text() -> None:
    text = "Alpha one. Beta two. Gamma three."
    g = gold("Beta two")
    assert is_hit(span(text, "Beta two. Gamma"), g, text)
    assert is_hit(span(text, "two"), g, text)  # inside the snippet
    assert is_hit(span(text, "Alpha one. Beta"), g, text)  # touching its first character
    assert not is_hit(span(text, "Alpha one. "), g, text)  # ends where the snippet starts
    assert not is_hit(span(text, "Gamma three."), g, text)
    assert not is_hit(span(text, "Alpha"), gold("Not in the text"), text)


def test_a_passage_longer_than_600_characters_is_never_a_hit() -> None:
    text = "Beta two. " + "x" * 700
    g = gold("Beta two")
    assert is_hit(at(0, 600, text), g, text)
    assert not is_hit(at(0, 601, text), g, text)


def test_every_place_the_snippet_occurs_counts() -> None:
    text = "Beta two. Alpha one. Beta two."
    second = len(text) - len("Beta two.")
    assert is_hit(at(second, len(text), text), gold("Beta two"), text)
    assert not is_hit(span(text, "Alpha one."), gold("Beta two"), text)
    # Occurrences that overlap one another: "abab" is at 0 and at 2 of "xxababab".
    text = "xxababab"
    assert is_hit(at(6, 8, text), gold("abab"), text)


# -- the baseline's chunks --------------------------------------------------------------


def test_split_chunks_prefers_paragraphs_then_lines_then_words() -> None:
    text = "First paragraph here.\n\nSecond paragraph is a bit longer.\n\nThird."
    chunks = split_chunks(text, 0, len(text), 40)
    assert [text[s:e].strip() for s, e in chunks] == [
        "First paragraph here.",
        "Second paragraph is a bit longer.",
        "Third.",
    ]
    assert split_chunks(text, 0, len(text), 1000) == [(0, len(text))]
    assert split_chunks("   \n\n  ", 0, 7, 3) == []
    assert split_chunks("x" * 25, 0, 25, 10) == [(0, 10), (10, 20), (20, 25)]


@settings(max_examples=200, deadline=None)
@given(
    text=st.text(alphabet=st.sampled_from(list("ab c\n.")), max_size=400),
    size=st.integers(min_value=1, max_value=60),
)
def test_split_chunks_never_exceeds_size_and_covers_the_text(text: str, size: int) -> None:
    chunks = split_chunks(text, 0, len(text), size)
    assert all(0 <= s < e <= len(text) and e - s <= size for s, e in chunks)
    assert all(b[0] >= a[1] for a, b in itertools.pairwise(chunks))  # in order
    covered = {i for s, e in chunks for i in range(s, e)}
    assert all(i in covered for i, ch in enumerate(text) if not ch.isspace())


# -- the figures ------------------------------------------------------------------------


def test_score_on_a_literal_set_computed_by_hand() -> None:
    text = "Alpha one. Beta two. Gamma three. Delta four. " + "Filler words. " * 50
    other = "ido"  # another article with the same words: never a hit for 001's gold
    alpha, beta = span(text, "Alpha one."), span(text, "Beta two.", status=Status.STATEMENT)
    gamma = span(text, "Gamma three.", status=Status.CONTEXT)
    delta = span(text, "Delta four.", status=Status.UNSPECIFIED)
    long_ = at(0, 650, text)  # covers every snippet, but is longer than 600 characters
    filler = span(text, "Filler words.")
    questions = [
        ("q1", "who_said", [gold("Beta two", "statement")], [beta]),  # rank 1, status right
        ("q2", "who_said", [gold("Gamma three")], [alpha, delta, gamma]),  # rank 3, wrong
        ("q3", "fact", [gold("Delta four", "unspecified")],
         [span(text, "Delta four.", other), alpha, delta]),  # rank 3 (rank 1 is elsewhere)
        ("q4", "fact", [gold("Alpha one")], []),  # nothing shown: a false abstention
        ("q5", "negative", [], []),  # abstained
        ("q6", "negative", [], [alpha]),  # answered a negative
        ("q7", "fact", [gold("Alpha one")], [long_, beta, gamma, delta, alpha]),  # rank 5
        ("q8", "fact", [gold("Alpha one")], [filler] * 10 + [alpha]),  # rank 11: past 10
    ]  # fmt: skip
    shown = {qid: passages for qid, _, _, passages in questions}
    qs = [{"qid": qid, "question": qid, "kind": kind, "gold": g} for qid, kind, g, _ in questions]

    report = score(qs, lambda q: shown[q["qid"]], {"ida": text, other: text}, {"001": "ida"})

    assert report["n"] == 8
    assert report["overall"] == {
        "hit@1": round(1 / 6, 4),  # q1 of q1 q2 q3 q4 q7 q8
        "hit@3": 0.5,  # q1 q2 q3
        "mrr": round((1 + 1 / 3 + 1 / 3 + 1 / 5) / 6, 4),
        "status_accuracy": round(2 / 3, 4),  # q1 right, q2 wrong, q3 right
        "abstained_negative": 0.5,
        "false_abstention": round(1 / 6, 4),
        "attribution": None,  # no passages_of: not measured
    }
    assert report["per_kind"] == {
        "who_said": {
            "hit@1": 0.5,
            "hit@3": 1.0,
            "mrr": round((1 + 1 / 3) / 2, 4),
            "status_accuracy": 0.5,
            "abstained_negative": None,
            "false_abstention": 0.0,
            "attribution": None,
        },
        "fact": {
            "hit@1": 0.0,
            "hit@3": 0.25,
            "mrr": round((1 / 3 + 1 / 5) / 4, 4),
            "status_accuracy": 1.0,
            "abstained_negative": None,
            "false_abstention": 0.25,
            "attribution": None,
        },
        "negative": {
            "hit@1": None,
            "hit@3": None,
            "mrr": None,
            "status_accuracy": None,
            "abstained_negative": 0.5,
            "false_abstention": None,
            "attribution": None,
        },
    }


def test_the_figure_names_are_the_contracts() -> None:
    assert set(FIGURES) == SIX and len(FIGURES) == 6


def said_by(text: str, part: str, name: str | None, status: Status = Status.STATEMENT) -> Passage:
    p = span(text, part, status=status)
    return p.model_copy(update={"speaker": Speaker(name=name) if name else None})


def test_attribution_on_literal_passages() -> None:
    text = "One quote here. Two quote here. Three quote here. Four said here. Five plain."
    passages = [
        said_by(text, "One quote here.", "Ana Berg"),
        said_by(text, "Two quote here.", "Tom Reyes"),  # the wrong person
        span(text, "Three quote here.", status=Status.UNSPECIFIED),  # nobody
        said_by(text, "Four said here.", "Berg", Status.UNSPECIFIED),  # reported, short form
        span(text, "Five plain.", status=Status.UNSPECIFIED),
    ]

    def item(snippet: str, speaker: str | None, status: str = "statement") -> dict:
        return {"article": "001", "snippet": snippet, "status": status, "speaker": speaker}

    golds = [
        [item("One quote", "Berg"), item("Two quote", "Ana Berg")],
        [item("One quote", "Berg"), item("Three quote", "Ana Berg")],  # One: counted once
        [item("Four said", "Ana Berg", "unspecified"), item("Five plain", None)],
        [item("Five plain", "Ana Berg", "unspecified")],
    ]
    questions = [{"question": "q", "kind": "who_said", "gold": g} for g in golds]
    found = attribution(questions, lambda _: passages, {"ida": text}, {"001": "ida"})

    assert (found.statements, found.statements_attributed) == (3, 1)
    assert found.recall == round(1 / 3, 4)
    assert (found.given, found.given_right) == (3, 2)  # One, Two, Four carry a speaker
    assert (found.reported, found.reported_attributed) == (2, 1)
    report = score(questions[:1], lambda _: [], {"ida": text}, {"001": "ida"}, lambda _: passages)
    assert report["overall"]["attribution"] == 0.5
    assert report["per_kind"]["who_said"]["attribution"] is None


def test_article_keys_reads_keys_and_ranges() -> None:
    assert article_keys("032-034, 040,x") == {"032", "033", "034", "040", "x"}
    assert article_keys("") == set()


# -- evaluate() on a set written here ---------------------------------------------------

HARBOUR = """\
Dockworkers strike at the Port of Tessaly

Lead: On Oct. 3, 2025 in Tessaly, 4,800 dockworkers began an open-ended strike over pay and jobs.

Verified Facts

The walkout began at six in the morning when the shift did not report to the terminals.

Official Statements

“Our members will not sign away their own jobs in exchange for a pay rise.”

Marta Quillon, General Secretary of the Dock Union (Tessaly, Oct. 3, 2025)

Unconfirmed

  • Shipping sources say one major line threatened to drop Tessaly from its Asia route.
"""

TRAM = """\
Lindmark council backs tram extension to the airport

The city council approved a 9.4-kilometre extension of the tram network to Harrow Field airport.

"For twelve years we have talked about this line," Mayor Clara Osterby said after the vote.
"""


def write_set(directory: Path, questions: list[dict], articles: dict[str, str]) -> Path:
    (directory / "articles").mkdir(parents=True)
    for key, text in articles.items():
        (directory / "articles" / f"{key}.txt").write_text(text, encoding="utf-8")
    rows = [{"id": "001", "url": "https://example.org/strike", "site": "example.org"}]
    (directory / "articles.jsonl").write_text(
        "\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8"
    )
    (directory / "questions.jsonl").write_text(
        "\n".join(json.dumps(q) for q in questions) + "\n\n", encoding="utf-8"
    )
    return directory


QUESTIONS = [
    {"qid": "t1", "question": "what did quillon say about jobs and the pay rise",
     "kind": "who_said",
     "gold": [gold("will not sign away their own jobs", "statement", speaker="Marta Quillon")]},
    {"qid": "t2", "question": "what did the mayor say about the tram line", "kind": "who_said",
     "gold": [gold("For twelve years we have talked", "statement", "002", "Osterby")]},
    {"qid": "t3", "question": "is it confirmed that a shipping line will drop tessaly", "kind":
     "status", "gold": [gold("one major line threatened to drop Tessaly", "unconfirmed")]},
    {"qid": "t4", "question": "what is the recipe for banana bread", "kind": "negative",
     "gold": []},
]  # fmt: skip


@pytest.mark.slow
def test_evaluate_reports_exactly_the_contracts_shape(
    tmp_path: Path, real_embedder: SentenceTransformerEmbedder
) -> None:
    directory = write_set(tmp_path / "set", QUESTIONS, {"001": HARBOUR, "002": TRAM})

    report = evaluate(directory, real_embedder)

    assert json.loads(json.dumps(report)) == report
    assert set(report) == {"n", "overall", "per_kind"}
    assert report["n"] == 4
    assert set(report["overall"]) == SEVEN
    assert set(report["per_kind"]) == {"who_said", "status", "negative"}
    assert all(set(figures) == SEVEN for figures in report["per_kind"].values())
    assert report["overall"] == {
        "hit@1": 1.0,
        "hit@3": 1.0,
        "mrr": 1.0,
        "status_accuracy": 1.0,
        "abstained_negative": 1.0,
        "false_abstention": 0.0,
        "attribution": 1.0,
    }
    negative = report["per_kind"]["negative"]
    assert negative == {f: None for f in SEVEN} | {"abstained_negative": 1.0}
    assert report["per_kind"]["status"]["abstained_negative"] is None

    baseline = evaluate(directory, real_embedder, baseline="dense-chunks")
    assert set(baseline) == {"n", "overall", "per_kind"} and set(baseline["overall"]) == SEVEN
    assert baseline["overall"]["abstained_negative"] == 0.0
    assert baseline["overall"]["attribution"] == 0.0  # chunks carry no speaker
    with pytest.raises(ValueError, match="dense-chunks"):
        evaluate(directory, real_embedder, baseline="bm25")


@pytest.mark.slow
def test_evaluate_measures_a_set_holding_the_same_article_twice(
    tmp_path: Path, real_embedder: SentenceTransformerEmbedder
) -> None:
    """A user's duplicate file is reported, not fatal; its key still names the article."""
    questions = [{**QUESTIONS[0], "gold": [gold("will not sign away", "statement", "003")]}]
    directory = write_set(tmp_path / "set", questions, {"001": HARBOUR, "003": HARBOUR})

    report = evaluate(directory, real_embedder)

    assert report["n"] == 1
    assert report["overall"]["hit@1"] == 1.0


# -- the real contract on ../shared/devset ----------------------------------------------


@pytest.mark.slow
def test_briefbot_eval_on_the_devset_keeps_the_contract_and_beats_the_baseline(
    devset_dir: Path,
    real_embedder: SentenceTransformerEmbedder,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """The contract's shape on the real set, and briefbot ahead of plain dense chunks in the
    same run. The figures themselves are printed by `briefbot eval` and reported in notes,
    in-sample and held out: a threshold here would be one more number fitted to the dev set
    (attribution excepted: issue 10 holds it to 0.95 on both parts)."""
    monkeypatch.chdir(tmp_path)  # no .env from the checkout
    assert main(["eval", str(devset_dir), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)

    assert set(report) == {"n", "overall", "per_kind"}
    assert report["n"] == sum(1 for line in (devset_dir / "questions.jsonl").open() if line.strip())
    assert set(report["overall"]) == SEVEN
    assert set(report["per_kind"]) == {"who_said", "fact", "status", "overview", "negative"}
    assert report["overall"]["attribution"] >= 0.95

    assert main(["eval", str(devset_dir), "--json", "--baseline", "dense-chunks"]) == 0
    baseline = json.loads(capsys.readouterr().out)
    assert set(baseline) == {"n", "overall", "per_kind"}
    assert baseline["n"] == report["n"]
    assert set(baseline["overall"]) == SEVEN
    assert set(baseline["per_kind"]) == set(report["per_kind"])
    assert all(set(figures) == SEVEN for figures in baseline["per_kind"].values())
    assert baseline["overall"]["abstained_negative"] == 0.0
    assert baseline["overall"]["false_abstention"] == 0.0

    ours, theirs = report["overall"], baseline["overall"]
    for figure in ("hit@1", "mrr", "status_accuracy", "abstained_negative"):
        assert ours[figure] > theirs[figure], (figure, ours, theirs)
    assert report["per_kind"]["who_said"]["hit@1"] > baseline["per_kind"]["who_said"]["hit@1"]
