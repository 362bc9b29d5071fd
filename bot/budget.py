"""The bot's overall send budget shared by every instance on one PostgreSQL database.

Telegram's overall limit (about 30 messages a second) is the bot token's, whichever process
sends: two instances pacing themselves at 24 a second each would send 48. So on PostgreSQL the
overall pace is one row per bot in `send_budget`, a generic cell rate algorithm (GCRA): the row
holds the theoretical arrival time (`tat`) of the next message; each message reserves its moment
with one INSERT … ON CONFLICT DO UPDATE … RETURNING, which the row lock orders across instances,
and waits until that moment. The database's clock is the only clock, so the instances' clocks
need not agree. The numbers are LocalPace's: BURST messages at once, then OVERALL_PER_SECOND -
BURST a second, so any second holds at most OVERALL_PER_SECOND of the bot's messages.

A database that cannot be reached must not stop the answers (they come from this instance's
indexes): the instance then paces alone in memory, and tries the database again after
RETRY_SECONDS. Deliveries wait for the database anyway (they are claimed there).
"""

from __future__ import annotations

import asyncio
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError

from bot.limits import BURST, OVERALL_PER_SECOND, LocalPace
from corpus.store import Store

__all__ = ["RETRY_SECONDS", "Moment", "SharedPace", "bot_id"]

log = logging.getLogger(__name__)

RETRY_SECONDS = 5.0  # after the database failed, pace in memory this long before trying again

# The moment the statement runs (once it holds the row's lock), not its transaction's start.
_NOW = "CAST(extract(epoch FROM clock_timestamp()) AS double precision)"
_RESERVE = sa.text(
    f"INSERT INTO send_budget AS b (bot_id, tat) VALUES (:bot, {_NOW} + :interval)"
    f" ON CONFLICT (bot_id) DO UPDATE SET tat = greatest(b.tat, {_NOW}) + :interval"
    f" RETURNING tat, {_NOW} AS now"
)
_HOLD = sa.text(
    f"INSERT INTO send_budget AS b (bot_id, tat) VALUES (:bot, {_NOW} + :until)"
    f" ON CONFLICT (bot_id) DO UPDATE SET tat = greatest(b.tat, {_NOW} + :until) RETURNING tat"
)


@dataclass(frozen=True)
class Moment:
    """A message's place in the budget: when it may leave (the database's epoch seconds) and
    how long from the reservation that is."""

    at: float
    wait: float


def bot_id(token: str) -> int:
    """The bot's numeric id, the part of its token before the colon (no secret)."""
    return int(token.split(":", 1)[0])


class SharedPace:
    """The overall pace of the bot as a whole (bot.limits.Pace), kept in the database.

    Reservations run on one worker thread over one connection of their own, in autocommit:
    one short statement a message, never queued behind the store's other work."""

    def __init__(
        self, store: Store, bot: int, per_second: int = OVERALL_PER_SECOND, burst: int = BURST
    ) -> None:
        self.store = store
        self.bot = bot
        self.interval = 1.0 / (per_second - burst)  # between two messages, once the burst is out
        self.tolerance = (burst - 1) * self.interval  # how far ahead of its moment one may go
        self._alone = LocalPace(per_second, burst)
        self._alone_until = 0.0  # monotonic time until which the database is not tried
        self._conn: Connection | None = None
        self._closed = False
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="send-budget")

    async def take(self) -> None:
        """Wait for this message's moment in the bot's budget (in memory while the database
        cannot be reached)."""
        moment = await self._run(self.reserve)
        if moment is None:
            await self._alone.take()
        elif moment.wait > 0:
            await asyncio.sleep(moment.wait)

    async def hold(self, seconds: float) -> None:
        """Telegram refused a message for flooding: no instance sends for `seconds`."""
        await self._run(self.stop_for, seconds)

    async def close(self) -> None:
        """Give the connection back; the bot may shut its rate limiter down more than once."""
        if not self._closed:
            self._closed = True
            await asyncio.get_running_loop().run_in_executor(self._worker, self._drop)
            self._worker.shutdown(wait=False)

    def reserve(self) -> Moment:
        """Reserve the next message's moment (in the worker thread)."""
        row = (
            self._connection().execute(_RESERVE, {"bot": self.bot, "interval": self.interval}).one()
        )
        # GCRA: a message may leave `tolerance` ahead of its arrival time, never before now.
        at = max(row.now, row.tat - self.interval - self.tolerance)
        return Moment(at, at - row.now)

    def stop_for(self, seconds: float) -> float:
        """No moment handed out falls within `seconds` from now; returns when sending may
        resume (the database's epoch seconds; in the worker thread)."""
        until = seconds + self.tolerance
        tat = self._connection().execute(_HOLD, {"bot": self.bot, "until": until}).scalar_one()
        return tat - self.tolerance

    async def _run(self, call, *args):  # type: ignore[no-untyped-def]
        """`call` on the worker thread; None when the database failed (or recently did)."""
        if time.monotonic() < self._alone_until:
            return None
        try:
            return await asyncio.get_running_loop().run_in_executor(self._worker, call, *args)
        except SQLAlchemyError as exc:
            log.warning(
                "the shared send budget is out of reach (%s); this instance paces alone for"
                " %.0f s", " ".join(str(exc).split())[:200], RETRY_SECONDS,
            )  # fmt: skip
            self._alone_until = time.monotonic() + RETRY_SECONDS
            await asyncio.get_running_loop().run_in_executor(self._worker, self._drop)
            return None

    def _connection(self) -> Connection:
        if self._conn is None:
            engine = self.store.db.engine.execution_options(isolation_level="AUTOCOMMIT")
            self._conn = engine.connect()
        return self._conn

    def _drop(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            conn.invalidate()
            conn.close()
