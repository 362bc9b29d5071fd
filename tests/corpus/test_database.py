"""Database faults: a wrong or unreachable URL stops start-up with one line naming it (the
password masked); a server that goes away mid-run is waited for with back-off; connections
the server dropped are replaced. Real PostgreSQL, reached through a real TCP relay that the
tests cut and restore."""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot.cli import main
from corpus.database import database_url, masked
from corpus.errors import StoreError
from corpus.store import Store
from tests.corpus.test_store import ARTICLE_TEXT, make_article

SECRET = "s3cret-Pa55"


class Relay:
    """A TCP relay to the PostgreSQL server that can be cut (every connection closed, the
    port refusing) and restored on the same port."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        self.port = probe.getsockname()[1]
        probe.close()
        self._sockets: list[socket.socket] = []
        self._listener: socket.socket | None = None
        self.restore()

    def restore(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen()
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def cut(self) -> None:
        assert self._listener is not None
        with contextlib.suppress(OSError):
            self._listener.shutdown(socket.SHUT_RDWR)  # wakes the thread blocked in accept()
        self._listener.close()
        self._listener = None
        for sock in self._sockets:
            for close in (lambda s: s.shutdown(socket.SHUT_RDWR), socket.socket.close):
                with contextlib.suppress(OSError):
                    close(sock)
        self._sockets.clear()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.target)
            self._sockets += [client, server]
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                with contextlib.suppress(OSError):
                    sock.close()


@pytest.fixture
def relay_url(postgres_url: str) -> tuple[Relay, str]:
    url = sa.make_url(postgres_url)
    relay = Relay((url.host or "127.0.0.1", url.port or 5432))
    yield relay, url.set(host="127.0.0.1", port=relay.port).render_as_string(hide_password=False)
    if relay._listener is not None:
        relay.cut()


def test_masked_hides_the_password_only() -> None:
    url = f"postgresql+psycopg://bot:{SECRET}@db.example.org:5433/briefbot"
    assert masked(url) == "postgresql+psycopg://bot:***@db.example.org:5433/briefbot"
    assert masked(f"postgresql://bot:{SECRET}@[broken") == "postgresql://bot:***@[broken"
    assert database_url("postgresql://h/db").drivername == "postgresql+psycopg"
    assert database_url(Path("data/briefbot.sqlite3")).database == "data/briefbot.sqlite3"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (f"postgresql+psycopg://bot:{SECRET}@127.0.0.1:1/briefbot", "cannot connect to the "
         "database at postgresql+psycopg://bot:***@127.0.0.1:1/briefbot"),
        (f"mysql://bot:{SECRET}@127.0.0.1/briefbot", "is neither sqlite:/// nor postgresql"),
        (f"postgresql+psycopg://bot:{SECRET}@127.0.0.1:1/db?sslmode=wrong", "cannot connect"),
    ],
)  # fmt: skip
def test_a_wrong_url_stops_start_up_with_one_line_naming_it(
    url: str, expected: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("BRIEFBOT_DATABASE_URL", url)
    assert main(["articles"]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("briefbot: ") and err.count("\n") == 1, err
    assert expected in err and SECRET not in err


@pytest.mark.postgres
def test_a_wrong_password_stops_start_up_masked(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = sa.make_url(postgres_url).set(password=SECRET)
    monkeypatch.setenv("BRIEFBOT_DATABASE_URL", url.render_as_string(hide_password=False))
    assert main(["articles"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "password authentication failed" in err, err
    assert f"{url.username}:***@{url.host}" in err and SECRET not in err


@pytest.mark.postgres
def test_connections_the_server_dropped_are_replaced(postgres_url: str) -> None:
    with Store(postgres_url) as store:
        store.add(make_article(ARTICLE_TEXT))
        with sa.create_engine(postgres_url).connect() as admin:
            killed = admin.execute(
                sa.text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                    " AND usename = current_user AND backend_type = 'client backend'"
                )
            ).scalar_one()
        assert killed >= 1
        assert store.count_articles() == 1


@pytest.mark.postgres
def test_a_server_gone_mid_run_is_waited_for_with_back_off(
    relay_url: tuple[Relay, str], caplog: pytest.LogCaptureFixture
) -> None:
    relay, url = relay_url
    with Store(url) as store:
        store.db.backoff = (0.2, 0.4, 0.8, 1.6, 3.2)
        store.add(make_article(ARTICLE_TEXT))
        relay.cut()
        back = threading.Timer(1.0, relay.restore)
        back.start()
        with caplog.at_level(logging.WARNING, logger="corpus.database"):
            assert store.count_articles() == 1  # waited until the relay was back
        back.join()
        waits = [r.getMessage() for r in caplog.records if "cannot be reached" in r.getMessage()]
        assert waits and all(":***@" in w for w in waits), waits

        # Gone for longer than the back-off: a StoreError naming the database.
        store.db.backoff = (0.1, 0.1)
        relay.cut()
        with pytest.raises(StoreError, match=r"lost the connection to the database at .*:\*\*\*@"):
            store.count_articles()
        relay.restore()
        assert store.count_articles() == 1
