"""Subscriptions end to end: matching, follows, the queue across a restart, blocked chats."""

from __future__ import annotations

import asyncio

import pytest
import sqlalchemy as sa

from bot.app import TAKE_IN_JOB, build_services
from bot.delivery import JOB_NAME, kick_delivery, send_digests
from bot.subscribing import match_new_articles
from bot.subscriptions import Kind, Schedule
from corpus.errors import StoreError
from retrieval.library import Library
from tests.bot.conftest import BotHarness, buttons, sample_bytes, seed_bytes

DAM_TOPIC = "dam collapse and flooding"
TROOPS_TOPIC = "Western troops in Ukraine"
LABELS = ("✅ Verified", "⚠️ Unconfirmed", "🗣 On record", "📝 Summary", "▫️ Reported")


def labels_in(text: str) -> set[str]:
    return {label for label in LABELS if label in text}


async def test_topic_subscription_gets_one_message_per_matching_article(
    bot_harness: BotHarness,
) -> None:
    h = bot_harness
    reader = 4001
    (confirmed,) = await h.send(reader, f"/subscribe {DAM_TOPIC}")
    assert confirmed["text"] == f"🔔 You will get new passages on “{DAM_TOPIC}”."

    summary = await h.add_article(sample_bytes("dam"), "dam.txt")
    assert "Subscribers to notify: 1" in summary["text"]
    (notice,) = await h.new_messages(reader, 1, 1)
    assert notice["text"].startswith(f"🔔 New on “{DAM_TOPIC}”")
    assert "📰 Dam on Ostrel River gives way" in notice["text"]
    assert labels_in(notice["text"]), notice["text"]
    body = sample_bytes("dam").decode("utf-8")
    cards = notice["text"].split("\n\n")[1:]
    assert cards and all(card.split("\n")[1].rstrip("…")[:60] in body for card in cards)

    unrelated = await h.add_article(sample_bytes("breach"), "breach.txt")
    assert "Subscribers to notify: 0" in unrelated["text"]
    assert await h.quiet(reader, 1.5) == []
    assert h.count(reader) == 2  # the confirmation and exactly one notification
    h.standin.assert_no_refusals()


async def test_following_a_person_pushes_their_statements(bot_harness: BotHarness) -> None:
    h = bot_harness
    short, full, other = 4011, 4012, 4013
    await h.send(short, "/follow Quillon")
    (confirmed,) = await h.send(full, "/follow Marta Quillon")
    # Nobody is quoted yet: the name is followed as typed, and the reply says so.
    assert confirmed["text"] == (
        "Nobody of that name is quoted in the corpus yet."
        " 🔔 You will get statements by “Marta Quillon”."
    )
    await h.send(other, "/follow Anton Feyre")
    await h.send(other, f"/subscribe {DAM_TOPIC}")

    summary = await h.add_article(sample_bytes("strike"), "strike.txt")
    assert "Subscribers to notify: 3" in summary["text"]
    for chat, name in ((short, "Quillon"), (full, "Marta Quillon")):
        (notice,) = await h.new_messages(chat, 1, 1)
        assert notice["text"].startswith(f"👤 New statement by “{name}”")
        assert labels_in(notice["text"]) == {"🗣 On record"}
        assert "— Marta Quillon, General Secretary" in notice["text"]
        assert "— Anton Feyre" not in notice["text"]
    (feyre,) = await h.new_messages(other, 2, 1)
    assert "— Anton Feyre" in feyre["text"] and "— Marta Quillon" not in feyre["text"]

    await asyncio.sleep(1.5)
    assert [h.count(c) for c in (short, full, other)] == [2, 2, 3]
    h.standin.assert_no_refusals()


HARBOUR = """Harbour pier to reopen in spring

“We will rebuild every pier on this waterfront,” said Councillor Ada Moss on Monday.

Tomasz Wrona, who leads the dockers' union, said the works would need two hundred workers.
"""
HARBOUR_LATER = """Harbour works begin

“The first boats dock here by April,” Ada Moss told reporters on Thursday.
"""


