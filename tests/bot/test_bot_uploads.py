"""Feedback on uploads through the stand-in: a working message edited into the result, and one
message for a burst of files. The wait before the working message is set to nothing here, so
that the message comes whatever the machine's speed."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from retrieval.embedder import Embedder
from tests.bot.conftest import ADMIN_ID, BotHarness, running_bot


@pytest.fixture
async def eager(tmp_path: Path, bot_embedder: Embedder) -> AsyncIterator[BotHarness]:
    """The bot with a working message at once for every upload."""
    async with running_bot(tmp_path, bot_embedder, upload_working_after=0) as harness:
        yield harness


def article(n: int) -> bytes:
    return (
        f"Harbour crane {n} repaired in Orlen\n\n"
        f"Engineers in Orlen repaired harbour crane number {n} on Tuesday after a storm.\n\n"
        f"The crane will lift containers again from next week, the port of Orlen said."
    ).encode()


async def test_an_upload_is_told_as_it_goes_then_edited_into_its_result(
    eager: BotHarness,
) -> None:
    h = eager
    before = h.count(ADMIN_ID)
    reply = await h.upload(ADMIN_ID, "crane.txt", article(1))
    sends = [c for c in h.standin.sent_log if c.method == "sendMessage"]
    assert sends[-1].params["text"].startswith("<b>Adding 1 file…</b>")
    assert "crane.txt" in sends[-1].params["text"]
    assert reply["text"].startswith("✅ Added Harbour crane 1 repaired in Orlen")
    assert "edit_date" in reply
    assert h.count(ADMIN_ID) == before + 1, "the working message became the result"
    h.standin.assert_no_refusals()


async def test_a_burst_of_uploads_gets_one_summary(eager: BotHarness) -> None:
    h = eager
    before = h.count(ADMIN_ID)
    for n in (1, 2, 3):
        h.standin.send_document(ADMIN_ID, f"crane{n}.txt", article(n), "text/plain",
                                caption="/add")  # fmt: skip
    h.standin.send_document(ADMIN_ID, "again.txt", article(1), "text/plain", caption="/add")

    def summarised() -> bool:
        done = h.standin.messages(ADMIN_ID)[before:]
        return any(m["text"].startswith("Added 3 of 4 files") for m in done)

    await h.wait_until(summarised, timeout=60)
    [summary] = h.standin.messages(ADMIN_ID)[before:]
    lines = summary["text"].splitlines()[1:]
    for n in (2, 3):
        assert f"✅ crane{n}.txt — Harbour crane {n} repaired in Orlen (2 passages)" in lines
    # crane1.txt and again.txt hold one text: whichever came second is the duplicate.
    assert sum(line.startswith("↩️") and "Already in the corpus" in line for line in lines) == 1
    assert len(h.library.articles()) == 3
    h.standin.assert_no_refusals()
