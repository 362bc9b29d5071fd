"""Retrieval quality on public benchmarks: BM25, dense and our hybrid beside published figures.

    python -m benchmarks.ir DIR [--json] [--limit-queries N]

DIR is a BEIR folder (corpus.jsonl, queries.jsonl, qrels/test.tsv), or one of the two
non-BEIR sets of ../shared/bench, converted in memory as its README describes:
CLIMATE-FEVER (the unique evidence sentences pooled as the corpus; each claim with at least
one SUPPORTS/REFUTES evidence is a query and those evidences are its gold) and RGB en_fact
(all passages pooled; `positive` ones are gold).

One run measures three retrievers over the same documents, each through the product's code:
BM25 alone (`retrieval.lexical.LexicalIndex`), dense alone (our embedder, exact inner product
over normalised vectors), and our hybrid (`retrieval.ranking.hybrid` with the product's
lexical weight, over the union of the top-1000 dense and top-1000 BM25 candidates, every
candidate scored by its cosine as `Library.ask` does). Metrics come from ir-measures
(pytrec_eval): nDCG@10 and R@100, a query with no result counting as 0.

A few fusion variants follow as separately labelled rows: they are not the product, they are
there so the team can see what another fusion would give before changing it.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import sys
import time
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from retrieval.embedder import Embedder

CACHE = Path(__file__).resolve().parent / "out" / "cache"
CANDIDATES = 1000  # per retriever, as BEIR evaluates its runs
DOC_FORMAT = "title. text"  # how a document is embedded and indexed; part of the cache key
METHODS = ("bm25", "dense", "hybrid")

Ranking = list[tuple[int, float]]  # (document index, score), best first
Run = dict[str, dict[str, float]]  # query id -> document id -> score


class BenchmarkError(Exception):
    """The folder holds no benchmark this command can read."""


# --- datasets -----------------------------------------------------------------------------


@dataclass
class Dataset:
    """Documents, queries and relevance judgements, whatever format they came in."""

    name: str
    kind: str  # how it was read, for the report
    source: Path  # the file whose content keys the embedding cache
    doc_ids: list[str]
    docs: list[str]  # as embedded and indexed: "title. text"
    queries: dict[str, str]  # only the judged ones, in file order
    qrels: dict[str, dict[str, int]]

    def limit(self, n: int | None) -> Dataset:
        """The same corpus with only the first n judged queries."""
        if n is None or n >= len(self.queries):
            return self
        keep = list(self.queries)[:n]
        return Dataset(
            self.name,
            self.kind,
            self.source,
            self.doc_ids,
            self.docs,
            {q: self.queries[q] for q in keep},
            {q: self.qrels[q] for q in keep},
        )


def document(title: str, text: str) -> str:
    """BEIR's convention: the title before the text, here as "title. text"."""
    title, text = title.strip(), text.strip()
    if not title:
        return text
    return f"{title} {text}" if title.endswith((".", "?", "!")) else f"{title}. {text}"


def _jsonl(path: Path) -> Iterator[dict]:
    with path.open(encoding="utf-8") as f:
        for line in f:
            if line.strip():
                yield json.loads(line)


def load(directory: Path) -> Dataset:
    """Read DIR as whichever of the known formats its files show."""
    if not directory.is_dir():
        raise BenchmarkError(f"{directory} is not a folder")
    name = directory.resolve().name
    if (directory / "corpus.jsonl").exists():
        return _beir(directory, name)
    if (directory / "climate-fever.jsonl").exists():
        return _climate_fever(directory / "climate-fever.jsonl", name)
    if (directory / "en_fact.json").exists():
        return _rgb(directory / "en_fact.json", name)
    raise BenchmarkError(
        f"{directory} holds neither a BEIR set (corpus.jsonl, queries.jsonl, qrels/test.tsv)"
        " nor climate-fever.jsonl nor en_fact.json"
    )


