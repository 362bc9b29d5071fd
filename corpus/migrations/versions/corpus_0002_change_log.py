"""The change log: every article added or removed, in commit order.

How another process (the bot while `briefbot ingest` runs, another instance) learns what
changed, and how the bot's subscription matching resumes where it stopped.

Revision ID: corpus_0002
"""

import sqlalchemy as sa
from alembic import op

from corpus.schema import ID

revision = "corpus_0002"
down_revision = "corpus_0001"
branch_labels = None
depends_on = None
LEGACY_NAME = "corpus.0002_change_log"


def upgrade() -> None:
    op.create_table(
        "changes",
        sa.Column("seq", ID, primary_key=True, autoincrement=True),
        sa.Column("article_id", sa.Text, nullable=False),
        sa.Column("op", sa.Text, sa.CheckConstraint("op IN ('add', 'remove')"), nullable=False),
        sa.Column("at", sa.Text, nullable=False),
        sqlite_autoincrement=True,  # the sequence only grows
    )
