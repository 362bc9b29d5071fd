"""Articles, their passages and the passages' vectors; a key-value table of store facts.

Revision ID: corpus_0001
"""

import sqlalchemy as sa
from alembic import op

from corpus.schema import ID

revision = "corpus_0001"
down_revision = None
branch_labels = None
depends_on = None
LEGACY_NAME = "corpus.0001_articles_passages_vectors"


def upgrade() -> None:
    op.create_table(
        "articles",
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("source", sa.Text),
        sa.Column("url", sa.Text),
        sa.Column("published", sa.Text),  # ISO date
        sa.Column("format", sa.Text, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("added_at", sa.Text, nullable=False),  # ISO timestamp, UTC
    )
    op.create_table(
        "passages",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column(
            "article_id",
            sa.Text,
            sa.ForeignKey("articles.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("ordinal", sa.Integer, nullable=False),
        sa.Column("section", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("start", sa.Integer, nullable=False),
        sa.Column("end_", sa.Integer, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("speaker_name", sa.Text),
        sa.Column("speaker_role", sa.Text),
        sa.Column("speaker_place", sa.Text),
        sa.Column("speaker_when", sa.Text),
        sa.UniqueConstraint("article_id", "ordinal"),
        sqlite_autoincrement=True,  # a removed article's passage ids are never handed out again
    )
    op.create_table(
        "passage_vectors",
        sa.Column(
            "passage_id",
            ID,
            sa.ForeignKey("passages.id", ondelete="CASCADE"),
            primary_key=True,
            autoincrement=False,
        ),
        sa.Column("vector", sa.LargeBinary, nullable=False),  # float32, native byte order
    )
    op.create_table(
        "meta",
        sa.Column("key", sa.Text, primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )
    op.create_index("articles_newest", "articles", ["published", "added_at"])
