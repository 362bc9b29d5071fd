"""Start-up time: a fresh process to its first answer, against the model's own load time.

The parent notes the wall-clock time, starts a child process and reads the timestamps the
child prints (`python -m benchmarks.startup model|library [DATA_DIR]`):

- `model`: import, load the embedding model, embed one question: the floor.
- `library`: the same, then open the Library on DATA_DIR and answer one question; the child
  also counts every text the model embeds before the question, which must be none (no
  re-embedding at start).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

QUESTION = "What did the minister say about the strike?"
ROOT = Path(__file__).resolve().parents[1]


def probe(mode: str, data_dir: str | None) -> None:
    """The child: print one JSON line of wall-clock timestamps."""
    stamps = {"imported": 0.0}
    from retrieval.embedder import SentenceTransformerEmbedder

    stamps["imported"] = time.time()
    embedder = SentenceTransformerEmbedder()
    stamps["model_loaded"] = time.time()
    out: dict = {}
    if mode == "model":
        embedder.encode([QUESTION])
        stamps["ready"] = time.time()
    else:
        from retrieval.library import Library

        embedded_at_start: list[int] = []
        encode = embedder.encode

        def counting(texts: list[str], *, batch_size: int = 64):
            embedded_at_start.append(len(texts))
            return encode(texts, batch_size=batch_size)

        embedder.encode = counting  # type: ignore[method-assign]
        assert data_dir is not None
        library = Library(Path(data_dir), embedder)
        stamps["library_open"] = time.time()
        out["texts_embedded_at_start"] = sum(embedded_at_start)
        out["passages"] = len(library.index)
        out["index_kind"] = library.index.kind
        answer = library.ask(QUESTION)
        stamps["ready"] = time.time()
        out["results"] = len(answer.results)
        library.close()
    print(json.dumps({"stamps": stamps, **out}), flush=True)


def run_child(mode: str, data_dir: Path | None = None) -> dict:
    """Start a child and return its timestamps relative to the moment it was started."""
    env = dict(os.environ, PYTHONPATH=str(ROOT), HF_HUB_OFFLINE="1")
    command = [sys.executable, "-m", "benchmarks.startup", mode]
    if data_dir is not None:
        command.append(str(data_dir))
    started = time.time()
    done = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"start-up probe {mode} failed:\n{done.stderr[-2000:]}")
    line = [x for x in done.stdout.splitlines() if x.startswith("{")][-1]
    result = json.loads(line)
    result["seconds"] = {k: v - started for k, v in result.pop("stamps").items()}
    return result


def measure(data_dir: Path, repeats: int = 3) -> dict:
    """Medians over `repeats` alternating runs of both probes."""
    models, libraries = [], []
    for _ in range(repeats):
        models.append(run_child("model"))
        libraries.append(run_child("library", data_dir))
    model_ready = statistics.median(r["seconds"]["ready"] for r in models)
    ready = statistics.median(r["seconds"]["ready"] for r in libraries)
    last = libraries[-1]
    return {
        "model_ready_s": round(model_ready, 3),
        "model_load_s": round(statistics.median(r["seconds"]["model_loaded"] for r in models), 3),
        "library_ready_s": round(ready, 3),
        "library_open_s": round(
            statistics.median(
                r["seconds"]["library_open"] - r["seconds"]["model_loaded"] for r in libraries
            ),
            3,
        ),
        "import_s": round(statistics.median(r["seconds"]["imported"] for r in libraries), 3),
        "ratio": round(ready / model_ready, 3),
        "texts_embedded_at_start": max(r["texts_embedded_at_start"] for r in libraries),
        "passages": last["passages"],
        "index_kind": last["index_kind"],
        "repeats": repeats,
        "runs": {
            "model": [r["seconds"] for r in models],
            "library": [r["seconds"] for r in libraries],
        },
    }


if __name__ == "__main__":
    probe(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else None)