async def test_follow_takes_any_form_of_a_known_name_once(bot_harness: BotHarness) -> None:
    h = bot_harness
    reader = 4015
    await h.add_article(HARBOUR.encode(), "harbour.txt")
    (by_surname,) = await h.send(reader, "/follow moss")
    assert by_surname["text"] == "🔔 You will get statements by “Ada Moss”."
    (again,) = await h.send(reader, "/follow Councillor Ada Moss")
    assert again["text"] == "You already follow “Ada Moss”."

    (unsure,) = await h.send(reader, "/follow Tomas Wronna")
    assert unsure["text"].startswith("Nobody called “Tomas Wronna” is quoted in the corpus.")
    choices = {b["text"]: b["callback_data"] for b in buttons(unsure)}
    assert set(choices) == {"👤 Tomasz Wrona", "Follow “Tomas Wronna”"}
    (chosen,) = await h.press(reader, unsure, choices["👤 Tomasz Wrona"])
    assert chosen["text"] == "🔔 You will get statements by “Tomasz Wrona”."

    (stranger,) = await h.send(reader, "/follow Zofia Quell")
    assert stranger["text"].startswith("Nobody of that name is quoted in the corpus yet.")
    listing = await h.ask(reader, "/subscriptions")
    assert [line for line in listing["text"].split("\n") if line.startswith("👤")] == [
        "👤 Ada Moss", "👤 Tomasz Wrona", "👤 Zofia Quell",
    ]  # fmt: skip

    before = h.count(reader)
    summary = await h.add_article(HARBOUR_LATER.encode(), "harbour-later.txt")
    assert "Subscribers to notify: 1" in summary["text"]
    (notice,) = await h.new_messages(reader, before, 1)
    assert notice["text"].startswith("👤 New statement by “Ada Moss”")
    assert await h.quiet(reader, 1.5) == []  # one follow, one notification
    h.standin.assert_no_refusals()


async def test_queued_deliveries_survive_a_restart_and_are_sent_once(
    bot_harness: BotHarness,
) -> None:
    h = bot_harness
    waiting, interrupted = 4021, 4022
    await h.send(waiting, f"/subscribe {DAM_TOPIC}")
    await h.send(interrupted, "/subscribe dam failure")

    # The process stops; meanwhile an article is ingested and its deliveries queued (as
    # the CLI would), and one delivery is left half-sent, as by a crash mid-send.
    await h.stop()
    library = Library(h.settings.data_dir, h.embedder, database_url=h.settings.database_url)
    services = build_services(h.settings, library)
    library.ingest(sample_bytes("dam"), filename="dam.txt")
    assert match_new_articles(services) == 2
    (claimed,) = services.subscriptions.claim(Schedule.INSTANT, limit=1)
    library.close()

    await h.start()
    for chat in (waiting, interrupted):
        (notice,) = await h.new_messages(chat, 1, 1, timeout=10)
        assert "📰 Dam on Ostrel River gives way" in notice["text"]
    await asyncio.sleep(2.0)  # past the first sweep and any second try

    assert [h.count(waiting), h.count(interrupted)] == [2, 2]
    assert h.services.subscriptions.counts()["pending"] == 0
    assert h.services.subscriptions.counts()["sent"] == 2
    assert claimed.subscription.chat_id in (waiting, interrupted)
    h.standin.assert_no_refusals()


async def test_a_blocked_chat_is_paused_then_resumes_when_it_writes(
    bot_harness: BotHarness,
) -> None:
    h = bot_harness
    reader = 4031
    book = h.services.subscriptions
    await h.send(reader, f"/subscribe {TROOPS_TOPIC}")
    await h.send(reader, "/follow Putin")
    await h.send(reader, f"/subscribe {DAM_TOPIC}")
    h.standin.block(reader)

    first = await h.add_article(seed_bytes(), "seed.txt")
    assert "Subscribers to notify: 2" in first["text"]  # the topic and the follow
    await h.wait_until(lambda: book.is_paused(reader))
    await asyncio.sleep(0.5)
    refused = [r for r in h.standin.refusals if r.params.get("chat_id") == str(reader)]
    assert [r.error_code for r in refused] == [403]  # one try, then the chat is paused
    assert h.attempts(reader) == 3 + 1  # three confirmations, one refused notification

    second = await h.add_article(sample_bytes("putin"), "putin.txt")
    assert "Subscribers to notify: 0" in second["text"]
    await asyncio.sleep(1.5)
    assert h.attempts(reader) == 4
    assert book.is_paused(reader)
    assert len(book.of_chat(reader)) == 3  # paused, not removed

    h.standin.unblock(reader)
    answer = await h.ask(reader, "what did Putin say about Western troops?")
    assert "🗣 On record" in answer["text"]
    assert not book.is_paused(reader)
    before = h.count(reader)
    third = await h.add_article(sample_bytes("dam"), "dam.txt")
    assert "Subscribers to notify: 1" in third["text"]
    (notice,) = await h.new_messages(reader, before, 1)
    assert notice["text"].startswith(f"🔔 New on “{DAM_TOPIC}”")
    h.standin.assert_no_refusals(allow_codes={403})
    assert all(r.error_code == 403 for r in h.standin.refusals)


