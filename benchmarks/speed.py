"""Speed and scale of the product beside the floor of this machine and a peer (issue 4).

    python -m benchmarks.speed [--quick] [--vectors both|noisy-copies|gaussian] [--json]
    python -m benchmarks.speed --ingest-only [--rounds N]

One run measures, side by side:

- ingest: passages per second through `Library.ingest_many` (parse, store, embed, vector
  index, keyword index, index files) against the model's own `encode` on exactly the texts
  the library embeds (`passage_document`), same batch size, same run; a cProfile of one run;
- query: p50/p95 of `Library.ask` (warm, in process) at 1k, 10k, 100k and 1M passages against
  the time to embed the question alone; the vector index's kind, recall@10 against exact
  search and bytes per passage at each size; all of it for each distribution of the synthetic
  passages' vectors (benchmarks/synthetic.py: noisy copies of real vectors, clustered, and
  draws from a Gaussian fitted to them, not clustered), the first one also measured for the
  rows below;
- start-up: a fresh process opening the Library on 100k passages and answering one question,
  against a fresh process loading the model and embedding one question;
- bot: question-to-reply latency through the Bot API stand-in at 10k passages, 1 and 50 users;
- peer: LangChain's FAISS vector store with the same model on the same texts and questions.

`--quick` stops at 100k passages. Prints one Markdown table (or, with --json, one object) and
writes benchmarks/out/speed.md and benchmarks/out/speed.png.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import json
import logging
import os
import pstats
import shutil
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from benchmarks import botload, peer, startup, synthetic
from benchmarks.ir import machine
from benchmarks.speed_report import BOT_SIZE, plot, report, summary, table
from corpus.nlp import pipeline
from corpus.parse import parse_article
from corpus.store import Store
from retrieval.embedder import DEFAULT_MODEL, SentenceTransformerEmbedder
from retrieval.evaluation import evaluate
from retrieval.indexes import INDEX_DIR, passage_document
from retrieval.library import STORE_FILE, Library, Tuning
from retrieval.vector_index import INDEX_FILE

OUT = Path(__file__).resolve().parent / "out"
SIZES = (1_000, 10_000, 100_000, 1_000_000)
STARTUP_SIZE = 100_000

log = logging.getLogger("benchmarks.speed")


def say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def questions() -> list[str]:
    path = synthetic.DEVSET / "questions.jsonl"
    return [json.loads(line)["question"] for line in path.read_text().splitlines() if line.strip()]


def ms(seconds: float) -> float:
    return round(seconds * 1000, 2)


def percentile(values: list[float], q: float) -> float:
    return botload.percentile(values, q)


# --- ingest -----------------------------------------------------------------------------------


def measure_ingest(embedder, rounds: int, repeats: int, profile_rounds: int) -> dict:
    """Our ingest against the model's encode on the same texts, alternating, best of each."""
    items = synthetic.ingest_items(rounds)
    texts: list[str] = []
    groups: list[list[str]] = [[]]  # as ingest_many hands them to the model
    for name, text, meta in items:
        article = parse_article(text, filename=name, meta=meta)
        docs = [passage_document(article.title, p) for p in article.passages]
        texts.extend(docs)
        groups[-1].extend(docs)
        if len(groups[-1]) >= Tuning().ingest_batch:
            groups.append([])
    groups = [g for g in groups if g]
    paragraphs = nlp_inputs(items)
    batch = Tuning().batch_size
    embedder.encode(texts[:batch], batch_size=batch)  # warm the model
    raw, parsed, grouped, ours, passages = [], [], [], [], 0
    for _ in range(repeats):
        started = time.perf_counter()
        embedder.encode(texts, batch_size=batch)
        raw.append(time.perf_counter() - started)
        started = time.perf_counter()
        for texts_of_article in paragraphs:
            pipeline().parse(texts_of_article)
        parsed.append(time.perf_counter() - started)
        started = time.perf_counter()
        for group in groups:
            embedder.encode(group, batch_size=batch)
        grouped.append(time.perf_counter() - started)
        with tempfile.TemporaryDirectory(prefix="briefbot-speed-ingest-") as tmp:
            library = Library(Path(tmp), embedder)
            started = time.perf_counter()
            outcomes = library.ingest_many(items)
            ours.append(time.perf_counter() - started)
            passages = sum(len(o.article.passages) for o in outcomes if o.article)
            library.close()
        say(
            f"ingest: raw {len(texts) / raw[-1]:.1f} p/s, NLP {parsed[-1]:.1f} s, grouped"
            f" {len(texts) / grouped[-1]:.1f} p/s, ours {passages / ours[-1]:.1f} p/s"
        )
    if passages != len(texts):
        raise RuntimeError(f"ingest stored {passages} passages, the texts are {len(texts)}")
    profile = profile_ingest(embedder, synthetic.ingest_items(profile_rounds))
    return {
        "articles": len(items),
        "passages": passages,
        "batch_size": batch,
        "ingest_batch": Tuning().ingest_batch,
        "groups": len(groups),
        "raw_seconds": [round(s, 3) for s in raw],
        "grouped_seconds": [round(s, 3) for s in grouped],
        "ours_seconds": [round(s, 3) for s in ours],
        "nlp_seconds": [round(s, 3) for s in parsed],
        "nlp_texts": sum(len(p) for p in paragraphs),
        "raw_per_s": round(len(texts) / min(raw), 1),
        "reference_per_s": round(len(texts) / (min(raw) + min(parsed)), 1),
        "grouped_per_s": round(len(texts) / min(grouped), 1),
        "ours_per_s": round(passages / min(ours), 1),
        "articles_per_s": round(len(items) / min(ours), 2),
        # The floor is what ingest cannot do without: the model's encode and the NLP
        # pipeline's own pass over the same article texts, both measured in this run.
        "ratio": round((min(raw) + min(parsed)) / min(ours), 3),
        "ratio_vs_encode": round(min(raw) / min(ours), 3),
        "profile": profile,
    }


