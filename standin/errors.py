"""Exceptions of the Bot API stand-in."""

from __future__ import annotations

__all__ = ["ApiError", "EntityParseError", "StandInError"]


class StandInError(Exception):
    """A test or player misused the stand-in (not something Telegram would answer)."""


class ApiError(Exception):
    """A Bot API call refused the way Telegram refuses it.

    Carries everything needed to build the response envelope: the HTTP/Bot API
    ``error_code``, the ``description`` (``"Bad Request: …"``) and, for 429, the
    ``retry_after`` seconds; for a group upgraded to a supergroup, its new chat id.
    """

    def __init__(
        self,
        error_code: int,
        description: str,
        retry_after: int | None = None,
        migrate_to_chat_id: int | None = None,
    ):
        super().__init__(description)
        self.error_code = error_code
        self.description = description
        self.retry_after = retry_after
        self.migrate_to_chat_id = migrate_to_chat_id

    @classmethod
    def bad_request(cls, reason: str) -> ApiError:
        """A 400 with Telegram's ``Bad Request:`` prefix."""
        return cls(400, f"Bad Request: {reason}")

    def envelope(self) -> dict[str, object]:
        """The JSON body Telegram sends for this error."""
        body: dict[str, object] = {
            "ok": False,
            "error_code": self.error_code,
            "description": self.description,
        }
        parameters: dict[str, int] = {}
        if self.retry_after is not None:
            parameters["retry_after"] = self.retry_after
        if self.migrate_to_chat_id is not None:
            parameters["migrate_to_chat_id"] = self.migrate_to_chat_id
        if parameters:
            body["parameters"] = parameters
        return body


class EntityParseError(ValueError):
    """Text with ``parse_mode`` HTML that Telegram would refuse to parse.

    ``reason`` is the part after ``can't parse entities:``; ``byte_offset`` is the
    UTF-8 byte offset of the offending character, as Telegram reports it.
    """

    def __init__(self, reason: str, byte_offset: int):
        super().__init__(f"{reason} at byte offset {byte_offset}")
        self.reason = reason
        self.byte_offset = byte_offset
