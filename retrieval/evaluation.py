"""`briefbot eval`: measure retrieval on a set of articles and questions (DESIGN.md: Evaluation)."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np

from corpus.decode import decode_text
from corpus.errors import DuplicateArticle
from corpus.models import Passage, Status
from corpus.parse import ArticleMeta
from corpus.sidecar import read_sidecar
from retrieval.embedder import Embedder
from retrieval.library import Library, Tuning

MAX_HIT_CHARS = 600
RANKS = 10
FIGURES = ("hit@1", "hit@3", "mrr", "status_accuracy", "abstained_negative", "false_abstention")

# A retriever maps a question to the passages shown, best first (empty: "nothing found").
Retriever = Callable[[str], list[Passage]]


class EvaluationError(Exception):
    """The evaluation set cannot be measured; the message names the file."""


def load_set(directory: Path) -> tuple[dict[str, str], dict[str, ArticleMeta], list[dict]]:
    """Article texts by key, their metadata by key, and the questions."""
    texts = {
        p.stem: p.read_text(encoding="utf-8")
        for p in sorted((directory / "articles").glob("*.txt"))
    }
    questions = [
        json.loads(line)
        for line in (directory / "questions.jsonl").read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    return texts, read_sidecar(directory), questions


def is_hit(passage: Passage, gold: dict, text: str) -> bool:
    """The passage overlaps a place where the gold snippet occurs, and is short enough to count."""
    if passage.end - passage.start > MAX_HIT_CHARS:
        return False
    snippet = gold["snippet"]
    at = text.find(snippet)
    while at != -1 and snippet:  # every occurrence, overlapping ones included
        if passage.start < at + len(snippet) and at < passage.end:
            return True
        at = text.find(snippet, at + 1)
    return False


def score(
    questions: list[dict],
    answer: Callable[[dict], list[Passage]],
    texts_by_id: dict[str, str],
    key_to_id: dict[str, str],
) -> dict:
    """Run every question and compute the figures, overall and per kind."""
    rows: list[dict] = []
    for q in questions:
        shown = answer(q)[:RANKS]
        first_hit = None
        status_checks: list[bool] = []
        for rank, p in enumerate(shown, start=1):
            matched = [
                g
                for g in q["gold"]
                if key_to_id.get(g["article"]) == p.article_id
                and is_hit(p, g, texts_by_id[p.article_id])
            ]
            if not matched:
                continue
            first_hit = first_hit or rank
            if rank <= 3:
                status_checks.append(any(p.status == Status(g["status"]) for g in matched))
        rows.append(
            {"kind": q["kind"], "answerable": bool(q["gold"]), "shown": len(shown),
             "first_hit": first_hit, "status": status_checks}
        )  # fmt: skip
    per_kind = {kind: _figures([r for r in rows if r["kind"] == kind]) for kind in _kinds(rows)}
    return {"n": len(rows), "overall": _figures(rows), "per_kind": per_kind}


def _kinds(rows: list[dict]) -> list[str]:
    return list(dict.fromkeys(r["kind"] for r in rows))


def _figures(rows: list[dict]) -> dict[str, float | None]:
    answerable = [r for r in rows if r["answerable"]]
    negative = [r for r in rows if not r["answerable"]]
    checks = [c for r in answerable for c in r["status"]]

    def share(items: list, pred: Callable[[dict], bool]) -> float | None:
        return round(sum(1 for i in items if pred(i)) / len(items), 4) if items else None

    mrr = (
        round(sum(1 / r["first_hit"] for r in answerable if r["first_hit"]) / len(answerable), 4)
        if answerable
        else None
    )
    return {
        "hit@1": share(answerable, lambda r: r["first_hit"] == 1),
        "hit@3": share(answerable, lambda r: bool(r["first_hit"]) and r["first_hit"] <= 3),
        "mrr": mrr,
        "status_accuracy": round(sum(checks) / len(checks), 4) if checks else None,
        "abstained_negative": share(negative, lambda r: r["shown"] == 0),
        "false_abstention": share(answerable, lambda r: r["shown"] == 0),
    }


def evaluate(
    directory: Path,
    embedder: Embedder,
    *,
    baseline: str | None = None,
    tuning: Tuning | None = None,
) -> dict:
    """Ingest the set into a fresh temporary store and ask every question."""
    texts, meta, questions = load_set(directory)
    if baseline is not None:
        if baseline != "dense-chunks":
            raise ValueError(f"unknown baseline {baseline!r}; known: dense-chunks")
        plain = {key: decode_text(text) for key, text in texts.items()}
        retrieve = dense_chunks_retriever(plain, embedder)
        keys = {key: key for key in plain}
        return score(questions, lambda q: retrieve(q["question"]), plain, keys)
    with tempfile.TemporaryDirectory(prefix="briefbot-eval-") as tmp:
        library = Library(Path(tmp), embedder, tuning)
        try:
            key_to_id = ingest_texts(library, texts, meta)
            # Spans refer to the stored text (the first file's, for a duplicate).
            texts_by_id = {aid: library.store.get(aid).text for aid in set(key_to_id.values())}

            def retrieve(question: str) -> list[Passage]:
                return [r.passage for r in library.ask(question, limit=RANKS).results]

            return score(questions, lambda q: retrieve(q["question"]), texts_by_id, key_to_id)
        finally:
            library.close()


def ingest_texts(
    library: Library, texts: dict[str, str], meta: dict[str, ArticleMeta]
) -> dict[str, str]:
    """Ingest a set's files as a user's files; the article id of each file key (one article
    under two keys is reported as a duplicate and keeps both keys)."""
    key_to_id: dict[str, str] = {}
    items = [(key, text, meta.get(key)) for key, text in texts.items()]
    for outcome in library.ingest_many(items, save=False):
        if isinstance(outcome.error, DuplicateArticle):
            key_to_id[outcome.name] = outcome.error.existing_id
        elif outcome.error is not None:
            raise EvaluationError(f"articles/{outcome.name}.txt: {outcome.error}")
        else:
            assert outcome.article is not None
            key_to_id[outcome.name] = outcome.article.id
    return key_to_id


def dense_chunks_retriever(texts_by_id: dict[str, str], embedder: Embedder) -> Retriever:
    """A plain LangChain FAISS user's setup: 500-character chunks, cosine top 10, no abstention."""
    chunks: list[Passage] = []
    for aid, text in texts_by_id.items():
        for i, (s, e) in enumerate(split_chunks(text, 0, len(text), 500)):
            chunks.append(
                Passage(article_id=aid, ordinal=i, section="chunk", status=Status.UNSPECIFIED,
                        start=s, end=e, text=text[s:e])
            )  # fmt: skip
    matrix = embedder.encode([c.text for c in chunks])

    def retrieve(question: str) -> list[Passage]:
        scores = matrix @ embedder.encode([question])[0]
        return [chunks[i] for i in np.argsort(-scores)[:RANKS]]

    return retrieve


