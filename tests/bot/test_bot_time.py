"""Time, as a reader asks about it through the stand-in: what is new, what a month or this
week brought, and which of two articles on one story is the later word; and the button under a
who-said answer, which follows the person."""

from __future__ import annotations

from datetime import date

from tests.bot.conftest import ADMIN_ID, BotHarness, button_data, buttons

READER = 4401

OLDER = (
    "Brisk ferry strike enters its second week\n\n"
    "Published Oct. 10, 2025\n\n"
    "The strike by crews of Halden Ferries in Brisk entered its second week on Friday, and "
    "the Brisk Ferry Workers Union said the strike would not end until Halden Ferries raised "
    "pay. Ona Marr, who leads the union, said talks with Halden Ferries had stalled.\n\n"
    "Islanders in Brisk have been crossing on fishing boats since the ferries stopped."
)
NEWER = (
    "Brisk ferry crews return as pay deal is signed\n\n"
    "Published Oct. 24, 2025\n\n"
    "Crews of Halden Ferries in Brisk went back to work on Thursday after the Brisk Ferry "
    "Workers Union and Halden Ferries signed a pay deal. Ona Marr, who leads the union, said "
    "the two-week stoppage was over.\n\n"
    "The first ferry left Brisk harbour at noon, the company said."
)
NOVEMBER = (
    "Orrin library reopens after roof repairs\n\n"
    "Published Nov. 3, 2025\n\n"
    "The public library of Orrin reopened on Monday after eight months of roof repairs.\n\n"
    "Readers queued outside before the doors opened at nine, the library said."
)


def this_week() -> str:
    return (
        "Velm market hall gets a new clock\n\n"
        f"Published {date.today():%d %B %Y}\n\n"
        "The market hall of Velm has a new clock above its main door, the town said.\n\n"
        "The old clock stopped in a storm two winters ago."
    )


async def add_all(h: BotHarness) -> None:
    for text in (OLDER, NEWER, NOVEMBER, this_week()):
        reply = await h.ask(ADMIN_ID, f"/add {text}")
        assert reply["text"].startswith("✅ Added"), reply["text"]


async def test_questions_about_time_are_answered_newest_first(bot_harness: BotHarness) -> None:
    h = bot_harness
    await add_all(h)
    stored = {a.title: a.published for a in h.library.articles()}
    assert stored["Brisk ferry strike enters its second week"] == date(2025, 10, 10)
    passages = [p.text for a in h.library.articles() for p in h.library.store.get(a.id).passages]
    assert not any(t.startswith("Published") for t in passages), "a dateline is no passage"

    newest = await h.ask(READER, "what's new?")
    new = newest["text"]
    assert new.index("Velm market hall") < new.index("Orrin library")
    assert "Nothing" not in new
    assert not any(b["callback_data"].startswith("sub:") for b in buttons(newest))

    october = (await h.ask(READER, "what happened in October 2025?"))["text"]
    assert "published in October 2025" in october
    assert "Orrin" not in october and "Velm" not in october
    assert october.index("pay deal is signed") < october.index("enters its second week")

    week = (await h.ask(READER, "any news this week?"))["text"]
    assert "Velm market hall" in week and "Brisk" not in week and "Orrin" not in week

    empty = (await h.ask(READER, "what happened in March 2019?"))["text"]
    assert empty.startswith("Nothing published in March 2019 answers this.")
    h.standin.assert_no_refusals()


async def test_the_later_article_on_a_story_comes_first(bot_harness: BotHarness) -> None:
    h = bot_harness
    await add_all(h)
    answer = await h.ask(READER, "did the Brisk ferry strike end?")
    first_card = answer["text"].split("\n\n")[1]
    assert "Brisk ferry crews return as pay deal is signed" in first_card, answer["text"]
    h.standin.assert_no_refusals()


async def test_the_button_under_a_who_said_answer_follows_the_person(
    bot_harness: BotHarness,
) -> None:
    h = bot_harness
    await add_all(h)
    answer = await h.ask(READER, "what did Ona Marr say about the ferry strike?")
    [button] = [b for b in buttons(answer) if b["callback_data"].startswith("sub:")]
    assert button["text"] == "👤 Follow Ona Marr"
    [reply] = await h.press(READER, answer, button["callback_data"])
    assert reply["text"] == "🔔 You will get statements by “Ona Marr”."
    listed = (await h.ask(READER, "/subscriptions"))["text"]
    assert "👤 Ona Marr" in listed and "what did" not in listed
    topic = await h.ask(READER, "is the Orrin library open again?")
    assert button_data(topic, "sub:") and "Subscribe to this topic" in str(buttons(topic))
    h.standin.assert_no_refusals()
