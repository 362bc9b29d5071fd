"""Claims: unconfirmed passages followed over time, with their links and a dated history.

Every `unconfirmed` passage becomes a claim unless it restates one already known. Later
passages link to it as restating it (still unconfirmed), confirming or denying it; a link is
automatic, or a suggestion an admin accepts or rejects. The standing (open, confirmed, denied)
is never stored: it is read from the live links, the newest settling one winning, so removing
an article (whose links go with its passages) can never leave a stale standing behind. The
history is an append-only table of events; triggers record what removals take away.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime
from enum import StrEnum

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict
from sqlalchemy.engine import Connection, RowMapping

from corpus.models import Article, Passage, Status
from corpus.store import Store

__all__ = [
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
    """Claims, links and events over the corpus store's connection (migrated with the store)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    # -- writing ----------------------------------------------------------------------

    def open_claim(self, passage: Passage, article: Article) -> Claim:
        """Record an unconfirmed passage as a new claim, with its 'opened' event."""
        if passage.status is not Status.UNCONFIRMED or passage.id is None:
            raise ValueError("only a stored unconfirmed passage can be a claim")
        day = _iso(article.published)
        with self.store.transaction() as conn:
            self.store.lock_log(conn)
            claim_id = conn.execute(
                sa.text(
                    "INSERT INTO claims (passage_id, article_id, start, end_, text, title,"
                    " source, stated_on, created_at) VALUES (:passage_id, :article_id, :start,"
                    " :end_, :text, :title, :source, :stated_on, :created_at) RETURNING id"
                ),
                {"passage_id": passage.id, "article_id": article.id, "start": passage.start,
                 "end_": passage.end, "text": passage.text, "title": article.title,
                 "source": article.source, "stated_on": day, "created_at": _now()},
            ).scalar_one()  # fmt: skip
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
            self.store.lock_log(conn)
            link_id = conn.execute(
                sa.text(
                    "INSERT INTO claim_links (claim_id, passage_id, kind, state, score,"
                    " article_id, title, source, dated, created_at) VALUES (:claim_id,"
                    " :passage_id, :kind, :state, :score, :article_id, :title, :source, :dated,"
                    " :created_at) ON CONFLICT (claim_id, passage_id) DO NOTHING RETURNING id"
                ),
                {"claim_id": claim_id, "passage_id": passage.id, "kind": kind.value,
                 "state": state.value, "score": round(score, 4), "article_id": article.id,
                 "title": article.title, "source": article.source, "dated": day,
                 "created_at": _now()},
            ).scalar()  # fmt: skip
            if link_id is None:
                return None
            what = _EVENT_OF[kind] if state.counts else EventKind.SUGGESTED
            _event(conn, claim_id, what, link_id, passage.id, article, day)
        return self.get_link(link_id)

    def decide(self, link_id: int, accept: bool, by: int | None = None) -> Link | None:
        """An admin's answer to a suggestion; None when it is no longer a suggestion."""
        with self.store.transaction() as conn:
            self.store.lock_log(conn)
            row = (
                conn.execute(
                    sa.text(
                        f"SELECT {_LINK_COLUMNS} FROM claim_links"
                        " WHERE id = :id AND state = 'suggested'"
                    ),
                    {"id": link_id},
                )
                .mappings()
                .first()
            )
            if row is None:
                return None
            state = LinkState.ACCEPTED if accept else LinkState.REJECTED
            conn.execute(
                sa.text(
                    "UPDATE claim_links SET state = :state, decided_by = :by, decided_at = :at"
                    " WHERE id = :id"
                ),
                {"state": state.value, "by": by, "at": _now(), "id": link_id},
            )
            link = _link(row)
            what = _EVENT_OF[link.kind] if accept else EventKind.REJECTED
            conn.execute(
                _INSERT_EVENT,
                {"claim_id": link.claim_id, "kind": what.value, "link_id": link.id,
                 "passage_id": link.passage_id, "article_id": link.article_id,
                 "title": link.title, "source": link.source, "dated": _iso(link.dated),
                 "at": _now()},
            )  # fmt: skip
        return self.get_link(link_id)

    # -- reading ----------------------------------------------------------------------

    def _rows(self, sql: str | sa.TextClause, **params: object) -> list[RowMapping]:
        query = sa.text(sql) if isinstance(sql, str) else sql
        with self.store.read() as conn:
            return list(conn.execute(query, params).mappings())

    def claim(self, claim_id: int) -> Claim:
        rows = self._rows(f"SELECT {_CLAIM_COLUMNS} FROM claims WHERE id = :id", id=claim_id)
        if not rows:
            raise KeyError(claim_id)
        return _claim(rows[0])

    def claims(self) -> list[Claim]:
        """Every claim, oldest first."""
        return [_claim(r) for r in self._rows(f"SELECT {_CLAIM_COLUMNS} FROM claims ORDER BY id")]

    def live_claims(self, since: date | None = None, until: date | None = None) -> list[Claim]:
        """Claims a new passage may still be linked to: those with a stored passage (their own
        or a restatement), stated within [since, until] when given (undated ones always)."""
        within = ["TRUE"]
        if since is not None:
            within.append("c.stated_on >= :since")
        if until is not None:
            within.append("c.stated_on <= :until")
        rows = self._rows(
            f"SELECT {_CLAIM_COLUMNS} FROM claims c WHERE (c.passage_id IS NOT NULL"
            " OR EXISTS (SELECT 1 FROM claim_links l WHERE l.claim_id = c.id"
            " AND l.kind = 'restates' AND l.state IN ('automatic', 'accepted')))"
            f" AND (c.stated_on IS NULL OR ({' AND '.join(within)})) ORDER BY c.id",
            since=_iso(since),
            until=_iso(until),
        )
        return [_claim(r) for r in rows]

    def get_link(self, link_id: int) -> Link | None:
        rows = self._rows(f"SELECT {_LINK_COLUMNS} FROM claim_links WHERE id = :id", id=link_id)
        return _link(rows[0]) if rows else None

    def links(self, claim_id: int | None = None) -> list[Link]:
        """Every link (of one claim), in the order made."""
        where = "" if claim_id is None else " WHERE claim_id = :claim_id"
        rows = self._rows(
            f"SELECT {_LINK_COLUMNS} FROM claim_links{where} ORDER BY id", claim_id=claim_id
        )
        return [_link(r) for r in rows]

    def suggestions(self, limit: int = 100) -> list[tuple[Link, Claim]]:
        """Links waiting for an admin, oldest first, with their claims."""
        rows = self._rows(
            f"SELECT {_LINK_COLUMNS} FROM claim_links WHERE state = 'suggested'"
            " ORDER BY id LIMIT :limit",
            limit=limit,
        )
        links = [_link(r) for r in rows]
        return [(link, self.claim(link.claim_id)) for link in links]

    def members(self, claim_id: int) -> list[int]:
        """The stored passages that carry the claim unconfirmed: its own and restatements."""
        own = self._rows(
            "SELECT passage_id FROM claims WHERE id = :id AND passage_id IS NOT NULL", id=claim_id
        )
        restated = self._rows(
            "SELECT passage_id FROM claim_links WHERE claim_id = :id AND kind = 'restates'"
            " AND state IN ('automatic', 'accepted') ORDER BY id",
            id=claim_id,
        )
        return [r["passage_id"] for r in (*own, *restated)]

    def claim_of(self, passage_ids: Iterable[int]) -> dict[int, int]:
        """passage id → claim id, for the passages that carry a claim unconfirmed."""
        ids = sorted({int(i) for i in passage_ids})
        if not ids:
            return {}
        query = sa.text(
            "SELECT passage_id, id AS claim_id FROM claims WHERE passage_id IN :ids"
            " UNION ALL SELECT passage_id, claim_id FROM claim_links"
            " WHERE passage_id IN :ids AND kind = 'restates'"
            " AND state IN ('automatic', 'accepted')"
        ).bindparams(sa.bindparam("ids", expanding=True))
        return {r["passage_id"]: r["claim_id"] for r in self._rows(query, ids=ids)}

    def history(self, claim_id: int) -> list[ClaimEvent]:
        rows = self._rows(
            f"SELECT {_EVENT_COLUMNS} FROM claim_events WHERE claim_id = :id ORDER BY id",
            id=claim_id,
        )
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
        rows = self._rows(f"SELECT {_EVENT_COLUMNS} FROM claim_events WHERE id = :id", id=event_id)
        return _event_row(rows[0]) if rows else None

    def events_since(self, seq: int, limit: int = 1000) -> list[ClaimEvent]:
        """History entries after `seq`, oldest first (the bot's follow-ups follow them)."""
        rows = self._rows(
            f"SELECT {_EVENT_COLUMNS} FROM claim_events WHERE id > :seq ORDER BY id LIMIT :limit",
            seq=seq,
            limit=limit,
        )
        return [_event_row(r) for r in rows]

    def last_event(self) -> int:
        with self.store.read() as conn:
            return conn.execute(
                sa.text("SELECT coalesce(max(id), 0) FROM claim_events")
            ).scalar_one()


