"""The Bot API stand-in, driven by a real python-telegram-bot ``Bot`` over HTTP."""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
import telegram
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, ReplyParameters
from telegram.error import BadRequest, Forbidden, InvalidToken, RetryAfter
from telegram.ext import ApplicationBuilder, CommandHandler, ContextTypes

from standin import EntityParseError, StandIn, StandInError, parse_html
from standin.ratelimit import RateLimiter
from tests.conftest import shared_path, spec_or_none

pytestmark = [
    pytest.mark.filterwarnings("ignore:Please use 'Bot:UserWarning"),
    pytest.mark.filterwarnings("ignore:Deprecated since version v22.2:DeprecationWarning"),
]

USER = 1001
LONG_POLL = 60  # seconds a long poll may wait; far beyond any wake-up on a busy machine


def _keyboard(*datas: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(d, callback_data=d)] for d in datas])


@pytest.fixture
async def standin() -> AsyncIterator[StandIn]:
    server = StandIn(spec_path=spec_or_none())
    await server.start()
    try:
        yield server
        server.assert_no_refusals()
    finally:
        await server.stop()


@pytest.fixture
def spec() -> Path:
    """For the tests of the stand-in's checks against the Bot API contract itself."""
    return shared_path("telegram", "api.json")


@pytest.fixture
async def bot(standin: StandIn) -> AsyncIterator[telegram.Bot]:
    async with telegram.Bot(
        standin.token, base_url=standin.base_url, base_file_url=standin.base_file_url
    ) as real_bot:
        yield real_bot


def _take_refusal(standin: StandIn, fragment: str) -> None:
    """The last call was refused with ``fragment`` in its description; forget it."""
    assert standin.refusals, "expected a refusal"
    assert fragment in standin.refusals[-1].description, standin.refusals
    standin.clear_refusals()


# -- what a working bot does ---------------------------------------------------------------


async def test_get_me(bot: telegram.Bot, standin: StandIn) -> None:
    me = await bot.get_me()
    assert me.username == "briefbot_test_bot"
    assert me.is_bot
    assert me.id == standin.bot_user.id


async def test_send_html_message_returns_entities(bot: telegram.Bot, standin: StandIn) -> None:
    sent = await bot.send_message(
        USER, '<b>Bold</b> &amp; <a href="https://example.org">link</a>', parse_mode="HTML"
    )
    assert sent.text == "Bold & link"
    assert [(e.type, e.offset, e.length) for e in sent.entities] == [
        ("bold", 0, 4),
        ("text_link", 7, 4),
    ]
    assert sent.entities[1].url == "https://example.org"
    assert sent.chat.id == USER and sent.from_user.id == standin.bot_user.id
    assert standin.messages(USER)[0]["text"] == "Bold & link"


async def test_keyboard_press_answer_and_edit(bot: telegram.Bot, standin: StandIn) -> None:
    sent = await bot.send_message(USER, "Pick one", reply_markup=_keyboard("yes", "no"))
    assert sent.reply_markup == _keyboard("yes", "no")
    shown = standin.messages(USER)[0]
    standin.press_button(USER, shown, "yes")

    (update,) = await bot.get_updates(timeout=1)
    query = update.callback_query
    assert query.data == "yes" and query.message.message_id == sent.message_id
    assert await query.answer("Noted")
    assert standin.callback_answers[-1]["text"] == "Noted"

    edited = await bot.edit_message_text("Picked yes", chat_id=USER, message_id=sent.message_id)
    assert edited.text == "Picked yes" and edited.reply_markup is None
    (current,) = standin.messages(USER)
    assert current["text"] == "Picked yes" and "reply_markup" not in current
    assert [call.method for call in standin.sent_log] == ["sendMessage", "editMessageText"]


async def test_press_button_refuses_data_the_message_lacks(
    bot: telegram.Bot, standin: StandIn
) -> None:
    await bot.send_message(USER, "Pick", reply_markup=_keyboard("a"))
    message = standin.messages(USER)[0]
    with pytest.raises(StandInError):
        standin.press_button(USER, message, "b")
    update = standin.press_button(USER, message, "b", forged=True)
    assert update["callback_query"]["data"] == "b"


