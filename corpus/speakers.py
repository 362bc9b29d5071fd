"""One identity per speaker: the forms of a name, compared by one rule, and a registry of them.

A name is reduced to its *key*: accents folded, case dropped, a leading article, honorifics
and titles stripped ("Mr", "Dr", "President"), a possessive dropped, and each word spelled by
a transliteration skeleton ("Kovalenkyy", "Kovalenkiy" and "Kovalenky" share one). Two
forms name the same person when one's words are all in the other's ("Moss", "Ada Moss";
"Li", "Li Wenhao") or when they share a family name and their given names agree (an
initial agrees with a name it begins: "J. Smith", "John Smith"). A family name alone is not
enough for two full names: "Anna Berg" and "Tom Berg" are two people.

`SpeakerRegistry` keeps the identities of one corpus: each with its canonical (longest)
form, every form seen and every role given. A short form that fits two identities ("Berg"
when both Bergs are known) belongs to neither: no guess without evidence.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process, utils

from corpus.lexicon import words

# Honorifics and titles written as if part of a name ("President Ana Berg", "Sen. Tom Reyes"),
# and the small words inside names ("de la Cruz", "Ministry of Defence"): corpus/data/.
HONORIFICS = words("honorifics")
PARTICLES = words("particles")
_ARTICLE = re.compile(r"^(?:the|a|an)\s+", re.IGNORECASE)
_POSSESSIVE = re.compile(r"['’]s?$")


def fold(text: str) -> str:
    """Lowercase ASCII letters and digits only: accents and marks removed."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def skeleton(word: str) -> str:
    """A spelling key for one word that transliteration variants share.

    Runs of i/y/j become one i (Kovalenkiy, Kovalenky, Kovalenkyy), kh → h, ph → f, ck/q → k,
    w → v, ou → u, and doubled letters are written once (Mohammed, Mohamed).
    """
    w = re.sub(r"[^a-z0-9]", "", fold(word))
    for a, b in (("kh", "h"), ("ph", "f"), ("ck", "k"), ("q", "k"), ("w", "v"), ("ou", "u")):
        w = w.replace(a, b)
    w = re.sub(r"[iyj]+", "i", w)
    return re.sub(r"(.)\1+", r"\1", w)


def _consonants(word: str) -> str:
    return word[:1] + re.sub(r"[aeiou]", "", word[1:])


def same_word(a: str, b: str) -> bool:
    """Two skeletons spell one name: equal, or (for long words) the same consonants with the
    same first letter and nearly the same length (Mohamed, Muhamad)."""
    if a == b:
        return True
    return (
        min(len(a), len(b)) >= 7
        and a[0] == b[0]
        and abs(len(a) - len(b)) <= 1
        and _consonants(a) == _consonants(b)
    )


def name_words(name: str) -> list[str]:
    """The words of a name that identify its bearer, as skeletons (see the module doc)."""
    return list(_name_words(name))


# Names are compared pairwise, over and over, while an article is attributed (a quarter of
# its parse time went to re-deriving the same keys): the keys are kept by name.
@functools.lru_cache(maxsize=65_536)
def _name_words(name: str) -> tuple[str, ...]:
    text = _ARTICLE.sub("", " ".join(name.split()))
    words = re.findall(r"[\w'’.]+", text.replace("-", " "))
    words = [_POSSESSIVE.sub("", w).strip(".") for w in words]
    words = [w for w in words if w]
    while len(words) > 1 and fold(words[0]) in HONORIFICS:
        words = words[1:]
    return tuple(skeleton(w) for w in words if fold(w) not in PARTICLES and skeleton(w))


def _is_initial(word: str) -> bool:
    return len(word) == 1


def _contained(short: list[str], long_: list[str]) -> bool:
    """Every full word of `short` is in `long_`, and every initial begins one of its words."""
    return all(
        any(w[0] == x[0] for x in long_) if _is_initial(w) else any(same_word(w, x) for x in long_)
        for w in short
    )


def same_person(a: str, b: str) -> bool:
    """Whether two names may denote one person or organisation (the rule of the module doc)."""
    wa, wb = name_words(a), name_words(b)
    if not wa or not wb:
        return False
    full_a = [w for w in wa if not _is_initial(w)]
    full_b = [w for w in wb if not _is_initial(w)]
    if not full_a or not full_b:
        return False
    short, long_ = (wa, wb) if len(full_a) <= len(full_b) else (wb, wa)
    if _contained(short, long_):
        return True
    # Same family name; the given names agree where both have one ("J." and "John").
    if not same_word(wa[-1], wb[-1]):
        return False
    given_a, given_b = wa[:-1], wb[:-1]
    if not given_a or not given_b:
        return True
    x, y = given_a[0], given_b[0]
    return (x[0] == y[0]) if (_is_initial(x) or _is_initial(y)) else same_word(x, y)


