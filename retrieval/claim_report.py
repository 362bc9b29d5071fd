"""`briefbot claims DIR`: every claim of a set of articles with its final standing.

The articles of `DIR/articles/*.txt` are ingested into a fresh temporary store, one by one in
the order of their `published` date in `DIR/articles.jsonl` (as a newsroom would have received
them), exactly as a user's files would be; spans index the article files' text.
"""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path

from corpus.claims import LinkKind, LinkState
from corpus.errors import DuplicateArticle
from corpus.sidecar import read_sidecar
from retrieval.claim_matcher import ClaimTuning
from retrieval.embedder import Embedder
from retrieval.evaluation import EvaluationError
from retrieval.library import Library

__all__ = ["claims_report", "format_report", "load_texts", "ordered_articles"]


def ordered_articles(directory: Path) -> list[tuple[str, str]]:
    """(file stem, text) of the set's articles, oldest first; undated ones last, by name."""
    meta = read_sidecar(directory)
    paths = sorted((directory / "articles").glob("*.txt"))
    if not paths:
        raise EvaluationError(f"{directory / 'articles'} holds no .txt articles")

    def key(path: Path) -> tuple[date, str]:
        m = meta.get(path.stem)
        return (m.published if m and m.published else date.max), path.stem

    return [(p.stem, p.read_text(encoding="utf-8")) for p in sorted(paths, key=key)]


def claims_report(
    directory: Path, embedder: Embedder, tuning: ClaimTuning | None = None, *, scores: bool = False
) -> dict:
    """The contract's object: `{"claims": [...], "suggested": [...]}` (README: Claims). With
    `scores`, each suggestion also carries its score (for choosing thresholds)."""
    meta = read_sidecar(directory)
    items = ordered_articles(directory)
    with tempfile.TemporaryDirectory(prefix="briefbot-claims-") as tmp:
        library = Library(Path(tmp), embedder, claim_tuning=tuning)
        try:
            stem_of: dict[str, str] = {}
            # One at a time: each article is related to the claims of those before it.
            for stem, text in items:
                outcome = library.ingest_many([(stem, text, meta.get(stem))], save=False)[0]
                if isinstance(outcome.error, DuplicateArticle):
                    continue  # the same text under two names is one article
                if outcome.error is not None:
                    raise EvaluationError(f"articles/{stem}.txt: {outcome.error}")
                assert outcome.article is not None
                stem_of[outcome.article.id] = stem
            return _report(library, stem_of, scores)
        finally:
            library.close()


def _report(library: Library, stem_of: dict[str, str], scores: bool) -> dict:
    book = library.claims
    links = book.links()
    passages = library.store.passages(link.passage_id for link in links)

    def span(passage_id: int) -> dict:
        p = passages[passage_id]
        return {"article": stem_of[p.article_id], "start": p.start, "end": p.end}

    claims = []
    spans = {}
    for claim in book.claims():
        own = {"article": stem_of[claim.article_id], "start": claim.start, "end": claim.end}
        spans[claim.id] = own
        standing = book.standing(claim.id)
        mine = [link for link in links if link.claim_id == claim.id and link.state.counts]
        claims.append(
            {
                **own,
                "standing": standing.standing.value,
                "restated_in": [span(k.passage_id) for k in mine if k.kind is LinkKind.RESTATES],
                "settled_by": [span(k.passage_id) for k in standing.settled_by],
            }
        )
    suggested = [
        {**span(link.passage_id), "claim": spans[link.claim_id]}
        | ({"score": link.score} if scores else {})
        for link in links
        if link.state is LinkState.SUGGESTED
    ]
    return {"claims": claims, "suggested": suggested}


def format_report(report: dict, texts: dict[str, str]) -> str:
    """The report for people: each claim, its standing, what restated and settled it."""
    marks = {"open": "⚠️ open", "confirmed": "✅ confirmed", "denied": "❌ denied"}

    def quote(item: dict) -> str:
        text = " ".join(texts[item["article"]][item["start"] : item["end"]].split())
        return f"{item['article']} [{item['start']}:{item['end']}] {text[:110]}"

    lines = []
    for claim in report["claims"]:
        lines.append(f"{marks[claim['standing']]:<12} {quote(claim)}")
        lines.extend(f"    restated in  {quote(r)}" for r in claim["restated_in"])
        lines.extend(f"    settled by   {quote(s)}" for s in claim["settled_by"])
    if report["suggested"]:
        lines.append("")
        lines.append("Suggested (below the automatic threshold; an admin decides):")
        for s in report["suggested"]:
            lines.append(f"    {quote(s)}")
            lines.append(f"      for {quote(s['claim'])}")
    settled = sum(1 for c in report["claims"] if c["standing"] != "open")
    lines.append("")
    lines.append(
        f"{len(report['claims'])} claims, {settled} settled, {len(report['suggested'])} suggested"
    )
    return "\n".join(lines)


def load_texts(directory: Path) -> dict[str, str]:
    return {p.stem: p.read_text(encoding="utf-8") for p in (directory / "articles").glob("*.txt")}
