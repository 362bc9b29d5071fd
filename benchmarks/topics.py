"""Subscription matching on the dev articles: precision and recall over (topic, article) pairs.

    python -m benchmarks.topics [--json] [--folds K] [--fit] [--devset DIR]

The 47 dev articles are ingested into a fresh temporary Library as `briefbot eval` ingests
them; every topic of `benchmarks/data/topics.jsonl` is embedded once with
`Library.encode_queries` and matched against every article with `Library.match_article`,
exactly as `bot.subscribing.match_new_articles` does for a new article. A pair is predicted a
match when the matcher returns at least one passage. The labels say which articles a
subscriber to the topic wants pushed; every other pair is a no-match.

Printed: precision, recall and F1 over all pairs, each topic's false positives and false
negatives, and the false positives the matcher was most sure of (its best passage's cosine).

`--folds K` adds the figures on K folds of articles grouped by story
(`benchmarks/data/devset_stories.json`, scikit-learn's GroupKFold): the topic model
(retrieval.features.topic_row, a logistic regression, its threshold the lowest at which
out-of-fold scores of the training pairs keep 0.90 precision) is fitted on the other folds'
articles and decides the held-out ones.
`--fit` fits it on every pair and writes it into `retrieval/ranker.json` beside the
question models, with a fallback over the plain (spread-free) features for a corpus too small
to give a spread (`Library.corpus_spread`); `benchmarks.rank --fit` keeps both. The in-sample
figures are then the new fit's, through `Library.match_article`.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import numpy as np

from benchmarks.heldout import DEVSET, ingest_set, load_stories, load_topics, story_folds
from retrieval.ranker import Linear, Ranker, fit_linear

TOPIC_C = 1.0  # scikit-learn's default regularisation
TARGET_PRECISION = 0.90  # the contract's: a pushed passage must be one the subscriber wants
INNER_FOLDS = 5  # story folds inside the training articles, for the out-of-fold scores
Pair = tuple[str, str]  # (topic, article key)
# A matching rule: does this (topic, article key) pair match?
Decision = Callable[[str, str], bool]


@dataclass
class Matched:
    """What the matcher said about every pair: the passages it would push, best first."""

    topics: list[str]
    keys: list[str]
    passages: dict[Pair, list[tuple[float, str]]]  # (relevance, passage text); empty: no match

    def decision(self) -> Decision:
        return lambda topic, key: bool(self.passages[(topic, key)])


def run_matcher(
    directory: Path,
    topics: list[str],
    embedder,
    gold: set[Pair] | None = None,
    stories: dict[str, str] | None = None,
) -> tuple[Matched, dict[Pair, np.ndarray], Ranker]:
    """Ingest the set into a temporary Library, read every (topic, article) pair's topic
    features, and match every topic against every article with the shipped ranker, or with
    one whose topic model is fitted on all pairs when `gold` is given (its threshold from
    folds of `stories`, the article key → story map)."""
    from retrieval.features import topic_row
    from retrieval.library import Library

    with tempfile.TemporaryDirectory(prefix="briefbot-topics-") as tmp:
        # Refitting, the shipped topic model is not needed (it may read other features).
        shipped = Ranker.load(with_topics=False) if gold is not None else None
        library = Library(Path(tmp), embedder, ranker=shipped)
        try:
            key_to_id = ingest_set(library, directory)
            vectors = library.encode_queries(topics)
            subs = list(zip(topics, vectors, strict=True))
            rows: dict[Pair, np.ndarray] = {}
            for key, article_id in sorted(key_to_id.items()):
                found = library.topic_candidates(article_id, subs)
                for topic, f in zip(topics, found, strict=True):
                    if f is not None:
                        rows[(topic, key)] = topic_row(f)
            ranker = library.ranker
            if gold is not None:
                stories = stories or load_stories()
                model, threshold = fit_topics(rows, list(rows), gold, stories)
                plain, plain_threshold = fit_topics(plain_rows(rows), list(rows), gold, stories)
                ranker = replace(ranker, topics=model, match_above=threshold,
                                 plain_topics=plain, plain_match_above=plain_threshold)  # fmt: skip
            passages: dict[Pair, list[tuple[float, str]]] = {}
            for key, article_id in sorted(key_to_id.items()):
                per_topic = library.match_article(article_id, subs, ranker=ranker)
                for topic, results in zip(topics, per_topic, strict=True):
                    passages[(topic, key)] = [(r.relevance, r.passage.text) for r in results]
        finally:
            library.close()
    return Matched(topics, sorted(key_to_id), passages), rows, ranker


def plain_rows(rows: dict[Pair, np.ndarray]) -> dict[Pair, np.ndarray]:
    """The rows' plain columns: what the fallback model reads when a corpus gives no spread."""
    from retrieval.features import PLAIN_TOPIC_FEATURES

    return {p: r[: len(PLAIN_TOPIC_FEATURES)] for p, r in rows.items()}


