"""The digest round under way: daily deliveries queued up to `due_through` are due in it.

Every instance records the round's start at the digest hour, so that whichever is the sender,
then or after a take-over, sends the whole round and nothing queued after it began.

Revision ID: bot_0007
"""

import sqlalchemy as sa
from alembic import op

revision = "bot_0007"
down_revision = "bot_0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "digest_round",
        sa.Column(
            "id", sa.Integer, sa.CheckConstraint("id = 1"), primary_key=True, autoincrement=False
        ),
        sa.Column("due_through", sa.Text),  # a queued_at; NULL: no round yet
    )
    op.execute("INSERT INTO digest_round (id, due_through) VALUES (1, NULL)")
