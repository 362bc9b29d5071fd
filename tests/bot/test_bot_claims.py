"""Claims end to end: a reader shown an unconfirmed report is told once when it is settled.

The briefings are the project's own claims set (tests/data/claims), uploaded by the admin
with /add as any article would be.
"""

from __future__ import annotations

import asyncio

from benchmarks.claims import SET_DIR
from bot.app import build_services
from bot.followups import queue_followups
from bot.subscribing import match_new_articles
from corpus.claims import LinkKind, LinkState, Standing
from retrieval.library import Library
from tests.bot.conftest import ADMIN_ID, BotHarness, button_data, buttons

SET = SET_DIR / "articles"
TOLL_QUESTION = "How many people died when the Marrow Creek dam failed?"
TOLL_CLAIM = "The death toll is reported to be about 40 people"


def briefing(name: str) -> bytes:
    return (SET / f"{name}.txt").read_bytes()


async def shown_the_toll_claim(h: BotHarness, reader: int) -> dict:
    """The reader asks and is shown the toll as unconfirmed; the answer message."""
    await h.add_article(briefing("dam-quessary-1"), "quessary-1.txt")
    answer = await h.ask(reader, TOLL_QUESTION)
    assert TOLL_CLAIM in answer["text"] and "⚠️ Unconfirmed" in answer["text"], answer["text"]
    return answer


async def test_a_reader_shown_a_claim_gets_one_follow_up_when_it_is_confirmed(
    bot_harness: BotHarness,
) -> None:
    h = bot_harness
    reader = 5001
    answer = await shown_the_toll_claim(h, reader)

    await h.add_article(briefing("dam-quessary-2"), "quessary-2.txt")
    (update,) = await h.new_messages(reader, 1, 1)
    assert update["text"].startswith("✅ A report you were shown as unconfirmed has been confirmed")
    assert TOLL_CLAIM in update["text"]
    assert "⚠️ Unconfirmed (3 Mar) → ✅ Confirmed" in update["text"]
    assert "43 people had died in the flood" in update["text"]  # the settling passage
    assert update["reply_to_message"]["message_id"] == answer["message_id"]
    assert len(update["text"]) <= 4096

    await asyncio.sleep(2.5)  # past the take-in job and a delivery sweep: nothing more
    assert h.count(reader) == 2
    # The answer now shows the claim with its standing: the settling article's verified toll
    # may rank above it, so on the first page or behind "More".
    page = await h.ask(reader, TOLL_QUESTION)
    pages = [page["text"]]
    while TOLL_CLAIM not in page["text"] and any(
        b["callback_data"].startswith("more:") for b in buttons(page)
    ):
        (page,) = await h.press(reader, page, button_data(page, "more:"))
        pages.append(page["text"])
    assert "⚠️ Unconfirmed (3 Mar) → ✅ Confirmed" in page["text"], pages
    assert "↳ ✅ Verified" in page["text"]
    h.standin.assert_no_refusals()


async def test_a_look_alike_from_another_story_sends_nothing(bot_harness: BotHarness) -> None:
    h = bot_harness
    reader = 5011
    await h.add_article(briefing("dam-ardesh-1"), "ardesh-1.txt")
    answer = await h.ask(reader, "How many people died in the Mirrin flood?")
    assert "About 40 people are feared dead in Mirrin" in answer["text"], answer["text"]

    # Another dam, another country, the same "about 40" toll now put at 43.
    await h.add_article(briefing("dam-quessary-2"), "quessary-2.txt")
    assert await h.quiet(reader, 3.0) == []
    claims = h.services.library.claims
    assert all(not link.kind.settles for link in claims.links())
    h.standin.assert_no_refusals()


async def test_a_follow_up_queued_before_a_restart_is_sent_once_after_it(
    bot_harness: BotHarness,
) -> None:
    h = bot_harness
    reader = 5021
    answer = await shown_the_toll_claim(h, reader)

    # The bot stops; meanwhile the confirming briefing is ingested and its follow-up queued
    # (as `briefbot ingest` and the bot's take-in job would), then the bot starts again.
    await h.stop()
    library = Library(h.settings.data_dir, h.embedder, database_url=h.settings.database_url)
    services = build_services(h.settings, library)
    library.ingest(briefing("dam-quessary-2"), filename="quessary-2.txt")
    match_new_articles(services)
    assert queue_followups(services) == 1
    assert queue_followups(services) == 0  # once per chat and claim event
    library.close()

    await h.start()
    (update,) = await h.new_messages(reader, 1, 1, timeout=15)
    assert "✅ Confirmed" in update["text"]
    assert update["reply_to_message"]["message_id"] == answer["message_id"]
    await asyncio.sleep(2.5)
    assert h.count(reader) == 2
    h.standin.assert_no_refusals()


async def test_a_chat_that_opted_out_gets_no_follow_up(bot_harness: BotHarness) -> None:
    h = bot_harness
    reader = 5031
    await shown_the_toll_claim(h, reader)
    (off,) = await h.send(reader, "/followups off")
    assert off["text"].startswith("🔕")
    await h.add_article(briefing("dam-quessary-2"), "quessary-2.txt")
    assert await h.quiet(reader, 3.0) == []
    status = await h.ask(reader, "/followups")
    assert "<b>" not in status["text"] and "off" in status["text"]
    h.standin.assert_no_refusals()


async def test_claims_lists_suggestions_for_admins_only(bot_harness: BotHarness) -> None:
    h = bot_harness
    stranger = 5041
    refused = await h.ask(stranger, "/claims")
    assert refused["text"] == "Sorry, only admins can do that."
    empty = await h.ask(ADMIN_ID, "/claims")
    assert empty["text"] == "No suggested claim links to review."

    first = (await asyncio.to_thread(h.library.ingest, briefing("dam-quessary-1"),
                                     filename="q1.txt"))  # fmt: skip
    later = await asyncio.to_thread(h.library.ingest, briefing("bridge-velmora-2"),
                                    filename="v2.txt")  # fmt: skip
    claims = h.library.claims
    claim = next(c for c in claims.claims() if "spillway gate" in c.text)
    passage = next(p for p in later.passages if p.status.value == "verified")
    link = claims.link(claim.id, passage, later, LinkKind.CONFIRMS, LinkState.SUGGESTED, 0.5)
    assert link is not None and first.id

    listing = await h.ask(ADMIN_ID, "/claims")
    assert "spillway gate" in listing["text"] and "would confirm" in listing["text"]
    accept = f"clm:y:{link.id}"
    assert accept in [b["callback_data"] for b in buttons(listing)]
    answered = len(h.standin.callback_answers)
    await h.press(stranger, listing, accept, expect=0, forged=True)
    assert h.standin.callback_answers[answered]["text"] == "Only admins can do that."
    assert claims.standing(claim.id).standing is Standing.OPEN

    await h.press(ADMIN_ID, listing, accept, expect=0)
    await h.wait_until(lambda: claims.standing(claim.id).standing is Standing.CONFIRMED)
    assert claims.suggestions() == []
    h.standin.assert_no_refusals()
