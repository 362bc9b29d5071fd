"""The language a question is written in (lingua, offline), so that a question the embedding
model cannot read gets an honest answer instead of "nothing found"."""

from __future__ import annotations

import functools
import threading

from lingua import IsoCode639_1, Language, LanguageDetector, LanguageDetectorBuilder

# The languages told apart: the most used ones in news, so that the first question does not
# wait for the models of all 75 (and fewer look-alikes split the confidence).
KNOWN = (  # noqa: SIM905 (a word list reads better as words)
    "ar bg cs da de el en es et fa fi fr he hi hr hu id it ja ko lt lv nb nl pl pt ro ru sk sl "
    "sr sv tr uk vi zh"
).split()
# More likely than every other language together: below that, short English questions full of
# names ("Vandermeer tram vote") are too often taken for Danish or Dutch.
CONFIDENT = 0.5


class LanguageCheck:
    """Tells which questions are in a language the bot does not understand."""

    def __init__(self, understood: list[str]) -> None:
        self.understood = frozenset(_language(code) for code in understood)

    def foreign(self, text: str) -> Language | None:
        """The language of the text when it is confidently one the bot does not understand."""
        values = _detector(self.understood).compute_language_confidence_values(text)
        if not values:
            return None
        best = values[0]
        if best.language in self.understood or best.value < CONFIDENT:
            return None
        return best.language

    def warm(self) -> None:
        """Load the detector's models now rather than at the first question."""
        self.foreign("Which languages? Какие языки? 哪些语言? أي لغات? どの言語? Ποιες γλώσσες?")

    def names(self) -> str:
        """The understood languages, for people: "English", "English and German"."""
        found = sorted(lang.name.title() for lang in self.understood)
        return found[0] if len(found) == 1 else ", ".join(found[:-1]) + " and " + found[-1]


_LOCK = threading.Lock()


@functools.cache
def _build(understood: frozenset[Language]) -> LanguageDetector:
    languages = {_language(code) for code in KNOWN} | understood
    # Every model loaded now (loaded on demand, one question would hold the interpreter, and
    # the event loop with it, for seconds). About 6 s and 0.8 GB: the low-accuracy mode's
    # trigram models alone are ten times lighter but take English questions full of unknown
    # names for Lithuanian or Indonesian.
    return (
        LanguageDetectorBuilder.from_languages(*languages).with_preloaded_language_models().build()
    )


def _detector(understood: frozenset[Language]) -> LanguageDetector:
    """One detector a process for a set of languages: its models take seconds to load."""
    with _LOCK:
        return _build(understood)


def _language(code: str) -> Language:
    try:
        return Language.from_iso_code_639_1(getattr(IsoCode639_1, code.strip().upper()))
    except AttributeError as exc:
        raise ValueError(f"{code!r} is not an ISO 639-1 language code") from exc