# -- rows ------------------------------------------------------------------------------

_CLAIM_COLUMNS = "id, passage_id, article_id, start, end_, text, title, source, stated_on"
_LINK_COLUMNS = "id, claim_id, passage_id, kind, state, score, article_id, title, source, dated"
_EVENT_COLUMNS = "id, claim_id, kind, link_id, passage_id, article_id, title, source, dated"


def _claim(row: RowMapping) -> Claim:
    return Claim(
        id=row["id"], passage_id=row["passage_id"], article_id=row["article_id"],
        start=row["start"], end=row["end_"], text=row["text"], title=row["title"],
        source=row["source"], stated_on=_date(row["stated_on"]),
    )  # fmt: skip


def _link(row: RowMapping) -> Link:
    return Link(
        id=row["id"], claim_id=row["claim_id"], passage_id=row["passage_id"],
        kind=LinkKind(row["kind"]), state=LinkState(row["state"]), score=row["score"],
        article_id=row["article_id"], title=row["title"], source=row["source"],
        dated=_date(row["dated"]),
    )  # fmt: skip


def _event_row(row: RowMapping) -> ClaimEvent:
    return ClaimEvent(
        id=row["id"], claim_id=row["claim_id"], kind=EventKind(row["kind"]),
        link_id=row["link_id"], passage_id=row["passage_id"], article_id=row["article_id"],
        title=row["title"], source=row["source"], dated=_date(row["dated"]),
    )  # fmt: skip


_INSERT_EVENT = sa.text(
    "INSERT INTO claim_events (claim_id, kind, link_id, passage_id, article_id, title, source,"
    " dated, at) VALUES (:claim_id, :kind, :link_id, :passage_id, :article_id, :title, :source,"
    " :dated, :at)"
)


def _event(
    conn: Connection,
    claim_id: int,
    kind: EventKind,
    link_id: int | None,
    passage_id: int | None,
    article: Article,
    day: str | None,
) -> None:
    conn.execute(
        _INSERT_EVENT,
        {"claim_id": claim_id, "kind": kind.value, "link_id": link_id, "passage_id": passage_id,
         "article_id": article.id, "title": article.title, "source": article.source,
         "dated": day, "at": _now()},
    )  # fmt: skip


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


def _date(value: str | None) -> date | None:
    return None if value is None else date.fromisoformat(value)
