"""The peer: LangChain's FAISS vector store with the same model, as a plain user sets it up.

langchain-text-splitters' RecursiveCharacterTextSplitter (500 characters, no overlap, start
index kept), langchain-huggingface's HuggingFaceEmbeddings on the same local model files
(`retrieval.embedder.resolve_model`), normalised vectors, batch size 64, and
langchain-community's `FAISS.from_documents` (its default exact L2 index). Installed only with
the `bench` extra.
"""

from __future__ import annotations

import statistics
import time
import warnings
from pathlib import Path

from corpus.decode import decode_text
from corpus.models import Passage, Status
from retrieval.embedder import DEFAULT_MODEL, resolve_model
from retrieval.evaluation import RANKS, load_set, score

CHUNK = 500


def available() -> str | None:
    """None when the peer can run, else what is missing."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import langchain_community.vectorstores  # noqa: F401
            import langchain_huggingface  # noqa: F401
            import langchain_text_splitters  # noqa: F401
    except ImportError as exc:
        return f"{exc.name} is not installed (pip install -e '.[bench]')"
    return None


def embeddings(batch_size: int = 64):
    from langchain_huggingface import HuggingFaceEmbeddings

    return HuggingFaceEmbeddings(
        model=resolve_model(DEFAULT_MODEL),
        model_kwargs={"device": "cpu"},
        encode_kwargs={"batch_size": batch_size, "normalize_embeddings": True},
    )


def _splitter():
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    return RecursiveCharacterTextSplitter(chunk_size=CHUNK, chunk_overlap=0, add_start_index=True)


def build(texts: dict[str, str], model) -> tuple[object, int]:
    """(FAISS store, number of chunks) over the texts, keyed by article name."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from langchain_community.vectorstores import FAISS
    names = list(texts)
    docs = _splitter().create_documents(
        [texts[n] for n in names], metadatas=[{"article": n} for n in names]
    )
    return FAISS.from_documents(docs, model), len(docs)


def ingest(items: list[tuple[str, str]], model) -> dict:
    """Split, embed and index the same texts our ingest gets; the store and its rate."""
    texts = dict(items)
    started = time.perf_counter()
    store, chunks = build(texts, model)
    seconds = time.perf_counter() - started
    return {
        "store": store,
        "articles": len(texts),
        "chunks": chunks,
        "seconds": round(seconds, 3),
        "chunks_per_s": round(chunks / seconds, 1),
        "articles_per_s": round(len(texts) / seconds, 2),
    }


def query_latency(store, questions: list[str]) -> list[float]:
    """Seconds per `similarity_search(question, k=10)`, warm."""
    for q in questions[:5]:
        store.similarity_search(q, k=RANKS)
    out = []
    for q in questions:
        started = time.perf_counter()
        store.similarity_search(q, k=RANKS)
        out.append(time.perf_counter() - started)
    return out


def devset_figures(devset: Path, model) -> dict:
    """hit@1/hit@3/… on the dev set by the DESIGN.md hit rule, chunks as passages."""
    raw, _meta, questions = load_set(devset)
    texts = {key: decode_text(text) for key, text in raw.items()}
    store, _ = build(texts, model)

    def answer(question: dict) -> list[Passage]:
        shown = []
        for i, doc in enumerate(store.similarity_search(question["question"], k=RANKS)):
            start = int(doc.metadata["start_index"])
            shown.append(
                Passage(
                    article_id=doc.metadata["article"], ordinal=i, section="chunk",
                    status=Status.UNSPECIFIED, start=start, end=start + len(doc.page_content),
                    text=doc.page_content,
                )
            )  # fmt: skip
        return shown

    report = score(questions, answer, texts, {key: key for key in texts})
    return report["overall"]


def percentile_ms(seconds: list[float], q: float) -> float:
    ordered = sorted(s * 1000 for s in seconds)
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return round(ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo), 2)


def median_ms(seconds: list[float]) -> float:
    return round(statistics.median(seconds) * 1000, 2)
