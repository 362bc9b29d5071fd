"""Fixtures shared by every test package: the real embedding model and the shared folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from retrieval.embedder import SentenceTransformerEmbedder

# ../shared beside the checkout: the seed article, the development set, the design notes.
SHARED = Path(__file__).resolve().parents[2] / "shared"
SEED_FILE = "000_5a3bb7c29c49728e.txt"
# The Bot API contract the stand-in checks every call against.
SPEC = SHARED / "telegram" / "api.json"


def shared_path(*parts: str) -> Path:
    """A path under ../shared, or skip the test when the shared folder is not there."""
    if not SHARED.is_dir():
        pytest.skip(f"{SHARED} is absent: it holds the seed and the development set")
    path = SHARED.joinpath(*parts)
    assert path.exists(), f"{path} is missing although {SHARED} is present"
    return path


def spec_or_none() -> Path | None:
    """The Bot API contract for the stand-in to check calls against, or None where ../shared
    is absent: the stand-in's own text, HTML and limit rules hold either way, so the bot's
    end-to-end tests run without it."""
    if not SHARED.is_dir():
        return None
    assert SPEC.exists(), f"{SPEC} is missing although {SHARED} is present"
    return SPEC


@pytest.fixture(scope="session")
def real_embedder() -> SentenceTransformerEmbedder:
    """The bundled all-MiniLM-L6-v2, loaded once per session (it takes a few seconds)."""
    return SentenceTransformerEmbedder()


@pytest.fixture(scope="session")
def seed_path() -> Path:
    """The user's own example briefing, ../shared/seed/000_5a3bb7c29c49728e.txt."""
    return shared_path("seed", SEED_FILE)


@pytest.fixture(scope="session")
def devset_dir() -> Path:
    """The development set, ../shared/devset (articles/, articles.jsonl, questions.jsonl)."""
    return shared_path("devset")
