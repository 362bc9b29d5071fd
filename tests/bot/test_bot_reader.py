"""What a reader meets beyond answers: /start and /help, unknown commands, browsing the corpus,
stopping a subscription by name, and when the digest comes."""

from __future__ import annotations

from tests.bot.conftest import ADMIN_ID, BOT_USERNAME, BotHarness, sample_bytes

READER = 4301


async def test_help_lists_commands_and_admins_see_theirs(bot_harness: BotHarness) -> None:
    h = bot_harness
    start = (await h.ask(READER, "/start"))["text"]
    help_text = (await h.ask(READER, "/help"))["text"]
    assert start != help_text
    assert "/help" in start
    for command in ("/subscribe", "/follow", "/unsubscribe", "/latest", "/articles"):
        assert command in help_text
    assert "/remove" not in help_text and "/stats" not in help_text
    admin_help = (await h.ask(ADMIN_ID, "/help"))["text"]
    assert "/remove ID" in admin_help and "/stats" in admin_help and "/add" in admin_help
    h.standin.assert_no_refusals()


async def test_an_unknown_command_gets_a_reply_but_not_another_bots(
    bot_harness: BotHarness,
) -> None:
    h = bot_harness
    reply = await h.ask(READER, "/weather Paris")
    assert reply["text"] == "I don't know /weather. Send /help for what I can do."
    group = -4_301
    addressed = await h.ask(READER, f"/weather@{BOT_USERNAME}", chat_id=group, chat_type="group")
    assert "I don't know /weather" in addressed["text"]
    h.standin.send_message(READER, "/weather@other_bot", chat_id=group, chat_type="group")
    h.standin.send_message(READER, "/weather", chat_id=group, chat_type="group")
    assert await h.quiet(group, 1.5) == []
    h.standin.assert_no_refusals()


async def test_everyone_browses_the_articles_newest_first_undated_last(
    bot_harness: BotHarness,
) -> None:
    h = bot_harness
    await h.add_article(sample_bytes("strike"), "strike.txt")
    await h.add_article(sample_bytes("putin"), "putin.txt")
    undated = "A harbour crane toppled in Orlen on Monday.\n\nNobody was hurt, the port said."
    await h.ask(ADMIN_ID, f"/add Crane toppled in Orlen harbour\n\n{undated}")
    dated = [a for a in h.library.articles() if a.published]
    assert len(dated) == 2

    listing = (await h.ask(READER, "/articles"))["text"]
    titles = [a.title for a in h.library.articles()]
    positions = [listing.index(t) for t in titles]
    assert positions == sorted(positions)
    assert listing.index("Crane toppled") > max(listing.index(a.title) for a in dated)
    assert "no date" in listing
    assert all(a.id not in listing for a in h.library.articles()), "ids are for admins"
    admin_listing = (await h.ask(ADMIN_ID, "/articles"))["text"]
    assert all(a.id in admin_listing for a in h.library.articles())

    newest = (await h.ask(READER, "/latest"))["text"]
    assert newest.startswith("Newest articles")
    assert newest.index(dated[0].title) < newest.index(dated[1].title)
    h.standin.assert_no_refusals()


async def test_unsubscribe_by_name_and_the_digest_says_when(bot_harness: BotHarness) -> None:
    h = bot_harness
    daily = await h.ask(READER, "/subscribe harbour cranes daily")
    hour = h.settings.digest_hour_utc
    assert daily["text"].endswith(f"in a daily digest at {hour:02d}:00 UTC.")
    await h.send(READER, "/follow Anna Koval")
    await h.send(READER, "/subscribe port strike")

    stopped = await h.ask(READER, "/unsubscribe Koval")
    assert stopped["text"] == "Stopped “Anna Koval”."
    stopped = await h.ask(READER, "/unsubscribe Port Strike")
    assert stopped["text"] == "Stopped “port strike”."
    unknown = await h.ask(READER, "/unsubscribe volcanoes")
    assert unknown["text"].startswith("You follow nothing called “volcanoes”.")
    assert [b["text"] for row in unknown["reply_markup"]["inline_keyboard"] for b in row] == [
        "✖ harbour cranes"
    ]
    remaining = h.services.subscriptions.of_chat(READER)
    assert [s.query for s in remaining] == ["harbour cranes"]
    h.standin.assert_no_refusals()
