"""Admin paths end to end: uploads, hostile article text, refusals for everyone else."""

from __future__ import annotations

import logging
import re

import pytest

from tests.bot.conftest import ADMIN_ID, BotHarness, button_data, buttons, sample_bytes, seed_bytes

USER = 3001

HOSTILE_TITLE = (
    'Quarvish <b>council</b> & "friends" adopt the <script>alert(1)</script> toaster levy'
)


def hostile_article() -> str:
    """A briefing whose every section is full of markup-like text; about 10,000 characters."""
    filler = [
        "The toaster levy <b>unclosed applies to every smart toaster sold after Nov. 1, "
        "and 3 < 4 && 9 > 7 according to the council's own <i>arithmetic.",
        'Retailers said the &notanentity; clause & the <span class="x">tag</span> rule '
        "were 'unworkable', while the council's <a href=\"javascript:alert(1)\">site</a> "
        "listed the levy at 4 marks <per> toaster.",
        "A leaked memo titled <script>document.cookie</script> & <iframe src=x> "
        "estimated revenue of 2.1 million marks > the 1.5 million forecast < last year.",
        "Toaster makers in Quarvish & Dremmel warned of <<price rises>> and "
        '&amp;-escaped &lt;confusion&gt; on labels; "smart" models are hit hardest.',
    ]
    facts = []
    for i in range(34):
        sentence = filler[i % len(filler)]
        facts.append(f"Paragraph {i + 1}: {sentence} Item {i} of the <toaster> file & more.")
    return "\n".join(
        [
            HOSTILE_TITLE,
            "",
            "Lead: On Oct. 20, 2025 in Quarvish, the <i>city</i> council voted 5 < 7 && 9 > 3 "
            'to adopt a <script> levy & a fee on "smart" toasters, the first such tax.',
            "",
            "Key Takeaways",
            "",
            "  • The toaster levy <b>unclosed is 4 marks per toaster & starts on Nov. 1.",
            "  • Council member Avel Drost called the <u>levy</u> 'historic' & \"overdue\".",
            "  • The &notanentity; clause exempts toasters older than 2015 </b></i>.",
            "",
            "Verified Facts",
            "",
            "\n\n".join(facts),
            "",
            "Official Statements",
            "",
            "“The <script> toaster levy & the <b>fee</b> are here to stay; 3 < 4 > 2 &amp; "
            "&notanentity; will not change that.”",
            "",
            "Avel Drost, Mayor of <Quarvish> & Dremmel (Quarvish, Oct. 20, 2025)",
            "",
            "Unconfirmed",
            "",
            "  • Reports say the <tg-spoiler>levy</tg-spoiler> could double to 8 marks in 2027.",
            "",
            "Bottom Line",
            "",
            "The <b>toaster levy</b> & its &notanentity; clause will test whether <script> "
            "taxes on smart appliances can survive a court challenge " + "x" * 2000,
            "",
        ]
    )


async def test_hostile_article_renders_valid_escaped_messages(bot_harness: BotHarness) -> None:
    h = bot_harness
    text = hostile_article()
    assert 9_000 <= len(text) <= 12_000
    subscriber = 3100
    await h.send(subscriber, "/subscribe smart toaster levy")

    summary = await h.add_article(text.encode("utf-8"), "toasters.txt")
    assert "<script>alert(1)</script>" in summary["text"]
    assert "Subscribers to notify: 1" in summary["text"]
    (notice,) = await h.new_messages(subscriber, 1, 1)
    assert "toaster" in notice["text"].lower()

    answers = []
    for i, question in enumerate(
        [
            "what is the toaster levy?",
            "what did Avel Drost say about the toaster levy?",
            "what did the leaked memo estimate?",
        ]
    ):
        answers.append(await h.ask(3200 + i, question))
    more = answers[0]
    (page2,) = await h.press(more["chat"]["id"], more, button_data(more, "more:"))
    answers.append(page2)
    articles = await h.ask(ADMIN_ID, "/articles")

    shown = "\n".join(m["text"] for m in [*answers, notice, articles])
    assert "<script>" in shown
    assert "&notanentity;" in shown
    assert "<b>unclosed" in shown
    assert "3 < 4" in shown
    assert "— Avel Drost, Mayor of <Quarvish> & Dremmel (Quarvish, Oct. 20, 2025)" in shown
    for chat in (ADMIN_ID, subscriber, 3200, 3201, 3202):
        for message in h.standin.messages(chat):
            assert 0 < len(message["text"]) <= 4096
            # Only the bot's own markup became entities (a long passage is an expandable
            # quote): no link to javascript: and no spoiler.
            kinds = {e["type"] for e in message.get("entities", [])}
            own = {"bold", "italic", "text_link", "code", "blockquote", "expandable_blockquote"}
            assert kinds <= own, kinds
    h.standin.assert_no_refusals()