async def test_edit_to_same_content_is_refused(bot: telegram.Bot, standin: StandIn) -> None:
    sent = await bot.send_message(USER, "Same")
    with pytest.raises(BadRequest, match="not modified"):
        await bot.edit_message_text("Same", chat_id=USER, message_id=sent.message_id)
    _take_refusal(standin, "message is not modified")


async def test_delete_message(bot: telegram.Bot, standin: StandIn) -> None:
    sent = await bot.send_message(USER, "Bye")
    assert await bot.delete_message(USER, sent.message_id)
    assert standin.messages(USER) == []
    with pytest.raises(BadRequest, match="not found"):
        await bot.delete_message(USER, sent.message_id)
    _take_refusal(standin, "message to delete not found")


async def test_get_updates_offsets_and_entities(bot: telegram.Bot, standin: StandIn) -> None:
    standin.send_message(USER, "/start@briefbot_test_bot hi", first_name="Ann")
    standin.send_message(USER, "hello @briefbot_test_bot")
    first, second = await bot.get_updates()
    assert first.message.text.startswith("/start") and first.message.from_user.first_name == "Ann"
    assert [(e.type, e.offset, e.length) for e in first.message.entities] == [
        ("bot_command", 0, 24)
    ]
    assert [(e.type, e.offset) for e in second.message.entities] == [("mention", 6)]
    assert await bot.get_updates(offset=second.update_id + 1) == ()
    assert standin.pending_updates == []


async def test_long_poll_wakes_on_new_update(bot: telegram.Bot, standin: StandIn) -> None:
    loop = asyncio.get_running_loop()
    loop.call_later(0.1, standin.send_message, USER, "late")
    started = time.monotonic()
    (update,) = await bot.get_updates(timeout=LONG_POLL, read_timeout=LONG_POLL + 10)
    assert update.message.text == "late"
    # Returned before the poll's own timeout: the update woke it (not a speed bound).
    assert time.monotonic() - started < LONG_POLL


async def test_stop_releases_long_poll(standin: StandIn, bot: telegram.Bot) -> None:
    poll = asyncio.create_task(bot.get_updates(timeout=LONG_POLL, read_timeout=LONG_POLL + 10))
    await asyncio.sleep(0.1)
    started = time.monotonic()
    await standin.stop()
    assert await poll == ()
    # Returned before the poll's own timeout: stopping released it (not a speed bound).
    assert time.monotonic() - started < LONG_POLL


async def test_user_document_get_file_and_download(bot: telegram.Bot, standin: StandIn) -> None:
    standin.send_document(USER, "notes.txt", b"briefing notes", "text/plain", caption="mine")
    (update,) = await bot.get_updates()
    document = update.message.document
    assert document.file_name == "notes.txt" and document.file_size == 14
    assert update.message.caption == "mine"
    file = await document.get_file()
    assert bytes(await file.download_as_bytearray()) == b"briefing notes"
    buffer = __import__("io").BytesIO()
    await file.download_to_memory(buffer)
    assert buffer.getvalue() == b"briefing notes"


async def test_bot_uploads_document(bot: telegram.Bot, standin: StandIn) -> None:
    sent = await bot.send_document(
        USER, b"a,b\n1,2\n", filename="table.csv", caption="<i>table</i>", parse_mode="HTML"
    )
    assert sent.caption == "table" and sent.caption_entities[0].type == "italic"
    file = await bot.get_file(sent.document.file_id)
    assert bytes(await file.download_as_bytearray()) == b"a,b\n1,2\n"


async def test_chat_action_and_get_chat(bot: telegram.Bot, standin: StandIn) -> None:
    standin.send_message(USER, "hi", first_name="Ann")
    assert await bot.send_chat_action(USER, "typing")
    assert standin.chat_actions == [(USER, "typing")]
    chat = await bot.get_chat(USER)
    assert chat.type == "private" and chat.first_name == "Ann"


async def test_commands_round_trip(bot: telegram.Bot, standin: StandIn) -> None:
    assert await bot.set_my_commands([("ask", "Ask a question"), ("help", "Help")])
    assert [c.command for c in await bot.get_my_commands()] == ["ask", "help"]
    assert await bot.delete_my_commands()
    assert await bot.get_my_commands() == ()


