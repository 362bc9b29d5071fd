"""Telegram rules the JSON spec does not encode: text lengths, parse modes, keyboards.

These hold whether or not a spec file was given. Each check raises
:class:`~standin.errors.ApiError` with the description Telegram uses where it is
known, otherwise with a plain explanation after ``Bad Request:``.

Lengths are counted in Python characters (code points) of the text *after* entity
parsing. Telegram's documentation says "characters"; characters outside the Basic
Multilingual Plane (most emoji) may count as two on the real service, so the stand-in
is slightly more permissive for emoji-heavy text.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .entities import ParsedText, parse_html
from .errors import ApiError, EntityParseError

__all__ = [
    "CAPTION_MAX",
    "TEXT_MAX",
    "check_callback_answer",
    "check_caption",
    "check_inline_results",
    "check_reply_markup",
    "check_text",
    "parse_text",
]

TEXT_MAX = 4096
CAPTION_MAX = 1024
CALLBACK_DATA_MAX_BYTES = 64
CALLBACK_ANSWER_MAX = 200
INLINE_RESULTS_MAX = 50
INLINE_RESULT_ID_MAX_BYTES = 64
KEYBOARD_BUTTONS_MAX = 100

# Fields of InlineKeyboardButton that do not choose the button's action.
_NON_ACTION_FIELDS = frozenset({"text", "icon_custom_emoji_id", "style"})


def parse_text(
    text: str, parse_mode: str | None, entities: list[dict[str, Any]] | None = None
) -> ParsedText:
    """Apply ``parse_mode`` to ``text`` the way Telegram does, or refuse it."""
    mode = (parse_mode or "").strip().lower()
    if entities or not mode:
        # Explicit entities take precedence over parse_mode, as on Telegram.
        return ParsedText(text, list(entities or []))
    if mode == "html":
        try:
            return parse_html(text)
        except EntityParseError as exc:
            raise ApiError.bad_request(f"can't parse entities: {exc}") from exc
    if mode in ("markdown", "markdownv2"):
        raise ApiError.bad_request(f"parse_mode {parse_mode} is not supported by the stand-in")
    raise ApiError.bad_request("unsupported parse_mode")


def check_text(
    text: str | None, parse_mode: str | None, entities: list[dict[str, Any]] | None = None
) -> ParsedText:
    """Message text: 1–4096 characters after entity parsing."""
    if text is None:
        raise ApiError.bad_request("message text is empty")
    parsed = parse_text(text, parse_mode, entities)
    if not parsed.text.strip():
        raise ApiError.bad_request("message text is empty")
    if len(parsed.text) > TEXT_MAX:
        raise ApiError.bad_request("message is too long")
    return parsed


def check_caption(
    caption: str | None, parse_mode: str | None, entities: list[dict[str, Any]] | None = None
) -> ParsedText | None:
    """Media caption: 0–1024 characters after entity parsing."""
    if caption is None:
        return None
    parsed = parse_text(caption, parse_mode, entities)
    if len(parsed.text) > CAPTION_MAX:
        raise ApiError.bad_request("message caption is too long")
    return parsed


def check_reply_markup(markup: Mapping[str, Any] | None) -> None:
    """Inline keyboards: one action per button, callback_data 1–64 bytes, ≤100 buttons."""
    if not markup or "inline_keyboard" not in markup:
        return
    rows = markup["inline_keyboard"]
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise ApiError.bad_request("can't parse inline keyboard: rows must be arrays")
    if sum(len(row) for row in rows) > KEYBOARD_BUTTONS_MAX:
        raise ApiError.bad_request("reply markup is too long")
    for row in rows:
        for button in row:
            if not isinstance(button, Mapping):
                raise ApiError.bad_request("can't parse inline keyboard button: not an object")
            if not button.get("text"):
                raise ApiError.bad_request("can't parse inline keyboard button: text is empty")
            actions = [key for key in button if key not in _NON_ACTION_FIELDS]
            if not actions:
                raise ApiError.bad_request(
                    "can't parse inline keyboard button: "
                    "Text buttons are unallowed in the inline keyboard"
                )
            if len(actions) > 1:
                raise ApiError.bad_request(
                    "can't parse inline keyboard button: exactly one of "
                    f"{', '.join(sorted(actions))} must be used"
                )
            if "callback_data" in button:
                data = button["callback_data"]
                size = len(data.encode("utf-8")) if isinstance(data, str) else 0
                if not 1 <= size <= CALLBACK_DATA_MAX_BYTES:
                    raise ApiError.bad_request("BUTTON_DATA_INVALID")


def check_callback_answer(text: str | None) -> None:
    """answerCallbackQuery text: at most 200 characters."""
    if text is not None and len(text) > CALLBACK_ANSWER_MAX:
        raise ApiError.bad_request("MESSAGE_TOO_LONG: callback answer text exceeds 200 characters")


def check_inline_results(results: list[Any]) -> None:
    """answerInlineQuery: ≤50 results, unique ids of 1–64 bytes, valid message texts."""
    if not isinstance(results, list):
        raise ApiError.bad_request("results must be an array")
    if len(results) > INLINE_RESULTS_MAX:
        raise ApiError.bad_request("RESULTS_TOO_MUCH")
    seen: set[str] = set()
    for result in results:
        if not isinstance(result, Mapping):
            raise ApiError.bad_request("inline query result must be an object")
        result_id = result.get("id")
        if not isinstance(result_id, str) or not (
            1 <= len(result_id.encode("utf-8")) <= INLINE_RESULT_ID_MAX_BYTES
        ):
            raise ApiError.bad_request("RESULT_ID_INVALID")
        if result_id in seen:
            raise ApiError.bad_request("RESULT_ID_DUPLICATE")
        seen.add(result_id)
        content = result.get("input_message_content")
        if isinstance(content, Mapping) and "message_text" in content:
            check_text(content["message_text"], content.get("parse_mode"), content.get("entities"))
        check_reply_markup(result.get("reply_markup"))
