"""Held-out material for the development set: story groups, reworded questions, topics.

The files under `benchmarks/data/` hold only our own words and references into
`../shared/devset` (article keys, question ids); the articles, the original questions and
their gold passages are read from the shared folder at run time, never copied.

- `devset_stories.json`: article key → story key. Articles of one story (the same event
  told by several outlets, the devset README's same-story clusters) share a key, so grouped
  cross-validation never trains on one outlet's telling and tests on another's.
- `reworded.jsonl`: `{"qid", "question"}`, a dev question asked the way a Telegram user
  would type it; meaning and gold are the original question's.
- `topics.jsonl`: `{"topic", "match", "notes"}`, a subscription topic and the dev articles a
  subscriber to it wants pushed; every other article is a no-match.
- `kind_examples.jsonl`: `{"kind", "question"}`, questions of our own invention about invented
  news (no dev article, person or question in them), each of a known kind: more ways of
  putting each kind than the dev set's few overview questions show the question-kind model.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from retrieval.evaluation import ingest_texts, load_set
from retrieval.library import Library
from tests.conftest import SHARED

DATA = Path(__file__).resolve().parent / "data"
DEVSET = SHARED / "devset"
STORIES_FILE = DATA / "devset_stories.json"
REWORDED_FILE = DATA / "reworded.jsonl"
TOPICS_FILE = DATA / "topics.jsonl"
KIND_EXAMPLES_FILE = DATA / "kind_examples.jsonl"


def read_jsonl(path: Path) -> list[dict]:
    return [
        json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()
    ]


def load_stories(path: Path = STORIES_FILE) -> dict[str, str]:
    """Article key → story key."""
    return json.loads(path.read_text(encoding="utf-8"))


def load_reworded(path: Path = REWORDED_FILE) -> list[dict]:
    return read_jsonl(path)


def load_topics(path: Path = TOPICS_FILE) -> list[dict]:
    return read_jsonl(path)


def load_kind_examples(path: Path = KIND_EXAMPLES_FILE) -> list[dict]:
    return read_jsonl(path)


def story_folds(
    keys: list[str], stories: dict[str, str], k: int
) -> list[tuple[list[str], list[str]]]:
    """(training keys, held-out keys) for k folds that never split a story (GroupKFold).

    Deterministic: scikit-learn's GroupKFold balances fold sizes without shuffling.
    """
    from sklearn.model_selection import GroupKFold

    missing = [key for key in keys if key not in stories]
    if missing:
        raise ValueError(f"no story for articles {missing}")
    groups = [stories[key] for key in keys]
    n_stories = len(set(groups))
    if not 2 <= k <= n_stories:
        raise ValueError(f"--folds must be between 2 and the number of stories ({n_stories})")
    folds = GroupKFold(n_splits=k).split(keys, groups=groups)
    return [([keys[i] for i in train], [keys[i] for i in test]) for train, test in folds]


def ingest_set(library: Library, directory: Path) -> dict[str, str]:
    """Ingest `directory/articles/*.txt` as `briefbot eval` does; article key → stored id.

    The same steps as `retrieval.evaluation.evaluate`: the file's text as a user's file,
    its `articles.jsonl` metadata, one article under two keys reported as a duplicate.
    """
    texts, meta, _ = load_set(directory)
    return ingest_texts(library, texts, meta)


def article_keys(directory: Path = DEVSET) -> list[str]:
    return sorted(p.stem for p in (directory / "articles").glob("*.txt"))


def problems(directory: Path = DEVSET) -> Iterator[str]:
    """Everything wrong with the data files against the dev set (empty when all is well)."""
    keys = set(article_keys(directory))
    questions = {q["qid"]: q for q in read_jsonl(directory / "questions.jsonl")}
    stories = load_stories()
    for key in sorted(keys - set(stories)):
        yield f"devset_stories.json: article {key} has no story"
    for key in sorted(set(stories) - keys):
        yield f"devset_stories.json: {key} is not a dev article"
    seen: set[str] = set()
    for row in load_reworded():
        qid, text = row.get("qid"), row.get("question")
        if qid not in questions:
            yield f"reworded.jsonl: {qid} is not a dev question"
        elif qid in seen:
            yield f"reworded.jsonl: {qid} twice"
        elif not isinstance(text, str) or not text.strip():
            yield f"reworded.jsonl: {qid} has no question"
        elif text.strip().lower() == questions[qid]["question"].strip().lower():
            yield f"reworded.jsonl: {qid} is the original wording"
        seen.add(qid)
    names: set[str] = set()
    for row in load_topics():
        topic, match = row.get("topic"), row.get("match")
        if not isinstance(topic, str) or not topic.strip():
            yield f"topics.jsonl: a topic without text: {row}"
            continue
        if topic.lower() in names:
            yield f"topics.jsonl: {topic!r} twice"
        names.add(topic.lower())
        if not isinstance(match, list) or len(set(match)) != len(match):
            yield f"topics.jsonl: {topic!r}: match must be a list of distinct article keys"
            continue
        for key in match:
            if key not in keys:
                yield f"topics.jsonl: {topic!r}: {key} is not a dev article"
        if not row.get("notes"):
            yield f"topics.jsonl: {topic!r} has no notes"
