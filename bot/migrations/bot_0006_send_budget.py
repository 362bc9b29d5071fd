"""The bot's send budget, shared by every instance on the database: Telegram counts its overall
limit per bot token, not per process. One row per bot (the token's numeric id) holds the
theoretical arrival time of the next message (GCRA, bot.budget).

Revision ID: bot_0006
"""

import sqlalchemy as sa
from alembic import op

revision = "bot_0006"
down_revision = "bot_0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "send_budget",
        sa.Column("bot_id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("tat", sa.Float(precision=53), nullable=False),  # seconds since the epoch
    )
