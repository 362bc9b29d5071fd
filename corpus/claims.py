"""Claims: unconfirmed passages followed over time, with their links and a dated history.

Every `unconfirmed` passage becomes a claim unless it restates one already known. Later
passages link to it as restating it (still unconfirmed), confirming or denying it; a link is
automatic, or a suggestion an admin accepts or rejects. The standing (open, confirmed, denied)
is never stored: it is read from the live links, the newest settling one winning, so removing
an article (whose links go with its passages) can never leave a stale standing behind. The
history is an append-only table of events; triggers record what removals take away.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from datetime import UTC, date, datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from corpus.models import Article, Passage, Status
from corpus.store import Store

__all__ = [
    "MIGRATIONS",
    "Claim",
    "ClaimBook",
    "ClaimEvent",
    "ClaimStanding",
    "EventKind",
    "Link",
    "LinkKind",
    "LinkState",
    "Standing",
]

_NOW_SQL = "strftime('%Y-%m-%dT%H:%M:%SZ', 'now')"

MIGRATIONS: list[tuple[str, str]] = [
    (
        "corpus.0003_claims",
        f"""
        CREATE TABLE claims (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            -- NULL once the claim's own article is removed: the claim, its history and the
            -- links of other articles to it stay.
            passage_id INTEGER UNIQUE REFERENCES passages (id) ON DELETE SET NULL,
            article_id TEXT NOT NULL,
            start INTEGER NOT NULL,
            end_ INTEGER NOT NULL,
            text TEXT NOT NULL,
            title TEXT NOT NULL,
            source TEXT,
            stated_on TEXT,
            created_at TEXT NOT NULL
        );
        CREATE TABLE claim_links (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            claim_id INTEGER NOT NULL REFERENCES claims (id) ON DELETE CASCADE,
            passage_id INTEGER NOT NULL REFERENCES passages (id) ON DELETE CASCADE,
            kind TEXT NOT NULL CHECK (kind IN ('restates', 'confirms', 'denies')),
            state TEXT NOT NULL
                CHECK (state IN ('automatic', 'suggested', 'accepted', 'rejected')),
            score REAL NOT NULL,
            article_id TEXT NOT NULL,
            title TEXT NOT NULL,
            source TEXT,
            dated TEXT,
            created_at TEXT NOT NULL,
            decided_by INTEGER,
            decided_at TEXT,
            UNIQUE (claim_id, passage_id)
        );
        CREATE INDEX claim_links_passage ON claim_links (passage_id);
        CREATE INDEX claim_links_state ON claim_links (state, id);
        CREATE TABLE claim_events (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            claim_id INTEGER NOT NULL REFERENCES claims (id),
            kind TEXT NOT NULL CHECK (kind IN ('opened', 'restated', 'confirmed', 'denied',
                'suggested', 'rejected', 'unlinked', 'withdrawn')),
            link_id INTEGER,
            passage_id INTEGER,
            article_id TEXT,
            title TEXT,
            source TEXT,
            dated TEXT,
            at TEXT NOT NULL
        );
        CREATE INDEX claim_events_claim ON claim_events (claim_id, id);
        -- A link that counted goes with its article: the history says so.
        CREATE TRIGGER claim_link_gone AFTER DELETE ON claim_links
        WHEN old.state IN ('automatic', 'accepted')
        BEGIN
            INSERT INTO claim_events
                (claim_id, kind, link_id, passage_id, article_id, title, source, dated, at)
            VALUES (old.claim_id, 'unlinked', old.id, old.passage_id, old.article_id,
                old.title, old.source, old.dated, {_NOW_SQL});
        END;
        CREATE TRIGGER claim_origin_gone AFTER UPDATE OF passage_id ON claims
        WHEN old.passage_id IS NOT NULL AND new.passage_id IS NULL
        BEGIN
            INSERT INTO claim_events
                (claim_id, kind, passage_id, article_id, title, source, dated, at)
            VALUES (old.id, 'withdrawn', old.passage_id, old.article_id, old.title,
                old.source, old.stated_on, {_NOW_SQL});
        END;
        """,
    ),
]


class Standing(StrEnum):
    OPEN = "open"
    CONFIRMED = "confirmed"
    DENIED = "denied"

    @property
    def label(self) -> str:
        return {"open": "⚠️ Unconfirmed", "confirmed": "✅ Confirmed", "denied": "❌ Denied"}[
            self.value
        ]


class LinkKind(StrEnum):
    RESTATES = "restates"
    CONFIRMS = "confirms"
    DENIES = "denies"

    @property
    def settles(self) -> bool:
        return self is not LinkKind.RESTATES

    @property
    def standing(self) -> Standing:
        return {
            LinkKind.CONFIRMS: Standing.CONFIRMED,
            LinkKind.DENIES: Standing.DENIED,
            LinkKind.RESTATES: Standing.OPEN,
        }[self]


class LinkState(StrEnum):
    AUTOMATIC = "automatic"
    SUGGESTED = "suggested"
    ACCEPTED = "accepted"
    REJECTED = "rejected"

    @property
    def counts(self) -> bool:
        return self in (LinkState.AUTOMATIC, LinkState.ACCEPTED)


class EventKind(StrEnum):
    OPENED = "opened"
    RESTATED = "restated"
    CONFIRMED = "confirmed"
    DENIED = "denied"
    SUGGESTED = "suggested"
    REJECTED = "rejected"
    UNLINKED = "unlinked"
    WITHDRAWN = "withdrawn"


_EVENT_OF = {
    LinkKind.RESTATES: EventKind.RESTATED,
    LinkKind.CONFIRMS: EventKind.CONFIRMED,
    LinkKind.DENIES: EventKind.DENIED,
}


class Claim(BaseModel):
    """An unconfirmed passage followed over time; text and place kept when its article goes."""

    model_config = ConfigDict(frozen=True)

    id: int
    passage_id: int | None
    article_id: str
    start: int
    end: int
    text: str
    title: str
    source: str | None
    stated_on: date | None


class Link(BaseModel):
    """A later passage that restates, confirms or denies a claim."""

    model_config = ConfigDict(frozen=True)

    id: int
    claim_id: int
    passage_id: int
    kind: LinkKind
    state: LinkState
    score: float
    article_id: str
    title: str
    source: str | None
    dated: date | None


class ClaimEvent(BaseModel):
    """One dated entry of a claim's history."""

    model_config = ConfigDict(frozen=True)

    id: int
    claim_id: int
    kind: EventKind
    link_id: int | None
    passage_id: int | None
    article_id: str | None
    title: str | None
    source: str | None
    dated: date | None


