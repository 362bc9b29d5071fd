"""`briefbot eval`: measure retrieval on a set of articles and questions (DESIGN.md: Evaluation)."""

from __future__ import annotations

import json
import re
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from corpus.decode import decode_text
from corpus.errors import DuplicateArticle
from corpus.models import Passage, Status
from corpus.parse import ArticleMeta
from corpus.sidecar import read_sidecar
from corpus.speakers import SpeakerRegistry
from retrieval.embedder import Embedder
from retrieval.library import Library, Tuning

MAX_HIT_CHARS = 600
RANKS = 10
FIGURES = ("hit@1", "hit@3", "mrr", "status_accuracy", "abstained_negative", "false_abstention")
ATTRIBUTION = "attribution"  # overall only: null per kind, and where no passages are known

# A retriever maps a question to the passages shown, best first (empty: "nothing found").
Retriever = Callable[[str], list[Passage]]
# The passages an article was cut into, by article id.
PassagesOf = Callable[[str], Iterable[Passage]]


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
    passages_of: PassagesOf | None = None,
) -> dict:
    """Run every question and compute the figures, overall and per kind.

    `attribution` needs the passages each article was cut into (`passages_of`); without
    them it is null.
    """
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
    per_kind = {
        kind: _figures([r for r in rows if r["kind"] == kind]) | {ATTRIBUTION: None}
        for kind in _kinds(rows)
    }
    found = attribution(questions, passages_of, texts_by_id, key_to_id) if passages_of else None
    overall = _figures(rows) | {ATTRIBUTION: found.recall if found else None}
    return {"n": len(rows), "overall": overall, "per_kind": per_kind}


@dataclass(frozen=True)
class Attribution:
    """Who the parser says is speaking, measured on the gold items that name a speaker.

    `recall` is the contract's `attribution`: of the gold items with status `statement` and
    a `speaker` (each distinct article, snippet and speaker once), the share whose containing
    passage carries that speaker. `precision`: of the gold items with a speaker (any status)
    whose containing passage carries a speaker, the share where it is that one. `reported`:
    `recall` for the gold items with a speaker that are not statements (reported speech).
    Same person by the registry's rule, over the speakers the parser found.
    """

    statements: int
    statements_attributed: int
    given: int
    given_right: int
    reported: int
    reported_attributed: int

    @staticmethod
    def _share(k: int, n: int) -> float | None:
        return round(k / n, 4) if n else None

    @property
    def recall(self) -> float | None:
        return self._share(self.statements_attributed, self.statements)

    @property
    def precision(self) -> float | None:
        return self._share(self.given_right, self.given)

    @property
    def reported_recall(self) -> float | None:
        return self._share(self.reported_attributed, self.reported)

    def describe(self) -> str:
        def fig(x: float | None) -> str:
            return "—" if x is None else f"{x:.3f}"

        return (
            f"attribution {fig(self.recall)} ({self.statements_attributed} of {self.statements}"
            f" quotes); precision {fig(self.precision)} ({self.given_right} of {self.given}"
            f" given a speaker); reported speech {fig(self.reported_recall)}"
            f" ({self.reported_attributed} of {self.reported})"
        )


def attribution(
    questions: list[dict],
    passages_of: PassagesOf,
    texts_by_id: dict[str, str],
    key_to_id: dict[str, str],
) -> Attribution:
    """Measure speaker attribution on the gold items of the questions (see `Attribution`)."""
    items = {
        (g["article"], g["snippet"], g["speaker"], g["status"] == Status.STATEMENT.value)
        for q in questions
        for g in q["gold"]
        if g.get("speaker") and g["article"] in key_to_id
    }
    cut = {aid: list(passages_of(aid)) for aid in {key_to_id[key] for key, *_ in items}}
    registry = SpeakerRegistry(
        (p.speaker.name, p.speaker.role) for ps in cut.values() for p in ps if p.speaker
    )
    counts = dict.fromkeys(("statements", "sa", "given", "right", "reported", "ra"), 0)
    for key, snippet, speaker, is_statement in sorted(items):
        aid = key_to_id[key]
        places = [m.start() for m in re.finditer(re.escape(snippet), texts_by_id[aid])]
        names = [
            p.speaker.name
            for p in cut[aid]
            if p.speaker and any(p.start < at + len(snippet) and at < p.end for at in places)
        ]
        right = any(registry.same_person(name, speaker) for name in names)
        counts["statements" if is_statement else "reported"] += 1
        counts["sa" if is_statement else "ra"] += right
        if names:
            counts["given"] += 1
            counts["right"] += right
    return Attribution(
        counts["statements"], counts["sa"], counts["given"], counts["right"],
        counts["reported"], counts["ra"],
    )  # fmt: skip


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
    articles: set[str] | None = None,
    nlp_model: str | None = None,
) -> dict:
    """Ingest the set into a fresh temporary store and ask every question (the contract)."""
    return measure(
        directory, embedder, baseline=baseline, tuning=tuning, articles=articles,
        nlp_model=nlp_model,
    )[0]  # fmt: skip