def _beir(directory: Path, name: str) -> Dataset:
    for part in ("queries.jsonl", "qrels/test.tsv"):
        if not (directory / part).exists():
            raise BenchmarkError(f"{directory} has corpus.jsonl but no {part}")
    doc_ids, docs = [], []
    for row in _jsonl(directory / "corpus.jsonl"):
        doc_ids.append(str(row["_id"]))
        docs.append(document(row.get("title") or "", row.get("text") or ""))
    texts = {str(row["_id"]): row["text"] for row in _jsonl(directory / "queries.jsonl")}
    qrels: dict[str, dict[str, int]] = {}
    with (directory / "qrels" / "test.tsv").open(encoding="utf-8") as f:
        for n, line in enumerate(f):
            cells = line.rstrip("\n").split("\t")
            if (n == 0 and cells[0] == "query-id") or len(cells) < 3:
                continue
            qrels.setdefault(cells[0], {})[cells[1]] = int(cells[2])
    missing = [q for q in qrels if q not in texts]
    if missing:
        raise BenchmarkError(f"{len(missing)} judged queries are not in queries.jsonl")
    queries = {q: texts[q] for q in qrels}
    return Dataset(
        name, "BEIR, qrels/test.tsv", directory / "corpus.jsonl", doc_ids, docs, queries, qrels
    )


def _climate_fever(path: Path, name: str) -> Dataset:
    docs: dict[str, str] = {}
    queries: dict[str, str] = {}
    qrels: dict[str, dict[str, int]] = {}
    for claim in _jsonl(path):
        gold = {}
        for ev in claim["evidences"]:
            docs.setdefault(ev["evidence_id"], document(ev["article"], ev["evidence"]))
            if ev["evidence_label"] in ("SUPPORTS", "REFUTES"):
                gold[ev["evidence_id"]] = 1
        if gold:
            queries[str(claim["claim_id"])] = claim["claim"]
            qrels[str(claim["claim_id"])] = gold
    kind = "CLIMATE-FEVER: unique evidence sentences pooled; SUPPORTS/REFUTES evidences gold"
    return Dataset(name, kind, path, list(docs), list(docs.values()), queries, qrels)


def _rgb(path: Path, name: str) -> Dataset:
    ids: dict[str, str] = {}  # passage text -> id, in order of first appearance
    queries: dict[str, str] = {}
    qrels: dict[str, dict[str, int]] = {}
    for row in _jsonl(path):
        for field in ("positive", "positive_wrong", "negative"):
            for text in row[field]:
                ids.setdefault(text, f"p{len(ids)}")
        gold = {ids[text]: 1 for text in row["positive"]}
        if gold:
            queries[str(row["id"])] = row["query"]
            qrels[str(row["id"])] = gold
    kind = "RGB en_fact: all passages pooled; `positive` gold"
    return Dataset(name, kind, path, list(ids.values()), list(ids), queries, qrels)


# --- published figures (from ../shared/bench/README.md, quoted as it states them) ----------


@dataclass(frozen=True)
class Published:
    method: str  # the measured row it stands beside
    system: str
    ndcg10: float
    recall100: float | None
    source: str


PUBLISHED: dict[str, tuple[Published, ...]] = {
    "scifact": (
        Published(
            "bm25",
            'BM25, Anserini "flat" (title+text in one field)',
            0.6789,
            0.9253,
            "castorini/anserini docs/regressions/regressions-beir-v1.0.0-scifact.flat.md"
            " (commit 8403c484)",
        ),
        Published(
            "bm25",
            'BM25, Anserini "multifield" (BEIR-paper style title/text fields)',
            0.6647,
            0.9076,
            "castorini/anserini docs/regressions/regressions-beir-v1.0.0-scifact.multifield.md"
            " (commit 4c248722)",
        ),
        Published(
            "dense",
            "all-MiniLM-L6-v2, a related figure (MAIR-tagged SciFact; may not be the same"
            " queries and corpus: not a like-for-like target)",
            0.67393,
            None,
            "embeddings-benchmark/results: results/sentence-transformers__all-MiniLM-L6-v2/"
            "1b0428f50604a3735ededcc40946238f31c488d2/SciFact.json (mteb_version 1.2.0)",
        ),
    ),
}
NOT_FOUND: dict[str, tuple[str, ...]] = {
    "scifact": (
        "BM25 in the BEIR paper's own results table",
        "all-MiniLM-L6-v2 on the classic MTEB SciFact leaderboard",
    ),
    "climate-fever": (
        "any baseline for this pooled-evidence protocol (BEIR's Climate-FEVER retrieves from"
        " all of Wikipedia and is not comparable)",
    ),
    "rgb-en-fact": ("any retrieval baseline (RGB reports generation metrics only)",),
}
SOURCE = "../shared/bench/README.md"
# Issue 4's bar for the hybrid's nDCG@10, besides beating both single methods and every
# published single-method figure.
TARGET_NDCG = {"scifact": 0.70}


# --- retrieval ------------------------------------------------------------------------------