def split_chunks(text: str, start: int, end: int, size: int) -> list[tuple[int, int]]:
    """Recursive character splitting (paragraphs, lines, words) into spans of at most `size`."""
    if end - start <= size:
        return [(start, end)] if text[start:end].strip() else []
    for sep in ("\n\n", "\n", " "):
        pieces, pos = [], start
        while (cut := text.find(sep, pos, end)) != -1:
            pieces.append((pos, cut + len(sep)))
            pos = cut + len(sep)
        pieces.append((pos, end))
        pieces = [(s, e) for s, e in pieces if e > s]
        if len(pieces) > 1:
            break
    else:
        return [(s, min(s + size, end)) for s in range(start, end, size)]
    out: list[tuple[int, int]] = []
    cur_start, cur_end = pieces[0][0], pieces[0][0]
    for s, e in pieces:
        if e - cur_start <= size:
            cur_end = e
            continue
        if cur_end > cur_start:
            out.extend(split_chunks(text, cur_start, cur_end, size))
        cur_start, cur_end = s, e
    out.extend(split_chunks(text, cur_start, cur_end, size))
    return [(s, e) for s, e in out if text[s:e].strip()]


def format_table(report: dict, counts: dict[str, int] | None = None) -> str:
    """The figures as a Markdown table: one row overall, one per kind."""
    head = "| set | n | " + " | ".join(FIGURES) + " |"
    lines = [head, "|" + " --- |" * (len(FIGURES) + 2)]

    def row(name: str, n: int | str, figs: dict) -> str:
        cells = ["—" if figs[f] is None else f"{figs[f]:.3f}" for f in FIGURES]
        return f"| {name} | {n} | " + " | ".join(cells) + " |"

    lines.append(row("overall", report["n"], report["overall"]))
    for kind, figs in report["per_kind"].items():
        lines.append(row(kind, (counts or {}).get(kind, ""), figs))
    return "\n".join(lines)
