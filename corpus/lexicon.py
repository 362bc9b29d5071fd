"""Word lists the parser's rules read, kept as data files in `corpus/data/` (one entry a
line, `#` starts a comment), so that a rule and its vocabulary are reviewed apart."""

from __future__ import annotations

from functools import cache
from pathlib import Path

DATA_DIR = Path(__file__).parent / "data"


@cache
def words(name: str) -> frozenset[str]:
    """The entries of `corpus/data/<name>.txt`, lowercased."""
    lines = (DATA_DIR / f"{name}.txt").read_text(encoding="utf-8").splitlines()
    return frozenset(entry for line in lines if (entry := line.split("#", 1)[0].strip().lower()))