async def test_document_uploads_are_ingested_or_refused_with_a_reason(
    bot_harness: BotHarness,
) -> None:
    h = bot_harness
    store = h.library.store

    txt = await h.upload(ADMIN_ID, "putin.txt", sample_bytes("putin"), caption="/add")
    assert "Added Putin warns Western troops sent to Ukraine" in txt["text"]
    assert "Date: 05 Sep 2025" in txt["text"]
    assert "Sections: Lead, Key Takeaways, Verified Facts" in txt["text"]
    assert re.search(r"Passages: .*\d+ ✅ Verified", txt["text"])
    assert "On record" not in txt["text"]  # the sample retells what was said, quoting no one
    assert "Subscribers to notify: 0" in txt["text"]

    page = (
        "<!doctype html><html><head><title>Ignored head title</title></head><body>"
        "<nav>Home | World</nav><h1>Harbour bridge in Velm closes after cracks found</h1>"
        "<p>Lead: On Oct. 30, 2025 in Velm, engineers closed the harbour bridge after "
        "inspectors found cracks in two steel girders.</p>"
        "<h2>Verified Facts</h2><p>The bridge carries 40,000 vehicles a day and was "
        "built in 1974. Inspectors found the cracks during a routine check.</p>"
        "<h2>Official Statements</h2><p>“We will not reopen the bridge until it is safe.”</p>"
        "<p>Mira Tolvan, Velm city engineer (Velm, Oct. 30, 2025)</p>"
        "<h2>Unconfirmed</h2><ul><li>Repairs could take six months.</li></ul>"
        "<footer>© Velm Daily</footer></body></html>"
    )
    html = await h.upload(ADMIN_ID, "bridge.html", page.encode(), caption=None,
                          mime_type="text/html")  # fmt: skip
    assert "Added Harbour bridge in Velm closes after cracks found" in html["text"]
    assert "Date: 30 Oct 2025" in html["text"]
    assert "Official Statements" in html["text"]
    assert "🗣 On record" in html["text"] and "⚠️ Unconfirmed" in html["text"]
    assert "Subscribers to notify: 0" in html["text"]
    assert store.count_articles() == 2

    binary = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4
    refused = await h.upload(ADMIN_ID, "photo.txt", binary, caption="/add")
    assert refused["text"] == "Not added: this looks like a binary file, not text."
    pdf = await h.upload(ADMIN_ID, "report.pdf", b"%PDF-1.4\n%\xe2\xe3\n", caption="/add",
                         mime_type="application/pdf")  # fmt: skip
    assert "I can add .txt, .md and .html files only" in pdf["text"]
    duplicate = await h.upload(ADMIN_ID, "again.txt", sample_bytes("putin"))
    assert duplicate["text"].startswith("Already in the corpus:")
    assert store.count_articles() == 2

    answer = await h.ask(3300, "why did the Velm harbour bridge close?")
    assert "Harbour bridge in Velm" in answer["text"]
    h.standin.assert_no_refusals()


async def test_admin_lists_counts_and_removes_articles(bot_harness: BotHarness) -> None:
    h = bot_harness
    summary = await h.add_article(sample_bytes("dam"), "dam.txt")
    article_id = re.search(r"id ([0-9a-f]{16})", summary["text"])[1]

    listing = await h.ask(ADMIN_ID, "/articles")
    assert article_id in listing["text"] and "Dam on Ostrel River" in listing["text"]
    stats = await h.ask(ADMIN_ID, "/stats")
    assert "Articles: 1" in stats["text"] and "Deliveries pending: 0" in stats["text"]

    removed = await h.ask(ADMIN_ID, f"/remove {article_id}")
    assert removed["text"].startswith("Removed Dam on Ostrel River")
    assert h.library.store.count_articles() == 0
    nothing = await h.ask(3400, "why did the Ostrel dam fail?")
    assert nothing["text"].startswith("Nothing in the corpus answers this yet.")
    (tell_me,) = [b for b in buttons(nothing) if b["callback_data"].startswith("sub:")]
    assert tell_me["text"] == "🔔 Tell me when this appears"

    (confirmation,) = await h.press(3400, nothing, tell_me["callback_data"])
    assert "why did the Ostrel dam fail?" in confirmation["text"]
    assert [s.query for s in h.services.subscriptions.of_chat(3400)] == [
        "why did the Ostrel dam fail?"
    ]
    h.standin.assert_no_refusals()


