"""Schema migrations on Alembic, for SQLite and PostgreSQL alike.

Each package owns one linear chain of revisions in its own folder, recorded in its own
version table (corpus: `alembic_version_corpus`, bot: `alembic_version_bot`), so the corpus
never needs to know the bot's tables and either chain can grow on its own branch of work.
Alembic's environment (`corpus/migrations/env.py`) is shared; a chain is its folder.

Stores made before Alembic recorded their migrations by name in `schema_migrations`. Each
revision names the migration it replaces (`LEGACY_NAME`); on the first upgrade such a
revision is stamped as applied instead of run, so an old data directory opens in place.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import Script, ScriptDirectory
from sqlalchemy.engine import Connection

__all__ = ["CORPUS", "Chain", "heads", "upgrade"]

log = logging.getLogger(__name__)

ENVIRONMENT = Path(__file__).parent / "migrations"
LEGACY_TABLE = "schema_migrations"
# Serialises upgrades of one PostgreSQL database by several instances starting at once
# (SQLite's BEGIN IMMEDIATE does the same for a file).
UPGRADE_LOCK = 0x42724266


@dataclass(frozen=True)
class Chain:
    """One package's migrations: its revisions' folder and the table recording its head."""

    name: str
    versions: Path

    @property
    def version_table(self) -> str:
        return f"alembic_version_{self.name}"


CORPUS = Chain("corpus", ENVIRONMENT / "versions")


def config(chain: Chain, connection: Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(ENVIRONMENT))
    cfg.set_main_option("path_separator", "os")
    cfg.set_main_option("version_locations", str(chain.versions))
    cfg.attributes["connection"] = connection
    cfg.attributes["version_table"] = chain.version_table
    return cfg


@cache
def _scripts(chain: Chain) -> ScriptDirectory:
    return ScriptDirectory.from_config(config(chain))


def head(chain: Chain) -> str:
    """The newest revision of the chain."""
    found = _scripts(chain).get_current_head()
    assert found is not None, f"no revisions in {chain.versions}"
    return found


def current(connection: Connection, chain: Chain) -> str | None:
    """The chain's revision recorded in this database (None: not yet migrated)."""
    context = MigrationContext.configure(connection, opts={"version_table": chain.version_table})
    return context.get_current_revision()


def heads(connection: Connection, chains: list[Chain]) -> dict[str, str | None]:
    """Each chain's recorded revision."""
    return {chain.name: current(connection, chain) for chain in chains}


def upgrade(connection: Connection, chain: Chain, to: str | None = None) -> list[str]:
    """Apply the chain's revisions this database lacks (up to `to`, else all), inside the
    caller's transaction; return the revisions run (those a pre-Alembic store already had
    are only recorded)."""
    if connection.dialect.name == "postgresql":
        connection.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": UPGRADE_LOCK})
    at = current(connection, chain)
    to = to or head(chain)
    if at == to:
        return []
    scripts = _scripts(chain)
    pending: list[Script] = list(reversed(list(scripts.iterate_revisions(to, at))))
    legacy = _legacy_names(connection) if at is None else set()
    cfg = config(chain, connection)
    ran: list[str] = []
    for script in pending:
        if getattr(script.module, "LEGACY_NAME", None) in legacy:
            command.stamp(cfg, script.revision)
            log.info("%s: %s was applied before Alembic; recorded", chain.name, script.revision)
            continue
        command.upgrade(cfg, script.revision)
        ran.append(script.revision)
    return ran


def _legacy_names(connection: Connection) -> set[str]:
    if not sa.inspect(connection).has_table(LEGACY_TABLE):
        return set()
    rows = connection.execute(sa.text(f"SELECT name FROM {LEGACY_TABLE}"))
    return {row[0] for row in rows}


# -- column types the revisions share ---------------------------------------------------------

# A row id: SQLite's INTEGER PRIMARY KEY (the rowid; with AUTOINCREMENT never reused),
# PostgreSQL's BIGINT (BIGSERIAL when it is the key). Telegram chat and message ids need 64 bits.
ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
