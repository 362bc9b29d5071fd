"""Several `briefbot run` processes on one PostgreSQL, behind the stand-in's webhook balancer.

    python -m benchmarks.scaleout [--questions 240] [--adds 20] [--readers 120]
                                  [--database-url postgresql+psycopg://…]

Each instance is a real `briefbot run` in webhook mode (its own process, data directory and
port; the shared database in a schema made for the run and dropped after). The stand-in
hands each update to the instances in turn, as a load balancer would. Measured:

- questions answered a second with one instance, then two (the stand-in's rate limits off;
  the bot's own pacing on: one budget of 24 messages a second for the bot as a whole, kept in
  the database, whichever instance sends), and the busiest second the stand-in counted;
- replication lag: from the admin's /add acknowledged by one instance until a question to
  the other finds the article (p50/p95);
- the sender's take-over: a fan-out to `--readers` subscribers is under way when the sending
  instance is killed (SIGKILL); the gap until the other sends, and whether every reader got
  the article once.

Needs the server of `.ci/postgres` (or `--database-url`). About 3 minutes on 2 cores.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections import Counter
from datetime import datetime
from pathlib import Path
from tempfile import TemporaryDirectory

import sqlalchemy as sa

from bot.runner import webhook_path
from corpus import SAMPLES_DIR
from standin import StandIn
from tests.bot.conftest import ADMIN_ID, start_standin
from tests.bot.instances import PUBLIC, SECRET, free_port
from tests.conftest import POSTGRES_URL, postgres_schema
from tests.reliability.articles import briefing, question, word

ROOT = Path(__file__).resolve().parents[1]
QUESTIONS = [
    "what did Putin say about Western troops?",
    "who won the recount of the mayoral election?",
    "why did the dockworkers walk out?",
    "what do we know about the app data breach?",
]
TOPIC = "dam collapse and flooding"
DAM = SAMPLES_DIR / "ostrel_river_dam_failure.txt"  # kept back for the fan-out


class Process:
    """One `briefbot run --webhook` on the shared database."""

    def __init__(self, standin: StandIn, data_dir: Path, url: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/{webhook_path(standin.token)}"
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("BRIEFBOT_", "TELE"))},
            "HF_HUB_OFFLINE": "1",
            "PYTHONPATH": str(ROOT),
            "TELEGRAM_BOT_TOKEN": standin.token,
            "TELEGRAM_API_URL": standin.base_url,
            "TELEGRAM_FILE_URL": standin.base_file_url,
            "BRIEFBOT_DATA_DIR": str(data_dir),
            "BRIEFBOT_DATABASE_URL": url,
            "BRIEFBOT_ADMIN_IDS": str(ADMIN_ID),
            "BRIEFBOT_WEBHOOK_URL": PUBLIC,
            "BRIEFBOT_WEBHOOK_LISTEN": "127.0.0.1",
            "BRIEFBOT_WEBHOOK_PORT": str(self.port),
            "BRIEFBOT_WEBHOOK_SECRET": SECRET,
        }
        self.log = open(data_dir.with_suffix(".log"), "wb")  # noqa: SIM115 - closed in kill
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "run"], cwd=ROOT, env=env,
            stdout=self.log, stderr=subprocess.STDOUT,
        )  # fmt: skip

    async def ready(self, timeout: float = 180.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the instance on port {self.port} exited; see {self.log.name}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                await asyncio.sleep(0.2)
        raise TimeoutError(f"the instance on port {self.port} did not start")

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.log.close()


async def answered(standin: StandIn, user: int, text: str, timeout: float = 120) -> str:
    before = len(standin.messages(user))
    standin.send_message(user, text)
    await standin.wait_for_messages(user, before + 1, timeout=timeout)
    return standin.messages(user)[-1]["text"]


async def throughput(standin: StandIn, first_user: int, count: int) -> float:
    """Questions from `count` new users at once; answers a second until the last one."""
    users = range(first_user, first_user + count)
    started = time.perf_counter()
    for i, user in enumerate(users):
        standin.send_message(user, QUESTIONS[i % len(QUESTIONS)])
    for user in users:
        await standin.wait_for_messages(user, 1, timeout=600)
    elapsed = time.perf_counter() - started
    assert all(len(standin.messages(u)) == 1 for u in users), "a question answered twice"
    return count / elapsed


async def replication_lag(standin: StandIn, url: str, adds: int) -> tuple[list[float], list[float]]:
    """An /add through the first instance; questions to the second until it finds it. The
    lags in seconds from the add's commit (its change-log entry's time) and from the reply."""
    from_commit, from_reply = [], []
    engine = sa.create_engine(url)
    user = 300_000
    for i in range(adds):
        # At a random moment of the other instance's 2-second take-in cycle, else the adds
        # fall into step with it and every lag comes out alike.
        await asyncio.sleep(random.uniform(0.0, 2.0))
        standin.pinned = 0
        reply = await upload(standin, f"a{i}.txt", briefing(500 + i).encode())
        assert "Added" in reply, reply
        acknowledged = time.time()
        with engine.connect() as conn:
            at = conn.execute(sa.text("SELECT max(at) FROM changes WHERE op = 'add'")).scalar()
        committed = datetime.fromisoformat(at).timestamp()
        standin.pinned = 1
        while True:
            user += 1  # a new reader each time: no chat's pacing in the way
            text = await answered(standin, user, question(500 + i))
            if f"{600 + i} {word(500 + i, 4)} crates" in text:  # its fact, not the question
                break
        found = time.time()
        from_commit.append(found - committed)
        from_reply.append(found - acknowledged)
    standin.pinned = None
    engine.dispose()
    return from_commit, from_reply


async def upload(standin: StandIn, name: str, data: bytes) -> str:
    """The admin's /add; the bot's reply, once it is in (the article is committed)."""
    sent = standin.messages(ADMIN_ID)
    if sent:  # the admin's chat: one message a second
        await asyncio.sleep(max(0.0, sent[-1]["date"] + 1.5 - time.time()))
    standin.send_document(ADMIN_ID, name, data, "text/plain", caption="/add")
    await standin.wait_for_messages(ADMIN_ID, len(sent) + 1, timeout=120)
    reply = standin.messages(ADMIN_ID)[len(sent)]["message_id"]

    def text() -> str:  # a slow upload is first told "reading", then that message is edited
        return next(m["text"] for m in standin.messages(ADMIN_ID) if m["message_id"] == reply)

    await standin.wait_for(lambda: not text().startswith(("⏳", "Adding")), timeout=120)
    return text()


def sender_lock_held(url: str) -> bool:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        held = conn.execute(
            sa.text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted")
        ).scalar_one()
    engine.dispose()
    return held > 0


async def takeover(
    standin: StandIn, sender: Process, readers: int
) -> tuple[float, Counter[int], int]:
    """Subscribers, an article for them, the sender killed mid-fan-out: (the gap in sending
    around the kill, notices a reader got → readers, resends)."""
    chats = list(range(400_000, 400_000 + readers))
    for chat in chats:
        standin.send_message(chat, f"/subscribe {TOPIC}")
        await asyncio.sleep(0.1)  # a person's pace, through both instances
    for chat in chats:
        await standin.wait_for_messages(chat, 1, timeout=60)
    standin.pinned = 1  # added through the instance that does not send
    assert "Added" in await upload(standin, DAM.name, DAM.read_bytes())
    standin.pinned = None

    def notified() -> int:
        return sum(1 for c in chats if len(standin.messages(c)) >= 2)

    while notified() < readers // 4:
        await asyncio.sleep(0.01)
    sender.process.send_signal(signal.SIGKILL)
    killed = time.time()
    while notified() < readers:
        await asyncio.sleep(0.05)
    sends = sorted(
        call.at for call in standin.sent_log
        if call.method == "sendMessage" and str(call.params.get("chat_id")) in
        {str(c) for c in chats} and "New on" in str(call.params.get("text"))
    )  # fmt: skip
    before = max(t for t in sends if t <= killed)
    after = min(t for t in sends if t > killed)
    counts = Counter(len(standin.messages(c)) - 1 for c in chats)
    return after - before, counts, sum(n - 1 for n in counts.elements() if n > 1)


async def run(server: str, questions: int, adds: int, readers: int) -> None:
    with postgres_schema(server) as url, TemporaryDirectory() as tmp:
        standin = await start_standin(rate_limits=False)
        first = Process(standin, Path(tmp) / "first", url)
        second: Process | None = None
        try:
            await first.ready()
            standin.balance_webhook([first.url])
            for sample in sorted(set(SAMPLES_DIR.glob("*.txt")) - {DAM}):
                assert "Added" in await upload(standin, sample.name, sample.read_bytes())
            await throughput(standin, 900_000, 8)  # warm-up
            one = await throughput(standin, 100_000, questions)
            started = time.perf_counter()
            second = Process(standin, Path(tmp) / "second", url)
            await second.ready()  # it catches up from the database: nothing re-embedded
            catch_up = time.perf_counter() - started
            standin.balance_webhook([first.url, second.url])
            await throughput(standin, 900_100, 8)
            two = await throughput(standin, 200_000, questions)
            lags, after_reply = await replication_lag(standin, url, adds)
            assert sender_lock_held(url)
            gap, counts, resends = await takeover(standin, first, readers)
            busiest = standin.stats.max_per_second_overall
        finally:
            for process in (second, first):
                if process is not None:
                    process.stop()
            await standin.stop()
    print(f"machine: {os.cpu_count()} cores, shared by both instances, the stand-in and PostgreSQL")
    print(f"questions answered a second, 1 instance:  {one:6.1f}  ({questions} questions)")
    print(f"questions answered a second, 2 instances: {two:6.1f}")
    print(f"second instance up (model loaded, caught up from the database): {catch_up:.1f} s")
    print(f"busiest second of the bot's messages, both instances together: {busiest}"
          " (Telegram allows about 30)")  # fmt: skip
    for what, values in (("its commit", lags), ("the admin's reply", after_reply)):
        print(f"found through the other instance after {what} ({adds} adds):"
              f" p50 {statistics.median(values):.2f} s, p95 {quantile(values, 0.95):.2f} s,"
              f" max {max(values):.2f} s")  # fmt: skip
    print(
        f"sender killed mid-fan-out ({readers} readers): sending resumed after {gap:.2f} s;"
        f" notices a reader got: {dict(sorted(counts.items()))}; resent: {resends}"
    )


def quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[round(q * (len(ordered) - 1))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--questions", type=int, default=240, help="questions a measurement")
    parser.add_argument("--adds", type=int, default=20, help="adds for the replication lag")
    parser.add_argument("--readers", type=int, default=120, help="subscribers of the fan-out")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BRIEFBOT_TEST_DATABASE_URL") or POSTGRES_URL,
        help="the PostgreSQL server (a schema is made for the run and dropped)",
    )
    args = parser.parse_args(argv)
    asyncio.run(run(args.database_url, args.questions, args.adds, args.readers))
    return 0


if __name__ == "__main__":
    sys.exit(main())
