"""The corpus's speaker registry: who speaks in it, with every role the articles give them,
indexed for question analysis (retrieval.query.SpeakerIndex)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable

from corpus.attribution import could_be_person
from corpus.models import Passage
from corpus.nlp import pipeline as nlp_pipeline
from corpus.speakers import HONORIFICS, fold
from corpus.store import Store
from retrieval.lexical import LexicalIndex, stem
from retrieval.query import SpeakerIndex

# Passages read for a word written after a title (`SpeakerRegistry.titled`): those that
# hold it most.
TITLED_PASSAGES = 20
NAMED_PASSAGES = 10  # passages read for a person asked about who is no known speaker
_TITLES = "|".join(re.escape(t) for t in sorted(HONORIFICS, key=len, reverse=True))


class SpeakerRegistry:
    """The speakers of the stored passages, kept in step by the Library (under its write
    lock); read from any thread: the name → roles map is replaced on change, never changed
    in place, and the index is rebuilt from whichever map it finds."""

    def __init__(
        self,
        store: Store,
        lexical: Callable[[], LexicalIndex],
        article_freq: Callable[[], Counter[str]],
        nlp_model: str | None = None,
    ) -> None:
        self.store = store
        self._lexical = lexical  # the current keyword index (it is swapped when rebuilt)
        self._article_freq = article_freq
        self.nlp_model = nlp_model
        self._roles: dict[str, str] = {}
        self._index: SpeakerIndex | None = None
        self._index_of: dict[str, str] | None = None  # the map the index was built from

    def reload(self) -> None:
        """Read every speaker from the store again (at start-up, after a removal)."""
        self._roles = _roles_of(self.store.speakers())

    def remember(self, passages: Iterable[Passage]) -> None:
        """Take in the speakers of newly stored passages."""
        roles = dict(self._roles)
        for p in passages:
            if p.speaker:
                _add_role(roles, p.speaker.name, p.speaker.role)
        self._roles = roles

    def names(self) -> list[str]:
        return sorted(self._roles)

    def roles(self) -> dict[str, str]:
        """Each speaker's roles, space-separated in the order the articles gave them."""
        return dict(self._roles)

    def index(self) -> SpeakerIndex:
        """The speakers indexed for question analysis, re-indexed after they changed."""
        index, roles = self._index, self._roles
        if index is None or self._index_of is not roles:
            freq = self._article_freq()
            index = SpeakerIndex(
                ((name, role or None) for name, role in roles.items()),
                lambda w: freq.get(stem(w), 0) > 0,
                self.titled,
            )
            self._index, self._index_of = index, roles
        return index

    def titled(self, word: str) -> bool:
        """Some passage holding the word writes it alone after a title ("Mr Xi said",
        "President Lee's visit"), as a family name is written, never a given name."""
        titled = re.compile(rf"\b(?i:{_TITLES})\.?\s+(?i:{re.escape(word)})\b(?![’'-]?\s*[A-Z])")
        hits = self._lexical().search(word, TITLED_PASSAGES)
        passages = self.store.passages([pid for pid, _ in hits])
        return any(titled.search(p.text) for p in passages.values())

    def person_named(self, words: tuple[str, ...]) -> str | None:
        """The person the corpus names by all these words (the parser's PERSON entities in
        the passages that hold them most), longest form first; None: nobody by that name."""
        hits = self._lexical().search(" ".join(words), NAMED_PASSAGES)
        texts = [p.text for p in self.store.passages([pid for pid, _ in hits]).values()]
        names = [
            ent.text
            for doc in nlp_pipeline(self.nlp_model).parse(texts)
            for ent in doc.ents
            if ent.label_ == "PERSON" or (ent.label_ == "ORG" and mistaken_name(ent.text))
            if set(words) <= set(re.findall(r"\w+", fold(ent.text)))
        ]
        return max(names, key=len, default=None)


def mistaken_name(name: str) -> bool:
    """An organisation as the small tagger reads a name it has not seen ("Oda Brannock"): a
    given and a family name, capitalised as names are, no organisation noun. An organisation
    ("NASA", "Tesla") speaks through its people: no statement by it is not the tagger's call."""
    words = name.split()
    return 2 <= len(words) <= 3 and all(w.istitle() for w in words) and could_be_person(name)


def _roles_of(pairs: Iterable[tuple[str, str | None]]) -> dict[str, str]:
    roles: dict[str, str] = {}
    for name, role in pairs:
        _add_role(roles, name, role)
    return roles


def _add_role(roles: dict[str, str], name: str, role: str | None) -> None:
    """Remember that `name` speaks, with every role the articles give them."""
    known = roles.get(name, "")
    if role and role not in known:
        known = f"{known} {role}".strip()
    roles[name] = known
