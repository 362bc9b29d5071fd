"""What a question asks: whose words, which standing, and about what."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from corpus.speakers import same_person

_SAY = re.compile(
    r"\b(say|said|says|saying|tell|told|react|reacted|reaction|respond|responded|response|"
    r"comment|comments|commented|statement|quote|quoted|think|thinks|thought|on the record|"
    r"announce|announced|warn|warned|claim|claimed|describe|described|speech|remarks?|"
    r"words|message)\b",
    re.IGNORECASE,
)
# "varga on the pier repairs", "orlen mayor on the ferry": whose view on what.
_X_ON_Y = re.compile(
    r"(?!(?:is|are|was|were|did|do|does|what|whats|what's|how|when|where|why|who|can|any|has)\b)"
    r"[\w'’. -]{2,40}?\bon\s+(?:the\s+)?\w"
)
_STATUS = re.compile(
    r"\b(confirm|confirmed|confirmation|verified|verify|true|really|actually|proof|evidence|"
    r"rumou?rs?|reportedly|officially|do we know|is it known|sure|unconfirmed|allegedly|"
    r"alleged)\b",
    re.IGNORECASE,
)
_YES_NO = re.compile(r"(is|are|was|were|did|does|do|has|have|will|can|could|would)\b", re.I)
_OVERVIEW = re.compile(
    r"\b(what happened|whats going on|what's going on|what is going on|happening|explained|"
    r"explain|summary|summarise|summarize|overview|update|whats the deal|what's the deal|"
    r"whats in it|what's in it|why does .* matter|about)\b",
    re.IGNORECASE,
)
_TOPIC_START = re.compile(r"\b(on|about|regarding|over)\b")
_OBJECT_BEFORE = re.compile(r"\b(about|of|on|for|with|against|to|by|over)\s+(\w+\s+){0,2}$")
_STOP = frozenset(
    [
        "a",
        "an",
        "the",
        "what",
        "who",
        "whom",
        "whose",
        "which",
        "when",
        "where",
        "why",
        "how",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "do",
        "does",
        "did",
        "done",
        "has",
        "have",
        "had",
        "of",
        "on",
        "in",
        "at",
        "to",
        "for",
        "from",
        "by",
        "with",
        "about",
        "and",
        "or",
        "but",
        "if",
        "then",
        "than",
        "that",
        "this",
        "these",
        "those",
        "it",
        "its",
        "their",
        "there",
        "they",
        "them",
        "he",
        "she",
        "his",
        "her",
        "we",
        "our",
        "you",
        "your",
        "i",
        "me",
        "my",
        "any",
        "anything",
        "some",
        "news",
        "update",
        "latest",
        "going",
        "happen",
        "happened",
        "happening",
        "thing",
        "things",
        "whats",
        "what's",
        "so",
        "get",
        "got",
        "can",
        "could",
        "would",
        "should",
        "will",
        "say",
        "said",
        "says",
        "tell",
        "told",
        "think",
        "re",
        "up",
    ]
)
# Words people use for a role, mapped to the words an attribution line uses.
_ROLE_SYNONYMS = {
    "boss": ("director", "chief", "head", "chair", "president", "executive"),
    "ceo": ("chief", "executive"),
    "pm": ("prime", "minister"),
    "gov": ("governor",),
    "chairman": ("chair",),
    "chairwoman": ("chair",),
    "spokesman": ("spokesperson",),
    "spokeswoman": ("spokesperson",),
}
_ROLE_NOUNS = {
    "president", "minister", "chief", "executive", "director", "chair", "speaker", "governor",
    "coach", "arbiter", "mayor", "spokesperson", "secretary", "head", "commissioner", "leader",
    "chancellor", "judge", "official", "striker", "champion", "captain", "founder", "manager",
    "ambassador", "general", "officer", "prime",
}  # fmt: skip


@dataclass(frozen=True)
class Query:
    """The analysed question."""

    text: str
    speakers: tuple[str, ...] = ()
    wants_statement: bool = False
    wants_status: bool = False
    wants_overview: bool = False
    topic_terms: tuple[str, ...] = ()


class KnownSpeakers:
    """The known speakers (name → their roles) indexed by family name and role noun, so a
    question tries only the people its words could name, not every one of tens of thousands."""

    def __init__(self, speakers: Mapping[str, str]) -> None:
        self.source = speakers
        self._order: dict[str, int] = {}
        self._family: dict[str, str] = {}
        self._by_family: dict[str, list[str]] = {}
        self._role_tokens: dict[str, set[str]] = {}
        self._by_noun: dict[str, list[str]] = {}
        for n, (name, role) in enumerate(speakers.items()):
            self._order[name] = n
            parts = [p for p in re.findall(r"\w+", name.lower()) if len(p) > 2]
            if parts:
                self._family[name] = parts[-1]
                self._by_family.setdefault(parts[-1], []).append(name)
            if role:
                tokens = set(re.findall(r"\w+", role.lower())) | {_acronym(role)}
                self._role_tokens[name] = tokens
                for noun in tokens & _ROLE_NOUNS:
                    self._by_noun.setdefault(noun, []).append(name)

    def named_by(self, words: set[str]) -> list[str]:
        """People whose family name is one of the words, or one of them less a plural "s"."""
        found = {
            name
            for w in words
            for key in (w, w[:-1] if w.endswith("s") else "")
            for name in self._by_family.get(key, ())
        }
        return sorted(found, key=self._order.__getitem__)

    def family(self, name: str) -> str:
        return self._family[name]

    def with_role_nouns(self, nouns: set[str]) -> list[str]:
        """People whose role holds one of these nouns, in the order they were known."""
        found = {name for noun in nouns for name in self._by_noun.get(noun, ())}
        return sorted(found, key=self._order.__getitem__)

    def role_tokens(self, name: str) -> set[str]:
        return self._role_tokens[name]


def analyze(question: str, known_speakers: Mapping[str, str] | KnownSpeakers) -> Query:
    """Find the speakers the question names (or describes by role) and what it wants."""
    text = " ".join(question.split())
    lowered = text.lower()
    known = (
        known_speakers
        if isinstance(known_speakers, KnownSpeakers)
        else KnownSpeakers(known_speakers)
    )
    wants_statement = bool(_SAY.search(text) or _X_ON_Y.match(lowered))
    speakers = _named(lowered, known)
    if not speakers and wants_statement:
        speakers = _by_role(lowered, known)
    name_tokens = {p for s in speakers for p in re.findall(r"\w+", s.lower())}
    topic = tuple(
        t
        for t in re.findall(r"\w+", lowered)
        if t not in _STOP and t not in name_tokens and len(t) > 1 and not _SAY.fullmatch(t)
    )
    return Query(
        text=text,
        speakers=tuple(speakers),
        wants_statement=wants_statement,
        wants_status=bool(_STATUS.search(text) or _YES_NO.match(lowered)),
        wants_overview=bool(_OVERVIEW.search(text)) and not wants_statement,
        topic_terms=topic,
    )


def _named(lowered: str, known: KnownSpeakers) -> list[str]:
    """Speakers named in the question as the ones speaking (not as what it is about)."""
    speakers: list[str] = []
    # The family name alone is enough ("Putin"); a given name alone is not.
    for name in known.named_by(set(re.findall(r"\w+", lowered))):
        m = re.search(rf"\b{re.escape(known.family(name))}(?P<own>'s|’s|s)?\b", lowered)
        if m is None or _is_object(lowered, m.start()):
            continue
        # "varga's budget" is about Varga; "varga's reaction" is Varga speaking.
        if m.group("own") and not _SAY.match(lowered[m.end() :].lstrip()):
            continue
        if not any(same_person(name, s) for s in speakers):
            speakers.append(name)
    return speakers


def _is_object(lowered: str, at: int) -> bool:
    """The name is what the question is about ("… about Varga's budget"), not who speaks."""
    return bool(_OBJECT_BEFORE.search(lowered[:at])) and not _SAY.search(lowered[at:])


def _by_role(lowered: str, known: KnownSpeakers) -> list[str]:
    """Speakers whose role the question describes ("the orlen mayor", "acme ceo").

    Only the words before the topic count: in "orlen mayor on the new ferry captain" the
    captain is what the mayor is asked about.
    """
    topic = _TOPIC_START.search(lowered)
    if topic and _ROLE_NOUNS & _role_words(lowered[: topic.start()]):
        lowered = lowered[: topic.start()]
    asked = _role_words(lowered)
    if not asked & _ROLE_NOUNS:
        return []
    scored: list[tuple[int, str]] = []
    for name in known.with_role_nouns(asked & _ROLE_NOUNS):
        tokens = known.role_tokens(name)
        nouns = asked & _ROLE_NOUNS & tokens
        others = sum(1 for w in asked - _ROLE_NOUNS if any(_stem_match(w, t) for t in tokens))
        scored.append((len(nouns) + others, name))
    if not scored:
        return []
    best = max(score for score, _ in scored)
    chosen = [name for score, name in scored if score == best]
    # One role word shared by several people says nothing about which of them is meant.
    return chosen if best >= 2 or len(chosen) == 1 else []


def _role_words(text: str) -> set[str]:
    """The words of the question, with role synonyms spelled as attribution lines spell them."""
    words: list[str] = []
    for w in re.findall(r"\w+", text):
        words.extend(_ROLE_SYNONYMS.get(w, (w,)))
    return {w for w in words if w not in _STOP}


def _acronym(role: str) -> str:
    """Initials of the organisation in a role ("Chief Executive of Orlen Ferry Lines" → ofl)."""
    org = role.split(" of ", 1)[-1]
    return "".join(w[0] for w in re.findall(r"[A-Z][\w'’-]*", org)).lower()


def _stem_match(a: str, b: str) -> bool:
    return a == b or (len(a) >= 5 and len(b) >= 5 and a[:5] == b[:5])
