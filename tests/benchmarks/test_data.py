"""The held-out material of benchmarks/data/ against ../shared/devset (skipped when absent)."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from rapidfuzz import fuzz, process

from benchmarks.heldout import (
    DATA,
    article_keys,
    load_kind_examples,
    load_reworded,
    load_stories,
    load_topics,
    problems,
    read_jsonl,
    story_folds,
)
from benchmarks.reworded import question_sets, write_set
from benchmarks.topics import figures, held_out, precision_threshold
from retrieval.features import KINDS as QUESTION_KINDS

# The devset README's same-story clusters; every other article is a story of its own.
CLUSTERS = [
    {"001", "002", "003"},
    {"004", "005"},
    {"006", "007"},
    {"008", "009"},
    {"014", "015"},
    {"017", "018"},
    {"038", "039"},
]
KINDS = {"who_said", "fact", "status", "overview", "negative"}


@pytest.fixture(scope="module")
def questions(devset_dir: Path) -> dict[str, dict]:
    return {q["qid"]: q for q in read_jsonl(devset_dir / "questions.jsonl")}


def test_every_reference_exists_in_the_devset(devset_dir: Path) -> None:
    assert list(problems(devset_dir)) == []


def test_stories_cover_every_article_and_follow_the_readme_clusters(devset_dir: Path) -> None:
    stories = load_stories()
    keys = article_keys(devset_dir)
    assert keys == [f"{i:03d}" for i in range(1, 48)]
    assert sorted(stories) == keys
    clustered = set().union(*CLUSTERS)
    for cluster in CLUSTERS:
        assert len({stories[k] for k in cluster}) == 1, cluster
    members = Counter(stories.values())
    for key in keys:
        expected = next((len(c) for c in CLUSTERS if key in c), 1)
        assert members[stories[key]] == expected, key
    assert len(members) == len(keys) - len(clustered) + len(CLUSTERS)


def test_reworded_questions_are_enough_and_spread(questions: dict[str, dict]) -> None:
    rows = load_reworded()
    assert len(rows) >= 70
    kinds = Counter(questions[r["qid"]]["kind"] for r in rows)
    assert set(kinds) == KINDS
    assert kinds["who_said"] >= 25
    late = [r for r in rows if any(g["article"] >= "032" for g in questions[r["qid"]]["gold"])]
    assert len(late) >= 15
    covered = {g["article"] for r in rows for g in questions[r["qid"]]["gold"]}
    assert len(covered) >= 40


def test_reworded_sets_keep_the_gold(devset_dir: Path, tmp_path: Path) -> None:
    original, reworded = question_sets(devset_dir)
    assert [q["qid"] for q in original] == [q["qid"] for q in reworded]
    for a, b in zip(original, reworded, strict=True):
        assert a["gold"] == b["gold"] and a["kind"] == b["kind"]
        assert a["question"] != b["question"]
    directory = write_set(tmp_path / "set", devset_dir, reworded)
    assert len(list((directory / "articles").glob("*.txt"))) == 47
    assert read_jsonl(directory / "questions.jsonl") == reworded


def test_topics_are_enough_with_traps_and_off_corpus_ones() -> None:
    rows = load_topics()
    assert len(rows) >= 32
    assert sum(1 for r in rows if not r["match"]) >= 3  # topics nothing in the corpus answers
    assert sum(1 for r in rows if len(r["match"]) > 1) >= 8


def test_kind_examples_cover_every_kind_and_invent_their_news(
    devset_dir: Path, questions: dict[str, dict]
) -> None:
    rows = load_kind_examples()
    assert Counter(r["kind"] for r in rows) == {kind: 20 for kind in QUESTION_KINDS}
    # Not a dev question, nor one reworded from it: no example is near any of them.
    asked = [q["question"].lower() for q in questions.values()]
    asked += [r["question"].lower() for r in load_reworded()]
    nearest = [process.extractOne(r["question"].lower(), asked, scorer=fuzz.ratio) for r in rows]
    assert max(score for _, score, _ in nearest) < 80
    # Invented news: no name of theirs (a capitalised word the articles never write in lower
    # case) is one the dev articles use.
    text = " ".join(p.read_text(encoding="utf-8") for p in (devset_dir / "articles").glob("*"))
    words = set(re.findall(r"\w+", text))
    names = {w for r in rows for w in re.findall(r"\b[A-Z][a-z]+\b", r["question"])}
    assert sorted(n for n in names if n in words and n.lower() not in words) == []


def test_no_gold_snippet_is_copied_into_the_data(questions: dict[str, dict]) -> None:
    data = " ".join(p.read_text(encoding="utf-8") for p in sorted(DATA.iterdir()))
    copied = [g["snippet"] for q in questions.values() for g in q["gold"] if g["snippet"] in data]
    assert copied == []


def test_story_folds_never_split_a_story(devset_dir: Path) -> None:
    stories = load_stories()
    keys = article_keys(devset_dir)
    folds = story_folds(keys, stories, 5)
    held = [k for _, test in folds for k in test]
    assert sorted(held) == keys
    for train, test in folds:
        assert not {stories[k] for k in train} & {stories[k] for k in test}
    with pytest.raises(ValueError):
        story_folds(keys, stories, 1)


def test_figures_and_held_out_folds_on_literal_pairs() -> None:
    gold = {("a", "1"), ("a", "2"), ("b", "3")}
    said = {("a", "1"), ("b", "3"), ("b", "4")}
    pairs = [(t, k) for t in "ab" for k in "1234"]
    f = figures(pairs, lambda t, k: (t, k) in said, gold)
    assert (f["tp"], f["fp"], f["fn"]) == (2, 1, 1)
    assert f["precision"] == f["recall"] == f["f1"] == pytest.approx(2 / 3, abs=1e-4)
    seen: list[list[str]] = []

    def fit(train: list[str]):
        seen.append(train)
        return lambda t, k: (t, k) in said

    folds = [(["3", "4"], ["1", "2"]), (["1", "2"], ["3", "4"])]
    report = held_out(["a", "b"], folds, gold, fit)
    assert seen == [["3", "4"], ["1", "2"]]
    assert report["pooled"] == f
    assert [fold["recall"] for fold in report["per_fold"]] == [0.5, 1.0]


def test_the_topic_threshold_keeps_the_asked_precision_with_the_most_recall() -> None:
    # Best first: match, match, miss, match, miss, match, miss.
    scores = np.array([3.0, 2.5, 2.0, 1.5, 1.0, 0.5, 0.0])
    labels = np.array([1, 1, 0, 1, 0, 1, 0])
    # 0.75 precision holds down to the fourth score (3 of 4); the fifth would make it 3 of 5.
    assert precision_threshold(scores, labels, 0.75) == pytest.approx(1.25)
    assert precision_threshold(scores, labels, 1.0) == pytest.approx(2.25)
    # Reached nowhere: above every score, so nothing is matched.
    assert precision_threshold(scores, 1 - labels, 0.9) > scores.max()
    # Reached at the last score: everything is matched.
    assert precision_threshold(scores, labels, 0.5) == pytest.approx(0.0)


def test_data_files_are_well_formed_json() -> None:
    json.loads((DATA / "devset_stories.json").read_text(encoding="utf-8"))
    for name in ("reworded.jsonl", "topics.jsonl"):
        rows = read_jsonl(DATA / name)
        assert rows and all(isinstance(r, dict) for r in rows)