# A suggestion for a misspelt name, not an identity: how alike (0-100, rapidfuzz) a typed name
# and a known one (or its family name) must be to offer it. "Putn"/"Putin" score 89, two
# unrelated surnames of one length rarely pass 70.
SUGGEST_SCORE = 80


def closest(name: str, known: Iterable[str], limit: int = 3) -> list[str]:
    """Known names a misspelt `name` may mean, best first, one form per person."""
    typed = " ".join(skeleton(w) for w in name_words(name))
    if not typed:
        return []
    keys: dict[str, list[str]] = {}  # spelling key of a form, and of its family name → forms
    for form in known:
        words_ = name_words(form)
        if words_:
            keys.setdefault(" ".join(skeleton(w) for w in words_), []).append(form)
            keys.setdefault(skeleton(words_[-1]), []).append(form)
    found = process.extract(
        typed, list(keys), scorer=fuzz.ratio, processor=utils.default_process,
        score_cutoff=SUGGEST_SCORE, limit=None,
    )  # fmt: skip
    out: list[str] = []
    for key, _, _ in found:
        for form in keys[key]:
            if not any(same_person(form, o) for o in out):
                out.append(form)
    return out[:limit]


@dataclass
class Identity:
    """One person or organisation: the canonical form, every form seen, every role given."""

    canonical: str
    forms: set[str] = field(default_factory=set)
    roles: list[str] = field(default_factory=list)

    def add(self, name: str, role: str | None) -> None:
        self.forms.add(name)
        if len(name_words(name)) > len(name_words(self.canonical)):
            self.canonical = name
        if role and role not in self.roles:
            self.roles.append(role)


class SpeakerRegistry:
    """The speakers of one corpus, one identity per person (see the module doc)."""

    def __init__(self, speakers: Iterable[tuple[str, str | None]] = ()) -> None:
        self._identities: list[Identity] = []
        self._unplaced: dict[str, list[str | None]] = {}  # short forms that fit several
        pairs = sorted(speakers, key=lambda p: -len(name_words(p[0])))  # full names first
        for name, role in pairs:
            self.add(name, role)

    def __len__(self) -> int:
        return len(self._identities)

    @property
    def identities(self) -> list[Identity]:
        return list(self._identities)

    def _candidates(self, name: str) -> list[Identity]:
        return [i for i in self._identities if any(same_person(name, f) for f in i.forms)]

    def add(self, name: str, role: str | None = None) -> Identity | None:
        """Record a form (and role); None when the form fits several identities."""
        if not name_words(name):
            return None
        found = self._candidates(name)
        exact = [i for i in found if name in i.forms]
        if len(found) > 1 and len(exact) != 1:
            self._unplaced.setdefault(name, []).append(role)
            return None
        identity = exact[0] if exact else found[0] if found else None
        if identity is None:
            identity = Identity(name)
            self._identities.append(identity)
            # A short form seen before the full names it might belong to: placed now if it
            # fits this identity alone.
            for form, roles in list(self._unplaced.items()):
                if len(self._candidates(form)) == 1 and same_person(form, name):
                    for r in roles:
                        identity.add(form, r)
                    del self._unplaced[form]
        identity.add(name, role)
        return identity

    def lookup(self, name: str) -> Identity | None:
        """The identity a form names, or None when it names none or several."""
        found = self._candidates(name)
        if len(found) == 1:
            return found[0]
        exact = [i for i in found if name in i.forms]
        return exact[0] if len(exact) == 1 else None

    def canonical(self, name: str) -> str | None:
        identity = self.lookup(name)
        return identity.canonical if identity else None

    def same_person(self, a: str, b: str) -> bool:
        """One identity in this corpus: by the name rule, and not merely a shared surname
        when the corpus knows two people of that name."""
        if not same_person(a, b):
            return False
        ia, ib = self.lookup(a), self.lookup(b)
        if ia is not None and ib is not None:
            return ia is ib
        return not (len(self._candidates(a)) > 1 or len(self._candidates(b)) > 1)
