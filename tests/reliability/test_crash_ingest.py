"""SIGKILL during a large ingest, at named points and at random times; then restart.

A driver process (tests/reliability/ingest_driver.py) ingests 60 articles in three
`ingest_many` calls over a data directory that already holds a saved corpus, and is killed
at a named point or after a random delay. After each kill, before anything repairs it, the
saved index files must form a complete set (the old one or a new one: never a torn write);
the store must hold whole articles only. Then a Library opened on the directory must agree
with the store exactly, hold every acknowledged article whole and find each by its question,
and carry on ingesting.
"""

from __future__ import annotations

import logging
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from retrieval.embedder import HashingEmbedder
from retrieval.indexes import INDEX_DIR, LEXICAL_DIR
from retrieval.library import Library
from tests.reliability.articles import briefing
from tests.reliability.crash import (
    check_library,
    expected_passages,
    saved_lexical_ids,
    saved_vector_ids,
    store_state,
)

pytestmark = pytest.mark.reliability

ROOT = Path(__file__).resolve().parents[2]
PRE = range(1000, 1006)  # saved before the driver starts: the "old" file set
NUMBERS = range(0, 60)  # what the driver ingests
CHUNK = 20  # articles per ingest_many call: the index files are saved after each
EXPECTED = expected_passages([*PRE, *NUMBERS])
NUMBER_OF = {aid: i for i, aid in zip([*PRE, *NUMBERS], EXPECTED, strict=True)}

# (point, visit): at least one kill in each phase of an ingest.
NAMED_KILLS = [
    ("parse", 1),
    ("parse", 27),
    ("parse_sections", 45),
    ("encode", 1),
    ("encode", 5),
    ("sql_passage", 3),
    ("sql_passage", 400),
    ("sql_commit", 1),
    ("sql_commit", 38),
    ("stored", 1),
    ("stored", 33),
    ("acked", 9),
    ("acked", 20),
    ("acked", 59),
    ("index_save", 1),
    ("index_save", 3),
    ("faiss_write", 1),
    ("faiss_write", 2),
    ("index_pending", 2),
    ("manifest_replace", 1),
    ("manifest_replace", 3),
    ("index_replace", 2),
    ("lexical_save", 2),
    ("lexical_written", 1),
    ("lexical_written", 3),
    ("lexical_swap", 1),
    ("lexical_swap", 2),
    ("lexical_replaced", 3),
]
RANDOM_KILLS = 5
REPAIRS = {
    "manifest_replace": "completing an interrupted save of the vector index",
    "lexical_swap": "restoring .keywords-old left by an interrupted save",
}


def prepare(data_dir: Path) -> None:
    library = Library(data_dir, HashingEmbedder())
    library.ingest_many([(f"pre{i}.txt", briefing(i), None) for i in PRE])
    library.close()


