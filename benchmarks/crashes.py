"""SIGKILL during a large ingest, many times: how many restarts came back whole.

    python -m benchmarks.crashes [--random 100] [--seed 0]

Runs the reliability tests' ingest driver (tests/reliability/ingest_driver.py: 60 articles in
three ingest_many calls over a saved corpus of 6, hashing embedder) and kills it with SIGKILL
at every named point of tests/reliability/test_crash_ingest.py, then at `--random` random
moments. After each kill it checks, before and after a restart, what the tests check: complete
saved index files, whole articles only, every acknowledged article present and found, store
and both indexes equal. Prints the runs survived, by kind, and the failures.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import random
import signal
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from tests.reliability.test_crash_ingest import NAMED_KILLS, driver, prepare, verify_after_kill


class _Logs(logging.Handler):
    """What verify_after_kill uses of pytest's caplog: at_level, records, clear."""

    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    @contextlib.contextmanager
    def at_level(self, level: int, logger: str | None = None) -> Iterator[None]:
        target = logging.getLogger(logger)
        before = target.level
        self.setLevel(level)
        target.addHandler(self)
        target.setLevel(level)
        try:
            yield
        finally:
            target.removeHandler(self)
            target.setLevel(before)

    def clear(self) -> None:
        self.records = []


def run(kill_at: str | None, delay: float) -> tuple[int, str | None]:
    """One kill and restart; (articles acknowledged, failure or None)."""
    with tempfile.TemporaryDirectory(prefix="briefbot-crash-") as tmp:
        data_dir = Path(tmp)
        prepare(data_dir)
        process = driver(data_dir, kill_at)
        if kill_at is None:
            assert process.stdout is not None
            process.stdout.readline()  # READY
            time.sleep(delay)
            process.send_signal(signal.SIGKILL)
        stdout, stderr = process.communicate(timeout=120)
        if process.returncode not in (-signal.SIGKILL, 0):
            return 0, f"driver failed (exit {process.returncode}): {stderr[-300:]}"
        try:
            acked, _ = verify_after_kill(data_dir, stdout, _Logs())
        except AssertionError as exc:
            return 0, f"{type(exc).__name__}: {str(exc)[:300]}"
        return acked, None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--random", type=int, default=100, help="random-time kills")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    survived: Counter[str] = Counter()
    runs: Counter[str] = Counter()
    acked_total = 0
    failures: list[str] = []
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="briefbot-crash-") as tmp:  # how long a run is
        prepare(Path(tmp))
        process = driver(Path(tmp), None)
        assert process.stdout is not None
        process.stdout.readline()
        ready = time.monotonic()
        process.communicate(timeout=120)
        full = time.monotonic() - ready
    print(f"an uninterrupted ingest of 60 articles takes {full:.2f} s after start-up")
    plan = [(f"{p}:{n}", 0.0) for p, n in NAMED_KILLS]
    plan += [(None, rng.uniform(0.0, full)) for _ in range(args.random)]
    for kill_at, delay in plan:
        kind = kill_at.split(":")[0] if kill_at else "random"
        acked, failure = run(kill_at, delay)
        runs[kind] += 1
        acked_total += acked
        if failure is None:
            survived[kind] += 1
        else:
            failures.append(f"{kill_at or f'random {delay:.3f}s'}: {failure}")
    total = sum(runs.values())
    print(f"{sum(survived.values())}/{total} kills survived in {time.monotonic() - started:.0f} s "
          f"({acked_total} acknowledged articles checked present and found)")  # fmt: skip
    for kind in runs:
        print(f"  {kind:18} {survived[kind]}/{runs[kind]}")
    for line in failures:
        print("FAILED", line)
    return 0 if not failures else 1


if __name__ == "__main__":
    sys.exit(main())
