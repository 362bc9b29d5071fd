"""One new article matched by 300 chats' subscriptions: everyone notified exactly once, within
Telegram's limits as the stand-in counts them, and 429 answers honoured.

The full 5,000-subscriber run is `python -m benchmarks.fanout` (about three minutes).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.reliability.fanout import fan_out

pytestmark = pytest.mark.reliability


async def test_300_chats_each_notified_once_within_the_limits(tmp_path: Path) -> None:
    # 280 private chats with one subscription, 12 with three, 8 groups with three; for three
    # chats Telegram's answer to the first send is lost on its way back.
    result = await fan_out(tmp_path, 280, multi=12, groups=8, lost=3)
    print(result.report())
    assert result.exactly_once, {
        c: n for c, n in result.received.items() if n != result.expected[c]
    }
    # Resent exactly where the bot could not know: once for each lost answer, nowhere else.
    assert result.unsure == 3
    assert result.resends == 3
    assert {c for c, n in result.received.items() if n > result.expected[c]} == result.lost
    assert result.max_per_second_overall <= 30
    assert result.max_per_second_chat <= 1
    assert result.max_per_minute_group <= 20
    assert result.too_many_requests == 0, result.refusals[:5]
    assert not result.refusals


async def test_no_resend_where_every_answer_arrives(tmp_path: Path) -> None:
    result = await fan_out(tmp_path, 40)
    print(result.report())
    assert result.received == result.expected
    assert result.unsure == 0 and result.resends == 0


async def test_429_answers_are_honoured(tmp_path: Path) -> None:
    # A Telegram stricter than the bot's own limiter assumes: 10 messages a second overall.
    result = await fan_out(tmp_path, 60, overall_per_second=10)
    print(result.report())
    assert result.too_many_requests > 0  # the bot did run into the limit
    assert result.retried_early == 0
    assert result.exactly_once
    assert all(r.startswith("sendMessage 429") for r in result.refusals), result.refusals[:5]


async def test_a_chat_refused_past_the_retries_holds_up_no_one(tmp_path: Path) -> None:
    # The third chat gets 429 five times in a row: more than the rate limiter's retries, so
    # the delivery run stops and resumes later; the rest of its batch must not be stranded.
    result = await fan_out(tmp_path, 40, throttled={2: 5}, timeout=25)
    print(result.report())
    assert result.exactly_once
    assert result.retried_early == 0
