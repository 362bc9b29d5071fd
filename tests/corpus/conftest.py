"""Shared fixtures for the parser tests: the seed and devset texts (read at run time from
`../shared`, never copied), and the invariants every parsed article must satisfy."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from corpus.models import Article, Status
from corpus.sections import heading_key, is_furniture
from tests.conftest import SEED_FILE, shared_path

MAX_PASSAGE = 600


def check_article(article: Article) -> None:
    """Spans index the text exactly, in order, without overlap; no passage is empty, too long,
    site furniture or a bare heading; a plain statement always has its speaker (reported
    speech may have one too, with its own status)."""
    previous_end = 0
    for ordinal, p in enumerate(article.passages):
        where = f"passage {ordinal} {p.text[:60]!r}"
        assert p.ordinal == ordinal, where
        assert p.article_id == article.id, where
        assert 0 <= p.start < p.end <= len(article.text), where
        assert article.text[p.start : p.end] == p.text, where
        assert p.text == p.text.strip(), f"{where} has white space at an edge"
        assert re.search(r"\w", p.text), f"{where} has no words"
        assert p.start >= previous_end, f"{where} overlaps or precedes the one before"
        assert p.end - p.start <= MAX_PASSAGE, f"{where} is {p.end - p.start} characters"
        for line in p.text.splitlines():
            if line.strip():
                assert not is_furniture(line), f"{where} holds furniture {line!r}"
                assert heading_key(line) is None, f"{where} holds the heading {line!r}"
        assert "leave a comment" not in p.text.lower(), where
        if article.format == "plain" and p.status == Status.STATEMENT:
            assert p.speaker is not None, where
        previous_end = p.end


@pytest.fixture
def check() -> Callable[[Article], None]:
    return check_article


@pytest.fixture(scope="session")
def seed_text() -> str:
    return shared_path("seed", SEED_FILE).read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def devset_text() -> Callable[[str], str]:
    """Reads `articles/KEY.txt` from the shared devset (skipped where ../shared is absent)."""

    def read(key: str) -> str:
        return shared_path("devset", "articles", f"{key}.txt").read_text(encoding="utf-8")

    return read