def driver(data_dir: Path, kill_at: str | None) -> subprocess.Popen:
    env = {**os.environ, "BRIEFBOT_KILL_AT": kill_at or ""}
    return subprocess.Popen(
        [sys.executable, "-m", "tests.reliability.ingest_driver", str(data_dir),
         str(NUMBERS.start), str(len(NUMBERS)), str(CHUNK)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def acknowledged(stdout: str) -> list[str]:
    return [line.split()[1] for line in stdout.splitlines() if line.startswith("ACK ")]


def saved_states(by_article: dict[str, list[int]]) -> list[frozenset[int]]:
    """The passage ids each completed or interrupted save could have written, in order."""
    numbers = [*PRE, *NUMBERS]
    aids = list(EXPECTED)
    pre = {pid for aid in aids[: len(PRE)] for pid in by_article[aid]}
    states = [frozenset(pre)]
    for end in range(len(PRE) + CHUNK, len(numbers) + 1, CHUNK):
        chunk = aids[:end]
        if not all(aid in by_article for aid in chunk):
            break  # this chunk was never complete in the store, so never saved
        states.append(frozenset(pid for aid in chunk for pid in by_article[aid]))
    return states


def verify_after_kill(
    data_dir: Path, stdout: str, caplog: pytest.LogCaptureFixture
) -> tuple[int, list[str]]:
    """Everything issue 5 asks of a restart; returns how many articles were acknowledged and
    what the first start logged."""
    acked = acknowledged(stdout)
    by_article, unvectored = store_state(data_dir)
    # The store: whole articles only, each passage with its vector (one transaction each).
    for aid, pids in by_article.items():
        assert len(pids) == EXPECTED[aid], f"half-present article {aid}"
    assert unvectored == 0
    assert set(acked) <= set(by_article), "an acknowledged article is not in the store"
    # The saved index files, before anything repairs them: a complete old or new set.
    states = saved_states(by_article)
    assert saved_vector_ids(data_dir / INDEX_DIR) in states
    assert saved_lexical_ids(data_dir / LEXICAL_DIR) in states

    with caplog.at_level(logging.INFO):
        library = Library(data_dir, HashingEmbedder())
    repairs = [r.getMessage() for r in caplog.records]
    try:
        # Every acknowledged article (and any stored without its ack) is whole and found.
        check_library(
            library,
            acked,
            EXPECTED,
            NUMBER_OF,
            search=set(by_article) - set(list(EXPECTED)[1 : len(PRE)]),
        )
        # It carries on: the rest of the ingest goes through, duplicates are reported.
        outcomes = library.ingest_many([(f"a{i}.txt", briefing(i), None) for i in NUMBERS])
        added = [o.article.id for o in outcomes if o.article is not None]
        assert len(added) == len(NUMBERS) - (len(by_article) - len(PRE))
        check_library(library, EXPECTED, EXPECTED, NUMBER_OF, search=added[-2:])
    finally:
        library.close()
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="retrieval"):
        library = Library(data_dir, HashingEmbedder())
    try:
        # Nothing to repair (the ranker's note about the test embedder is said every start).
        again = [r.getMessage() for r in caplog.records if r.name != "retrieval.ranker"]
        assert not again, again
        check_library(library, EXPECTED, EXPECTED, NUMBER_OF)
    finally:
        library.close()
    return len(acked), repairs


@pytest.mark.parametrize(("point", "visit"), NAMED_KILLS, ids=[f"{p}:{n}" for p, n in NAMED_KILLS])
def test_killed_at_a_named_point(
    tmp_path: Path, point: str, visit: int, caplog: pytest.LogCaptureFixture
) -> None:
    prepare(tmp_path)
    process = driver(tmp_path, f"{point}:{visit}")
    stdout, stderr = process.communicate(timeout=120)
    assert process.returncode == -signal.SIGKILL, f"not killed at {point}:{visit}\n{stderr}"
    acked, repairs = verify_after_kill(tmp_path, stdout, caplog)
    if point in REPAIRS:  # the interrupted save is completed, not thrown away and rebuilt
        assert any(REPAIRS[point] in line for line in repairs), repairs
    print(f"killed at {point}:{visit}: {acked} acknowledged, all present after restart")


@pytest.fixture(scope="module")
def full_run_seconds(tmp_path_factory: pytest.TempPathFactory) -> float:
    """How long the driver's ingest takes without a kill (from READY to DONE)."""
    data_dir = tmp_path_factory.mktemp("full")
    prepare(data_dir)
    process = driver(data_dir, None)
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "READY"
    started = time.monotonic()
    rest, stderr = process.communicate(timeout=120)
    assert process.returncode == 0, stderr
    assert rest.rstrip().endswith("DONE") and len(acknowledged(rest)) == len(NUMBERS)
    return time.monotonic() - started


@pytest.mark.parametrize("seed", range(RANDOM_KILLS))
def test_killed_at_a_random_time(
    tmp_path: Path, seed: int, full_run_seconds: float, caplog: pytest.LogCaptureFixture
) -> None:
    prepare(tmp_path)
    delay = random.Random(seed).uniform(0.0, full_run_seconds)
    process = driver(tmp_path, None)
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "READY"
    time.sleep(delay)
    process.send_signal(signal.SIGKILL)
    stdout, _ = process.communicate(timeout=60)
    acked, _ = verify_after_kill(tmp_path, stdout, caplog)
    print(f"killed after {delay:.3f}s of {full_run_seconds:.3f}s: {acked} acknowledged")