def nlp_inputs(items: list) -> list[list[str]]:
    """The texts each article hands the NLP pipeline while it is parsed, in order: the
    reference runs the pipeline on exactly these, outside the parser."""
    shared = pipeline()
    seen: list[list[str]] = []
    parse = shared.parse

    def recording(texts):
        seen.append(list(texts))
        return parse(texts)

    shared.parse = recording  # type: ignore[method-assign]
    try:
        for name, text, meta in items:
            parse_article(text, filename=name, meta=meta)
    finally:
        del shared.parse
    return seen


# Functions whose cumulative time says where an ingest goes (file suffix, function name).
INGEST_PARTS = (
    ("model encode", "retrieval/embedder.py", "encode"),
    ("parse", "corpus/parse.py", "parse_article"),
    ("NLP pipeline (spaCy)", "corpus/nlp.py", "_parse"),
    ("duplicate check", "corpus/store.py", "title_of"),
    ("SQLite writes (Store.add)", "corpus/store.py", "add"),
    ("vector index add", "retrieval/vector_index.py", "add"),
    ("article word counts", "retrieval/lexical.py", "terms"),
    ("keyword index rebuild", "retrieval/indexes.py", "_rebuild_lexical"),
    ("vector index save", "retrieval/library.py", "save_index"),
)


MODEL_INTERNALS = (
    "torch/",
    "transformers/",
    "sentence_transformers/",
    "tqdm/",
    "<built-in method torch",
)


def profile_ingest(embedder, items: list) -> dict:
    """A cProfile of one ingest: the top entries by cumulative time and a breakdown."""
    with tempfile.TemporaryDirectory(prefix="briefbot-speed-profile-") as tmp:
        library = Library(Path(tmp), embedder)
        profiler = cProfile.Profile()
        started = time.perf_counter()
        profiler.enable()
        library.ingest_many(items)
        profiler.disable()
        wall = time.perf_counter() - started
        library.close()
    stats = pstats.Stats(profiler)
    entries = stats.stats  # type: ignore[attr-defined]
    total = max(ct for (_, _, _, ct, _) in entries.values())
    parts = {}
    for label, suffix, name in INGEST_PARTS:
        ct = sum(
            v[3] for (path, _, func), v in entries.items() if path.endswith(suffix) and func == name
        )
        parts[label] = round(ct, 3)
    parts["other"] = round(total - sum(parts.values()), 3)
    top = []
    for (path, line, func), (_, calls, own, cum, _) in sorted(
        entries.items(), key=lambda kv: -kv[1][3]
    ):
        if func in ("<module>", "<built-in method builtins.exec>") or cum < 0.001 * total:
            continue
        if any(part in f"{path}:{func}" for part in MODEL_INTERNALS):
            continue  # inside the model's encode: one line (retrieval/embedder.py) stands for it
        top.append(
            {
                "function": f"{_short(path)}:{line}({func})",
                "calls": calls,
                "cumulative_s": round(cum, 3),
                "own_s": round(own, 3),
            }
        )
        if len(top) == 20:
            break
    return {"articles": len(items), "wall_s": round(wall, 3), "parts_s": parts, "top": top}


def _short(path: str) -> str:
    for marker in ("site-packages/", "/work/main/", "python3.11/"):
        if marker in path:
            return path.split(marker, 1)[1]
    return path


