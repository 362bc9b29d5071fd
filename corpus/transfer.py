"""Moving a whole store into another database (a SQLite file into PostgreSQL), checked.

Every table the two stores share is copied row for row, ids included, parents before
children, in one transaction on the target; then the row counts of every table and the
checksum of the passages (their text, spans, speakers and vectors) are compared, so a copy
that reports success holds what the source held.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from corpus.errors import StoreError
from corpus.store import Store

__all__ = ["CopyReport", "copy_store"]

BATCH = 1000  # rows inserted a statement
# Migration bookkeeping is the target's own.
SKIPPED = ("alembic_version_", "schema_migrations", "sqlite_")
# Tables whose rows say the target is in use: a copy never overwrites them.
IN_USE = ("articles", "subscriptions")


@dataclass(frozen=True)
class CopyReport:
    """Rows copied by table, and the passage checksum both stores agree on."""

    counts: dict[str, int]
    checksum: str


def copy_store(source: Store, target: Store) -> CopyReport:
    """Copy every row of `source` into the empty `target`; raise StoreError when the target
    holds articles or subscriptions, or when the check after the copy disagrees."""
    with source.read() as src, target.transaction() as dst:
        tables = _shared_tables(src, dst)
        for name in IN_USE:
            if name in tables and _count(dst, name):
                raise StoreError(f"{target.name} already holds {name}: copy only into a new one")
        for table in reversed(tables.values()):
            dst.execute(table.delete())  # rows the migrations seeded (the cursors)
        for name, table in tables.items():
            columns = [sa.column(c.name) for c in table.columns]
            rows = src.execute(sa.select(*columns).select_from(sa.table(name)))
            while batch := rows.mappings().fetchmany(BATCH):
                dst.execute(table.insert(), [dict(row) for row in batch])
        if target.dialect == "postgresql":
            for table in tables.values():
                _continue_sequence(dst, table)
        counts = {name: _count(src, name) for name in tables}
        copied = {name: _count(dst, name) for name in tables}
    if copied != counts:
        wrong = {n: (counts[n], copied[n]) for n in counts if counts[n] != copied[n]}
        raise StoreError(f"the copy's row counts differ from the source's: {wrong}")
    checksum = source.checksum()
    if target.checksum() != checksum:
        raise StoreError("the copy's passages differ from the source's (checksum)")
    return CopyReport(counts=counts, checksum=checksum)


def _shared_tables(src: Connection, dst: Connection) -> dict[str, sa.Table]:
    """The target's tables that the source has too, parents first."""
    ours = set(sa.inspect(src).get_table_names())
    metadata = sa.MetaData()
    metadata.reflect(dst)
    return {
        t.name: t
        for t in metadata.sorted_tables
        if t.name in ours and not t.name.startswith(SKIPPED)
    }


def _count(conn: Connection, name: str) -> int:
    return conn.execute(sa.select(sa.func.count()).select_from(sa.table(name))).scalar_one()


def _continue_sequence(conn: Connection, table: sa.Table) -> None:
    """After rows inserted with their ids, the next id handed out follows them."""
    keys = list(table.primary_key.columns)
    if len(keys) != 1 or not isinstance(keys[0].type, sa.Integer):
        return
    column = keys[0].name
    sequence = conn.execute(
        sa.text("SELECT pg_get_serial_sequence(:table, :column)"),
        {"table": table.name, "column": column},
    ).scalar()
    if sequence is not None:
        conn.execute(
            sa.text(
                f"SELECT setval(:sequence, coalesce((SELECT max({column}) FROM {table.name}), 0)"
                " + 1, false)"
            ),
            {"sequence": sequence},
        )
