"""One sender for the whole bot: the PostgreSQL advisory lock elects one instance, and
another takes over when the sender dies (its session ends) or resigns."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from bot.election import SenderElection
from corpus.store import Store


@pytest.mark.postgres
def test_one_instance_is_the_sender_and_another_takes_over_when_it_dies(
    postgres_url: str,
) -> None:
    stores = [Store(postgres_url) for _ in range(3)]
    first, second, third = (SenderElection(store, grace=0) for store in stores)
    assert first.campaign() and first.is_sender
    assert not second.campaign() and not third.campaign()
    assert first.campaign()  # still the sender on its next round
    assert [e.is_sender for e in (first, second, third)] == [True, False, False]

    # The sender dies (SIGKILL, a lost machine): the server ends its session, and its lock.
    with sa.create_engine(postgres_url).connect() as admin:
        ended = admin.execute(
            sa.text(
                "SELECT count(pg_terminate_backend(l.pid)) FROM pg_locks l"
                " WHERE l.locktype = 'advisory' AND l.granted"
            )
        ).scalar_one()
    assert ended == 1
    assert second.campaign() and second.is_sender
    assert not third.campaign()
    assert not first.campaign() and not first.is_sender  # it knows it lost

    second.resign()  # a clean stop: the lock is free at once
    assert third.campaign() and not second.is_sender
    assert not first.campaign()

    # A new sender waits out the grace time before it sends (the old one stops meanwhile).
    third.resign()
    patient = SenderElection(stores[0], grace=3600)
    assert not patient.campaign() and patient.holds_lock and not patient.is_sender
    assert not second.campaign() and not second.holds_lock
    patient.resign()
    for store in stores:
        store.close()


def test_on_sqlite_the_one_process_is_the_sender(tmp_path: Path) -> None:
    with Store(tmp_path / "s.sqlite3") as store:
        election = SenderElection(store)
        assert not election.contested and election.is_sender and election.campaign()