async def test_inline_query_answer(bot: telegram.Bot, standin: StandIn) -> None:
    standin.inline_query(USER, "rates")
    (update,) = await bot.get_updates()
    result = telegram.InlineQueryResultArticle(
        "r1", "Rates", telegram.InputTextMessageContent("<b>Rates</b>", parse_mode="HTML")
    )
    assert await update.inline_query.answer([result])
    assert standin.inline_answers[-1]["results"][0]["id"] == "r1"


async def test_reply_parameters_and_link_preview(bot: telegram.Bot, standin: StandIn) -> None:
    asked = standin.send_message(USER, "question")["message"]
    sent = await bot.send_message(
        USER,
        "answer",
        reply_parameters=ReplyParameters(asked["message_id"]),
        link_preview_options=telegram.LinkPreviewOptions(is_disabled=True),
    )
    assert sent.reply_to_message.text == "question"


async def test_application_replies_through_polling(standin: StandIn) -> None:
    async def start(update: telegram.Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.effective_message.reply_html("<b>Welcome</b>")

    app = (
        ApplicationBuilder()
        .token(standin.token)
        .base_url(standin.base_url)
        .base_file_url(standin.base_file_url)
        .build()
    )
    app.add_handler(CommandHandler("start", start))
    async with app:
        await app.start()
        await app.updater.start_polling(poll_interval=0, timeout=1)
        standin.send_message(USER, "/start")
        (reply,) = await standin.wait_for_messages(USER, 1, timeout=5)
        await app.updater.stop()
        await app.stop()
    assert reply["text"] == "Welcome"
    assert reply["entities"] == [{"type": "bold", "offset": 0, "length": 7}]


# -- what Telegram refuses ------------------------------------------------------------------


@pytest.mark.usefixtures("spec")
async def test_unknown_parameter_refused(bot: telegram.Bot, standin: StandIn) -> None:
    with pytest.raises(BadRequest, match=r"(?i)nknown parameter 'colour'"):
        await bot.send_message(USER, "x", api_kwargs={"colour": "red"})
    _take_refusal(standin, "unknown parameter 'colour'")


@pytest.mark.usefixtures("spec")
async def test_missing_required_parameter_refused(bot: telegram.Bot, standin: StandIn) -> None:
    with pytest.raises(BadRequest, match=r"(?i)'text' is required"):
        await bot.do_api_request("send_message", {"chat_id": USER})
    _take_refusal(standin, "parameter 'text' is required")


@pytest.mark.parametrize(
    ("params", "fragment"),
    [
        ({"chat_id": USER, "text": "x", "disable_notification": "maybe"}, "expected Boolean"),
        ({"chat_id": "not-a-number", "text": "x"}, "chat not found"),
        (
            {"chat_id": USER, "text": "x", "reply_markup": {"inline_keyboard": [[{"text": 1}]]}},
            "inline_keyboard[0][0].text: expected String",
        ),
        (
            {"chat_id": USER, "text": "x", "reply_parameters": {"message_id": 1, "x": 1}},
            "reply_parameters.x: unknown field of ReplyParameters",
        ),
        (
            {"chat_id": USER, "text": "x", "reply_parameters": {"chat_id": 1}},
            "message_id: required field of ReplyParameters is missing",
        ),
        (
            {"chat_id": USER, "text": "x", "link_preview_options": {"is_disabled": "no"}},
            "is_disabled: expected Boolean",
        ),
        ({"chat_id": USER, "text": "x", "reply_markup": "{not json"}, "can't parse JSON"),
    ],
)
@pytest.mark.usefixtures("spec")
async def test_wrong_types_refused(
    bot: telegram.Bot, standin: StandIn, params: dict[str, object], fragment: str
) -> None:
    with pytest.raises(BadRequest):
        await bot.do_api_request("send_message", params)
    _take_refusal(standin, fragment)


async def test_text_length_limits(bot: telegram.Bot, standin: StandIn) -> None:
    assert (await bot.send_message(USER, "a" * 4096)).text == "a" * 4096
    with pytest.raises(BadRequest, match="too long"):
        await bot.send_message(USER + 1, "a" * 4097)
    _take_refusal(standin, "message is too long")
    # Tags do not count: 4096 characters after parsing are fine.
    await bot.send_message(USER + 2, "<b>" + "a" * 4096 + "</b>", parse_mode="HTML")
    with pytest.raises(BadRequest, match="empty"):
        await bot.send_message(USER + 3, "<b></b>", parse_mode="HTML")
    _take_refusal(standin, "message text is empty")


@pytest.mark.parametrize(
    "html",
    ["<div>x</div>", "<b>unclosed", "fish & chips", "<a>no href</a>", "<b><i>x</b></i>"],
)
async def test_bad_html_refused(bot: telegram.Bot, standin: StandIn, html: str) -> None:
    with pytest.raises(BadRequest, match="parse entities"):
        await bot.send_message(USER, html, parse_mode="HTML")
    _take_refusal(standin, "can't parse entities")


async def test_callback_data_limit(bot: telegram.Bot, standin: StandIn) -> None:
    await bot.send_message(USER, "ok", reply_markup=_keyboard("x" * 64))
    with pytest.raises(BadRequest, match=r"(?i)BUTTON_DATA_INVALID"):
        await bot.send_message(USER, "too long", reply_markup=_keyboard("x" * 65))
    _take_refusal(standin, "BUTTON_DATA_INVALID")
    with pytest.raises(BadRequest, match=r"(?i)Text buttons are unallowed"):
        await bot.send_message(
            USER, "no action", reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("t")]])
        )
    _take_refusal(standin, "Text buttons are unallowed")