async def test_subscriptions_are_listed_and_removed_with_buttons(bot_harness: BotHarness) -> None:
    h = bot_harness
    reader = 4041
    empty = await h.ask(reader, "/subscriptions")
    assert empty["text"].startswith("No subscriptions yet")
    await h.send(reader, f"/subscribe {DAM_TOPIC}")
    await h.send(reader, f"/subscribe {TROOPS_TOPIC} daily")
    await h.send(reader, "/follow Putin")
    again = await h.ask(reader, f"/subscribe {DAM_TOPIC.upper()}")
    assert again["text"].startswith("You already follow")

    listing = await h.ask(reader, "/subscriptions")
    assert f"🔔 {DAM_TOPIC}" in listing["text"]
    assert f"🔔 {TROOPS_TOPIC} (daily)" in listing["text"]
    assert "👤 Putin" in listing["text"]

    menu = await h.ask(reader, "/unsubscribe")
    choices = {b["text"]: b["callback_data"] for b in buttons(menu)}
    assert set(choices) == {f"✖ {DAM_TOPIC}", f"✖ {TROOPS_TOPIC}", "✖ Putin"}
    answered = len(h.standin.callback_answers)
    await h.press(reader, menu, choices[f"✖ {DAM_TOPIC}"], expect=0)
    await h.wait_until(lambda: any(c.method == "editMessageText" for c in h.standin.sent_log))
    assert h.standin.callback_answers[answered]["text"] == "Stopped."
    (edited,) = [m for m in h.standin.messages(reader) if m["message_id"] == menu["message_id"]]
    assert edited["text"] == f"Stopped “{DAM_TOPIC}”."

    after = await h.ask(reader, "/subscriptions")
    assert DAM_TOPIC not in after["text"] and TROOPS_TOPIC in after["text"]
    assert [s.query for s in h.services.subscriptions.of_chat(reader)] == [TROOPS_TOPIC, "Putin"]
    h.standin.assert_no_refusals()


async def test_daily_digest_gathers_matches_into_one_message(bot_harness: BotHarness) -> None:
    h = bot_harness
    reader = 4051
    (confirmed,) = await h.send(reader, f"/subscribe {TROOPS_TOPIC} daily")
    assert "in a daily digest" in confirmed["text"]

    for content, name in ((seed_bytes(), "seed.txt"), (sample_bytes("putin"), "putin.txt")):
        summary = await h.add_article(content, name)
        assert "Subscribers to notify: 1" in summary["text"]
    assert await h.quiet(reader, 1.5) == []  # nothing before the digest

    h.app.job_queue.run_once(send_digests, 0)
    (digest,) = await h.new_messages(reader, 1, 1)
    assert digest["text"].startswith(f"🗞 Daily digest: “{TROOPS_TOPIC}”")
    assert "Putin says Western troops in Ukraine would be legitimate targets" in digest["text"]
    assert "Putin warns Western troops sent to Ukraine" in digest["text"]
    assert labels_in(digest["text"])
    assert len(digest["text"]) <= 4096

    h.app.job_queue.run_once(send_digests, 0)  # nothing new since: no second message
    assert await h.quiet(reader, 1.5) == []
    assert h.services.subscriptions.counts()["pending"] == 0
    h.standin.assert_no_refusals()


async def test_help_gives_an_example_from_the_current_corpus(bot_harness: BotHarness) -> None:
    h = bot_harness
    empty = await h.ask(4061, "/start")
    assert "What did Putin say about Western troops?" in empty["text"]

    await h.add_article(sample_bytes("dam"), "dam.txt")
    help_text = (await h.ask(4062, "/help"))["text"]
    assert "/subscribe TOPIC" in help_text and "/follow NAME" in help_text
    welcome = (await h.ask(4062, "/start"))["text"]
    example = welcome.split("for example:\n", 1)[1].split("\n", 1)[0]
    surnames = {name.split()[-1] for name in h.library.speakers()}
    assert example.startswith("What did ") and example.split()[2] in surnames, example

    answer = await h.ask(4063, example)
    assert not answer["text"].startswith("Nothing in the corpus"), answer["text"]
    h.standin.assert_no_refusals()


async def test_fan_out_stays_within_telegrams_broadcast_limits(bot_harness: BotHarness) -> None:
    h = bot_harness
    readers = list(range(4100, 4145))  # more chats than the 30 messages a second allowed
    services = h.services
    (vector,) = services.library.encode_queries([DAM_TOPIC])
    for chat in readers:
        h.standin.chat(chat)
        services.subscriptions.add(
            chat, Kind.TOPIC, DAM_TOPIC, Schedule.INSTANT, vector, services.library.embedder.name
        )

    summary = await h.add_article(sample_bytes("dam"), "dam.txt")
    assert f"Subscribers to notify: {len(readers)}" in summary["text"]
    await h.wait_until(lambda: all(h.count(c) == 1 for c in readers), timeout=20)
    await asyncio.sleep(1.0)

    assert [h.count(c) for c in readers] == [1] * len(readers)
    assert h.standin.stats.max_per_second_overall <= 30
    assert services.subscriptions.counts()["sent"] == len(readers)
    h.standin.assert_no_refusals()


