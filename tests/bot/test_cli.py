"""`briefbot` end to end: every command's help, the data directory setting, the verbs.

The commands run in this process through `bot.cli.main` with the real model (loaded once by
the first command, then from the warm cache), SQLite and FAISS under tmp_path.
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

import pytest

from bot.cli import build_parser, main
from bot.console import NOTHING_FOUND
from corpus import SAMPLES_DIR

STRIKE_SAMPLE = SAMPLES_DIR / "port_of_tessaly_dock_strike.txt"
STRIKE_TITLE = "Dockworkers walk out at Caldoria's Port of Tessaly, stranding 40 container ships"

# What each command's --help must say it is for.
PURPOSES = {
    "ingest": "add article files",
    "ask": "answer a question",
    "articles": "list the stored articles",
    "remove": "remove an article",
    "eval": "measure retrieval",
    "demo": "sample briefings",
    "claims": "unconfirmed claims",
    "db": "the database",
}


def commands() -> dict[str, argparse.ArgumentParser]:
    action = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def flat(text: str) -> str:
    return " ".join(text.split()).lower()


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working directory with no .env, and BRIEFBOT_DATA_DIR pointing elsewhere."""
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    for name in ("BRIEFBOT_MAX_ARTICLE_BYTES", "BRIEFBOT_EMBEDDING_MODEL", "BRIEFBOT_DEVICE"):
        monkeypatch.delenv(name, raising=False)
    data = tmp_path / "data"
    monkeypatch.setenv("BRIEFBOT_DATA_DIR", str(data))
    return data


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# -- help -------------------------------------------------------------------------------


def test_every_command_has_help_that_says_what_it_is_for(
    capsys: pytest.CaptureFixture[str],
) -> None:
    found = commands()
    assert set(PURPOSES) <= set(found)
    for name, parser in found.items():
        with pytest.raises(SystemExit) as exited:
            main([name, "--help"])
        assert exited.value.code == 0, name
        out = flat(capsys.readouterr().out)
        assert out.startswith(f"usage: briefbot {name}"), name
        assert parser.description, f"`briefbot {name} --help` does not say what it is for"
        assert flat(parser.description) in out, name
        if name in PURPOSES:
            assert PURPOSES[name] in out, name


def test_the_top_level_help_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--help"])
    assert exited.value.code == 0
    out = capsys.readouterr().out
    for name in commands():
        assert re.search(rf"^\s+{name}\s+\S", out, re.MULTILINE), name


# -- settings ---------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["abc", "0"])
def test_a_malformed_setting_is_one_line_naming_it_and_exit_code_2(
    env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], value: str
) -> None:
    monkeypatch.setenv("BRIEFBOT_MAX_ARTICLE_BYTES", value)

    code, out, err = run(capsys, "articles")

    assert code == 2
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("briefbot: setting BRIEFBOT_MAX_ARTICLE_BYTES:")
    assert not env.exists()  # nothing was created


# -- the verbs, end to end --------------------------------------------------------------