async def test_callback_answer_rules(bot: telegram.Bot, standin: StandIn) -> None:
    await bot.send_message(USER, "Pick", reply_markup=_keyboard("a"))
    query_id = standin.press_button(USER, standin.messages(USER)[0], "a")["callback_query"]["id"]
    with pytest.raises(BadRequest, match="200"):
        await bot.answer_callback_query(query_id, "x" * 201)
    _take_refusal(standin, "exceeds 200")
    assert await bot.answer_callback_query(query_id)
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await bot.answer_callback_query(query_id)
    _take_refusal(standin, "query is too old")


async def test_inline_results_limits(bot: telegram.Bot, standin: StandIn) -> None:
    query_id = standin.inline_query(USER, "q")["inline_query"]["id"]
    content = telegram.InputTextMessageContent("t")
    many = [telegram.InlineQueryResultArticle(str(i), "t", content) for i in range(51)]
    with pytest.raises(BadRequest, match=r"(?i)RESULTS_TOO_MUCH"):
        await bot.answer_inline_query(query_id, many)
    _take_refusal(standin, "RESULTS_TOO_MUCH")
    long_id = [telegram.InlineQueryResultArticle("i" * 65, "t", content)]
    with pytest.raises(BadRequest, match=r"(?i)RESULT_ID_INVALID"):
        await bot.answer_inline_query(query_id, long_id)
    _take_refusal(standin, "RESULT_ID_INVALID")


async def test_rate_limit_per_private_chat(bot: telegram.Bot, standin: StandIn) -> None:
    for n in range(3):  # the burst allowance
        await bot.send_message(USER, f"m{n}")
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(USER, "one too many")
    assert caught.value.retry_after >= 1
    _take_refusal(standin, "Too Many Requests")
    await bot.send_message(USER + 1, "another chat is fine")
    assert standin.stats.max_per_second_by_chat[USER] == 3


async def test_rate_limit_overall_and_group() -> None:
    async with (
        StandIn(
            spec_path=spec_or_none(), overall_per_second=5, chat_burst=50, group_per_minute=4
        ) as server,
        telegram.Bot(server.token, base_url=server.base_url) as real_bot,
    ):
        for n in range(4):
            await real_bot.send_message(-100, f"g{n}")
        with pytest.raises(RetryAfter):
            await real_bot.send_message(-100, "fifth in a minute")
        await real_bot.send_message(1, "overall four")
        with pytest.raises(RetryAfter):
            await real_bot.send_message(2, "overall six")
        assert server.stats.max_per_second_overall == 5
        assert server.stats.max_per_minute_by_chat[-100] == 4
        assert {r.error_code for r in server.refusals} == {429}
        server.assert_no_refusals(allow_codes=[429])