class ClaimStanding(BaseModel):
    """What a reader needs to see beside an unconfirmed passage: where its claim stands now,
    how it got there, and the passages that settled it (newest last)."""

    claim_id: int
    standing: Standing
    stated_on: date | None
    history: list[ClaimEvent]
    settled_by: list[Link]
    settling: list[Passage] = []  # the stored passages of `settled_by`, in the same order

    @property
    def settled(self) -> bool:
        return self.standing is not Standing.OPEN

    @property
    def changed(self) -> bool:
        """Whether there is more to tell than "unconfirmed": a settlement, or one withdrawn."""
        return any(e.kind in _SHOWN for e in self.history)

    def steps(self) -> list[str]:
        """The history as a reader sees it, oldest first, in plain text:
        `⚠️ Unconfirmed (3 Oct)`, `✅ Confirmed (9 Oct, outlet)`, `❌ Denied (…)`."""
        out = [f"{Standing.OPEN.label} ({_day(self.stated_on)})" if self.stated_on
               else Standing.OPEN.label]  # fmt: skip
        for e in self.history:
            if e.kind not in _SHOWN:
                continue
            where = ", ".join(x for x in (_day(e.dated), _clip(e.source or e.title or "")) if x)
            label = _STEP_LABELS[e.kind]
            out.append(f"{label} ({where})" if where else label)
        return out

    def line(self) -> str:
        return " → ".join(self.steps())