def fit_topics(
    rows: dict[Pair, np.ndarray], pairs: list[Pair], gold: set[Pair], stories: dict[str, str]
) -> tuple[Linear, float]:
    """The topic model (a logistic regression on the pairs' features) and its threshold on
    the log-odds: the lowest at which the pairs' out-of-fold scores keep TARGET_PRECISION.

    Out of fold: each of INNER_FOLDS story folds of the pairs' articles is scored by a model
    fitted on the others, since a model's scores on its own training pairs flatter the
    positives. The operating point is the contract's: as much recall as that precision allows.
    """
    model = _fit(rows, pairs, gold)
    keys = sorted({key for _, key in pairs})
    k = min(INNER_FOLDS, len({stories[key] for key in keys}))
    scores, labels = [], []
    for train, test in story_folds(keys, stories, k):
        trained, tested = set(train), set(test)
        inner = _fit(rows, [p for p in pairs if p[1] in trained], gold)
        held = [p for p in pairs if p[1] in tested]
        scores.extend(inner(np.stack([rows[p] for p in held]))[:, 0])
        labels.extend(p in gold for p in held)
    return model, precision_threshold(np.array(scores), np.array(labels), TARGET_PRECISION)


def _fit(rows: dict[Pair, np.ndarray], pairs: list[Pair], gold: set[Pair]) -> Linear:
    x = np.stack([rows[p] for p in pairs])
    y = np.array([float(p in gold) for p in pairs])
    return fit_linear(x, y, c=TOPIC_C, multiclass=False)


def precision_threshold(scores: np.ndarray, labels: np.ndarray, target: float) -> float:
    """The lowest threshold at which the pairs scoring above it hold at least `target`
    precision (midway between two scores; above every score when none reaches it)."""
    order = np.argsort(-scores)
    s, y = scores[order], labels[order].astype(float)
    precision = np.cumsum(y) / np.arange(1, len(s) + 1)
    reached = np.flatnonzero(precision >= target)
    if not len(reached):
        return float(s[0]) + 1.0
    last = int(reached[-1])
    return float((s[last] + s[last + 1]) / 2) if last + 1 < len(s) else float(s[last])


def fitted_rule(
    rows: dict[Pair, np.ndarray], gold: set[Pair], stories: dict[str, str]
) -> Callable[[list[str]], Decision]:
    """For `held_out`: the topic model fitted on the training articles' pairs, deciding the
    held-out ones (a pair with no features, a topic of no words, never matches)."""

    def fit(train: list[str]) -> Decision:
        keys = set(train)
        model, threshold = fit_topics(rows, [p for p in rows if p[1] in keys], gold, stories)
        return lambda t, k: (t, k) in rows and float(model(rows[(t, k)])[0, 0]) >= threshold

    return fit


def figures(pairs: list[Pair], decide: Decision, gold: set[Pair]) -> dict:
    """Precision, recall and F1 over the pairs (None where nothing was predicted / labelled)."""
    tp = sum(1 for p in pairs if decide(*p) and p in gold)
    fp = sum(1 for p in pairs if decide(*p) and p not in gold)
    fn = sum(1 for p in pairs if not decide(*p) and p in gold)
    precision = tp / (tp + fp) if tp + fp else None
    recall = tp / (tp + fn) if tp + fn else None
    f1 = (
        2 * precision * recall / (precision + recall)
        if precision is not None and recall is not None and precision + recall
        else (0.0 if precision is not None and recall is not None else None)
    )
    return {
        "pairs": len(pairs),
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "precision": _round(precision),
        "recall": _round(recall),
        "f1": _round(f1),
    }


def held_out(
    topics: list[str],
    folds: list[tuple[list[str], list[str]]],
    gold: set[Pair],
    fit: Callable[[list[str]], Decision],
) -> dict:
    """Figures on held-out story folds: `fit(training keys)` returns the rule scored on the rest.

    `fit` may look at the labels of the training articles' pairs only (and at anything
    the matcher computes for them); the pooled figures count every held-out pair once.
    """
    per_fold = []
    pooled: list[tuple[Pair, bool]] = []
    for number, (train, test) in enumerate(folds, start=1):
        decide = fit(train)
        pairs = [(t, k) for t in topics for k in test]
        per_fold.append({"fold": number, "articles": sorted(test), **figures(pairs, decide, gold)})
        pooled.extend((p, decide(*p)) for p in pairs)
    said = dict(pooled)
    return {
        "k": len(folds),
        "pooled": figures(list(said), lambda t, k: said[(t, k)], gold),
        "per_fold": per_fold,
    }