def delivery_states(h: BotHarness) -> dict[str, int]:
    """Deliveries by state, straight from the store (`counts` folds 'sending' into pending)."""
    with h.services.subscriptions.store.read() as conn:
        rows = conn.execute(sa.text("SELECT state, count(*) FROM deliveries GROUP BY state"))
    return {state: n for state, n in rows}


async def test_an_unexpected_error_mid_run_leaves_no_delivery_claimed(
    bot_harness: BotHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A fault the delivery job does not expect (here: the store failing once while a message
    is composed) stops the run, and every claimed delivery is back in the queue at once; the
    next run sends each exactly once."""
    h = bot_harness
    readers = [4101, 4102, 4103]
    for reader in readers:
        await h.send(reader, f"/subscribe {DAM_TOPIC}")
    library = h.services.library
    real = type(library).results_for
    failures = []

    def results_for(self: Library, passage_ids: list[int]) -> list:
        if not failures:
            failures.append(passage_ids)
            raise StoreError("the store at briefbot.sqlite3 is locked by another process")
        return real(self, passage_ids)

    monkeypatch.setattr(type(library), "results_for", results_for)
    # Only the run the new article starts, then the one this test starts: the periodic sweep
    # and the store follower (which also matches the new article, and kicks a run of its own)
    # could otherwise send the released deliveries before the check below reads them.
    periodic = [j for n in (JOB_NAME, TAKE_IN_JOB) for j in h.app.job_queue.get_jobs_by_name(n)]
    assert {j.name for j in periodic} == {JOB_NAME, TAKE_IN_JOB}
    for job in periodic:
        job.schedule_removal()
    summary = await h.add_article(sample_bytes("dam"), "dam.txt")
    assert "Subscribers to notify: 3" in summary["text"]
    await h.wait_until(lambda: failures and delivery_states(h) == {"pending": 3})
    assert all(h.count(r) == 1 for r in readers)  # only the confirmations so far

    kick_delivery(h.app.job_queue)
    await h.wait_until(lambda: delivery_states(h) == {"sent": 3}, timeout=20)
    await asyncio.sleep(1.0)
    assert [h.count(r) for r in readers] == [2, 2, 2]
    h.standin.assert_no_refusals()


async def test_a_group_that_became_a_supergroup_keeps_its_subscriptions(
    bot_harness: BotHarness,
) -> None:
    """Telegram refuses a send to an upgraded group with its new id: the delivery goes to the
    new chat, and the subscriptions live on under the new id."""
    h = bot_harness
    group, supergroup, member = -5001, -1_000_000_005_001, 4111
    (confirmed,) = await h.send(member, f"/subscribe {DAM_TOPIC}", chat_id=group, chat_type="group")
    assert "You will get new passages" in confirmed["text"]
    h.standin.migrate(group, supergroup)

    await h.add_article(sample_bytes("dam"), "dam.txt")
    (notice,) = await h.new_messages(supergroup, 0, 1)
    assert notice["text"].startswith(f"🔔 New on “{DAM_TOPIC}”")
    book = h.services.subscriptions
    assert [s.query for s in book.of_chat(supergroup)] == [DAM_TOPIC]
    assert book.of_chat(group) == []
    await h.wait_until(lambda: delivery_states(h) == {"sent": 1})
    migrated = [r for r in h.standin.refusals if r.params.get("chat_id") == str(group)]
    assert len(migrated) == 1 and "upgraded to a supergroup" in migrated[0].description
    h.standin.assert_no_refusals(allow_codes={400})


async def test_a_digest_run_stopped_by_an_error_leaves_nothing_claimed(
    bot_harness: BotHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    h = bot_harness
    reader = 4121
    await h.send(reader, f"/subscribe {DAM_TOPIC} daily")
    await h.add_article(sample_bytes("dam"), "dam.txt")
    library = h.services.library
    real = type(library).results_for
    failures: list[list[int]] = []

    def results_for(self: Library, passage_ids: list[int]) -> list:
        if not failures:
            failures.append(passage_ids)
            raise RuntimeError("a bug while composing the digest")
        return real(self, passage_ids)

    monkeypatch.setattr(type(library), "results_for", results_for)
    h.app.job_queue.run_once(send_digests, 0)
    await h.wait_until(lambda: failures and delivery_states(h) == {"pending": 1})
    assert h.count(reader) == 1

    h.app.job_queue.run_once(send_digests, 0)
    (digest,) = await h.new_messages(reader, 1, 1)
    assert digest["text"].startswith(f"🗞 Daily digest: “{DAM_TOPIC}”")
    await h.wait_until(lambda: delivery_states(h) == {"sent": 1})
    h.standin.assert_no_refusals()
