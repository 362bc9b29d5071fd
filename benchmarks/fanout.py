"""5,000 subscribers matched by one new article, through the real bot and the Bot API stand-in.

    python -m benchmarks.fanout [--chats 5000] [--multi 50] [--groups 20] [--lost 10]

Every chat subscribes to a topic the article matches (`--multi` private chats and `--groups`
groups to three such topics, so they get three messages); the admin adds the article with
/add. The stand-in enforces Telegram's limits (30 messages a second overall, one a second to
a chat after a burst of three, 20 a minute to a group) and counts the busiest windows. Prints
whether every subscription was notified exactly once, how long it took, the busiest windows,
the 429 answers and whether any retry came before its retry_after. `--lost` chats have
Telegram's answer to their first message lost on the way back: the bot cannot know it arrived
and sends it again, the one case where a chat gets a message twice; the resends are counted
beside the sends the bot logged as unconfirmed. About 4 minutes.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from pathlib import Path

from tests.reliability.fanout import fan_out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--chats", type=int, default=5000, help="chats in all")
    parser.add_argument("--multi", type=int, default=50, help="private chats with 3 topics")
    parser.add_argument("--groups", type=int, default=20, help="groups with 3 topics")
    parser.add_argument("--lost", type=int, default=10, help="chats whose first answer is lost")
    args = parser.parse_args(argv)
    private = args.chats - args.multi - args.groups
    with tempfile.TemporaryDirectory(prefix="briefbot-fanout-") as tmp:
        result = asyncio.run(
            fan_out(
                Path(tmp),
                private,
                multi=args.multi,
                groups=args.groups,
                lost=args.lost,
                timeout=1800,
            )
        )
    print(result.report())
    wrong = {c: n for c, n in result.received.items() if n != result.expected[c]}
    print(f"chats notified other than once: {len(wrong)} ({result.resends} resent after "
          f"{len(result.lost)} lost answers; {result.unsure} sends unconfirmed)")  # fmt: skip
    print(f"refused calls: {len(result.refusals)}")
    ok = (
        result.exactly_once
        and result.resends <= result.unsure
        and result.max_per_second_overall <= 30
        and result.max_per_second_chat <= 1
        and result.max_per_minute_group <= 20
        and result.retried_early == 0
    )
    print("within Telegram's limits, everyone once:", "yes" if ok else "NO")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
