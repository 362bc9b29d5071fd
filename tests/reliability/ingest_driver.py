"""Test-only driver: a large ingest in its own process, killed by SIGKILL at a named point.

    python -m tests.reliability.ingest_driver DATA_DIR FIRST COUNT CHUNK

ingests articles FIRST..FIRST+COUNT-1 (tests.reliability.articles) with the hashing embedder,
CHUNK articles per `ingest_many` call, and prints ``READY`` once the library is open, then
``ACK <article id> <passages>`` for each article `ingest_many` reports as stored, ``SAVED``
after each call and ``DONE`` at the end.

``BRIEFBOT_KILL_AT=POINT:N`` kills the process (SIGKILL, no clean-up of any kind) the N-th
time the named point is reached; the points are wrappers installed below around the real
code: parsing, embedding, the SQL of a store transaction, index saves and their renames.
"""

from __future__ import annotations

import os
import signal
import sys
from collections import Counter
from pathlib import Path

import faiss

import corpus.parse
import retrieval.indexes
import retrieval.lexical
import retrieval.library
from corpus.store import Store
from retrieval.embedder import HashingEmbedder
from retrieval.lexical import LexicalIndex
from retrieval.library import Library, Tuning
from retrieval.vector_index import VectorIndex
from tests.reliability.articles import briefing

POINTS = (
    "parse",  # entering parse_article for an article
    "parse_sections",  # inside parse_article, after decoding, finding the sections
    "encode",  # mid-embedding: vectors computed, not yet returned
    "sql_passage",  # inside a store transaction, as a passage row is inserted
    "sql_commit",  # inside a store transaction, as COMMIT is sent
    "stored",  # Store.add committed, before the indexes are touched and before the ack
    "acked",  # right after an ACK line was printed
    "index_save",  # entering VectorIndex.save
    "faiss_write",  # the index half written to its temporary file
    "index_pending",  # the new index file renamed to its waiting name, its manifest not yet
    "manifest_replace",  # the vector manifest renamed into place (the save's commit)
    "index_replace",  # the new index file renamed to index.faiss
    "lexical_save",  # entering LexicalIndex.save
    "lexical_written",  # the keyword index written to its temporary directory
    "lexical_swap",  # the old keyword directory moved aside, the new one not yet in place
    "lexical_replaced",  # the new keyword directory in place, the old one not yet deleted
)

_counts: Counter[str] = Counter()


def _target() -> tuple[str, int] | None:
    spec = os.environ.get("BRIEFBOT_KILL_AT", "")
    if not spec:
        return None
    name, _, n = spec.partition(":")
    if name not in POINTS:
        raise SystemExit(f"unknown kill point {name!r}; known: {', '.join(POINTS)}")
    return name, int(n or 1)


TARGET = _target()


def reach(point: str) -> None:
    """Count a visit to `point`; die at once if it is the one asked for."""
    _counts[point] += 1
    if TARGET is not None and (point, _counts[point]) == TARGET:
        sys.stdout.flush()
        os.kill(os.getpid(), signal.SIGKILL)


def _wrap(owner: object, name: str, point: str, *, after: bool = False) -> None:
    real = getattr(owner, name)

    def wrapper(*args, **kwargs):
        if not after:
            reach(point)
        result = real(*args, **kwargs)
        if after:
            reach(point)
        return result

    setattr(owner, name, wrapper)


def install() -> None:
    _wrap(retrieval.library, "parse_article", "parse")
    _wrap(corpus.parse, "find_headings", "parse_sections")
    _wrap(Store, "add", "stored", after=True)
    _wrap(VectorIndex, "save", "index_save")
    _wrap(LexicalIndex, "save", "lexical_save")

    real_encode = HashingEmbedder.encode

    def encode(self, texts, *, batch_size=64):
        vectors = real_encode(self, texts, batch_size=batch_size)
        reach("encode")
        return vectors

    HashingEmbedder.encode = encode

    real_write = faiss.write_index

    def write_index(index, path):
        real_write(index, path)
        if ("faiss_write", _counts["faiss_write"] + 1) == TARGET:
            data = Path(path).read_bytes()
            with open(path, "r+b") as handle:  # as if the process died mid-write
                handle.truncate(len(data) // 2)
        reach("faiss_write")

    faiss.write_index = write_index

    real_replace = os.replace

    def replace(src, dst, *args, **kwargs):
        real_replace(src, dst, *args, **kwargs)
        target = Path(dst)
        if target.name == "index.faiss":
            reach("index_replace")
        elif target.name == "index.faiss.pending":
            reach("index_pending")
        elif target.name == "manifest.json" and target.parent.name == retrieval.indexes.INDEX_DIR:
            reach("manifest_replace")
        elif target.name == f".{retrieval.indexes.LEXICAL_DIR}-old":
            reach("lexical_swap")
        elif target.name == retrieval.indexes.LEXICAL_DIR:
            reach("lexical_replaced")

    os.replace = replace

    real_save = LexicalIndex.save

    def lexical_save(self, directory, extra=None):
        real_np_save = retrieval.lexical.np.save

        def np_save(*args, **kwargs):  # ids.npy comes after the bm25 files, before the manifest
            result = real_np_save(*args, **kwargs)
            reach("lexical_written")
            return result

        retrieval.lexical.np.save = np_save
        try:
            return real_save(self, directory, extra)
        finally:
            retrieval.lexical.np.save = real_np_save

    LexicalIndex.save = lexical_save


def trace_sql(library: Library) -> None:
    """Kill points inside store transactions, through SQLite's statement trace."""

    def trace(statement: str) -> None:
        head = statement.lstrip()[:24].upper()
        if head.startswith("INSERT INTO PASSAGES"):
            reach("sql_passage")
        elif head.startswith("COMMIT"):
            reach("sql_commit")

    # The store's one SQLite connection (a static pool): its statements, COMMIT included.
    with library.store.read() as conn:
        conn.connection.dbapi_connection.set_trace_callback(trace)


def main(argv: list[str]) -> int:
    data_dir, first, count, chunk = Path(argv[0]), int(argv[1]), int(argv[2]), int(argv[3])
    install()
    library = Library(data_dir, HashingEmbedder(), Tuning(ingest_batch=40))
    trace_sql(library)
    print("READY", flush=True)

    def acknowledge(outcome: retrieval.library.Outcome) -> None:
        if outcome.article is not None:
            print(f"ACK {outcome.article.id} {len(outcome.article.passages)}", flush=True)
            reach("acked")
        else:
            print(f"REFUSED {outcome.name} {outcome.error}", flush=True)

    numbers = list(range(first, first + count))
    for start in range(0, len(numbers), chunk):
        items = [(f"a{i}.txt", briefing(i), None) for i in numbers[start : start + chunk]]
        library.ingest_many(items, on_outcome=acknowledge)
        print("SAVED", flush=True)
    library.close()
    print("DONE", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
