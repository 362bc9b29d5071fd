"""Questions answered in worker threads while articles are added and removed.

The bot answers in `asyncio.to_thread` workers while an admin's /add runs in another: the
library's in-memory maps (speakers, sources) must never be seen half-changed. The thread
switch interval is shortened so that the threads interleave often.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from corpus.parse import parse_article
from retrieval.embedder import HashingEmbedder
from retrieval.library import Library
from tests.reliability.articles import briefing, question

pytestmark = pytest.mark.reliability


@pytest.fixture
def busy_threads() -> Iterator[None]:
    before = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)
    yield
    sys.setswitchinterval(before)


def test_questions_during_ingest_and_removal_never_fail(tmp_path: Path, busy_threads: None) -> None:
    library = Library(tmp_path, HashingEmbedder())
    for i in range(200, 260):
        library.ingest(briefing(i), save=False)
    errors: list[BaseException] = []
    asked = [0]
    done = threading.Event()

    def ask_until_done(n: int) -> None:
        while not done.is_set():
            try:
                library.ask("what did the harbour master say about the crates?")
                library.ask(question(200 + n))
                asked[0] += 2
            except BaseException as exc:  # what a handler would have turned into "Sorry"
                errors.append(exc)

    askers = [threading.Thread(target=ask_until_done, args=(n,)) for n in range(3)]
    for thread in askers:
        thread.start()
    try:
        for i in range(45):  # every article brings a speaker the questions have not seen
            library.ingest(briefing(i), save=False)
            if i % 3 == 2:
                library.remove(parse_article(briefing(i - 1)).id)
    finally:
        done.set()
        for thread in askers:
            thread.join()
        library.close()
    assert not errors, f"{len(errors)} of {asked[0] + len(errors)} questions failed: {errors[0]!r}"
    print(f"{asked[0]} questions answered during 45 ingests and 15 removals")


def test_ingests_in_several_threads_save_one_good_index(tmp_path: Path) -> None:
    # Each /add runs in its own worker thread; every ingest ends by saving both indexes.
    library = Library(tmp_path, HashingEmbedder())
    errors: list[BaseException] = []

    def add(numbers: range) -> None:
        for i in numbers:
            try:
                library.ingest(briefing(i), filename=f"a{i}.txt")
            except BaseException as exc:
                errors.append(exc)

    threads = [threading.Thread(target=add, args=(range(n * 6, n * 6 + 6),)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    ids = library.store.passage_ids()
    library.close()
    assert not errors, errors
    reopened = Library(tmp_path, HashingEmbedder())
    try:
        assert reopened.store.count_articles() == 36
        assert reopened.index.ids() == ids and reopened.lexical.ids() == ids
    finally:
        reopened.close()
