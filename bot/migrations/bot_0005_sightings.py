"""Which chat was shown which unconfirmed passage, in which message (what claim follow-ups are
owed), with the chats that opted out of follow-ups.

Revision ID: bot_0005
"""

import sqlalchemy as sa
from alembic import op

revision = "bot_0005"
down_revision = "bot_0004"
branch_labels = None
depends_on = None
LEGACY_NAME = "bot.0004_sightings"


def upgrade() -> None:
    op.create_table(
        "sightings",
        sa.Column("chat_id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("passage_id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("message_id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("seen_at", sa.Text, nullable=False),
    )
    op.create_index("sightings_passage", "sightings", ["passage_id"])
    op.create_table(
        "followup_optouts",
        sa.Column("chat_id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("since", sa.Text, nullable=False),
    )