async def test_own_thread_serves_while_the_callers_loop_is_held() -> None:
    """In its own thread the stand-in answers a call while the loop that started it is held,
    as the bot's loop is in a stall; the player API and its waits work from that loop."""
    async with StandIn(spec_path=spec_or_none(), own_thread=True) as server:
        url = f"{server.base_url}{server.token}/sendMessage"
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            sent = pool.submit(
                httpx.post, url, json={"chat_id": USER, "text": "held"}, timeout=LONG_POLL
            )
            reply = sent.result(timeout=LONG_POLL)  # holds this loop until answered
        assert reply.json()["result"]["text"] == "held"
        async with telegram.Bot(server.token, base_url=server.base_url) as real_bot:
            poll = asyncio.create_task(real_bot.get_updates(timeout=LONG_POLL))
            await asyncio.sleep(0.5)  # the long poll is waiting on the server's loop
            server.send_message(USER, "hello")
            (update,) = await poll
            assert update.message.text == "hello"
            await real_bot.send_message(USER, "answer", reply_to_message_id=2)
        held, answer = await server.wait_for_messages(USER, 2, timeout=LONG_POLL)
        assert (held["text"], answer["text"]) == ("held", "answer")
        assert answer["reply_to_message"]["text"] == "hello"
        with pytest.raises(StandInError):
            server.press_button(USER, answer, "no such button")  # raised in the caller
        server.assert_no_refusals()
    assert "standin" not in {thread.name for thread in threading.enumerate()}


def test_rate_limiter_burst_then_one_per_second() -> None:
    now = [0.0]
    limiter = RateLimiter(clock=lambda: now[0])
    assert [limiter.acquire(7) for _ in range(3)] == [None, None, None]
    assert limiter.acquire(7) == 1
    now[0] = 1.0
    assert limiter.acquire(7) is None
    assert limiter.acquire(7) == 1
    disabled = RateLimiter(enabled=False, clock=lambda: now[0])
    assert all(disabled.acquire(7) is None for _ in range(100))
    assert disabled.stats.max_per_second_by_chat[7] == 100


async def test_blocked_user_forbidden(bot: telegram.Bot, standin: StandIn) -> None:
    standin.block(USER)
    with pytest.raises(Forbidden, match=r"(?i)blocked by the user"):
        await bot.send_message(USER, "hello?")
    _take_refusal(standin, "bot was blocked by the user")
    standin.unblock(USER)
    await bot.send_message(USER, "hello again")


@pytest.mark.usefixtures("spec")
async def test_wrong_token_unknown_and_unsupported_methods(standin: StandIn) -> None:
    with pytest.raises(InvalidToken):
        async with telegram.Bot("1:wrong", base_url=standin.base_url):
            pass
    _take_refusal(standin, "Unauthorized")
    async with httpx.AsyncClient(base_url=f"{standin.base_url}{standin.token}") as client:
        missing = await client.post("/sendTelepathy", json={})
        assert missing.status_code == 404
        assert missing.json() == {
            "ok": False,
            "error_code": 404,
            "description": "Not Found: method not found",
        }
        _take_refusal(standin, "method not found")
        dice = await client.post("/sendDice", data={"chat_id": "5"})
        assert dice.json()["description"] == "Bad Request: method not supported by the stand-in"
        _take_refusal(standin, "not supported by the stand-in")
        # Method names are case-insensitive and JSON bodies carry native values.
        ok = await client.post("/SENDMESSAGE", json={"chat_id": 5, "text": "hi"})
        assert ok.json()["result"]["text"] == "hi"
        strict = await client.post("/sendMessage", json={"chat_id": 5, "text": 5})
        assert strict.status_code == 400
        _take_refusal(standin, "expected String")


async def test_a_client_dying_mid_request_is_no_call(bot: telegram.Bot, standin: StandIn) -> None:
    """A bot killed while sending: Telegram never got the call, so nothing is sent or refused."""
    _, writer = await asyncio.open_connection("127.0.0.1", standin.port)
    writer.write(
        f"POST /bot{standin.token}/sendMessage HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\n"
        f"chat_id={USER}&text=half".encode()
    )
    await writer.drain()
    await asyncio.sleep(0.1)
    writer.transport.abort()  # a reset, as from a process killed mid-write
    await asyncio.sleep(0.1)
    assert standin.messages(USER) == []
    assert standin.refusals == []
    assert (await bot.send_message(USER, "still here")).text == "still here"