_SHOWN = (EventKind.CONFIRMED, EventKind.DENIED, EventKind.UNLINKED)
_STEP_LABELS = {
    EventKind.CONFIRMED: Standing.CONFIRMED.label,
    EventKind.DENIED: Standing.DENIED.label,
    EventKind.UNLINKED: "↩️ Article removed",
}


def _day(day: date | None) -> str:
    return "" if day is None else f"{day.day} {day.strftime('%b')}"


def _clip(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


class ClaimBook:
    """Claims, links and events over the corpus store's SQLite connection."""

    def __init__(self, store: Store) -> None:
        self.store = store
        store.migrate(MIGRATIONS)

    # -- writing ----------------------------------------------------------------------

    def open_claim(self, passage: Passage, article: Article) -> Claim:
        """Record an unconfirmed passage as a new claim, with its 'opened' event."""
        if passage.status is not Status.UNCONFIRMED or passage.id is None:
            raise ValueError("only a stored unconfirmed passage can be a claim")
        day = _iso(article.published)
        with self.store.transaction() as conn:
            cur = conn.execute(
                "INSERT INTO claims (passage_id, article_id, start, end_, text, title, source,"
                " stated_on, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (passage.id, article.id, passage.start, passage.end, passage.text,
                 article.title, article.source, day, _now()),
            )  # fmt: skip
            claim_id = int(cur.lastrowid)
            _event(conn, claim_id, EventKind.OPENED, None, passage.id, article, day)
        return self.claim(claim_id)

    def link(
        self,
        claim_id: int,
        passage: Passage,
        article: Article,
        kind: LinkKind,
        state: LinkState,
        score: float,
    ) -> Link | None:
        """Link a passage to a claim (once: a pair already linked is left as it is) and record
        the event: restated, confirmed or denied when the link counts, else suggested."""
        if passage.id is None:
            raise ValueError("the passage must be stored")
        day = _iso(article.published)
        with self.store.transaction() as conn:
            cur = conn.execute(
                "INSERT OR IGNORE INTO claim_links (claim_id, passage_id, kind, state, score,"
                " article_id, title, source, dated, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (claim_id, passage.id, kind.value, state.value, round(score, 4), article.id,
                 article.title, article.source, day, _now()),
            )  # fmt: skip
            if cur.rowcount == 0:
                return None
            link_id = int(cur.lastrowid)
            what = _EVENT_OF[kind] if state.counts else EventKind.SUGGESTED
            _event(conn, claim_id, what, link_id, passage.id, article, day)
        return self.get_link(link_id)

    def decide(self, link_id: int, accept: bool, by: int | None = None) -> Link | None:
        """An admin's answer to a suggestion; None when it is no longer a suggestion."""
        with self.store.transaction() as conn:
            row = conn.execute(
                f"SELECT {_LINK_COLUMNS} FROM claim_links WHERE id = ? AND state = 'suggested'",
                (link_id,),
            ).fetchone()
            if row is None:
                return None
            state = LinkState.ACCEPTED if accept else LinkState.REJECTED
            conn.execute(
                "UPDATE claim_links SET state = ?, decided_by = ?, decided_at = ? WHERE id = ?",
                (state.value, by, _now(), link_id),
            )
            link = _link(row)
            what = _EVENT_OF[link.kind] if accept else EventKind.REJECTED
            conn.execute(
                "INSERT INTO claim_events (claim_id, kind, link_id, passage_id, article_id,"
                " title, source, dated, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (link.claim_id, what.value, link.id, link.passage_id, link.article_id,
                 link.title, link.source, _iso(link.dated), _now()),
            )  # fmt: skip
        return self.get_link(link_id)

    # -- reading ----------------------------------------------------------------------

    def claim(self, claim_id: int) -> Claim:
        with self.store.read() as conn:
            row = conn.execute(
                f"SELECT {_CLAIM_COLUMNS} FROM claims WHERE id = ?", (claim_id,)
            ).fetchone()
        if row is None:
            raise KeyError(claim_id)
        return _claim(row)

    def claims(self) -> list[Claim]:
        """Every claim, oldest first."""
        with self.store.read() as conn:
            rows = conn.execute(f"SELECT {_CLAIM_COLUMNS} FROM claims ORDER BY id").fetchall()
        return [_claim(r) for r in rows]

    def live_claims(self, since: date | None = None, until: date | None = None) -> list[Claim]:
        """Claims a new passage may still be linked to: those with a stored passage (their own
        or a restatement), stated within [since, until] when given (undated ones always)."""
        with self.store.read() as conn:
            rows = conn.execute(
                f"SELECT {_CLAIM_COLUMNS} FROM claims c WHERE (c.passage_id IS NOT NULL"
                " OR EXISTS (SELECT 1 FROM claim_links l WHERE l.claim_id = c.id"
                " AND l.kind = 'restates' AND l.state IN ('automatic', 'accepted')))"
                " AND (c.stated_on IS NULL OR ((? IS NULL OR c.stated_on >= ?)"
                " AND (? IS NULL OR c.stated_on <= ?))) ORDER BY c.id",
                (_iso(since), _iso(since), _iso(until), _iso(until)),
            ).fetchall()
        return [_claim(r) for r in rows]

    def get_link(self, link_id: int) -> Link | None:
        with self.store.read() as conn:
            row = conn.execute(
                f"SELECT {_LINK_COLUMNS} FROM claim_links WHERE id = ?", (link_id,)
            ).fetchone()
        return None if row is None else _link(row)

    def links(self, claim_id: int | None = None) -> list[Link]:
        """Every link (of one claim), in the order made."""
        with self.store.read() as conn:
            rows = conn.execute(
                f"SELECT {_LINK_COLUMNS} FROM claim_links WHERE ? IS NULL OR claim_id = ?"
                " ORDER BY id",
                (claim_id, claim_id),
            ).fetchall()
        return [_link(r) for r in rows]

    def suggestions(self, limit: int = 100) -> list[tuple[Link, Claim]]:
        """Links waiting for an admin, oldest first, with their claims."""
        with self.store.read() as conn:
            rows = conn.execute(
                f"SELECT {_LINK_COLUMNS} FROM claim_links WHERE state = 'suggested'"
                " ORDER BY id LIMIT ?",
                (limit,),
            ).fetchall()
        links = [_link(r) for r in rows]
        return [(link, self.claim(link.claim_id)) for link in links]

    def members(self, claim_id: int) -> list[int]:
        """The stored passages that carry the claim unconfirmed: its own and restatements."""
        with self.store.read() as conn:
            own = conn.execute(
                "SELECT passage_id FROM claims WHERE id = ? AND passage_id IS NOT NULL",
                (claim_id,),
            ).fetchall()
            restated = conn.execute(
                "SELECT passage_id FROM claim_links WHERE claim_id = ? AND kind = 'restates'"
                " AND state IN ('automatic', 'accepted') ORDER BY id",
                (claim_id,),
            ).fetchall()
        return [r[0] for r in (*own, *restated)]

    def claim_of(self, passage_ids: Iterable[int]) -> dict[int, int]:
        """passage id → claim id, for the passages that carry a claim unconfirmed."""
        ids = sorted({int(i) for i in passage_ids})
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        with self.store.read() as conn:
            rows = conn.execute(
                f"SELECT passage_id, id FROM claims WHERE passage_id IN ({marks})"
                " UNION ALL SELECT passage_id, claim_id FROM claim_links"
                f" WHERE passage_id IN ({marks}) AND kind = 'restates'"
                " AND state IN ('automatic', 'accepted')",
                (*ids, *ids),
            ).fetchall()
        return {r[0]: r[1] for r in rows}

    def history(self, claim_id: int) -> list[ClaimEvent]:
        with self.store.read() as conn:
            rows = conn.execute(
                f"SELECT {_EVENT_COLUMNS} FROM claim_events WHERE claim_id = ? ORDER BY id",
                (claim_id,),
            ).fetchall()
        return [_event_row(r) for r in rows]

    def standing(self, claim_id: int) -> ClaimStanding:
        """Where the claim stands: the newest counting settlement (by its article's date,
        then the order recorded) decides; none means open."""
        claim = self.claim(claim_id)
        settling = [
            link for link in self.links(claim_id) if link.kind.settles and link.state.counts
        ]
        settling.sort(key=lambda link: (link.dated or date.min, link.id))
        standing = settling[-1].kind.standing if settling else Standing.OPEN
        stored = self.store.passages(link.passage_id for link in settling)
        return ClaimStanding(
            claim_id=claim_id,
            standing=standing,
            stated_on=claim.stated_on,
            history=self.history(claim_id),
            settled_by=settling,
            settling=[stored[link.passage_id] for link in settling if link.passage_id in stored],
        )

    def standings(self, passage_ids: Iterable[int]) -> dict[int, ClaimStanding]:
        """passage id → its claim's standing, for passages that carry a claim."""
        of = self.claim_of(passage_ids)
        cache: dict[int, ClaimStanding] = {}
        out = {}
        for pid, cid in of.items():
            if cid not in cache:
                cache[cid] = self.standing(cid)
            out[pid] = cache[cid]
        return out

    def event(self, event_id: int) -> ClaimEvent | None:
        with self.store.read() as conn:
            row = conn.execute(
                f"SELECT {_EVENT_COLUMNS} FROM claim_events WHERE id = ?", (event_id,)
            ).fetchone()
        return None if row is None else _event_row(row)

    def events_since(self, seq: int, limit: int = 1000) -> list[ClaimEvent]:
        """History entries after `seq`, oldest first (the bot's follow-ups follow them)."""
        with self.store.read() as conn:
            rows = conn.execute(
                f"SELECT {_EVENT_COLUMNS} FROM claim_events WHERE id > ? ORDER BY id LIMIT ?",
                (seq, limit),
            ).fetchall()
        return [_event_row(r) for r in rows]

    def last_event(self) -> int:
        with self.store.read() as conn:
            return conn.execute("SELECT coalesce(max(id), 0) FROM claim_events").fetchone()[0]


