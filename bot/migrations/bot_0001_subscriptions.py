"""Subscriptions, the chats whose deliveries are paused, and the delivery queue.

Revision ID: bot_0001
"""

import sqlalchemy as sa
from alembic import op

from corpus.schema import ID

revision = "bot_0001"
down_revision = None
branch_labels = None
depends_on = None
LEGACY_NAME = "bot.0001_subscriptions"


def upgrade() -> None:
    op.create_table(
        "subscriptions",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("chat_id", sa.BigInteger, nullable=False),
        sa.Column(
            "kind", sa.Text, sa.CheckConstraint("kind IN ('topic', 'speaker')"), nullable=False
        ),
        sa.Column("query", sa.Text, nullable=False),
        sa.Column(
            "schedule",
            sa.Text,
            sa.CheckConstraint("schedule IN ('instant', 'daily')"),
            nullable=False,
        ),
        sa.Column("vector", sa.LargeBinary),
        sa.Column("model", sa.Text),
        sa.Column("created_at", sa.Text, nullable=False),
        sa.UniqueConstraint("chat_id", "kind", "query"),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "paused_chats",
        sa.Column("chat_id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("paused_at", sa.Text, nullable=False),
    )
    op.create_table(
        "deliveries",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column(
            "subscription_id",
            ID,
            sa.ForeignKey("subscriptions.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("article_id", sa.Text, nullable=False),
        sa.Column("passage_ids", sa.Text, nullable=False),
        sa.Column(
            "state",
            sa.Text,
            sa.CheckConstraint("state IN ('pending', 'sending', 'sent', 'failed')"),
            nullable=False,
            server_default="pending",
        ),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("queued_at", sa.Text, nullable=False),
        sa.Column("sent_at", sa.Text),
        sa.UniqueConstraint("subscription_id", "article_id"),
        sqlite_autoincrement=True,
    )
    op.create_index("deliveries_pending", "deliveries", ["state", "id"])
