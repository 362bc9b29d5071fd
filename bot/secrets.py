"""Keeping the bot token (and the webhook secret) out of every log line.

The Bot API puts the token in the URL (…/bot<id>:<secret>/getUpdates): httpx logs every
request URL at INFO, python-telegram-bot its API URLs at DEBUG, and a traceback may quote
either. One filter, shared by the whole process, masks every secret it was given.
"""

from __future__ import annotations

import logging

__all__ = ["MASK", "TokenFilter", "hide_secrets", "token_filter"]

MASK = "[TOKEN]"
# Loggers whose own records carry Bot API URLs: filtered where they log, so that a handler
# added later (a test's, a library's) never sees the token either.
URL_LOGGERS = ("httpx", "telegram.Bot", "telegram.ext.ExtBot", "telegram.ext.Updater")


class TokenFilter(logging.Filter):
    """Masks secrets (the bot token, its secret half) in a record's message and traceback.

    On a handler it sees records propagated from every logger; on a logger, that logger's own.
    """

    def __init__(self, *secrets: str) -> None:
        super().__init__()
        self._secrets: list[str] = []
        self.add(*secrets)

    def add(self, *secrets: str) -> None:
        """Mask these too: a token's whole form and its secret half after the colon."""
        parts = set(self._secrets)
        for secret in secrets:
            if secret:
                parts.add(secret)
                _, colon, tail = secret.partition(":")
                if colon and len(tail) >= 8:
                    parts.add(tail)
        self._secrets = sorted(parts, key=len, reverse=True)  # the whole token before its half

    def mask(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, MASK)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        if not self._secrets:
            return True
        try:
            # Formatted now, not later: python-telegram-bot logs API results as dicts that it
            # then changes (getFile's file_path becomes the download URL, token included).
            message = record.getMessage()
        except Exception:  # a malformed record: let the handler report it as usual
            return True
        record.msg, record.args = self.mask(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.mask(record.exc_text)
        if record.stack_info:
            record.stack_info = self.mask(record.stack_info)
        return True


token_filter = TokenFilter()


def hide_secrets(*secrets: str) -> TokenFilter:
    """Mask these secrets in the records of the loggers that print Bot API URLs (and, through
    `attach`, wherever the process's handlers print)."""
    token_filter.add(*secrets)
    for name in URL_LOGGERS:
        logger = logging.getLogger(name)
        if token_filter not in logger.filters:
            logger.addFilter(token_filter)
    return token_filter


def attach(handler: logging.Handler) -> None:
    """Put the process's one token filter on a handler (idempotent)."""
    if token_filter not in handler.filters:
        handler.addFilter(token_filter)