# -- rows ------------------------------------------------------------------------------

_CLAIM_COLUMNS = "id, passage_id, article_id, start, end_, text, title, source, stated_on"
_LINK_COLUMNS = "id, claim_id, passage_id, kind, state, score, article_id, title, source, dated"
_EVENT_COLUMNS = "id, claim_id, kind, link_id, passage_id, article_id, title, source, dated"


def _claim(row: sqlite3.Row) -> Claim:
    return Claim(
        id=row["id"], passage_id=row["passage_id"], article_id=row["article_id"],
        start=row["start"], end=row["end_"], text=row["text"], title=row["title"],
        source=row["source"], stated_on=_date(row["stated_on"]),
    )  # fmt: skip


def _link(row: sqlite3.Row) -> Link:
    return Link(
        id=row["id"], claim_id=row["claim_id"], passage_id=row["passage_id"],
        kind=LinkKind(row["kind"]), state=LinkState(row["state"]), score=row["score"],
        article_id=row["article_id"], title=row["title"], source=row["source"],
        dated=_date(row["dated"]),
    )  # fmt: skip


def _event_row(row: sqlite3.Row) -> ClaimEvent:
    return ClaimEvent(
        id=row["id"], claim_id=row["claim_id"], kind=EventKind(row["kind"]),
        link_id=row["link_id"], passage_id=row["passage_id"], article_id=row["article_id"],
        title=row["title"], source=row["source"], dated=_date(row["dated"]),
    )  # fmt: skip


def _event(
    conn: sqlite3.Connection,
    claim_id: int,
    kind: EventKind,
    link_id: int | None,
    passage_id: int | None,
    article: Article,
    day: str | None,
) -> None:
    conn.execute(
        "INSERT INTO claim_events (claim_id, kind, link_id, passage_id, article_id, title,"
        " source, dated, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (claim_id, kind.value, link_id, passage_id, article.id, article.title, article.source,
         day, _now()),
    )  # fmt: skip


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


def _date(value: str | None) -> date | None:
    return None if value is None else date.fromisoformat(value)
