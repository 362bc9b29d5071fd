"""What relates a later passage to an unconfirmed claim: pure functions over text.

Names (capitalised words, told from sentence openers by the article around them), numbers
with their qualifiers and units, and the cues of denial and hedging, read from a general
lexicon (`claim_cues.json`). Nothing here knows any particular story.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import Stemmer

CUES_FILE = Path(__file__).with_name("claim_cues.json")
_STEMMER = Stemmer.Stemmer("english")
_WORD = re.compile(r"[^\W\d_][\w’'-]*|\d[\d,.]*", re.UNICODE)
_SENTENCE_END = re.compile(r"[.!?:;•\n\"“”(\[*–—-]\s*$")


@dataclass(frozen=True)
class Cues:
    denial: tuple[tuple[str, ...], ...]
    negation: frozenset[str]
    negation_scope: int
    hedge: tuple[tuple[str, ...], ...]
    approximate: tuple[tuple[str, ...], ...]
    lower_bound: tuple[tuple[str, ...], ...]
    upper_bound: tuple[tuple[str, ...], ...]
    number_words: Mapping[str, int]
    scales: Mapping[str, int]
    function_words: frozenset[str]
    months: frozenset[str]
    weekdays: frozenset[str]


@cache
def cues() -> Cues:
    """The lexicon, loaded once."""
    data = json.loads(CUES_FILE.read_text(encoding="utf-8"))

    def phrases(key: str) -> tuple[tuple[str, ...], ...]:
        return tuple(sorted((tuple(words(p)) for p in data[key]), key=len, reverse=True))

    return Cues(
        denial=phrases("denial"),
        negation=frozenset(data["negation"]),
        negation_scope=int(data["negation_scope"]),
        hedge=phrases("hedge"),
        approximate=phrases("approximate"),
        lower_bound=phrases("lower_bound"),
        upper_bound=phrases("upper_bound"),
        number_words=dict(data["number_words"]),
        scales=dict(data["scales"]),
        function_words=frozenset(data["function_words"]),
        months=frozenset(data["months"]),
        weekdays=frozenset(data["weekdays"]),
    )


def words(text: str) -> list[str]:
    """Lower-case words, with "n't" split off as its own word (a negator)."""
    out: list[str] = []
    for w in re.findall(r"\d[\d,.]*\d|\d|[^\W\d_][\w’']*|%|[€$£¥]", text.lower()):
        w = w.replace("’", "'")
        if w.endswith("n't") and len(w) > 3:
            out.extend([w[:-3] or w, "n't"])
        elif w.endswith("'s"):
            out.append(w[:-2])
        else:
            out.append(w.strip("'"))
    return [w for w in out if w]


def stem(word: str) -> str:
    return _STEMMER.stemWord(word.lower())


# -- names ---------------------------------------------------------------------------


def capitalised(text: str) -> tuple[set[str], set[str]]:
    """(capitalised words inside sentences, capitalised words opening them), stemmed."""
    inside: set[str] = set()
    opening: set[str] = set()
    skip = cues().function_words
    for m in _WORD.finditer(text):
        w = m.group().strip("’'-.")
        if not w or not w[0].isupper():
            continue
        key = w.lower()
        if key.endswith(("'s", "’s")):
            key = key[:-2]
        if key in skip or len(key) < 2:
            continue
        before = text[max(0, m.start() - 3) : m.start()]
        first = m.start() == 0 or bool(_SENTENCE_END.search(before))
        (opening if first else inside).add(stem(key))
    return inside, opening


def names(text: str, known: set[str] | None = None) -> set[str]:
    """The names a text mentions: capitalised words inside sentences, and capitalised
    sentence openers that `known` (the article's names) holds as names."""
    inside, opening = capitalised(text)
    return inside | (opening & (known or set()))


def idf(term: str, freq: Mapping[str, int], articles: int) -> float:
    """Rarity of a term across articles; a name every article has weighs nearly nothing."""
    return math.log((articles + 1) / (freq.get(term, 0) + 0.5))


def weight(items: Iterable[str], freq: Mapping[str, int], articles: int) -> float:
    return sum(max(idf(t, freq, articles), 0.0) for t in items)


def overlap(a: set[str], b: set[str], freq: Mapping[str, int], articles: int) -> float:
    """Weighted overlap coefficient of two sets: the shared weight over the smaller side's."""
    smaller = min(weight(a, freq, articles), weight(b, freq, articles))
    return weight(a & b, freq, articles) / smaller if smaller > 0 else 0.0


def coverage(a: set[str], b: set[str], freq: Mapping[str, int], articles: int) -> float:
    """Share of a's weight that b also holds (1.0 when a is empty)."""
    total = weight(a, freq, articles)
    return weight(a & b, freq, articles) / total if total > 0 else 1.0


# -- numbers --------------------------------------------------------------------------


@dataclass(frozen=True)
class Quantity:
    value: float
    unit: str  # the stemmed word after the number ("peopl", "euro"), or a symbol class
    qualifier: str  # "exact", "approximate", "lower" (at least) or "upper" (up to)


def quantities(text: str) -> list[Quantity]:
    """The counted quantities of a text; dates, years and clock times are not quantities."""
    c = cues()
    ws = words(text)
    out: list[Quantity] = []
    i = 0
    while i < len(ws):
        w = ws[i]
        value = _number(w, c)
        if value is None:
            i += 1
            continue
        j = i + 1
        while j < len(ws) and (ws[j] in c.scales or ws[j] in c.number_words):
            if ws[j] in c.scales:
                value *= c.scales[ws[j]]
            j += 1
        prev = ws[i - 1] if i else ""
        unit = ""
        for k in range(j, min(j + 3, len(ws))):
            if ws[k] in ("of", "more", "than", "additional", "other", "further"):
                continue
            unit = "%" if ws[k] in ("%", "percent", "per") else ws[k]
            break
        if prev in ("€", "$", "£", "¥"):
            unit = "currency"
        is_date = prev in c.months or (unit in c.months) or _clock(text, w)
        is_year = value.is_integer() and 1900 <= value <= 2100 and unit not in ("%", "currency")
        if not (is_date or is_year) and unit not in c.function_words:
            out.append(Quantity(value, stem(unit) if unit.isalpha() else unit,
                                _qualifier(ws[max(0, i - 3) : i], c)))  # fmt: skip
        i = j
    return out


def _number(word: str, c: Cues) -> float | None:
    if word in c.number_words:
        return float(c.number_words[word])
    if word[:1].isdigit():
        try:
            return float(word.replace(",", "").rstrip("."))
        except ValueError:
            return None
    return None


def _clock(text: str, word: str) -> bool:
    return bool(re.search(rf"\b{re.escape(word)}:\d\d|\d:{re.escape(word)}\b", text))


def _qualifier(before: list[str], c: Cues) -> str:
    for kind, group in (("lower", c.lower_bound), ("upper", c.upper_bound),
                        ("approximate", c.approximate)):  # fmt: skip
        if any(_ends_with(before, p) for p in group):
            return kind
    return "exact"


def _ends_with(seq: list[str], phrase: tuple[str, ...]) -> bool:
    return len(seq) >= len(phrase) and tuple(seq[-len(phrase) :]) == phrase


NUMBER_TOLERANCE = 0.35  # a refined figure ("about 40" → "43") stays within this of the first


def consistent(claimed: Quantity, found: Quantity) -> bool:
    """Whether a later figure is the claimed one, refined: within the tolerance, or on the
    side of a bound the claim gave ("at least 30" → 43)."""
    if claimed.qualifier == "lower" and found.value >= claimed.value:
        return True
    if claimed.qualifier == "upper" and found.value <= claimed.value:
        return True
    top = max(abs(claimed.value), abs(found.value))
    return top == 0 or abs(claimed.value - found.value) / top <= NUMBER_TOLERANCE


def number_agreement(claim: str, passage: str) -> int:
    """+1 when a figure of the claim comes back (refined) with the same unit, -1 when every
    figure of that unit contradicts it, 0 when the two share no counted unit."""
    found = quantities(passage)
    verdict = 0
    for q in quantities(claim):
        same = [f for f in found if f.unit == q.unit and q.unit]
        if not same:
            continue
        if any(consistent(q, f) for f in same):
            return 1
        verdict = -1
    return verdict


# -- denial and negation --------------------------------------------------------------


def _without_hedges(ws: list[str], c: Cues) -> list[str]:
    """The words with hedging phrases ("has not been confirmed") blanked out: they say the
    matter is open, not that it is false."""
    out = list(ws)
    for phrase in c.hedge:
        n = len(phrase)
        for i in range(len(out) - n + 1):
            if tuple(out[i : i + n]) == phrase:
                out[i : i + n] = [""] * n
    return out


def _has_phrase(ws: list[str], group: tuple[tuple[str, ...], ...]) -> bool:
    starting = _by_first_word(group)
    return any(
        tuple(ws[i : i + len(p)]) == p for i, w in enumerate(ws) for p in starting.get(w, ())
    )


@cache
def _by_first_word(group: tuple[tuple[str, ...], ...]) -> dict[str, list[tuple[str, ...]]]:
    """A phrase group by its phrases' first words: each word of a text is checked against
    the few phrases it can open, not every phrase at every position."""
    starting: dict[str, list[tuple[str, ...]]] = {}
    for phrase in group:
        if phrase:
            starting.setdefault(phrase[0], []).append(phrase)
    return starting


def hedged(text: str) -> bool:
    """The text says a matter is still open ("has not been confirmed", "unclear")."""
    return _has_phrase(words(text), cues().hedge)


def denies(text: str) -> bool:
    """The text uses the vocabulary of denial ("denied", "no evidence", "ruled out")."""
    c = cues()
    return _has_phrase(_without_hedges(words(text), c), c.denial)


def negates(text: str, about: set[str]) -> bool:
    """A negator governs one of the `about` stems within the next few words ("did not pay")."""
    c = cues()
    ws = _without_hedges(words(text), c)
    for i, w in enumerate(ws):
        if w in c.negation:
            window = ws[i + 1 : i + 1 + c.negation_scope]
            if any(stem(x) in about for x in window if x):
                return True
    return False


def content_stems(text: str) -> set[str]:
    c = cues()
    return {stem(w) for w in words(text) if w.isalpha() and w not in c.function_words}


def targeted_denial(claim: str, passage: str, window: int = 8) -> bool:
    """A denial or negation whose neighbourhood holds a word of the claim ("ruled out
    sabotage", "not chlorine", "no evidence that the attackers were based abroad"): the
    passage denies this claim's matter, not some other one."""
    c = cues()
    ws = _without_hedges(words(passage), c)
    claim_stems = content_stems(core(claim))
    for i in range(len(ws)):
        hit = ws[i] in c.negation or any(tuple(ws[i : i + len(p)]) == p for p in c.denial)
        if not hit:
            continue
        near = ws[max(0, i - 3) : i + 1 + window]
        if any(stem(x) in claim_stems for x in near if x and x not in c.negation):
            return True
    return False


_ACCORDING = re.compile(r",?\s*\baccording to\b[^.;]*", re.IGNORECASE)
_FRAME = re.compile(
    r"^[^,.;]{0,60}?\b(?:say|says|said|claim|claims|believe|believes|suspect|suspects|"
    r"allege|alleges|fear|fears|report|reports)\b(?:\s+that)?\s+",
    re.IGNORECASE,
)
_HEDGE_VERBS = r"(?:said|reported|believed|thought|alleged|understood|rumoured)"
_HEDGED_BE = re.compile(rf"\b(is|are|was|were)\s+{_HEDGE_VERBS}\s+to\s+be\b", re.IGNORECASE)
_HEDGED_HAVE = re.compile(rf"\b(is|are|was|were)\s+{_HEDGE_VERBS}\s+to\s+have\b", re.IGNORECASE)
_HEDGE_ADVERB = re.compile(r"\b(?:reportedly|allegedly|apparently)\s+", re.IGNORECASE)


def _unhedge(text: str) -> str:
    """ "X is said to have paid" → "X has paid"; "is believed to be" → "is"."""
    text = _HEDGED_BE.sub(lambda m: m.group(1), text)
    text = _HEDGED_HAVE.sub(
        lambda m: "has" if m.group(1).lower() in ("is", "was") else "have", text
    )
    return _HEDGE_ADVERB.sub("", text)


def core(text: str) -> str:
    """The claim without its attribution and hedges ("Workers say…", "…is said to have…",
    "…, according to volunteers"): who reported it, and how cautiously, is not what a
    later passage repeats."""
    out = _unhedge(_ACCORDING.sub("", text))
    out = _FRAME.sub("", out, count=1).strip()
    return out[:1].upper() + out[1:] if out else text


_CLAUSE = re.compile(r"(?<=[.!?;])\s+|,\s+(?=which\b|while\b|but\b|after\b)|\s+[—–]\s+")


def views(text: str) -> list[str]:
    """The passage, its core, and its sentences and main clauses when it has several: a later
    passage often states a claim in one clause among others."""
    out = [text, _reported(text)]
    parts = [p.strip() for p in _CLAUSE.split(text) if len(p.split()) >= 4]
    if len(parts) > 1:
        out.extend(_reported(p) for p in parts)
    # What a frame reports on ("found no evidence that Y", "denied that Y"): Y is what the
    # passage is about; whether it affirms or denies Y is read from the whole (contradicts).
    for view in list(out):
        _, sep, reported = view.rpartition(" that ")
        if sep and len(reported.split()) >= 4:
            out.append(reported[:1].upper() + reported[1:])
    return list(dict.fromkeys(out))


_REPORTED = re.compile(
    r"^[^,;]{0,80}?\b(?:said|says|found|finds|show|shows|showed|confirmed|confirms|announced|"
    r"reported|told)\b(?:\s+on\s+\w+\s+\d{1,2})?\s+that\s+",
    re.IGNORECASE,
)


def _reported(text: str) -> str:
    """What a sentence reports, without who reports it ("Inspectors found that X" → X)."""
    out = core(_REPORTED.sub("", text, count=1).strip())
    return out[:1].upper() + out[1:] if out else text


def contradicts(claim: str, passage: str) -> bool:
    """The passage says the claim is false: denial words or a negated shared word that the
    claim does not have, or a figure of the claim's unit that is far from it."""
    if denies(passage) and not denies(claim):
        return True
    claim = core(claim)
    shared = content_stems(claim) & content_stems(passage)
    if negates(passage, shared) and not negates(claim, shared):
        return True
    return number_agreement(claim, passage) < 0