# --- queries ----------------------------------------------------------------------------------


class Stages:
    """Times chosen methods of a library while it answers (instance attributes shadow them)."""

    WATCH = (
        ("embed", "library", "_encode"),
        ("analyse", "retrieval.library", "analyze"),
        ("dense (FAISS)", "index", "search"),
        ("keywords (BM25)", "lexical", "search"),
        ("passages (SQLite)", "store", "passages"),
        ("vectors (SQLite)", "store", "vectors"),
        ("coverage", "library", "_coverage"),
        ("select", "library", "_select"),
    )

    def __init__(self, library: Library) -> None:
        self.library = library
        self.spent: dict[str, float] = defaultdict(float)

    def _wrap(self, label: str, fn: Callable) -> Callable:
        def timed(*args, **kwargs):
            started = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                self.spent[label] += time.perf_counter() - started

        return timed

    @contextlib.contextmanager
    def watching(self) -> Iterator[None]:
        import retrieval.library as module

        owners = {"library": self.library, "index": self.library.index}
        owners |= {"lexical": self.library.lexical, "store": self.library.store}
        original_analyze = module.analyze
        for label, owner, name in self.WATCH:
            if owner == "retrieval.library":
                module.analyze = self._wrap(label, original_analyze)  # type: ignore[assignment]
            else:
                obj = owners[owner]
                setattr(obj, name, self._wrap(label, getattr(obj, name)))
        try:
            yield
        finally:
            module.analyze = original_analyze  # type: ignore[assignment]
            for _, owner, name in self.WATCH:
                if owner != "retrieval.library":
                    with contextlib.suppress(AttributeError):
                        delattr(owners[owner], name)


def ask_latency(library: Library, embedder, asked: list[str]) -> dict:
    """Warm p50/p95 of `ask` and the median time to embed the same questions alone."""
    for q in asked[:10]:
        library.ask(q)
    embed, ask = [], []
    for q in asked:
        text = " ".join(q.split())
        started = time.perf_counter()
        embedder.encode([text], batch_size=Tuning().batch_size)
        embed.append(time.perf_counter() - started)
        started = time.perf_counter()
        library.ask(q)
        ask.append(time.perf_counter() - started)
    stages = Stages(library)
    breakdown_n = min(len(asked), 40)
    with stages.watching():
        started = time.perf_counter()
        for q in asked[:breakdown_n]:
            library.ask(q)
        total = time.perf_counter() - started
    per_ask = {k: ms(v / breakdown_n) for k, v in stages.spent.items()}
    per_ask["other"] = round(ms(total / breakdown_n) - sum(per_ask.values()), 2)
    return {
        "n": len(asked),
        "embed_ms": ms(statistics.median(embed)),
        "p50_ms": ms(statistics.median(ask)),
        "p95_ms": ms(percentile(ask, 0.95)),
        "stages_mean_ms": per_ask,
    }


def recall_at_10(library: Library, qvecs: np.ndarray, ids: np.ndarray, vecs: np.ndarray) -> float:
    """Share of the exact top 10 (brute force over every stored vector) the index returns."""
    found = 0
    for start in range(0, len(qvecs), 32):
        block = qvecs[start : start + 32]
        scores = block @ vecs.T
        top = np.argpartition(-scores, 9, axis=1)[:, :10]
        for q, exact in zip(block, top, strict=True):
            got = {pid for pid, _ in library.index.search(q, 10)[0]}
            found += len(got & set(ids[exact].tolist()))
    return round(found / (10 * len(qvecs)), 4)


def open_library(data_dir: Path, embedder) -> tuple[Library, float]:
    """Open (reconciling indexes with the store) and wait for a background keyword build."""
    started = time.perf_counter()
    library = Library(data_dir, embedder)
    library.indexes.wait()
    return library, time.perf_counter() - started


