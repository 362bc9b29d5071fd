"""The bot and `briefbot` commands in other processes on one data directory.

The bot follows the store's change log: an article `briefbot ingest` adds while the bot runs
is searchable through the bot and pushed to its subscribers within seconds; what the bot adds,
`briefbot ask` finds; and the index files either process saves hold both processes' articles.
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest

from corpus import SAMPLES_DIR
from retrieval.indexes import INDEX_DIR
from tests.bot.conftest import ADMIN_ID, SAMPLES, BotHarness, sample_bytes
from tests.reliability.crash import saved_vector_ids

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]


async def briefbot(data_dir: Path, *args: str) -> str:
    """Run the command line in its own process on the data directory; its standard output."""
    env = {**os.environ, "BRIEFBOT_DATA_DIR": str(data_dir), "HF_HUB_OFFLINE": "1"}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", *args,
        cwd=ROOT, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(process.communicate(), timeout=240)
    assert process.returncode == 0, err.decode()[-2000:]
    return out.decode()


async def test_an_article_added_by_the_cli_reaches_the_running_bot(
    bot_harness: BotHarness,
) -> None:
    h = bot_harness
    reader = 4201
    await h.send(reader, "/subscribe dam collapse and flooding")
    before = await h.ask(reader, "how many villages were evacuated after the dam broke?")
    assert "Ostrel" not in before["text"]

    seen = h.count(reader)
    await briefbot(h.settings.data_dir, "ingest", str(SAMPLES_DIR / SAMPLES["dam"]))
    # Pushed to the subscriber by the bot, although the bot never saw the upload.
    (notice,) = await h.new_messages(reader, seen, 1, timeout=15)
    assert "📰 Dam on Ostrel River gives way" in notice["text"]
    answer = await h.ask(reader, "how many villages were evacuated after the dam broke?")
    assert "📰 Dam on Ostrel River gives way" in answer["text"]
    stats = await h.ask(ADMIN_ID, "/stats")
    store = h.services.library.store
    assert f"{store.count_passages()} vectors" in stats["text"]
    h.standin.assert_no_refusals()


async def test_what_the_bot_adds_the_cli_finds_and_no_save_drops_the_other(
    bot_harness: BotHarness,
) -> None:
    h = bot_harness
    data_dir = h.settings.data_dir
    await h.add_article(sample_bytes("putin"), "putin.txt")
    said = await briefbot(data_dir, "ask", "what did Putin say about Western troops?")
    assert "Vladimir Putin" in said and "legitimate targets" in said

    await briefbot(data_dir, "ingest", str(SAMPLES_DIR / SAMPLES["strike"]))
    library = h.services.library
    # Taken in by the bot's index (not only in the store, which `articles` reads).
    await h.wait_until(lambda: len(library.index) == library.store.count_passages(), timeout=15)
    # The bot saves its index after its own next change: the CLI's article must survive it.
    await h.add_article(sample_bytes("breach"), "breach.txt")
    listed = await briefbot(data_dir, "articles")
    assert listed.count(" passages)") == 3, listed
    store_ids = h.services.library.store.passage_ids()
    assert saved_vector_ids(data_dir / INDEX_DIR) == store_ids
    h.standin.assert_no_refusals()
