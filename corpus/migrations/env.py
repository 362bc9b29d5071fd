"""Alembic's environment for every chain of the store (corpus.schema runs it)."""

from alembic import context

config = context.config
connection = config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through corpus.schema.upgrade (briefbot db upgrade)")
context.configure(
    connection=connection,
    version_table=config.attributes["version_table"],
    transactional_ddl=True,  # SQLite's DDL is transactional too: a failed revision rolls back
)
with context.begin_transaction():
    context.run_migrations()
