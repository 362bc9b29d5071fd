"""Answers kept in the database, so that "More" works after a restart and on any instance.

Revision ID: bot_0002
"""

import sqlalchemy as sa
from alembic import op

from corpus.schema import ID

revision = "bot_0002"
down_revision = "bot_0001"
branch_labels = None
depends_on = None
LEGACY_NAME = "bot.0002_answers"


def upgrade() -> None:
    op.create_table(
        "answers",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("chat_id", sa.BigInteger, nullable=False),
        sa.Column("body", sa.Text, nullable=False),  # the Answer as JSON
        sa.Column("created_at", sa.Text, nullable=False),
        sqlite_autoincrement=True,
    )