def corpus_vectors(
    dataset: Dataset, embedder: Embedder, *, progress: bool = True
) -> tuple[np.ndarray, bool]:
    """The documents' embeddings, from the cache when this corpus and model were seen before."""
    digest = hashlib.sha256(dataset.source.read_bytes())
    digest.update(DOC_FORMAT.encode())
    model = embedder.name.replace("/", "_")
    path = CACHE / f"{dataset.name}__{model}__{digest.hexdigest()[:16]}.npz"
    if path.exists():
        try:
            with np.load(path) as cached:
                if cached["ids"].tolist() == dataset.doc_ids:
                    return cached["vectors"], True
        except (OSError, ValueError, KeyError, zipfile.BadZipFile):
            pass  # a damaged cache file is rebuilt below
    from tqdm import tqdm

    order = sorted(range(len(dataset.docs)), key=lambda i: -len(dataset.docs[i]))
    vectors = np.zeros((len(order), embedder.dim), dtype=np.float32)
    chunk = 256
    with tqdm(
        total=len(order),
        desc=f"embedding {dataset.name}",
        unit="doc",
        file=sys.stderr,
        disable=not progress,
    ) as bar:
        for start in range(0, len(order), chunk):
            rows = order[start : start + chunk]
            vectors[rows] = embedder.encode([dataset.docs[i] for i in rows], batch_size=32)
            bar.update(len(rows))
    CACHE.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with tmp.open("wb") as f:
        np.savez(f, ids=np.array(dataset.doc_ids), vectors=vectors)
    os.replace(tmp, path)
    return vectors, False


def bm25_rankings(dataset: Dataset, k: int = CANDIDATES) -> list[Ranking]:
    """Each query's top k by our LexicalIndex over the same "title. text" documents."""
    from retrieval.lexical import LexicalIndex

    # Built as `Library` builds it: `rebuild` from (id, text) documents. `add` only records ids
    # for the next rebuild, so an index fed by `add` alone answers nothing.
    index = LexicalIndex()
    index.rebuild(enumerate(dataset.docs))
    return [index.search(text, k) for text in dataset.queries.values()]


def dense_rankings(docs: np.ndarray, queries: np.ndarray, k: int = CANDIDATES) -> list[Ranking]:
    """Each query's top k by exact inner product over normalised vectors."""
    k = min(k, len(docs))
    out: list[Ranking] = []
    for start in range(0, len(queries), 256):
        scores = queries[start : start + 256] @ docs.T
        top = np.argpartition(-scores, k - 1, axis=1)[:, :k]
        for row, idx in zip(scores, top, strict=True):
            idx = idx[np.argsort(-row[idx], kind="stable")]
            out.append([(int(i), float(row[i])) for i in idx])
    return out


def cosines(docs: np.ndarray, query: np.ndarray, ids: set[int]) -> dict[int, float]:
    """Cosine of the query with each candidate, as `Library.ask` scores every candidate."""
    idx = np.fromiter(sorted(ids), dtype=np.int64)
    return dict(zip(idx.tolist(), (docs[idx] @ query).tolist(), strict=True))


# --- fusion variants (not the product: rows for deciding whether to change it) ---------------

Fusion = Callable[[dict[int, float], Ranking, Ranking], dict[int, float]]


def _minmax(scores: dict[int, float]) -> dict[int, float]:
    lo, hi = min(scores.values(), default=0.0), max(scores.values(), default=0.0)
    span = hi - lo
    return {i: (s - lo) / span if span > 0 else 0.0 for i, s in scores.items()}


def product_hybrid(weight: float) -> Fusion:
    """The product's fusion, `retrieval.ranking.hybrid`, with another lexical weight."""
    from retrieval.ranking import hybrid

    return lambda cos, _dense, lexical: hybrid(cos, lexical, weight)


def minmax_sum(weight: float) -> Fusion:
    """Min-max normalised cosine plus weight × min-max normalised BM25 over the candidates."""

    def fuse(cos: dict[int, float], _dense: Ranking, lexical: Ranking) -> dict[int, float]:
        c, b = _minmax(cos), _minmax(dict(lexical))
        return {i: c[i] + weight * b.get(i, 0.0) for i in c}

    return fuse


def rrf(cos: dict[int, float], dense: Ranking, lexical: Ranking) -> dict[int, float]:
    """The product's own reciprocal rank fusion (k=60) of the two rankings."""
    from retrieval.ranking import reciprocal_rank_fusion

    return reciprocal_rank_fusion([dense, lexical])


