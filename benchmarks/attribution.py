"""Speaker attribution and parsing speed on an evaluation set, per range of articles.

    python -m benchmarks.attribution [DIR] [--parts 001-031 032-047] [--misses] [--json]

Parses every article as `briefbot eval` ingests it (`corpus.parse.parse_article`, no
embedding), then measures, for each part, `retrieval.evaluation.attribution`: recall (the
`attribution` figure of the eval contract), precision, reported speech. Parsing throughput
is the best of three passes over all articles. `--misses` lists the gold items whose passage
carries no speaker or the wrong one (for looking at failure kinds on the part you develop on).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from corpus.models import Article
from corpus.parse import parse_article
from corpus.speakers import SpeakerRegistry
from retrieval.evaluation import article_keys, attribution, load_set
from tests.conftest import shared_path


def parse_all(texts: dict[str, str], meta: dict) -> tuple[dict[str, Article], float]:
    """Every article parsed, and the best articles-per-second of three passes."""
    best = float("inf")
    articles: dict[str, Article] = {}
    for _ in range(3):
        start = time.perf_counter()
        articles = {key: parse_article(text, meta=meta.get(key)) for key, text in texts.items()}
        best = min(best, time.perf_counter() - start)
    return articles, len(texts) / best


def misses(questions: list[dict], articles: dict[str, Article], keys: set[str]) -> list[str]:
    out = []
    items = {
        (g["article"], g["snippet"], g["speaker"], g["status"])
        for q in questions
        for g in q["gold"]
        if g.get("speaker") and g["article"] in keys
    }
    for key, snippet, speaker, status in sorted(items):
        article = articles[key]
        registry = SpeakerRegistry(
            (p.speaker.name, p.speaker.role) for p in article.passages if p.speaker
        )
        at = article.text.find(snippet)
        names = [
            p.speaker.name
            for p in article.passages
            if p.speaker and p.start < at + len(snippet) and at < p.end
        ]
        if not any(registry.same_person(n, speaker) for n in names):
            out.append(f"{key} [{status}] {speaker!r} got {names or None}: {snippet[:70]!r}")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dir", nargs="?", default=None, help="default: ../shared/devset")
    parser.add_argument("--parts", nargs="+", default=["001-031", "032-047"])
    parser.add_argument("--misses", action="store_true", help="list the items missed")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    directory = Path(args.dir) if args.dir else shared_path("devset")
    texts, meta, questions = load_set(directory)
    articles, rate = parse_all(texts, meta)
    texts_by_key = {key: a.text for key, a in articles.items()}
    report: dict = {"parse_articles_per_second": round(rate, 1), "parts": {}}
    for part in args.parts:
        keys = article_keys(part)
        subset = {k: k for k in texts if k in keys}
        found = attribution(questions, lambda k: articles[k].passages, texts_by_key, subset)
        report["parts"][part] = {
            "attribution": found.recall,
            "precision": found.precision,
            "reported": found.reported_recall,
            "statements": found.statements,
        }
        if not args.json:
            print(f"{part}: {found.describe()}")
            if args.misses:
                for line in misses(questions, articles, keys):
                    print("   ", line)
    if args.json:
        print(json.dumps(report))
    else:
        print(f"parsing: {rate:.1f} articles/s ({len(texts)} articles, best of 3 passes)")


if __name__ == "__main__":
    main()
