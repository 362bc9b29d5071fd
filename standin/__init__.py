"""A local stand-in for the Telegram Bot API, for tests and terminal play.

The real python-telegram-bot stack talks HTTP to :class:`StandIn` on 127.0.0.1; it
queues user updates for getUpdates, records what the bot sends, and refuses what
Telegram would refuse (spec validation, text/HTML rules, rate limits, blocked users).
"""

from .entities import ParsedText, parse_html
from .errors import ApiError, EntityParseError, StandInError
from .ratelimit import RateStats
from .server import Refusal, StandIn
from .spec import Spec
from .world import ApiCall, Chat, User

__all__ = [
    "ApiCall",
    "ApiError",
    "Chat",
    "EntityParseError",
    "ParsedText",
    "RateStats",
    "Refusal",
    "Spec",
    "StandIn",
    "StandInError",
    "User",
    "parse_html",
]