VARIANTS: dict[str, Fusion] = {
    "hybrid_w0.3": product_hybrid(0.3),
    "hybrid_w0.4": product_hybrid(0.4),
    "hybrid_w0.5": product_hybrid(0.5),
    "hybrid_w1.0": product_hybrid(1.0),
    "minmax_w1.0": minmax_sum(1.0),
    "rrf": rrf,
}


# --- measuring ------------------------------------------------------------------------------


def as_run(dataset: Dataset, rankings: list[dict[int, float]] | list[Ranking]) -> Run:
    run: Run = {}
    for qid, ranking in zip(dataset.queries, rankings, strict=True):
        items = ranking.items() if isinstance(ranking, dict) else ranking
        run[qid] = {dataset.doc_ids[i]: float(s) for i, s in items}
    return run


def evaluate(qrels: dict[str, dict[str, int]], run: Run) -> dict[str, float]:
    """nDCG@10 and R@100 by ir-measures through pytrec_eval; a query with no result counts 0."""
    import ir_measures
    from ir_measures import R, nDCG

    got = ir_measures.pytrec_eval.calc_aggregate([nDCG @ 10, R @ 100], qrels, run)
    return {"ndcg@10": float(got[nDCG @ 10]), "recall@100": float(got[R @ 100])}


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import torch

    return (
        f"{cpu}, {os.cpu_count()} cores, {platform.system()} {platform.release()},"
        f" Python {platform.python_version()}, torch {torch.__version__}"
        f" ({torch.get_num_threads()} threads)"
    )


def measure(dataset: Dataset, *, progress: bool = True) -> dict:
    """Every method's figures on one dataset, with timings."""
    from retrieval import DEFAULT_MODEL, SentenceTransformerEmbedder
    from retrieval.ranking import LEXICAL_WEIGHT, hybrid

    seconds: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        seconds[name] = round(now - clock, 2)
        clock = now

    embedder = SentenceTransformerEmbedder(DEFAULT_MODEL)
    lap("model_load")
    docs, cached = corpus_vectors(dataset, embedder, progress=progress)
    lap("corpus_embeddings_cached" if cached else "corpus_embeddings")
    queries = embedder.encode(list(dataset.queries.values()))
    lap("query_embeddings")
    bm25 = bm25_rankings(dataset)
    lap("bm25")
    dense = dense_rankings(docs, queries)
    lap("dense")
    weight = LEXICAL_WEIGHT
    candidates = [
        cosines(docs, q, {i for i, _ in d} | {i for i, _ in b})
        for q, d, b in zip(queries, dense, bm25, strict=True)
    ]
    fused = [hybrid(c, b, weight) for c, b in zip(candidates, bm25, strict=True)]
    variants = {
        name: [fuse(c, d, b) for c, d, b in zip(candidates, dense, bm25, strict=True)]
        for name, fuse in VARIANTS.items()
    }
    lap("fusion")
    runs = {"bm25": bm25, "dense": dense, "hybrid": fused} | variants
    scores = {name: evaluate(dataset.qrels, as_run(dataset, r)) for name, r in runs.items()}
    lap("evaluate")
    seconds["total"] = round(sum(seconds.values()), 2)

    published = PUBLISHED.get(dataset.name, ())
    ndcg = {m: scores[m]["ndcg@10"] for m in METHODS}
    best_published = max((p.ndcg10 for p in published), default=None)
    targets = {
        "hybrid_above_bm25_and_dense": ndcg["hybrid"] > max(ndcg["bm25"], ndcg["dense"]),
        "hybrid_above_published_single_methods": (
            None if best_published is None else ndcg["hybrid"] > best_published
        ),
    }
    if dataset.name in TARGET_NDCG:
        targets[f"hybrid_ndcg@10>={TARGET_NDCG[dataset.name]}"] = (
            ndcg["hybrid"] >= TARGET_NDCG[dataset.name]
        )
    return {
        "dataset": dataset.name,
        "ndcg@10": {m: round(scores[m]["ndcg@10"], 4) for m in METHODS},
        "recall@100": {m: round(scores[m]["recall@100"], 4) for m in METHODS},
        "variants": {name: {k: round(v, 4) for k, v in scores[name].items()} for name in VARIANTS},
        "published": [
            {
                "method": p.method,
                "system": p.system,
                "ndcg@10": p.ndcg10,
                "recall@100": p.recall100,
                "source": p.source,
            }
            for p in published
        ],
        "published_not_found": list(NOT_FOUND.get(dataset.name, ())),
        "targets": targets,
        "setup": {
            "format": dataset.kind,
            "documents": len(dataset.docs),
            "queries": len(dataset.queries),
            "judgements": sum(len(v) for v in dataset.qrels.values()),
            "model": embedder.name,
            "document_text": DOC_FORMAT,
            "lexical_weight": weight,
            "candidates": CANDIDATES,
            "metrics": "ir-measures (pytrec_eval)",
            "machine": machine(),
        },
        "seconds": seconds,
    }


