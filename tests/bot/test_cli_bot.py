"""`briefbot run` and `briefbot chat`: start-up checks, token masking, and real sessions.

The slow tests run the command line in a subprocess (each loads the embedding model):
`run` against the stand-in served from this test's event loop, `chat` driven by a pipe.
"""

from __future__ import annotations

import asyncio
import io
import logging
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot import cli
from bot.runner import configure_logging, webhook_path
from bot.secrets import MASK, TokenFilter
from corpus import SAMPLES_DIR
from standin import StandIn
from standin.terminal import format_buttons, render_text

TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
COMMAND = [sys.executable, "-m", "bot.cli"]
PUTIN = "what did putin say about western troops"
PUTIN_FILE = SAMPLES_DIR / "putin_vladivostok_western_troops.txt"
HARBOUR = 'Harbour fire in Tessaly: "We will rebuild the pier by spring," said Mayor Anna Koval.'


def clean_env(data_dir: Path, **extra: str) -> dict[str, str]:
    """The environment without any briefbot or Telegram setting, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BRIEFBOT_", "TELEGRAM_"))}
    # Replies are read as sent: no working message before a slow upload's result
    # (tests/bot/test_bot_uploads.py has those).
    env.update(BRIEFBOT_DATA_DIR=str(data_dir), NO_COLOR="1", BRIEFBOT_UPLOAD_WORKING_AFTER="60")
    env.update(extra)
    return env


def briefbot(*args: str, cwd: Path, env: dict[str, str], stdin: str | None = None):
    """Run the command line in `cwd` (where no .env is) and capture its output."""
    return subprocess.run(
        [*COMMAND, *args], cwd=cwd, env=env, input=stdin, capture_output=True, text=True,
        timeout=300,
    )  # fmt: skip


# -- run: settings checks --------------------------------------------------------------------


def test_run_without_a_token_stops_with_one_line_naming_it(tmp_path: Path) -> None:
    done = briefbot("run", cwd=tmp_path, env=clean_env(tmp_path / "data"))
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "TELEGRAM_BOT_TOKEN" in lines[0] and "not set" in lines[0]
    assert done.stdout == ""


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"TELEGRAM_BOT_TOKEN": "not a token " + TOKEN}, "TELEGRAM_BOT_TOKEN"),
        ({"TELEGRAM_BOT_TOKEN": TOKEN, "BRIEFBOT_WEBHOOK_URL": "ftp://x"}, "BRIEFBOT_WEBHOOK_URL"),
        (
            {
                "TELEGRAM_BOT_TOKEN": TOKEN,
                "BRIEFBOT_WEBHOOK_URL": "https://bot.example.org",
                "BRIEFBOT_WEBHOOK_SECRET": "has spaces",
            },
            "BRIEFBOT_WEBHOOK_SECRET",
        ),
        ({"TELEGRAM_BOT_TOKEN": TOKEN, "BRIEFBOT_WEBHOOK_PORT": "99999"}, "BRIEFBOT_WEBHOOK_PORT"),
        ({"BRIEFBOT_ADMIN_IDS": "alice,bob"}, "BRIEFBOT_ADMIN_IDS"),
    ],
)
def test_run_with_a_malformed_setting_names_it_and_never_echoes_the_token(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys, env: dict[str, str], named: str
) -> None:
    for key in os.environ:
        if key.startswith(("BRIEFBOT_", "TELEGRAM_")):
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BRIEFBOT_DATA_DIR", str(tmp_path / "data"))
    for key, value in env.items():
        monkeypatch.setenv(key, value)

    assert cli.main(["run"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("briefbot: ") and named in err[0], err
    assert TOKEN not in err[0] and TOKEN.split(":")[1] not in err[0]


def test_run_with_an_unreachable_database_stops_with_one_masked_line(tmp_path: Path) -> None:
    url = "postgresql+psycopg://bot:Pa55word@127.0.0.1:1/briefbot"
    env = clean_env(tmp_path / "data", TELEGRAM_BOT_TOKEN=TOKEN, BRIEFBOT_DATABASE_URL=url)
    done = briefbot("run", cwd=tmp_path, env=env)
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "cannot connect to the database at postgresql+psycopg://bot:***@127.0.0.1:1" in lines[0]
    assert "Pa55word" not in done.stderr and TOKEN not in done.stderr


def test_the_webhook_path_is_a_hash_of_the_token_not_the_token() -> None:
    path = webhook_path(TOKEN)
    assert path == webhook_path(TOKEN) != webhook_path(TOKEN + "x")
    assert TOKEN not in path and TOKEN.split(":")[1] not in path and path.isalnum()


# -- run: logging ------------------------------------------------------------------------------


def test_the_token_filter_masks_the_token_in_messages_arguments_and_tracebacks() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(TokenFilter(TOKEN))
    logger = logging.getLogger("test_cli_bot.masking")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning(f"POST https://api.telegram.org/bot{TOKEN}/getUpdates")
        logger.warning("GET %s/getMe", f"https://api.telegram.org/bot{TOKEN}")
        logger.warning("the secret half alone: %s", TOKEN.split(":")[1])
        try:
            raise RuntimeError(f"The token `{TOKEN}` was rejected by the server.")
        except RuntimeError:
            logger.exception("start-up failed")
    finally:
        logger.removeHandler(handler)
    logged = stream.getvalue()
    assert TOKEN not in logged and TOKEN.split(":")[1] not in logged
    assert logged.count(MASK) == 4
    assert f"/bot{MASK}/getUpdates" in logged and "RuntimeError: The token" in logged


@pytest.fixture
def restored_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    levels = {n: logging.getLogger(n).level for n in ("httpx", "httpcore", "bot", "retrieval")}
    yield
    for handler in root.handlers:
        if handler not in handlers:
            root.removeHandler(handler)
    for handler in handlers:
        if handler not in root.handlers:
            root.addHandler(handler)
    root.setLevel(level)
    for name, old in levels.items():
        logging.getLogger(name).setLevel(old)


def test_logging_for_run_quiets_httpx_and_masks_on_the_root_handler(restored_logging) -> None:
    configure_logging(TOKEN)
    assert logging.getLogger("httpx").getEffectiveLevel() == logging.WARNING
    assert logging.getLogger("httpcore").getEffectiveLevel() == logging.WARNING
    assert logging.getLogger("bot.asking").getEffectiveLevel() == logging.INFO
    root_handler = logging.getLogger().handlers[0]
    record = logging.makeLogRecord({"msg": "url %s", "args": (f"/bot{TOKEN}/getMe",)})
    assert root_handler.filter(record)
    assert record.getMessage() == f"url /bot{MASK}/getMe"


# -- chat: rendering -----------------------------------------------------------------------------


def test_messages_render_as_plain_text_with_links_and_numbered_buttons() -> None:
    text = "🗣 On record · Putin said 😀 so\n📰 Report · 05 Sep"
    bold = {"type": "bold", "offset": 0, "length": 12}  # UTF-16 units: 🗣 counts two
    link = {"type": "text_link", "offset": 35, "length": 6, "url": "https://x.example/a"}
    assert text[32:38] == "Report"  # 🗣 😀 📰 are two UTF-16 units each: offset 32 + 3
    assert render_text(text, [bold, link]) == (
        "🗣 On record · Putin said 😀 so\n📰 Report <https://x.example/a> · 05 Sep"
    )
    assert render_text(text, [bold], color=True).startswith("\x1b[1m🗣 On record\x1b[22m ·")
    buttons = [{"text": "More ▸"}, {"text": "🔔 Subscribe to this topic"}]
    assert format_buttons(buttons) == "[1] More ▸  [2] 🔔 Subscribe to this topic"


# -- slow: the real bot through the stand-in -----------------------------------------------------


@pytest.fixture(scope="module")
def corpus_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory holding the Putin sample briefing, as `briefbot ingest` leaves it.

    One article, not all the samples: embedding the other six would double the set-up time,
    and one briefing already answers with more than a page.
    """
    home = tmp_path_factory.mktemp("corpus")
    done = briefbot("ingest", "-q", str(PUTIN_FILE), cwd=home, env=clean_env(home / "data"))
    assert done.returncode == 0, done.stderr
    return home / "data"