def report(
    matched: Matched,
    labelled: list[dict],
    folds: int | None,
    fit: Callable[[list[str]], Decision] | None = None,
) -> dict:
    topics = matched.topics
    gold = {(row["topic"], key) for row in labelled for key in row["match"]}
    pairs = [(t, k) for t in topics for k in matched.keys]
    decide = matched.decision()
    per_topic = []
    false_positives = []
    for row in labelled:
        t = row["topic"]
        predicted = [k for k in matched.keys if decide(t, k)]
        fps = [k for k in predicted if (t, k) not in gold]
        fns = [k for k in matched.keys if (t, k) in gold and not decide(t, k)]
        topic_pairs = [(t, k) for k in matched.keys]
        per_topic.append(
            {"topic": t, "match": row["match"], "predicted": predicted, "false_positives": fps,
             "false_negatives": fns, **figures(topic_pairs, decide, gold)}
        )  # fmt: skip
        for k in fps:
            best, text = matched.passages[(t, k)][0]
            false_positives.append(
                {"topic": t, "article": k, "relevance": round(best, 4), "passage": text[:90]}
            )
    false_positives.sort(key=lambda fp: -fp["relevance"])
    out = {
        "n_topics": len(topics),
        "n_articles": len(matched.keys),
        "overall": figures(pairs, decide, gold),
        "per_topic": per_topic,
        "false_positives": false_positives,
        "folds": None,
    }
    if folds:
        stories = load_stories()
        split = story_folds(matched.keys, stories, folds)
        out["folds"] = held_out(topics, split, gold, fit or (lambda _train: decide))
    return out


def format_report(rep: dict, worst: int = 15) -> str:
    o = rep["overall"]
    lines = [
        f"Subscription matching: {rep['n_topics']} topics x {rep['n_articles']} articles "
        f"= {o['pairs']} pairs ({o['tp'] + o['fn']} labelled matches)",
        "",
        "| set | pairs | tp | fp | fn | precision | recall | f1 |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
        _row("in-sample", o),
    ]
    if rep["folds"]:
        f = rep["folds"]
        lines.append(_row(f"held-out ({f['k']} story folds, pooled)", f["pooled"]))
        for fold in f["per_fold"]:
            lines.append(_row(f"fold {fold['fold']} ({len(fold['articles'])} articles)", fold))
    lines += ["", "Per topic (fp: pushed but not wanted; fn: wanted but not pushed):", ""]
    lines += ["| topic | labelled | tp | fp | fn | false positives | false negatives |"]
    lines += ["| --- | --- | --- | --- | --- | --- | --- |"]
    for t in rep["per_topic"]:
        lines.append(
            f"| {t['topic']} | {len(t['match'])} | {t['tp']} | {t['fp']} | {t['fn']} | "
            f"{' '.join(t['false_positives']) or '—'} | {' '.join(t['false_negatives']) or '—'} |"
        )
    fps = rep["false_positives"][:worst]
    if fps:
        lines += ["", f"The {len(fps)} false positives with the highest best-passage cosine:", ""]
        lines += ["| cosine | topic | article | best passage |", "| --- | --- | --- | --- |"]
        for fp in fps:
            text = " ".join(fp["passage"].split()).replace("|", "/")
            lines.append(f"| {fp['relevance']:.3f} | {fp['topic']} | {fp['article']} | {text}… |")
    return "\n".join(lines)


def _row(name: str, f: dict) -> str:
    cells = [str(f[k]) for k in ("pairs", "tp", "fp", "fn")]
    cells += [_fmt(f[k]) for k in ("precision", "recall", "f1")]
    return f"| {name} | " + " | ".join(cells) + " |"


def _fmt(x: float | None) -> str:
    return "—" if x is None else f"{x:.3f}"


def _round(x: float | None) -> float | None:
    return None if x is None else round(x, 4)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.topics", description=__doc__)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--folds", type=int, metavar="K", help="also report K story folds")
    parser.add_argument("--devset", type=Path, default=DEVSET, help=f"default: {DEVSET}")
    parser.add_argument(
        "--fit", action="store_true", help="fit the topic model on all pairs into ranker.json"
    )
    args = parser.parse_args(argv)
    if not (args.devset / "articles").is_dir():
        print(f"{args.devset} has no articles/: the dev set is needed", file=sys.stderr)
        return 1
    from retrieval.embedder import SentenceTransformerEmbedder

    labelled = load_topics()
    topics = [row["topic"] for row in labelled]
    gold = {(row["topic"], key) for row in labelled for key in row["match"]}
    stories = load_stories()
    embedder = SentenceTransformerEmbedder()
    matched, rows, ranker = run_matcher(
        args.devset, topics, embedder, gold if args.fit else None, stories
    )
    rep = report(matched, labelled, args.folds, fitted_rule(rows, gold, stories))
    if args.fit:
        info = {**ranker.info, "topics_fitted": date.today().isoformat(),
                "topics_data": f"{len(topics)} topics x {len(matched.keys)} articles",
                "topics_in_sample": rep["overall"],
                "topics_heldout": rep["folds"]["pooled"] if rep["folds"] else None,
                "topics_plain_heldout": (
                    held_out(topics, story_folds(matched.keys, stories, args.folds), gold,
                             fitted_rule(plain_rows(rows), gold, stories))["pooled"]
                    if args.folds else None),
                "topics_command": "python -m benchmarks.topics --fit --folds 5"}  # fmt: skip
        replace(ranker, info=info).save()
    print(json.dumps(rep, ensure_ascii=False) if args.json else format_report(rep))
    return 0


if __name__ == "__main__":
    sys.exit(main())
