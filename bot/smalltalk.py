"""Messages that are not questions — greetings, thanks, an emoji, a lone word such as "the" —
get a short friendly reply instead of passages."""

from __future__ import annotations

import re

from spacy.lang.en.stop_words import STOP_WORDS

EXAMPLE = "“what's new?” or “what did the mayor say about the tram?”"
_GREETING = re.compile(
    r"(hi|hello|hey|hiya|howdy|yo|good (morning|afternoon|evening|day)|greetings|start)",
    re.IGNORECASE,
)
_THANKS = re.compile(
    r"((thanks?( you)?|thx|ty|cheers)( (a lot|so much|very much|again))?|much appreciated|"
    r"great|nice|cool|perfect|awesome|ok(ay)?|got it|bye|goodbye|see you)",
    re.IGNORECASE,
)


def reply_to(message: str) -> str | None:
    """A reply for a message that is not a question, or None for a question."""
    words = re.findall(r"[^\W_]+(?:['’][^\W_]+)?", message.lower())
    bare = " ".join(words)
    if not words:  # "?", "😀", "!!!"
        return f"Ask me about the news in my articles, e.g. {EXAMPLE} Send /help for more."
    if _GREETING.fullmatch(bare):
        return f"Hello! Ask me a question about the news, e.g. {EXAMPLE}"
    if _THANKS.fullmatch(bare) or _THANKS.fullmatch(bare.removesuffix(" bot")):
        return "You're welcome! Ask me anything else about the news."
    if all(w.replace("’", "'") in STOP_WORDS for w in words):  # "the", "and so"
        return f"Could you say a little more? For example: {EXAMPLE}"
    return None