def transcript_after(output: str, line: str) -> str:
    """The part of a chat transcript from the echo of `line` up to the next input."""
    after = output.split(f"you › {line}\n", 1)[1]
    return after.split("\nyou › ", 1)[0]


@pytest.mark.slow
def test_chat_through_a_pipe_answers_pages_and_refuses_admin_commands(
    corpus_dir: Path, tmp_path: Path
) -> None:
    lines = ["/start", PUTIN, "1", "7", f"/add {HARBOUR}", "/quit", "never sent"]
    done = briefbot("chat", cwd=tmp_path, env=clean_env(corpus_dir), stdin="\n".join(lines) + "\n")
    out = done.stdout
    assert done.returncode == 0, done.stderr
    assert "/upload PATH" in out and "/inline QUERY" in out and "(1 article)" in out
    assert "bot › I answer questions" in transcript_after(out, "/start")

    answer = transcript_after(out, PUTIN)
    assert answer.startswith(f"bot › 🔎 {PUTIN}\n")
    first = answer.split("\n      2. ", 1)[0]
    # The sample retells his words as reported speech: a verified report of them first.
    assert "1. ✅ Verified · Verified Facts" in first and "Vladimir Putin" in first
    assert "<b>" not in answer and "&quot;" not in answer
    assert answer.rstrip().endswith("[1] More ▸  [2] 👤 Follow Vladimir Putin")

    more = transcript_after(out, "1")
    assert "pressed “More ▸”" in more
    assert f"bot ✎ buttons removed from “🔎 {PUTIN}”" in more
    assert f"bot › 🔎 {PUTIN}\n\n      4. " in more
    assert "No button 7: the last message has" in transcript_after(out, "7")
    assert "only admins" in transcript_after(out, f"/add {HARBOUR}")
    assert "never sent" not in out
    assert "the stand-in refused" not in out