@pytest.mark.slow
def test_ingest_articles_ask_remove_honour_the_data_dir(
    env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / "a_good.txt").write_bytes(STRIKE_SAMPLE.read_bytes())
    (folder / "b_copy.txt").write_bytes(STRIKE_SAMPLE.read_bytes())
    (folder / "c_empty.txt").write_bytes(b"")
    (folder / "d_binary.txt").write_bytes(
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))
    )
    (folder / "notes.bin").write_bytes(b"\x00\x01")  # not an article file: not looked at

    code, out, err = run(capsys, "ask", "what", "is", "the", "strike", "about?")
    assert code == 0 and NOTHING_FOUND in out

    code, out, err = run(capsys, "ingest", "-q", str(folder))

    assert code == 1, "refusals make the exit code 1"
    lines = out.strip().splitlines()
    assert lines[-1] == "1 added, 1 duplicate, 2 refused"
    added = re.search(r"^added  ([0-9a-f]{16})  (.+) \(", out, re.MULTILINE)
    assert added is not None and added.group(2) == STRIKE_TITLE
    article_id = added.group(1)
    assert f"duplicate  {folder / 'b_copy.txt'}: already stored as {article_id}" in out
    assert f"refused  {folder / 'c_empty.txt'}: the file is empty" in out
    assert re.search(rf"refused  {re.escape(str(folder / 'd_binary.txt'))}: .*binary", out)
    assert "notes.bin" not in out
    assert (env / "briefbot.sqlite3").is_file() and (env / "index").is_dir()
    assert not Path("data").exists()  # the default ./data was not used

    code, out, _ = run(capsys, "articles")
    assert code == 0
    listed = out.strip().splitlines()
    assert len(listed) == 1
    assert listed[0].startswith(f"{article_id}  2025-10-03  {STRIKE_TITLE}")
    assert re.search(r"\(\d+ passages\)$", listed[0])

    code, out, _ = run(capsys, "ask", "-n", "3", "what did Marta Quillon say about the strike?")
    assert code == 0
    assert out.startswith("Q: what did Marta Quillon say about the strike?")
    assert "1. 🗣 On record  [Official Statements]" in out
    assert "— Marta Quillon, General Secretary of the Caldorian Dock and Harbour Union" in out
    assert f"Source: {STRIKE_TITLE}" in out
    assert "4." not in out  # at most three results

    code, out, _ = run(capsys, "ask", "--json", "is", "emergency", "legislation", "confirmed?")
    answer = json.loads(out)
    assert code == 0 and answer["results"]
    assert {r["passage"]["status"] for r in answer["results"][:3]} >= {"unconfirmed"}
    assert all(r["article"]["article_id"] == article_id for r in answer["results"])

    code, out, _ = run(capsys, "remove", article_id)
    assert code == 0
    assert out.startswith(f"removed {article_id}  {STRIKE_TITLE}")

    code, out, _ = run(capsys, "articles")
    assert code == 0 and article_id not in out
    assert "The corpus is empty" in out
    code, out, _ = run(capsys, "ask", "what did Marta Quillon say about the strike?")
    assert NOTHING_FOUND in out

    code, _, err = run(capsys, "remove", article_id)
    assert code == 1
    assert err.strip() == f"briefbot: no article with id {article_id}"


@pytest.mark.slow
def test_the_article_size_setting_is_honoured(
    env: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("BRIEFBOT_MAX_ARTICLE_BYTES", "1000")

    code, out, _ = run(capsys, "ingest", str(STRIKE_SAMPLE))

    assert code == 1
    assert f"refused  {STRIKE_SAMPLE}: the file is" in out and "the limit is 1,000 bytes" in out
    assert out.strip().splitlines()[-1] == "0 added, 0 duplicates, 1 refused"


@pytest.mark.slow
def test_demo_adds_the_samples_to_the_data_dir_and_answers_the_sample_question(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "demo")

    assert code == 0
    assert f"Corpus in {env}: 0 articles stored; adding the samples." in out
    samples = sorted(p for p in SAMPLES_DIR.iterdir() if p.suffix == ".txt")
    assert f"{len(samples)} added, 0 duplicates, 0 refused" in out
    assert "Q: What did Putin say about Western troops?" in out
    answer = out.split("Q: What did Putin say about Western troops?", 1)[1]
    # The sample retells his words: a verified report of them comes first, nothing on record.
    assert answer.lstrip().startswith("1. ✅ Verified  [Verified Facts]")
    assert "Putin said Russia would consider any Western troops" in " ".join(answer.split())
    assert "— Vladimir Putin, Russian President" in answer
    assert "On record" not in answer

    code, out, _ = run(capsys, "demo", "who runs the port of tessaly?")  # a second run
    assert code == 0
    assert f"Corpus in {env}: {len(samples)} articles stored" in out
    assert f"0 added, {len(samples)} duplicates, 0 refused" in out
    assert "Q: who runs the port of tessaly?" in out


@pytest.mark.slow
def test_ingest_of_an_articles_folder_reads_the_sidecar_beside_it(
    env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "set" / "articles"
    folder.mkdir(parents=True)
    (folder / "q1.txt").write_text(
        "Quarry in Ebbing to close\n\nOn March 1, 2026 the Ebbing quarry will close, its "
        "owner said on Sunday, ending two centuries of stone cutting in the valley.\n",
        encoding="utf-8",
    )
    row = {"id": "q1", "url": "https://ebbing-post.example/quarry", "site": "Ebbing Post",
           "published": "2025-10-12"}  # fmt: skip
    (folder.parent / "articles.jsonl").write_text(json.dumps(row) + "\n", encoding="utf-8")

    code, out, _ = run(capsys, "ingest", str(folder))
    assert code == 0 and "(2025-10-12, plain)" in out, out
    code, out, _ = run(capsys, "articles")
    assert "2025-10-12  Quarry in Ebbing to close" in out
    code, out, _ = run(capsys, "ask", "will the Ebbing quarry close?")
    assert "Ebbing Post" in out and "https://ebbing-post.example/quarry" in out
