"""200 users asking at once while an admin uploads 50 articles, through the real bot and the
Bot API stand-in: latency percentiles and the longest event-loop stall.

    python -m benchmarks.crowd [--users 200] [--model] [--no-limits]

Each user sends one question about an article already in the corpus, all at the same moment,
while the admin's 50 uploads (caption /add) arrive among them. Latency is from the question
reaching the stand-in to the stand-in accepting the answer. A watchdog coroutine sleeps 10 ms
and records how late the bot's event loop wakes it (the stand-in serves from its own thread,
as in the tests). By default
the stand-in enforces Telegram's limits (30 messages a second overall, one a second to a chat),
so latency is mostly the queue for the overall limit (one call a question: "typing" is sent
only for an answer slower than 0.5 s); --no-limits switches the stand-in's limits off (the bot's own
limiter stays). --model uses the real embedding model instead of the hashing embedder.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from pathlib import Path

from tests.reliability.crowd import crowd


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--model", action="store_true", help="the real embedding model")
    parser.add_argument("--no-limits", action="store_true", help="stand-in without rate limits")
    args = parser.parse_args(argv)
    embedder = None
    if args.model:
        from retrieval.embedder import SentenceTransformerEmbedder

        embedder = SentenceTransformerEmbedder()
    with tempfile.TemporaryDirectory(prefix="briefbot-crowd-") as tmp:
        result = asyncio.run(
            crowd(Path(tmp), args.users, embedder=embedder, rate_limits=not args.no_limits)
        )
    print(
        f"embedder: {'all-MiniLM-L6-v2' if args.model else 'hashing'}; stand-in limits: "
        f"{'off' if args.no_limits else 'on'}"
    )
    print(result.report())
    for line in result.errors[:5]:
        print("error:", line)
    ok = not (result.unanswered or result.not_found or result.errors or result.refusals)
    return 0 if ok and result.added == 50 else 1


if __name__ == "__main__":
    sys.exit(main())