def measure(
    directory: Path,
    embedder: Embedder,
    *,
    baseline: str | None = None,
    tuning: Tuning | None = None,
    articles: set[str] | None = None,
    nlp_model: str | None = None,
) -> tuple[dict, Attribution]:
    """`evaluate`'s report and the attribution figures behind its `attribution`.

    With `articles` (keys), every article is still ingested, but only the questions whose
    gold lies in those articles are asked (negatives are left out).
    """
    texts, meta, questions = load_set(directory)
    if articles is not None:
        questions = [
            q for q in questions if q["gold"] and all(g["article"] in articles for g in q["gold"])
        ]
    if baseline is not None:
        if baseline != "dense-chunks":
            raise ValueError(f"unknown baseline {baseline!r}; known: dense-chunks")
        plain = {key: decode_text(text) for key, text in texts.items()}
        chunks = dense_chunks(plain)
        retrieve = dense_chunks_retriever(plain, embedder, chunks)
        keys = {key: key for key in plain}
        report = score(
            questions, lambda q: retrieve(q["question"]), plain, keys, chunks.__getitem__
        )
        return report, attribution(questions, chunks.__getitem__, plain, keys)
    with tempfile.TemporaryDirectory(prefix="briefbot-eval-") as tmp:
        library = Library(Path(tmp), embedder, tuning, nlp_model=nlp_model)
        try:
            key_to_id = ingest_texts(library, texts, meta)
            # Spans refer to the stored text (the first file's, for a duplicate).
            stored = {aid: library.store.get(aid) for aid in set(key_to_id.values())}
            texts_by_id = {aid: a.text for aid, a in stored.items()}

            def retrieve(question: str) -> list[Passage]:
                return [r.passage for r in library.ask(question, limit=RANKS).results]

            def passages_of(aid: str) -> tuple[Passage, ...]:
                return stored[aid].passages

            report = score(
                questions, lambda q: retrieve(q["question"]), texts_by_id, key_to_id, passages_of
            )
            return report, attribution(questions, passages_of, texts_by_id, key_to_id)
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


def dense_chunks(texts_by_id: dict[str, str]) -> dict[str, list[Passage]]:
    """A plain LangChain FAISS user's chunks: 500 characters, recursive splitting."""
    chunks: dict[str, list[Passage]] = {}
    for aid, text in texts_by_id.items():
        chunks[aid] = [
            Passage(article_id=aid, ordinal=i, section="chunk", status=Status.UNSPECIFIED,
                    start=s, end=e, text=text[s:e])
            for i, (s, e) in enumerate(split_chunks(text, 0, len(text), 500))
        ]  # fmt: skip
    return chunks


def dense_chunks_retriever(
    texts_by_id: dict[str, str],
    embedder: Embedder,
    chunks: dict[str, list[Passage]] | None = None,
) -> Retriever:
    """A plain LangChain FAISS user's setup: 500-character chunks, cosine top 10, no abstention."""
    flat = [c for cs in (chunks or dense_chunks(texts_by_id)).values() for c in cs]
    matrix = embedder.encode([c.text for c in flat])

    def retrieve(question: str) -> list[Passage]:
        scores = matrix @ embedder.encode([question])[0]
        return [flat[i] for i in np.argsort(-scores)[:RANKS]]

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


def article_keys(spec: str) -> set[str]:
    """Article keys from "032-047,050": single keys and inclusive ranges of numbered keys
    (written with the same number of digits, as the files are named)."""
    keys: set[str] = set()
    for part in (p.strip() for p in spec.split(",")):
        if not part:
            continue
        first, dash, last = part.partition("-")
        if dash and first.isdigit() and last.isdigit():
            width = len(first)
            keys.update(f"{n:0{width}d}" for n in range(int(first), int(last) + 1))
        else:
            keys.add(part)
    return keys
