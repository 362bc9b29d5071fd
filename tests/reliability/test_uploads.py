"""Uploads an admin should not be able to slip in: each refused with a reason, nothing written
anywhere but the data directory (the whole tree around it is compared before and after)."""

from __future__ import annotations

import gzip
import os
from pathlib import Path

import pytest

from tests.bot.conftest import ADMIN_ID, BotHarness
from tests.reliability.articles import briefing
from tests.reliability.conftest import ADMINS, UPLOAD_LIMIT

pytestmark = pytest.mark.reliability

ARTICLE = briefing(3).encode()
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + os.urandom(3000)

# (file name, content, MIME type, what the reply says)
REFUSED = [
    ("photo.png", PNG, "image/png", "I can add .txt, .md and .html files only."),
    ("photo.txt", PNG, "image/png", "Not added: this looks like a binary file, not text."),
    ("report.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n" + ARTICLE, "application/pdf",
     "I can add .txt, .md and .html files only."),
    ("archive.txt", gzip.compress(ARTICLE * 40), "application/gzip",
     "Not added: this looks like a binary file, not text."),
    ("latin1.txt", "Café in Zürich: the council met.".encode("latin-1"), "text/plain",
     "Not added: the file is not UTF-8 text (bad byte at position 3)."),
    ("setup.exe.txt", b"MZ\x90\x00\x03" + os.urandom(2000), "application/x-msdownload",
     "Not added: this looks like a binary file, not text."),
    ("big.txt", b"word " * (UPLOAD_LIMIT // 5 + 1), "text/plain",
     f"That file is {UPLOAD_LIMIT + 5:,} bytes; the limit is {UPLOAD_LIMIT:,}."),
    ("empty.txt", b"", "text/plain", "Not added: the file is empty."),
    ("blank.txt", b" \n\t\n" * 50, "text/plain", "Not added: the file is empty."),
    ("../../etc/passwd.txt", ARTICLE, "text/plain", "NAME"),
    ("C:\\x\\y.txt", ARTICLE, "text/plain", "NAME"),
    ("..\\..\\boot.ini.txt", ARTICLE, "text/plain", "NAME"),
    ("/tmp/evil.html", ARTICLE, "text/html", "NAME"),
    ("new\nline.txt", ARTICLE, "text/plain", "NAME"),
]  # fmt: skip
NAME_REFUSAL = "Not added: the file name has path separators or control characters."


def tree(root: Path, skip: Path) -> dict[str, tuple[int, int]]:
    """Every file under root (except under skip): path -> (size, mtime in ns)."""
    found = {}
    for dirpath, dirnames, filenames in os.walk(root):
        if Path(dirpath) == skip:
            dirnames[:] = []
            continue
        for name in filenames:
            path = Path(dirpath, name)
            stat = path.lstat()
            found[str(path)] = (stat.st_size, stat.st_mtime_ns)
    return found


async def test_bad_uploads_are_refused_and_write_nothing_outside_the_data_dir(
    harness: BotHarness, tmp_path: Path
) -> None:
    h = harness
    data_dir = h.settings.data_dir
    outside = tmp_path.parent
    before = tree(outside, data_dir)
    passwd = Path("/etc/passwd").read_bytes()

    # All at once, each from an admin of its own (a chat gets one message a second).
    for admin, (name, content, mime, _) in zip(ADMINS, REFUSED, strict=False):
        h.standin.send_document(admin, name, content, mime, caption="/add")
    chats = ADMINS[: len(REFUSED)]
    await h.standin.wait_for(lambda: all(h.count(c) >= 1 for c in chats), timeout=30)
    for admin, (name, _, _, said) in zip(chats, REFUSED, strict=True):
        (reply,) = h.standin.messages(admin)
        expected = NAME_REFUSAL if said == "NAME" else said
        assert reply["text"] == expected, (name, reply["text"])
    assert h.library.store.count_articles() == 0

    added = await h.upload(ADMIN_ID, "fine.txt", ARTICLE)  # and a good one still goes in
    assert added["text"].startswith("✅ Added")
    assert h.library.store.count_articles() == 1

    assert tree(outside, data_dir) == before, "something was written outside the data dir"
    assert Path("/etc/passwd").read_bytes() == passwd
    assert not list(Path.cwd().glob("passwd*")) and not list(Path.cwd().glob("*y.txt"))
    h.standin.assert_no_refusals()
