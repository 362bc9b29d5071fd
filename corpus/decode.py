"""Turning received bytes into article text, or refusing them with a reason."""

from __future__ import annotations

import re

from corpus.errors import BinaryInput, EmptyArticle, TooLarge

DEFAULT_MAX_BYTES = 2_000_000

# Control characters (Unicode category Cc: U+0000-U+001F, U+007F-U+009F) other than tab,
# newline and carriage return never belong in news text; more than a few of them means the
# bytes are not text at all. A regular expression, not a loop over every character in Python.
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


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
    controls = sum(1 for _ in _CONTROLS.finditer(text))
    if controls > max(8, len(text) // 1000):
        raise BinaryInput("the text is full of control characters; is it a binary file?")
    if controls:
        text = _CONTROLS.sub(" ", text)
    if not text.strip():
        raise EmptyArticle("the file holds only white space")
    return text
