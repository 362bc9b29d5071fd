"""The bot token never shows: not in any log record, not in anything the bot sends."""

from __future__ import annotations

import json
import logging

import pytest

from tests.bot.conftest import ADMIN_ID, BotHarness, button_data, sample_bytes


@pytest.fixture
def debug_logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """Every logger at DEBUG, from before the harness starts."""
    caplog.set_level(logging.DEBUG)
    return caplog


async def test_the_token_never_appears_in_logs_or_messages(
    debug_logs: pytest.LogCaptureFixture, bot_harness: BotHarness
) -> None:
    h = bot_harness
    token = h.standin.token
    secret = token.split(":", 1)[1]
    user, blocked = 5001, 5002

    await h.ask(user, "/start")
    await h.add_article(sample_bytes("putin"), "putin.txt")  # getFile and the file download
    await h.send(user, "/subscribe Western troops in Ukraine")
    answer = await h.ask(user, "what did Putin say about Western troops?")
    await h.press(user, answer, button_data(answer, "more:"))
    h.standin.inline_query(user, "putin western troops")
    await h.wait_until(lambda: len(h.standin.inline_answers) == 1, timeout=20)
    await h.ask(ADMIN_ID, "/stats")
    await h.send(blocked, "/follow Putin")
    h.standin.block(blocked)  # a failing call: errors are logged with their tracebacks
    h.standin.send_message(blocked, "what did Putin say?")
    await h.wait_until(lambda: any(r.error_code == 403 for r in h.standin.refusals))
    await h.restart()
    await h.ask(user, "/help")
    await h.stop()

    records = [
        *debug_logs.get_records("setup"),
        *debug_logs.get_records("call"),
    ]
    assert len(records) > 50, "DEBUG logging was not captured"
    leaks = [r for r in records if secret in _full_text(r)]
    assert not leaks, "\n".join(f"{r.name}: {_full_text(r)[:300]}" for r in leaks[:5])

    sent = json.dumps([c.params for c in h.standin.sent_log], ensure_ascii=False)
    sent += json.dumps([*h.standin.inline_answers, *h.standin.callback_answers])
    assert secret not in sent
    h.standin.assert_no_refusals(allow_codes={403})


def _full_text(record: logging.LogRecord) -> str:
    """What a handler would write: the message, and the traceback when there is one."""
    text = record.getMessage()
    if record.exc_info:
        text += logging.Formatter().formatException(record.exc_info)
    return text
