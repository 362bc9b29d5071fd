"""Claims: unconfirmed passages followed over time, their links and their dated history.

Triggers record in the history what the removal of an article takes away (a link that counted,
the claim's own passage), in SQLite's and PostgreSQL's trigger languages.

Revision ID: corpus_0003
"""

import sqlalchemy as sa
from alembic import op

from corpus.schema import ID

revision = "corpus_0003"
down_revision = "corpus_0002"
branch_labels = None
depends_on = None
LEGACY_NAME = "corpus.0003_claims"

_SQLITE_NOW = "strftime('%Y-%m-%dT%H:%M:%SZ', 'now')"
_PG_NOW = """to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')"""
_LINK_GONE = """
    INSERT INTO claim_events
        (claim_id, kind, link_id, passage_id, article_id, title, source, dated, at)
    VALUES (old.claim_id, 'unlinked', old.id, old.passage_id, old.article_id,
        old.title, old.source, old.dated, {now});
"""
_ORIGIN_GONE = """
    INSERT INTO claim_events
        (claim_id, kind, passage_id, article_id, title, source, dated, at)
    VALUES (old.id, 'withdrawn', old.passage_id, old.article_id, old.title,
        old.source, old.stated_on, {now});
"""


def upgrade() -> None:
    op.create_table(
        "claims",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        # NULL once the claim's own article is removed: the claim, its history and the links
        # of other articles to it stay.
        sa.Column("passage_id", ID, sa.ForeignKey("passages.id", ondelete="SET NULL"), unique=True),
        sa.Column("article_id", sa.Text, nullable=False),
        sa.Column("start", sa.Integer, nullable=False),
        sa.Column("end_", sa.Integer, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("source", sa.Text),
        sa.Column("stated_on", sa.Text),
        sa.Column("created_at", sa.Text, nullable=False),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "claim_links",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("claim_id", ID, sa.ForeignKey("claims.id", ondelete="CASCADE"), nullable=False),
        sa.Column(
            "passage_id", ID, sa.ForeignKey("passages.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column(
            "kind",
            sa.Text,
            sa.CheckConstraint("kind IN ('restates', 'confirms', 'denies')"),
            nullable=False,
        ),
        sa.Column(
            "state",
            sa.Text,
            sa.CheckConstraint("state IN ('automatic', 'suggested', 'accepted', 'rejected')"),
            nullable=False,
        ),
        sa.Column("score", sa.Float, nullable=False),
        sa.Column("article_id", sa.Text, nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("source", sa.Text),
        sa.Column("dated", sa.Text),
        sa.Column("created_at", sa.Text, nullable=False),
        sa.Column("decided_by", sa.BigInteger),
        sa.Column("decided_at", sa.Text),
        sa.UniqueConstraint("claim_id", "passage_id"),
        sqlite_autoincrement=True,
    )
    op.create_index("claim_links_passage", "claim_links", ["passage_id"])
    op.create_index("claim_links_state", "claim_links", ["state", "id"])
    op.create_table(
        "claim_events",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("claim_id", ID, sa.ForeignKey("claims.id"), nullable=False),
        sa.Column(
            "kind",
            sa.Text,
            sa.CheckConstraint(
                "kind IN ('opened', 'restated', 'confirmed', 'denied', 'suggested', 'rejected',"
                " 'unlinked', 'withdrawn')"
            ),
            nullable=False,
        ),
        sa.Column("link_id", ID),
        sa.Column("passage_id", ID),
        sa.Column("article_id", sa.Text),
        sa.Column("title", sa.Text),
        sa.Column("source", sa.Text),
        sa.Column("dated", sa.Text),
        sa.Column("at", sa.Text, nullable=False),
        sqlite_autoincrement=True,  # the bot's follow-ups follow the history by id
    )
    op.create_index("claim_events_claim", "claim_events", ["claim_id", "id"])
    if op.get_bind().dialect.name == "postgresql":
        _postgres_triggers()
    else:
        _sqlite_triggers()


def _sqlite_triggers() -> None:
    op.execute(
        "CREATE TRIGGER claim_link_gone AFTER DELETE ON claim_links"
        " WHEN old.state IN ('automatic', 'accepted')"
        f" BEGIN {_LINK_GONE.format(now=_SQLITE_NOW)} END"
    )
    op.execute(
        "CREATE TRIGGER claim_origin_gone AFTER UPDATE OF passage_id ON claims"
        " WHEN old.passage_id IS NOT NULL AND new.passage_id IS NULL"
        f" BEGIN {_ORIGIN_GONE.format(now=_SQLITE_NOW)} END"
    )


def _postgres_triggers() -> None:
    for name, body in (
        ("claim_link_gone", _LINK_GONE),
        ("claim_origin_gone", _ORIGIN_GONE),
    ):
        op.execute(
            f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$"
            f" BEGIN {body.format(now=_PG_NOW)} RETURN NULL; END $$"
        )
    op.execute(
        "CREATE TRIGGER claim_link_gone AFTER DELETE ON claim_links FOR EACH ROW"
        " WHEN (old.state IN ('automatic', 'accepted')) EXECUTE FUNCTION claim_link_gone()"
    )
    op.execute(
        "CREATE TRIGGER claim_origin_gone AFTER UPDATE OF passage_id ON claims FOR EACH ROW"
        " WHEN (old.passage_id IS NOT NULL AND new.passage_id IS NULL)"
        " EXECUTE FUNCTION claim_origin_gone()"
    )