@pytest.mark.slow
def test_chat_as_admin_adds_an_article_from_text_and_answers_from_it(tmp_path: Path) -> None:
    lines = [f"/add {HARBOUR}", "what did the mayor promise about the pier?"]
    data = tmp_path / "data"
    done = briefbot(
        "chat", "--admin", "--user-id", "4242", cwd=tmp_path, env=clean_env(data),
        stdin="\n".join(lines) + "\n",  # the end of input ends the session, like Ctrl-D
    )  # fmt: skip
    out = done.stdout
    assert done.returncode == 0, done.stderr
    assert "You are user 4242, an admin" in out and "empty" in out
    added = transcript_after(out, lines[0])
    assert added.startswith("bot › ✅ Added Harbour fire in Tessaly")
    assert "1 🗣 On record" in added
    answer = transcript_after(out, lines[1])
    assert "🗣 On record" in answer and "Anna Koval, Mayor" in answer

    listed = briefbot("articles", cwd=tmp_path, env=clean_env(data))
    assert "Harbour fire in Tessaly" in listed.stdout


@pytest.mark.slow
def test_chat_takes_a_pasted_article_of_many_lines_as_one(tmp_path: Path) -> None:
    """A bare /add, then lines pasted, then /end: one article, not a line and questions."""
    article = [
        "Ferry service to Orlen Island suspended after storm",
        "",
        "Lead: The Orlen ferry will not sail until Friday, the harbour office said on Monday.",
        "",
        '"The ramp at the island landing was torn loose," harbour master Ilse Varga said.',
        "",
        "Islanders can fly to the mainland on two extra flights a day, the airline said.",
    ]
    lines = ["/add", *article, "/end", "when will the orlen ferry sail again?"]
    data = tmp_path / "data"
    done = briefbot(
        "chat", "--admin", cwd=tmp_path, env=clean_env(data), stdin="\n".join(lines) + "\n"
    )
    out = done.stdout
    assert done.returncode == 0, done.stderr
    assert "then a line: /end" in transcript_after(out, "/add")
    added = transcript_after(out, "/end")
    assert added.startswith("bot › ✅ Added Ferry service to Orlen Island suspended after storm")
    assert out.count("✅ Added") == 1
    answer = transcript_after(out, lines[-1])
    assert "until Friday" in answer
    listed = briefbot("articles", cwd=tmp_path, env=clean_env(data))
    assert listed.stdout.count(" passages)") == 1


@pytest.mark.slow
async def test_run_polls_the_bot_api_and_keeps_the_token_out_of_its_logs(tmp_path: Path) -> None:
    standin = StandIn(token=TOKEN)
    await standin.start()
    env = clean_env(
        tmp_path / "data",
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_URL=standin.base_url,
        TELEGRAM_FILE_URL=standin.base_file_url,
    )
    process = await asyncio.create_subprocess_exec(
        *COMMAND, "-v", "run", cwd=tmp_path, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        standin.send_message(77, "/start")
        replies = await standin.wait_for_messages(77, 1, timeout=120)
        assert replies[0]["text"].startswith("I answer questions")
        process.send_signal(signal.SIGINT)
        _, err = await asyncio.wait_for(process.communicate(), 60)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
        await standin.stop()
    logged = err.decode()
    assert process.returncode == 0, logged
    assert "long polling" in logged and "stopped" in logged
    assert TOKEN not in logged and TOKEN.split(":")[1] not in logged
    standin.assert_no_refusals()