# --- report ---------------------------------------------------------------------------------


def _fmt(x: float | None) -> str:
    """A published figure with the digits it was published with (at least four)."""
    if x is None:
        return "—"
    return f"{x:.4f}" if round(x, 4) == x else f"{x:.5f}"


def render(result: dict, command: str) -> str:
    """The figures as a plain-text table, the published figures beside the measured ones."""
    s = result["setup"]
    lines = [
        f"$ {command}",
        f"dataset   {result['dataset']} — {s['format']}: {s['documents']:,} documents,"
        f" {s['queries']:,} queries, {s['judgements']:,} relevant pairs",
        f"model     {s['model']}, documents as {s['document_text']!r}; BM25 by"
        " retrieval.lexical.LexicalIndex",
        f"hybrid    retrieval.ranking.hybrid, lexical weight {s['lexical_weight']} (the product's),"
        f" over top-{s['candidates']} dense ∪ top-{s['candidates']} BM25",
        f"metrics   {s['metrics']}: nDCG@10, R@100",
        f"machine   {s['machine']}",
        "",
        f"{'method':<14}{'nDCG@10':>9}{'R@100':>9}   published nDCG@10 / R@100 [source]",
    ]
    published = result["published"]
    for method in METHODS:
        refs = [
            f"{_fmt(p['ndcg@10'])} / {_fmt(p['recall@100'])} [{n}]"
            for n, p in enumerate(published, start=1)
            if p["method"] == method
        ]
        lines.append(
            f"{method:<14}{result['ndcg@10'][method]:>9.4f}{result['recall@100'][method]:>9.4f}"
            f"   {'; '.join(refs) or '—'}"
        )
    verdict = {True: "yes", False: "NO", None: "— (no published figure)"}
    lines += [
        "",
        "targets   " + "; ".join(f"{k}: {verdict[v]}" for k, v in result["targets"].items()),
    ]
    lines += ["", "fusion variants (not the product), same candidates:"]
    for name, v in result["variants"].items():
        lines.append(f"{name:<14}{v['ndcg@10']:>9.4f}{v['recall@100']:>9.4f}")
    lines += [
        "  hybrid_wX: the product's hybrid with lexical weight X; minmax_w1.0: min-max normalised"
        " cosine + min-max normalised BM25; rrf: the product's reciprocal_rank_fusion (k=60)",
        "",
    ]
    for n, p in enumerate(published, start=1):
        lines.append(f"[{n}] {p['system']}: {p['source']}")
    for item in result["published_not_found"]:
        lines.append(f"not found: {item}")
    lines.append(f"published figures as stated in {SOURCE}")
    lines.append("seconds   " + ", ".join(f"{k} {v}" for k, v in result["seconds"].items()))
    return "\n".join(lines)


def _positive(value: str) -> int:
    n = int(value)
    if n < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return n


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.ir",
        description="nDCG@10 and R@100 of BM25, dense and our hybrid on a retrieval benchmark.",
    )
    parser.add_argument(
        "dir", type=Path, help="a BEIR folder, or ../shared/bench/{climate-fever,rgb-en-fact}"
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument(
        "--limit-queries", type=_positive, metavar="N", help="only the first N judged queries"
    )
    args = parser.parse_args(argv)
    try:
        import ir_measures  # noqa: F401
    except ImportError:
        print(
            "benchmarks.ir: the metrics need the bench extra: pip install -e '.[bench]'",
            file=sys.stderr,
        )
        return 2
    try:
        dataset = load(args.dir).limit(args.limit_queries)
    except (BenchmarkError, OSError, ValueError, KeyError) as exc:
        print(f"benchmarks.ir: {exc}", file=sys.stderr)
        return 2
    result = measure(dataset)
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        command = "python -m benchmarks.ir " + " ".join(sys.argv[1:] if argv is None else argv)
        print(render(result, command))
    return 0


if __name__ == "__main__":
    sys.exit(main())