async def test_assert_no_refusals_reports(bot: telegram.Bot, standin: StandIn) -> None:
    with pytest.raises(BadRequest):
        await bot.send_message(USER, "<br>", parse_mode="HTML")
    with pytest.raises(AssertionError, match="refused 1 call"):
        standin.assert_no_refusals()
    standin.clear_refusals()


# -- the HTML checker on literal inputs -----------------------------------------------------


@pytest.mark.parametrize(
    ("html", "text"),
    [
        ("plain", "plain"),
        ("&lt;tag&gt; &amp; &quot;q&quot;", '<tag> & "q"'),
        ("wow&#33; &#x21;&#X21;", "wow! !!"),
        ("<B>loud</B>", "loud"),
        ("<a href='https://x.org/?a=1&amp;b=2'>x</a>", "x"),
        ('<span class="tg-spoiler">s</span><tg-spoiler>t</tg-spoiler>', "st"),
        ('<pre><code class="language-python">x = 1</code></pre>', "x = 1"),
        ("<blockquote expandable>quote</blockquote>", "quote"),
        ('<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>', "👍"),
        ("<b>bold <i>both</i></b>", "bold both"),
    ],
)
def test_html_accepted(html: str, text: str) -> None:
    assert parse_html(html).text == text


def test_html_entities_use_utf16_offsets() -> None:
    parsed = parse_html(
        '😀 <b>x</b> <a href="https://e.org">y</a> <pre><code class="language-py">z</code></pre>'
    )
    assert parsed.entities == [
        {"type": "bold", "offset": 3, "length": 1},
        {"type": "text_link", "url": "https://e.org", "offset": 5, "length": 1},
        {"type": "pre", "language": "py", "offset": 7, "length": 1},
    ]


@pytest.mark.parametrize(
    ("html", "reason"),
    [
        ("<div>x</div>", 'unsupported start tag "div"'),
        ("<b>x", 'can\'t find end tag corresponding to start tag "b"'),
        ("a & b", "bare '&'"),
        ("a &nbsp; b", "bare '&'"),
        ("&#33", "bare '&'"),
        ("&#0;", "not a valid character"),
        ("1 < 2", "bare '<'"),
        ("2 > 1", "bare '>'"),
        ("<a>x</a>", "needs a non-empty href"),
        ("<b><i>x</b></i>", "unmatched end tag"),
        ("</b>", "unexpected end tag"),
        ("<b class='x'>x</b>", 'attribute "class" is not allowed'),
        ("<span>x</span>", 'needs class="tg-spoiler"'),
        ("<br/>", "unsupported start tag"),
        ("<b/>", "self-closing"),
        ("<!-- c -->", "comments"),
        ("<b", "not terminated"),
        ("<code><b>x</b></code>", 'not allowed inside "code"'),
        ("<blockquote><blockquote>x</blockquote></blockquote>", "can't be nested"),
        ("<a href='x&y'>x</a>", "bare '&'"),
    ],
)
def test_html_refused(html: str, reason: str) -> None:
    with pytest.raises(EntityParseError) as caught:
        parse_html(html)
    assert reason in caught.value.reason


def test_html_error_reports_byte_offset() -> None:
    with pytest.raises(EntityParseError) as caught:
        parse_html("é<div>")
    assert caught.value.byte_offset == 2


async def test_without_spec_only_telegram_rules_apply() -> None:
    async with (
        StandIn() as server,
        telegram.Bot(server.token, base_url=server.base_url) as real_bot,
    ):
        sent = await real_bot.send_message(
            USER, "<i>ok</i>", parse_mode="HTML", api_kwargs={"x": 1}
        )
        assert sent.text == "ok"
        with pytest.raises(BadRequest):
            await real_bot.send_message(USER, "<i>ok", parse_mode="HTML")
        with pytest.raises(BadRequest):
            await real_bot.send_dice(USER)
        assert server.refusals[-1].description.endswith("not supported by the stand-in")