async def test_non_admins_are_refused_on_every_admin_path(
    bot_harness: BotHarness, caplog: pytest.LogCaptureFixture
) -> None:
    h = bot_harness
    caplog.set_level(logging.WARNING, logger="bot")
    summary = await h.add_article(sample_bytes("putin"), "putin.txt")
    article_id = re.search(r"id ([0-9a-f]{16})", summary["text"])[1]

    replies = []
    for command in (
        "/add Breaking: a fake article\n\nLead: nothing happened at all.",
        f"/remove {article_id}",
        "/stats",
    ):
        replies.append(await h.ask(USER, command))
    replies.append(await h.upload(USER, "fake.txt", sample_bytes("dam"), caption="/add"))
    replies.append(await h.upload(USER, "fake2.txt", sample_bytes("breach"), caption=None))
    for reply in replies:
        assert reply["text"] == "Sorry, only admins can do that."

    assert await h.quiet(USER, 0.5) == []

    assert h.library.store.count_articles() == 1
    assert [a.id for a in h.library.articles()] == [article_id]
    refusals = [r for r in caplog.records if r.name == "bot.admin" and "refused" in r.message]
    assert len(refusals) == 5, [r.message for r in refusals]
    assert all(str(USER) in r.message for r in refusals)
    h.standin.assert_no_refusals()


async def test_forged_buttons_leak_nothing_from_other_chats(bot_harness: BotHarness) -> None:
    h = bot_harness
    await h.add_article(seed_bytes(), "seed.txt")
    owner, intruder = 3501, 3502
    answer = await h.ask(owner, "what did Putin say about Western troops?")
    more = button_data(answer, "more:")
    sub = button_data(answer, "sub:")
    await h.send(owner, "/subscribe Western troops in Ukraine")
    (owned,) = h.services.subscriptions.of_chat(owner)
    own_help = await h.ask(intruder, "/help")

    await h.press(intruder, own_help, more, forged=True, expect=0)
    (expired,) = await h.press(intruder, own_help, sub, forged=True)
    await h.press(intruder, own_help, f"unsub:{owned.id}", forged=True, expect=0)
    await h.press(intruder, own_help, "more:999999:3", forged=True)
    await h.press(intruder, own_help, "bogus", forged=True, expect=0)

    leaked = "\n".join(m["text"] for m in h.standin.messages(intruder))
    assert "legitimate targets" not in leaked and "Western troops" not in leaked
    assert expired["text"].startswith("That answer has expired")
    assert h.services.subscriptions.of_chat(intruder) == []
    assert h.services.subscriptions.of_chat(owner) == [owned]
    h.standin.assert_no_refusals()


async def test_add_takes_the_article_from_the_message_or_the_replied_one(
    bot_harness: BotHarness,
) -> None:
    h = bot_harness
    tram = sample_bytes("tram").decode("utf-8")
    pasted = await h.ask(ADMIN_ID, "/add\n" + tram)
    assert pasted["text"].startswith(
        "✅ Added Lindmark council backs 410-million tram extension to the airport"
    ), pasted["text"]
    assert "format: plain" in pasted["text"]

    recount = sample_bytes("recount").decode("utf-8")
    before = h.count(ADMIN_ID)
    held = h.standin.send_message(ADMIN_ID, recount)["message"]
    await h.new_messages(ADMIN_ID, before, 1)  # in a private chat it is a question, too
    await h.pace(ADMIN_ID)
    before = h.count(ADMIN_ID)
    h.standin.send_message(ADMIN_ID, "/add", reply_to_message_id=held["message_id"])
    (added,) = await h.new_messages(ADMIN_ID, before, 1)
    added = await h.settled(ADMIN_ID, added)  # a working message first on a slow machine
    assert added["text"].startswith("✅ Added Recount confirms Sela Marhoff as Brevik mayor")

    titles = sorted(a.title for a in h.library.articles())
    assert titles == [
        "Lindmark council backs 410-million tram extension to the airport after six-hour debate",
        "Recount confirms Sela Marhoff as Brevik mayor by 112 votes",
    ]
    usage = await h.ask(ADMIN_ID, "/add")
    assert usage["text"].startswith("Send /add followed by the article text")
    h.standin.assert_no_refusals()