def measure_scale(
    embedder,
    asked: list[str],
    sizes: tuple[int, ...],
    source: synthetic.VectorSource,
    data: Path,
    *,
    full: bool = True,
) -> dict:
    """Grow one data directory through the sizes, the synthetic vectors drawn from `source`;
    at each, open the library and measure recall and latency, and when `full` also adding an
    article, the bot and start-up."""
    library = Library(data, embedder)
    library.ingest_many(synthetic.ingest_items(1))  # real articles: questions have answers
    ids, vecs = library.store.vectors()
    library.close()
    capacity = max(sizes) + 2_000
    all_ids = np.zeros(capacity, dtype=np.int64)
    all_vecs = np.zeros((capacity, vecs.shape[1]), dtype=np.float32)
    n = len(ids)
    all_ids[:n], all_vecs[:n] = ids, vecs
    say("building the synthetic vocabulary")
    texts = [text for text, _ in synthetic.real_articles().values()]
    filler = synthetic.Filler(synthetic.vocabulary(texts), source)
    qvecs = embedder.encode([" ".join(q.split()) for q in asked])
    out: dict = {"sizes": {}, "bot": None, "startup": None}
    for size in sizes:
        started = time.perf_counter()
        with Store(data / STORE_FILE) as store:
            for pids, vectors in filler.fill(store, size - n):
                all_ids[n : n + len(pids)], all_vecs[n : n + len(pids)] = pids, vectors
                n += len(pids)
        filled = time.perf_counter() - started
        say(f"{n:,} passages stored ({filled:.0f} s); opening the library")
        library, opened = open_library(data, embedder)
        index = library.index
        result = {
            "passages": len(index),
            "articles": len(library._sources),
            "speakers": len(library.speakers()),
            "fill_s": round(filled, 1),
            "open_s": round(opened, 1),
            "index_kind": index.kind,
            "nlist": getattr(index._index, "nlist", None),
            "nprobe": index.nprobe if index.kind == "ivf" else None,
            "index_bytes_per_passage": round(
                (data / INDEX_DIR / INDEX_FILE).stat().st_size / len(index), 1
            ),
        }
        result["recall@10"] = recall_at_10(library, qvecs, all_ids[:n], all_vecs[:n])
        result |= ask_latency(library, embedder, asked)
        say(
            f"{n:,}: ask p50 {result['p50_ms']} ms, p95 {result['p95_ms']} ms, embed"
            f" {result['embed_ms']} ms, {index.kind}, recall@10 {result['recall@10']}"
        )
        out["sizes"][str(size)] = result
        if not full:
            library.close()
            continue
        # One more article, as an admin adds one: until it is searchable by meaning, then
        # until the keyword index has caught up (rebuilt in the background past a size).
        name, text, meta = synthetic.ingest_items(1)[0]
        started = time.perf_counter()
        (outcome,) = library.ingest_many([(name, synthetic.edition(text, 1_000 + n), meta)])
        result["add_one_article_s"] = round(time.perf_counter() - started, 2)
        library.indexes.wait()
        result["add_one_keywords_s"] = round(time.perf_counter() - started, 2)
        assert outcome.article is not None
        pids, vectors = library.store.vectors([p.id for p in outcome.article.passages])
        all_ids[n : n + len(pids)], all_vecs[n : n + len(pids)] = pids, vectors
        n += len(pids)
        if size == BOT_SIZE:
            say("bot latency through the stand-in")
            out["bot"] = botload.measure(library, asked)
        library.close()
        if size == STARTUP_SIZE:
            say("start-up probes")
            out["startup"] = startup.measure(data)
    shutil.rmtree(data, ignore_errors=True)  # a million passages hold gigabytes
    return out


# --- peer -------------------------------------------------------------------------------------


def measure_peer(embedder, rounds: int, asked: list[str], work: Path) -> tuple[dict, np.ndarray]:
    """LangChain FAISS beside us on the same texts and questions; also returns the vectors our
    ingest made (the synthetic filler is built around them)."""
    items = synthetic.ingest_items(rounds)
    ours: dict = {}
    library = Library(work / "peer-ours", embedder)
    started = time.perf_counter()
    outcomes = library.ingest_many(items)
    ours["ingest_s"] = round(time.perf_counter() - started, 3)
    ours["passages"] = sum(len(o.article.passages) for o in outcomes if o.article)
    ours["passages_per_s"] = round(ours["passages"] / ours["ingest_s"], 1)
    ours["articles_per_s"] = round(len(items) / ours["ingest_s"], 2)
    latency = ask_latency(library, embedder, asked)
    ours |= {k: latency[k] for k in ("p50_ms", "p95_ms", "embed_ms")}
    _, base_vectors = library.store.vectors()
    library.close()
    say("our dev-set figures (retrieval.evaluation.evaluate)")
    ours["devset"] = evaluate(synthetic.DEVSET, embedder)["overall"]

    missing = peer.available()
    if missing is not None:
        return {"ours": ours, "peer": None, "peer_missing": missing}, base_vectors
    say("peer: LangChain FAISS")
    model = peer.embeddings(Tuning().batch_size)
    model.embed_documents(["warm up"])
    theirs = peer.ingest([(name, text) for name, text, _ in items], model)
    store = theirs.pop("store")
    seconds = peer.query_latency(store, asked)
    theirs["p50_ms"] = peer.median_ms(seconds)
    theirs["p95_ms"] = peer.percentile_ms(seconds, 0.95)
    theirs["devset"] = peer.devset_figures(synthetic.DEVSET, model)
    return {"ours": ours, "peer": theirs, "peer_missing": None}, base_vectors


