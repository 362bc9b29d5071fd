"""What a question asks: who it is about (matched against the corpus's speakers), how it is
put (general English cues the ranker weighs), and about what.

Nothing here is a phrase list fitted to questions. Who is asked about comes from the
corpus's own speaker names and roles (`SpeakerIndex`), spelling-tolerant; how the question
is put is a handful of general cues (a reporting verb or communication noun from the
parser's lexicon, a yes/no opening, the wh-word), and which kind of question it is is left
to the ranker's question-kind model (retrieval.ranker), which reads the question's vector.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from itertools import pairwise

from rapidfuzz import fuzz, process

from corpus.attribution import ABBREVIATIONS, ORGANISATION
from corpus.lexicon import DATA_DIR, words
from corpus.speakers import fold, name_words, same_person, same_word, skeleton
from retrieval.lexical import stem

# General English function words: never a name, never a topic.
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
        "being",
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
        "so",
        "get",
        "got",
        "can",
        "could",
        "would",
        "should",
        "will",
        "shall",
        "may",
        "might",
        "must",
        "up",
        "re",
        "s",
        "t",
        "d",
        "ll",
        "ve",
        "not",
        "no",
        "yes",
        "whats",
        "hows",
        "whos",
        "wheres",
        "whys",
    ]
)
_WH = ("what", "who", "how", "when", "where", "why", "which")
_AUXILIARIES = frozenset(
    [
        "is",
        "are",
        "was",
        "were",
        "did",
        "does",
        "do",
        "has",
        "have",
        "had",
        "will",
        "can",
        "could",
        "would",
        "should",
        "shall",
        "may",
        "might",
    ]
)
# A name after one of these is what the question is about, not who speaks ("… about Varga").
_PREPOSITIONS = frozenset(
    [
        "about",
        "of",
        "on",
        "for",
        "with",
        "against",
        "to",
        "by",
        "over",
        "regarding",
        "at",
        "after",
        "before",
        "since",
        "from",
        "into",
        "than",
        "like",
        "during",
        "toward",
        "towards",
    ]
)
REPORTING = words("reporting_verbs")
COMMUNICATION = words("communication_nouns")
SAYING = REPORTING | COMMUNICATION
# Before a word, these make it a noun: "the attack", "a charge", "their answer" are things
# the question is about, not how it asks (a reporting verb's other sense). English's
# articles, demonstratives and possessive determiners.
_DETERMINERS = frozenset(
    ["a", "an", "the", "this", "that", "these", "those", "his", "her", "its", "their", "our",
     "my", "your", "any", "some", "no"]
)  # fmt: skip
# What follows one of these is what the question asks about ("… say about the letter").
_ABOUT = frozenset(["about", "on", "over", "regarding", "concerning"])
# Minimum rapidfuzz ratio (0–100) for a misspelt family name, and the shortest word tried:
# shorter words are too easily one letter away from an unrelated name.
FUZZY_MIN_RATIO = 85.0
FUZZY_MIN_LENGTH = 5
GIVEN_NAME = 0.6  # confidence of a name matched by its first word only ("Xi", "Simon")


def _role_groups() -> dict[str, set[str]]:
    """Role words and the roles they may stand for (corpus/data/role_hypernyms.txt)."""
    groups: dict[str, set[str]] = {}
    text = (DATA_DIR / "role_hypernyms.txt").read_text(encoding="utf-8")
    for line in text.splitlines():
        entries = line.split("#", 1)[0].lower().split()
        if entries:
            groups.setdefault(entries[0], set()).update(entries[1:])
    return groups


_ROLE_GROUPS = _role_groups()
_ROLE_VOCABULARY = {w for head, group in _ROLE_GROUPS.items() for w in (head, *group)}


def _related(word: str) -> set[str]:
    """Role words a question's word may stand for: its group, the groups it is in, and
    their other members ("minister" and "secretary" are both a "leader")."""
    out = set(_ROLE_GROUPS.get(word, ()))
    for head, group in _ROLE_GROUPS.items():
        if word in group:
            out |= {head, *group}
    return out - {word}


def _role_match(word: str, tokens: set[str], stems: set[str]) -> float:
    """1 when a role holds the word; half when it holds a related role word or a longer
    word the word begins ("met" for "meteorological"); else 0."""
    w = _singular(word)
    if w in tokens:
        return 1.0
    if _related(w) & tokens:
        return 0.5
    if len(w) >= 3 and any(t.startswith(w) and len(t) > len(w) for t in tokens):
        return 0.5
    if len(w) >= 5 and stem(w) in stems:  # "senator" of the "Senate"
        return 0.5
    return 0.0


def _singular(word: str) -> str:
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


def _head_noun(role: str) -> str:
    """The word a role is named by: before "of"/"for"/"at", else the last ("Chief Executive
    of Orlen Ferry Lines" → executive, "Halbrook head coach" → coach)."""
    lead = re.split(r"\b(?:of|for|at|to)\b", fold(role), maxsplit=1)[0]
    words_ = [w for w in re.findall(r"[a-z]+", lead) if w not in _STOP]
    return _singular(words_[-1]) if words_ else ""


@dataclass(frozen=True)
class SpeakerMatch:
    """A known speaker the question names or describes.

    `how`: "name" (a full or family name, spelt as the corpus spells it), "spelling" (a name
    within FUZZY_MIN_RATIO of a known one: the bot may ask "did you mean …"), or "role".
    `confidence` in [0, 1]; `as_object`: named after a preposition ("… about Varga"), so
    rather what the question is about than who speaks.
    """

    name: str
    how: str
    confidence: float
    asked: str
    as_object: bool = False
    at: int = -1  # the word of the question it was found at (-1: a role, over several)


@dataclass(frozen=True)
class Cues:
    """How the question is put, as the ranker's features read it."""

    saying: bool = False  # a reporting verb or a communication noun ("say", "statement")
    yes_no: bool = False  # opens with an auxiliary ("did …", "is …")
    wh: str = ""  # the first wh-word, or ""
    words: int = 0
    wants: str = ""  # the kind of answer a wh-question asks for (`answer_type`), or ""


@dataclass(frozen=True)
class Query:
    """The analysed question."""

    text: str
    matches: tuple[SpeakerMatch, ...] = ()
    cues: Cues = field(default_factory=Cues)
    topic_terms: tuple[str, ...] = ()
    # Whose words the question asks for, when those words name no known speaker ("what did
    # <someone never quoted> say"): the library looks for a person of that name.
    unnamed: tuple[str, ...] = ()

    @property
    def speakers(self) -> tuple[str, ...]:
        """The people asked about as speakers, surest first."""
        return tuple(m.name for m in self.matches if not m.as_object)

    @property
    def speaker(self) -> SpeakerMatch | None:
        subject = [m for m in self.matches if not m.as_object]
        return subject[0] if subject else None


class SpeakerIndex:
    """The corpus's speakers (name → roles) indexed for questions: by the skeleton of their
    family name (rapidfuzz over those keys for misspellings) and by the words of their roles,
    weighted by how few people share them."""

    def __init__(
        self,
        speakers: Iterable[tuple[str, str | None]],
        is_word: Callable[[str], bool] = lambda _w: False,
        titled: Callable[[str], bool] = lambda _w: False,
    ) -> None:
        self.is_word = is_word  # a word of the corpus text is no misspelling of a name
        # The corpus writes a title before this word alone ("Mr Xi", "President Lee"): a
        # family name written first, not a given name.
        self.titled = titled
        self._titled: dict[str, bool] = {}
        self._roles: dict[str, list[str]] = {}
        self._by_family: dict[str, list[str]] = {}
        self._given: dict[str, set[str]] = {}
        self._by_given: dict[str, list[str]] = {}
        role_df: dict[str, int] = {}
        for name, role in speakers:
            parts = name_words(name)
            if not parts:
                continue
            if name not in self._roles:
                self._roles[name] = []
                self._by_family.setdefault(parts[-1], []).append(name)
                self._given[name] = set(parts[:-1])
                # An organisation's first word is no given name ("the US open" is not the
                # "US Defense Department").
                if len(parts) > 1 and len(parts[0]) > 1 and not _organisation(name):
                    self._by_given.setdefault(parts[0], []).append(name)
            if role and role not in self._roles[name]:
                self._roles[name].append(role)
        self._role_words: dict[str, set[str]] = {}
        self._role_stems: dict[str, set[str]] = {}  # stemmed once, not per question
        for name, roles in self._roles.items():
            tokens = {_singular(t) for r in roles for t in _role_tokens(r)}
            self._role_words[name] = tokens
            self._role_stems[name] = {stem(t) for t in tokens}
            for t in tokens:
                role_df[t] = role_df.get(t, 0) + 1
        n = max(len(self._roles), 1)
        self._idf = {t: math.log((n + 1) / (df + 0.5)) for t, df in role_df.items()}
        self._families = list(self._by_family)
        heads = {_head_noun(r) for roles in self._roles.values() for r in roles}
        heads |= {ABBREVIATIONS[h] for h in heads if h in ABBREVIATIONS}  # "Gov." names one
        self._role_nouns = (_ROLE_VOCABULARY | heads) - {""}

    def __len__(self) -> int:
        return len(self._roles)

    def roles(self, name: str) -> list[str]:
        return self._roles.get(name, [])

    def by_name(self, words_: list[str]) -> list[SpeakerMatch]:
        """Speakers whose family name is one of the words (at their position), exactly in
        skeleton or within FUZZY_MIN_RATIO; a given name among the words picks one of
        several people sharing the family name."""
        found: list[tuple[int, SpeakerMatch]] = []
        skeletons = [skeleton(w) for w in words_]
        for at, (word, key) in enumerate(zip(words_, skeletons, strict=True)):
            if word in _STOP or len(key) < 2:
                continue
            keys: list[tuple[str, float, str]] = []
            bare = key[:-1] if key.endswith("s") else ""  # "altmans reaction", no apostrophe
            if key in self._by_family:
                keys.append((key, 1.0, "name"))
            elif bare in self._by_family:
                keys.append((bare, 1.0, "name"))
            elif (last := _last_part(word)) and last in self._by_family:
                keys.append((last, 1.0, "name"))  # "braun-pivet": the name's words are split
            elif key in self._by_given and len(key) >= 2:
                # A given name alone (or a family name written first): one person only.
                people = _one_per_person(self._by_given[key])
                if len(people) == 1:
                    family = name_words(people[0])[-1]
                    if self._family_first(word):
                        keys.append((family, 1.0, "name"))
                    else:
                        keys.append((family, GIVEN_NAME, "given name"))
            elif variant := self._variant(key, word):
                keys.append((variant, 1.0, "name"))
            elif len(word) >= FUZZY_MIN_LENGTH and self._families and not self.is_word(word):
                best = process.extractOne(
                    key, self._families, scorer=fuzz.ratio, score_cutoff=FUZZY_MIN_RATIO
                )
                if best is not None:
                    keys.append((best[0], best[1] / 100, "spelling"))
            for family, confidence, how in keys:
                people = _one_per_person(self._by_family[family])
                given = set(skeletons[max(0, at - 2) : at])
                chosen = [p for p in people if self._given[p] & given] or people
                share = confidence / len(chosen)
                obj = _after_preposition(words_, at)
                for p in chosen:
                    found.append((at, SpeakerMatch(p, how, share, word, obj, at)))
        return _best_per_person([m for _, m in sorted(found, key=lambda f: f[0])])

    def _variant(self, key: str, word: str) -> str | None:
        """A known family name the word spells by the registry's rule for one name
        ("Mohamed", "Muhamad"): a variant, not a misspelling."""
        if len(key) < 7 or self.is_word(word):
            return None
        return next((f for f in self._families if same_word(key, f)), None)

    def _family_first(self, word: str) -> bool:
        if word not in self._titled:  # asked of the corpus once per word
            self._titled[word] = self.titled(word)
        return self._titled[word]

    def role_nouns(self) -> set[str]:
        """Words that name a role: the general role nouns, and the head noun of every role
        the corpus gives (the last word, or the word before "of")."""
        return self._role_nouns

    def by_role(self, words_: list[str]) -> list[SpeakerMatch]:
        """The speaker whose roles best describe the words: the IDF-weighted share of the
        describing words a role holds (a word of its group, "boss" for "director", or the
        start of a longer word counts half). Nobody when two fit equally or no more than
        half of the words fit."""
        asked = [w for w in dict.fromkeys(words_) if w not in _STOP and not saying_word(w)]
        if not asked or not self._role_words:
            return []
        top = max(self._idf.values(), default=1.0)
        weight = {w: self._idf.get(_singular(w), top) for w in asked}
        fits: list[tuple[str, dict[str, float]]] = []
        for name, tokens in self._role_words.items():
            stems = self._role_stems[name]
            got = {w: m for w in asked if (m := _role_match(w, tokens, stems))}
            if any(_singular(h) in self._role_nouns for h in got):  # a role word, not only a place
                fits.append((name, got))
        # Words no role fits at all ("… think the jewels have left") are what is asked about,
        # not who: only the words some role fits are weighed.
        total = sum(weight[w] for w in {w for _, got in fits for w in got})
        scored = [
            (sum(m * weight[w] for w, m in got.items()) / total, name, " ".join(got))
            for name, got in fits
        ]
        if not scored:
            return []
        scored.sort(key=lambda x: -x[0])
        best, name, hit = scored[0]
        if best <= 0.5 or (len(scored) > 1 and scored[1][0] >= best - 1e-9):
            return []
        return [SpeakerMatch(name, "role", round(min(1.0, best), 4), hit)]


def answer_type(tokens: Sequence[str]) -> str:
    """What a wh-question's answer is, by English's question words: "when" asks for a
    date or time, "who" for a name, "how" before a word that is no auxiliary or function
    word ("how many", "how long") for a quantity; "" for anything else."""
    if "when" in tokens:
        return "date"
    if "who" in tokens or "whose" in tokens:
        return "name"
    if any(a == "how" and b not in _AUXILIARIES and b not in _STOP for a, b in pairwise(tokens)):
        return "quantity"
    return ""


def question_words(text: str) -> list[str]:
    """The words of a question as names are looked up by: a possessive's "'s" dropped."""
    words_ = (re.sub(r"['’]s?$", "", t) for t in re.findall(r"[\w'’-]+", text))
    return [w for w in words_ if w]


def analyze(question: str, speakers: SpeakerIndex, lemmas: Iterable[str] = ()) -> Query:
    """Who the question names or describes, how it is put, and its topic words.

    `lemmas`: the question's verb lemmas when a parser gave them (the library passes
    spaCy's), so that "told" and "spoke" are read as "tell" and "speak".
    """
    text = " ".join(question.split())
    tokens = question_words(fold(text))
    found = speakers.by_name(tokens)
    # A name followed by a role word describes someone else: "the halbrook coach", "her
    # lawyer", "the central bank governor" are the club's, her, the bank's people.
    nouns = speakers.role_nouns()
    described = {
        m.at for m in found if any(_singular(t) in nouns for t in tokens[m.at + 1 : m.at + 4])
    }
    matches = [m for m in found if m.at not in described]
    source = _source(tokens)
    by: list[SpeakerMatch] = []
    if source is not None:
        # "… according to her lawyer": the source speaks, any other name is asked about.
        start, end = source
        by = [replace(m, as_object=False) for m in matches if start <= m.at < end]
        if not by:
            by = speakers.by_role([t for i, t in enumerate(tokens[:end]) if i >= start])
        if by:
            others = [replace(m, as_object=True) for m in matches if not start <= m.at < end]
            matches = [*by, *others]
    # A given name alone ("bill", "mark") or a near spelling is no sure name: a role the
    # question gives ("the fisheries minister on the harbour bill") may name someone surer.
    if not by and not [m for m in matches if not m.as_object and m.how == "name"]:
        # "the harbour chief on the new pier director": the words before the first
        # preposition describe who speaks, the rest what they are asked about.
        cut = next((i for i, t in enumerate(tokens) if i and t in _PREPOSITIONS), len(tokens))
        named = {m.at for m in found} - described
        head = [t for i, t in enumerate(tokens[:cut]) if i not in named]
        whole = [t for i, t in enumerate(tokens) if i not in named]
        subjects = [m for m in matches if not m.as_object]
        # Beside an unsure name only the words before the topic may describe someone else.
        roles = speakers.by_role(head) or ([] if subjects else speakers.by_role(whole))
        if roles and all(m.confidence < roles[0].confidence for m in subjects):
            matches = [m for m in matches if m.as_object]
        matches = matches + roles
    about = next((i for i, t in enumerate(tokens) if t in _ABOUT), len(tokens))
    says = [i <= about and _says(tokens, i) for i in range(len(tokens))]
    if source is not None:
        says[source[0] - 2] = True  # "according to" asks what its source said
    cues = Cues(
        saying=any(says) or bool(set(lemmas) & REPORTING),
        yes_no=bool(tokens) and tokens[0] in _AUXILIARIES,
        wh=next((t for t in tokens if t in _WH), ""),
        words=len(tokens),
        wants=answer_type(tokens),
    )
    # The speaker's name is not the topic; a person asked about ("… about Varga") is.
    subject = [m for m in matches if not m.as_object]
    named = {p for m in subject if m.how != "role" for p in re.findall(r"\w+", fold(m.name))}
    named |= {w for m in subject for w in m.asked.split()}
    topic = tuple(
        t
        for t, say in zip(tokens, says, strict=True)
        if t not in _STOP and t not in named and len(t) > 1 and not say
    )
    unnamed = () if subject else _subject_words(tokens, says)
    return Query(text=text, matches=tuple(matches), cues=cues, topic_terms=topic, unnamed=unnamed)


def _subject_words(tokens: list[str], says: list[bool]) -> tuple[str, ...]:
    """The words between the question's auxiliary and its saying word, less determiners
    ("what did the ferry boss say", "has Varga commented"): who it asks for words of."""
    aux = next((i for i, t in enumerate(tokens[:3]) if t in _AUXILIARIES), None)
    if aux is None:
        return ()
    verb = next((j for j in range(aux + 1, min(aux + 5, len(tokens))) if says[j]), None)
    if verb is None:
        return ()
    return tuple(t for t in tokens[aux + 1 : verb] if t not in _STOP and len(t) > 1)


def _says(tokens: list[str], at: int) -> bool:
    """The word asks what was said: a saying word (`saying_word`), unless it is a reporting
    verb used as a noun ("the attack", "the champions cup"; a communication noun such as
    "the statement" keeps asking). After "about" or "on" every word is what the question
    asks about ("… say about the letter"): `analyze` asks only of the words before."""
    word = tokens[at]
    if not saying_word(word):
        return False
    return not (at and tokens[at - 1] in _DETERMINERS) or _inflected_in(word, COMMUNICATION)


def saying_word(word: str) -> bool:
    """A reporting verb or communication noun in any regular inflection ("saying",
    "comments", "warned")."""
    return _inflected_in(word, SAYING)


def _inflected_in(word: str, lexicon: frozenset[str]) -> bool:
    """The word or a regular inflection of it is in the lexicon."""
    if word in lexicon:
        return True
    for suffix in ("ing", "ed", "es", "s", "d"):
        if word.endswith(suffix) and len(word) > len(suffix) + 2:
            stem = word[: -len(suffix)]
            if stem in lexicon or f"{stem}e" in lexicon:
                return True
    return False


def _organisation(name: str) -> bool:
    """The name ends in an organisation noun ("… Shipping Agency", "… Defense Department")."""
    last = re.findall(r"[a-z]+", fold(name))[-1:]
    return bool(last) and (last[0] in ORGANISATION or _singular(last[0]) in ORGANISATION)


def _role_tokens(role: str) -> set[str]:
    # A dotted abbreviation is one word: "U.S. Attorney" is the "us attorney".
    role = re.sub(r"\b(?:[A-Za-z]\.){2,}", lambda m: m.group().replace(".", "") + " ", role)
    tokens = {t for t in re.findall(r"\w+", fold(role)) if t not in _STOP and len(t) > 1}
    tokens |= {ABBREVIATIONS[t] for t in tokens if t in ABBREVIATIONS}  # "Gov." is a governor
    acronym = _acronym_of(role)
    return tokens | ({acronym} if len(acronym) >= 2 else set())


def _acronym_of(role: str) -> str:
    """Initials of the capitalised words of the organisation in a role ("Chief Executive of
    Orlen Ferry Lines" → ofl), or of the whole role when it names none."""
    org = role.split(" of ", 1)[-1]
    return "".join(w[0] for w in re.findall(r"[A-Z][\w'’-]*", org)).lower()


def _last_part(word: str) -> str:
    """The spelling key of a hyphenated word's last part when it is a word of letters."""
    _, hyphen, last = word.rpartition("-")
    return skeleton(last) if hyphen and len(last) > 2 and last.isalpha() else ""


def _source(tokens: list[str]) -> tuple[int, int] | None:
    """The words naming the question's source: after "according to", up to the next
    preposition or the question's own verb ("according to Varga, did Orlov …")."""
    for i, t in enumerate(tokens[:-2]):
        if t == "according" and tokens[i + 1] == "to":
            stops = _PREPOSITIONS | _AUXILIARIES | frozenset(_WH)
            end = next((j for j in range(i + 2, len(tokens)) if tokens[j] in stops), len(tokens))
            return i + 2, end
    return None


def _after_preposition(words_: list[str], at: int) -> bool:
    """A preposition within the two words before (skipping given names and "the")."""
    before = words_[max(0, at - 3) : at]
    return any(w in _PREPOSITIONS for w in before[-2:] if w)


def _one_per_person(names: list[str]) -> list[str]:
    """The longest form of each person among names sharing a family name."""
    out: list[str] = []
    for name in sorted(names, key=lambda n: -len(name_words(n))):
        if not any(same_person(name, o) for o in out):
            out.append(name)
    return out


def _best_per_person(matches: list[SpeakerMatch]) -> list[SpeakerMatch]:
    out: list[SpeakerMatch] = []
    for m in matches:
        if not any(same_person(m.name, o.name) for o in out):
            out.append(m)
    return out
