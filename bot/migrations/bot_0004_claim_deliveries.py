"""One queue for everything the bot pushes: an article for a subscription, or the follow-up
of a claim event (confirmed, denied) for a chat that was shown the claim, replying to the
message it saw; each once (its own UNIQUE). The follow-up cursor follows the claim history as
the match cursor follows the change log.

Revision ID: bot_0004
"""

import sqlalchemy as sa
from alembic import op

from corpus.schema import ID

revision = "bot_0004"
down_revision = "bot_0003"
branch_labels = None
depends_on = None
LEGACY_NAME = "bot.0004_claim_deliveries"


def upgrade() -> None:
    # The table is rebuilt (SQLite cannot change a column's nullability or a CHECK in place).
    op.create_table(
        "deliveries_v2",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column(
            "kind",
            sa.Text,
            sa.CheckConstraint("kind IN ('article', 'claim')"),
            nullable=False,
            server_default="article",
        ),
        sa.Column("subscription_id", ID, sa.ForeignKey("subscriptions.id", ondelete="CASCADE")),
        sa.Column("article_id", sa.Text),
        sa.Column("chat_id", sa.BigInteger),
        sa.Column("claim_event_id", ID),
        sa.Column("reply_to", sa.BigInteger),
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
        sa.UniqueConstraint("chat_id", "claim_event_id"),
        sa.CheckConstraint(
            "(kind = 'article' AND subscription_id IS NOT NULL AND article_id IS NOT NULL"
            " AND chat_id IS NULL)"
            " OR (kind = 'claim' AND chat_id IS NOT NULL AND claim_event_id IS NOT NULL"
            " AND subscription_id IS NULL)"
        ),
        sqlite_autoincrement=True,
    )
    op.execute(
        "INSERT INTO deliveries_v2 (id, subscription_id, article_id, passage_ids, state,"
        " attempts, queued_at, sent_at) SELECT id, subscription_id, article_id, passage_ids,"
        " state, attempts, queued_at, sent_at FROM deliveries"
    )
    op.drop_table("deliveries")
    op.rename_table("deliveries_v2", "deliveries")
    op.create_index("deliveries_pending", "deliveries", ["state", "id"])
    if op.get_bind().dialect.name == "postgresql":
        # The rows kept their ids: the id sequence continues after them.
        op.execute(
            "SELECT setval(pg_get_serial_sequence('deliveries', 'id'),"
            " coalesce((SELECT max(id) FROM deliveries), 0) + 1, false)"
        )
    op.create_table(
        "followup_cursor",
        sa.Column(
            "id", sa.Integer, sa.CheckConstraint("id = 1"), primary_key=True, autoincrement=False
        ),
        sa.Column("seq", sa.BigInteger, nullable=False),
    )
    op.execute("INSERT INTO followup_cursor (id, seq) VALUES (1, 0)")
