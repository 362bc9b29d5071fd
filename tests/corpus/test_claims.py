"""The claim book on both engines (a SQLite file, a PostgreSQL schema): standings, history,
removals, suggestions."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from corpus.claims import ClaimBook, EventKind, LinkKind, LinkState, Standing
from corpus.models import Article, Passage, Status, article_id
from corpus.store import Store


def article(text: str, status: Status, day: date, source: str = "Test Wire") -> Article:
    aid = article_id(text)
    passage = Passage(article_id=aid, ordinal=0, section=status.value, status=status,
                      start=0, end=len(text), text=text)  # fmt: skip
    return Article(id=aid, title=text[:30], source=source, published=day, text=text,
                   passages=(passage,))  # fmt: skip


@pytest.fixture
def book(database: str | Path) -> ClaimBook:
    return ClaimBook(Store(database))


def test_the_newest_settlement_decides_and_a_removal_is_in_the_history(book: ClaimBook) -> None:
    store = book.store
    first = store.add(article("The ferry is said to carry 80 people.", Status.UNCONFIRMED,
                              date(2025, 3, 3)))  # fmt: skip
    claim = book.open_claim(first.passages[0], first)
    assert book.standing(claim.id).standing is Standing.OPEN
    yes = store.add(article("The ferry carried 84 people.", Status.VERIFIED, date(2025, 3, 9)))
    no = store.add(article("The ferry carried 12 people.", Status.VERIFIED, date(2025, 3, 12)))
    book.link(claim.id, yes.passages[0], yes, LinkKind.CONFIRMS, LinkState.AUTOMATIC, 0.9)
    assert book.standing(claim.id).standing is Standing.CONFIRMED
    assert book.standing(claim.id).line() == (
        "⚠️ Unconfirmed (3 Mar) → ✅ Confirmed (9 Mar, Test Wire)"
    )
    book.link(claim.id, no.passages[0], no, LinkKind.DENIES, LinkState.AUTOMATIC, 0.9)
    assert book.standing(claim.id).standing is Standing.DENIED

    store.remove(no.id)  # its link goes; the history keeps what happened
    standing = book.standing(claim.id)
    assert standing.standing is Standing.CONFIRMED
    assert [e.kind for e in standing.history] == [
        EventKind.OPENED, EventKind.CONFIRMED, EventKind.DENIED, EventKind.UNLINKED,
    ]  # fmt: skip
    assert standing.settling[0].text == "The ferry carried 84 people."

    store.remove(first.id)  # the claim's own article: the claim stays, without its passage
    kept = book.claim(claim.id)
    assert kept.passage_id is None and kept.text == "The ferry is said to carry 80 people."
    assert book.history(claim.id)[-1].kind is EventKind.WITHDRAWN
    assert book.members(claim.id) == []


def test_suggestions_count_only_once_accepted(book: ClaimBook) -> None:
    store = book.store
    first = store.add(article("A mill is said to have closed.", Status.UNCONFIRMED,
                              date(2025, 5, 1)))  # fmt: skip
    claim = book.open_claim(first.passages[0], first)
    later = store.add(article("The mill closed in May.", Status.VERIFIED, date(2025, 5, 6)))
    link = book.link(claim.id, later.passages[0], later, LinkKind.CONFIRMS,
                     LinkState.SUGGESTED, 0.6)  # fmt: skip
    assert link is not None
    assert book.standing(claim.id).standing is Standing.OPEN
    assert [(k.id, c.id) for k, c in book.suggestions()] == [(link.id, claim.id)]
    assert book.decide(link.id, accept=True, by=7) is not None
    assert book.decide(link.id, accept=False) is None  # decided already
    assert book.standing(claim.id).standing is Standing.CONFIRMED
    assert book.suggestions() == []
    assert book.history(claim.id)[-1].kind is EventKind.CONFIRMED


def test_a_restatement_carries_the_claim(book: ClaimBook) -> None:
    store = book.store
    first = store.add(article("A pier is said to be cracked.", Status.UNCONFIRMED,
                              date(2025, 6, 1)))  # fmt: skip
    again = store.add(article("Whether the pier is cracked is unclear.", Status.UNCONFIRMED,
                              date(2025, 6, 4)))  # fmt: skip
    claim = book.open_claim(first.passages[0], first)
    book.link(claim.id, again.passages[0], again, LinkKind.RESTATES, LinkState.AUTOMATIC, 1.0)
    pids = [first.passages[0].id, again.passages[0].id]
    assert book.members(claim.id) == pids
    assert book.claim_of(pids) == {pids[0]: claim.id, pids[1]: claim.id}
    assert not book.standing(claim.id).changed
