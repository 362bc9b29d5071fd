"""Turning received bytes into article text, or refusing them with a reason."""

from __future__ import annotations

import unicodedata

from corpus.errors import BinaryInput, EmptyArticle, TooLarge

DEFAULT_MAX_BYTES = 2_000_000

# Control characters other than tab, newline and carriage return never belong in news text;
# more than a few of them means the bytes are not text at all.
_ALLOWED_CONTROLS = {"\t", "\n", "\r"}


def decode_text(data: bytes | str, *, max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """Check size and encoding and return the text with newlines normalised to `\\n`."""
    try:
        raw = data.encode("utf-8") if isinstance(data, str) else data
    except UnicodeEncodeError as exc:  # a lone surrogate: no UTF-8 text can hold it
        raise BinaryInput(f"the text holds an invalid character at position {exc.start}") from exc
    if len(raw) > max_bytes:
        raise TooLarge(len(raw), max_bytes)
    if not raw.strip():
        raise EmptyArticle("the file is empty")
    if isinstance(data, str):
        text = data
    else:
        if b"\x00" in raw:
            raise BinaryInput("this looks like a binary file, not text")
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise BinaryInput(
                f"the file is not UTF-8 text (bad byte at position {exc.start})"
            ) from exc
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    controls = sum(
        1 for ch in text if unicodedata.category(ch) == "Cc" and ch not in _ALLOWED_CONTROLS
    )
    if controls > max(8, len(text) // 1000):
        raise BinaryInput("the text is full of control characters; is it a binary file?")
    if controls:
        text = "".join(
            " " if unicodedata.category(ch) == "Cc" and ch not in _ALLOWED_CONTROLS else ch
            for ch in text
        )
    if not text.strip():
        raise EmptyArticle("the file holds only white space")
    return text
