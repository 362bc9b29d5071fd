"""How far along the store's change log subscriptions were matched.

Advanced in the transaction that queues the deliveries, so an article committed just before a
crash is matched after the restart, and none is matched twice.

Revision ID: bot_0003
"""

import sqlalchemy as sa
from alembic import op

revision = "bot_0003"
down_revision = "bot_0002"
branch_labels = None
depends_on = None
LEGACY_NAME = "bot.0003_match_cursor"


def upgrade() -> None:
    op.create_table(
        "match_cursor",
        sa.Column(
            "id", sa.Integer, sa.CheckConstraint("id = 1"), primary_key=True, autoincrement=False
        ),
        sa.Column("seq", sa.BigInteger, nullable=False),
    )
    op.execute("INSERT INTO match_cursor (id, seq) VALUES (1, 0)")
