"""Fixtures shared by every test package: the real embedding model and the shared folder."""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from corpus.database import masked
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


# -- the database engines ------------------------------------------------------------------

# The PostgreSQL the tests marked `postgres` use: `.ci/postgres` (run by `make test` and by
# `.ci/run`) starts this machine's cluster and makes this role and database.
POSTGRES_URL = "postgresql+psycopg://briefbot:briefbot@127.0.0.1:5432/briefbot_test"


def postgres_server() -> str:
    """The test server's URL (BRIEFBOT_TEST_DATABASE_URL, else POSTGRES_URL); the test fails,
    never skips, when nothing answers there."""
    url = os.environ.get("BRIEFBOT_TEST_DATABASE_URL") or POSTGRES_URL
    engine = sa.create_engine(url, connect_args={"connect_timeout": 5})
    try:
        with engine.connect():
            pass
    except sa.exc.OperationalError as exc:
        pytest.fail(
            f"PostgreSQL at {masked(url)} is unreachable ({' '.join(str(exc.orig).split())}):"
            " start it with .ci/postgres (make test does)",
            pytrace=False,
        )
    finally:
        engine.dispose()
    return url


@contextlib.contextmanager
def postgres_schema(server: str) -> Iterator[str]:
    """A URL into a new schema of its own on the server, dropped afterwards."""
    url = sa.make_url(server)
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(url, pool_pre_ping=True)
    with admin.begin() as conn:
        conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
    try:
        yield url.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
            hide_password=False
        )
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A URL into a schema of its own on the test server, dropped afterwards."""
    with postgres_schema(postgres_server()) as url:
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> str | Path:
    """What a store opens, once for each engine: a SQLite file, then a PostgreSQL URL."""
    if request.param == "sqlite":
        return tmp_path / "data" / "store.sqlite3"
    return request.getfixturevalue("postgres_url")