# --- the run ----------------------------------------------------------------------------------


def run(
    quick: bool,
    sizes: tuple[int, ...] | None = None,
    rounds: int | None = None,
    vectors: tuple[str, ...] = tuple(synthetic.VECTORS),
) -> dict:
    sizes = sizes or (SIZES[:3] if quick else SIZES)
    rounds = rounds or (4 if quick else 8)
    asked = questions()
    began = time.perf_counter()
    load_before = os.getloadavg()
    started = time.perf_counter()
    embedder = SentenceTransformerEmbedder(DEFAULT_MODEL)
    model_load = time.perf_counter() - started
    work = Path(tempfile.mkdtemp(prefix="briefbot-speed-"))
    try:
        say(f"ingest: {rounds} editions of the real articles")
        ingest = measure_ingest(embedder, rounds, repeats=2 if quick else 3, profile_rounds=2)
        say("peer comparison")
        compared, base_vectors = measure_peer(embedder, rounds, asked, work)
        first, *others = vectors
        sized = ", ".join(f"{s:,}" for s in sizes)
        say(f"query latency at {sized} passages, vectors: {first}")
        source = synthetic.VECTORS[first](base_vectors)
        scale = measure_scale(embedder, asked, sizes, source, work / f"scale-{first}")
        more = {}
        for name in others:
            say(f"query latency at {sized} passages, vectors: {name} (recall and ask only)")
            source = synthetic.VECTORS[name](base_vectors)
            data = work / f"scale-{name}"
            more[name] = measure_scale(embedder, asked, sizes, source, data, full=False)["sizes"]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return {
        "quick": quick,
        "machine": machine(),
        "when": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "model": DEFAULT_MODEL,
        "model_load_in_process_s": round(model_load, 2),
        "questions": len(asked),
        "ingest": ingest,
        "compared": compared,
        "vectors": first,  # the distribution of `sizes`, `bot` and `startup`
        **scale,
        "more_vectors": more,  # recall and ask latency with the other distributions
        "seconds": round(time.perf_counter() - began, 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.speed",
        description="Ingest, query, start-up and bot latency beside the floor and a peer.",
    )
    parser.add_argument("--quick", action="store_true", help="stop at 100k passages")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument(
        "--sizes", help="comma-separated corpus sizes instead of the standard ones (for trials)"
    )
    parser.add_argument("--rounds", type=int, help="editions of the real articles to ingest")
    parser.add_argument(
        "--vectors",
        choices=["both", *synthetic.VECTORS],
        default="both",
        help="the synthetic passages' vectors: noisy copies of real ones (clustered), draws"
        " from a Gaussian fitted to them, or both (default; the second for recall and ask only)",
    )
    parser.add_argument(
        "--ingest-only",
        action="store_true",
        help="measure the ingest row alone and print it as JSON (for before/after trials)",
    )
    args = parser.parse_args(argv)
    if args.ingest_only:
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        embedder = SentenceTransformerEmbedder(DEFAULT_MODEL)
        ingest = measure_ingest(embedder, args.rounds or 4, repeats=3, profile_rounds=1)
        print(json.dumps({k: v for k, v in ingest.items() if k != "profile"}, indent=1))
        return 0
    sizes = tuple(int(x) for x in args.sizes.split(",")) if args.sizes else None
    vectors = tuple(synthetic.VECTORS) if args.vectors == "both" else (args.vectors,)
    logging.basicConfig(level=logging.WARNING)
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    result = run(args.quick, sizes, args.rounds, vectors)
    OUT.mkdir(parents=True, exist_ok=True)
    given = sys.argv[1:] if argv is None else argv
    command = " ".join(["python -m benchmarks.speed", *given])
    png = OUT / ("speed-quick.png" if args.quick else "speed.png")
    plot(result, png)
    md = png.with_suffix(".md")
    md.write_text(report(result, command, png), encoding="utf-8")
    png.with_suffix(".json").write_text(json.dumps(result, indent=1), encoding="utf-8")
    if args.json:
        print(json.dumps(summary(result)))
    else:
        print(f"$ {command}\nmachine: {result['machine']}\n")
        print(table(result))
        print(f"\nreport: {md.relative_to(Path.cwd()) if md.is_relative_to(Path.cwd()) else md}")
    return 0


if __name__ == "__main__":
    with contextlib.suppress(BrokenPipeError):
        sys.exit(main())
