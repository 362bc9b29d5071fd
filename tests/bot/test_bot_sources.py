"""Sources a reader can trust, through the stand-in: the address and outlet an admin gives or
the page declares, headlines rather than datelines, and cards that stay short on a phone."""

from __future__ import annotations

import json

from tests.bot.conftest import ADMIN_ID, BotHarness

READER = 4601

LONG = (
    "Engineers closed the harbour bridge of Velm on Thursday after inspectors found cracks in "
    "two of its steel girders during a routine check, and the city said it would stay shut "
    "until a full survey of the structure was finished, which could take several weeks. "
    "Traffic was sent over the old town bridge, where queues of more than an hour formed in "
    "the evening, and the ferry across the harbour added four crossings a day."
)
BRIDGE = (
    "https://velm-daily.example/bridge-cracks Velm Daily\n\n"
    "Cracks close Velm harbour bridge\n\n"
    "VELM, Oct. 30, 2025\n\n"
    f"{LONG}\n\n"
    "The bridge, built in 1974, carries 40,000 vehicles a day across the harbour of Velm.\n\n"
    "[Book a ferry here](https://velm-ferries.example/book)."
)
PAGE = (
    "<html><head><title>Orlen Courier | Crane</title>"
    '<meta property="og:site_name" content="Orlen Courier">'
    '<meta property="article:published_time" content="2025-11-04T09:00:00+01:00">'
    '<link rel="canonical" href="https://orlen-courier.example/crane">'
    "</head><body><p>ORLEN, Nov. 4, 2025</p><h1>Storm topples crane in Orlen harbour</h1>"
    "<p>A storm toppled a container crane in the harbour of Orlen on Tuesday night.</p>"
    "<p>Nobody was hurt, the port of Orlen said.</p>"
    "<p><a href='https://orlen-courier.example/newsletter'>Sign up for our newsletter</a></p>"
    "</body></html>"
)


def entity_types(message: dict) -> set[str]:
    return {e["type"] for e in message.get("entities", [])}


async def test_an_added_text_keeps_its_address_and_outlet_and_reads_short(
    bot_harness: BotHarness,
) -> None:
    h = bot_harness
    added = await h.ask(ADMIN_ID, f"/add {BRIDGE}")
    assert added["text"].startswith("✅ Added Cracks close Velm harbour bridge"), added["text"]
    assert "Date: 30 Oct 2025" in added["text"] and "Velm Daily" in added["text"]
    [article] = h.library.articles()
    assert (article.url, article.source) == ("https://velm-daily.example/bridge-cracks",
                                             "Velm Daily")  # fmt: skip
    passages = h.library.store.get(article.id).passages
    assert not any("Book a ferry" in p.text or p.text.startswith("VELM") for p in passages)

    answer = await h.ask(READER, "why was the Velm harbour bridge closed?")
    text = answer["text"]
    assert "· Body" not in text
    assert text.count("Cracks close Velm harbour bridge") == 1, "the title once a message"
    assert "Velm Daily · 30 Oct 2025" in text
    assert "expandable_blockquote" in entity_types(answer)
    links = [e["url"] for e in answer["entities"] if e["type"] == "text_link"]
    assert links == ["https://velm-daily.example/bridge-cracks"]
    sent = [c for c in h.standin.sent_log
            if c.method == "sendMessage" and str(c.params["chat_id"]) == str(READER)]  # fmt: skip
    [call] = [c for c in sent if c.result["message_id"] == answer["message_id"]]
    preview = call.params["link_preview_options"]
    preview = json.loads(preview) if isinstance(preview, str) else preview
    assert preview["url"] == "https://velm-daily.example/bridge-cracks"
    h.standin.assert_no_refusals()


async def test_a_page_gives_its_own_headline_outlet_address_and_date(
    bot_harness: BotHarness,
) -> None:
    h = bot_harness
    added = await h.upload(ADMIN_ID, "crane.html", PAGE.encode(), caption=None,
                           mime_type="text/html")  # fmt: skip
    assert added["text"].startswith("✅ Added Storm topples crane in Orlen harbour")
    assert "Date: 04 Nov 2025" in added["text"]
    [article] = h.library.articles()
    assert (article.source, article.url) == ("Orlen Courier", "https://orlen-courier.example/crane")
    passages = h.library.store.get(article.id).passages
    assert not any("newsletter" in p.text or p.text.startswith("ORLEN") for p in passages)
    answer = await h.ask(READER, "what toppled the crane in Orlen?")
    assert "Orlen Courier · 04 Nov 2025" in answer["text"]
    h.standin.assert_no_refusals()
