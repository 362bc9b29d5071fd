"""Direct quotes in prose and the speakers they are attributed to."""

from __future__ import annotations

import re
from dataclasses import dataclass

from corpus.models import Speaker

# Titles and descriptors that may precede a name ("Harbour Minister Ilse Varga") and are not
# part of it; what precedes the name is kept as the speaker's role.
_TITLES = {
    "president", "vice", "prime", "minister", "governor", "gov", "gov.", "sen", "sen.", "senator",
    "rep", "rep.", "representative", "secretary", "chancellor", "mr", "mr.", "mrs", "mrs.", "ms",
    "ms.", "dr", "dr.", "spokesperson", "spokesman", "spokeswoman", "chief", "ceo", "director",
    "chair", "chairman", "chairwoman", "mayor", "general", "gen.", "king", "queen", "pope",
    "speaker", "leader", "commissioner", "ambassador", "judge", "justice", "premier", "envoy",
    "coach", "captain", "head", "executive", "officer", "founder", "professor", "prof.", "sheikh",
    "foreign", "defense", "defence", "interior", "finance", "health", "energy", "economy",
    "deputy", "state", "press", "adviser", "advisor", "aide", "analyst",
}  # fmt: skip
_SPEECH_VERBS = (
    "said|says|told|tells|wrote|writes|added|adds|stressed|warned|stated|declared|noted|explained|"
    "insisted|continued|posted|tweeted|announced|argued|claimed|asked|replied|urged|remarked|"
    "described|called|recalled|acknowledged|admitted|emphasized|emphasised|vowed|promised|"
    "insists|warns|notes|explains|argues|claims|asks|replies|urges|concluded|confirmed|stressing|"
    "saying|adding|writing|telling"
)
_NAME_WORD = r"(?:[A-Z][\w'’.\-]*|al|bin|de|da|del|van|von|le|la)"
# A name starts a word (\b): tried inside one, the search was quadratic in the word's length
# ("PutinPutin…" of 40,000 characters took 12 s to parse).
_NAME = rf"(?:the\s+)?\b[A-Z][\w'’.\-]*(?:\s+{_NAME_WORD}){{0,7}}"
_QUOTE_RE = re.compile(r"“[^“”]+”|\"[^\"\n]+\"|«[^«»]+»")
_Q = "\x00"  # stands for a quotation once it is cut out of a sentence

_ROLE_WORDS = (
    "speaker|spokesperson|spokesman|spokeswoman|president|minister|chair|chairman|chairwoman|"
    "secretary|leader|director|official|governor|mayor|chief|executive|ceo|commissioner|"
    "prime|foreign|defence|defense|finance|interior|deputy|general|head|envoy|ambassador"
)
_AUX = r"(?:(?:has|have|had|also|later|then|previously|again|once|has also)\s+)*"
# A role before a name, with up to two descriptors ahead of it ("Kremlin spokesman", "union
# leader"); a capitalised title on its own ("President") is split off later by `_speaker`.
_ROLE = rf"(?:(?:[\w'’.-]+\s+){{0,2}}?(?:{_ROLE_WORDS})\s+){{1,3}}"
_AFTER_QUOTE = re.compile(
    rf"{_Q}[,.!?—–\s]*(?P<role>{_ROLE})?(?P<name>{_NAME})"
    rf"(?:\s+and\s+(?:[a-z]+\s+)?{_NAME})?\s+{_AUX}(?:{_SPEECH_VERBS})\b"
)
_VERB_THEN_NAME = re.compile(
    rf"{_Q}[,.!?—–\s]*(?:{_SPEECH_VERBS})\s+(?:(?:a|the)\s+(?:statement|post|message|spokesperson|"
    rf"spokesman|spokeswoman)\s+(?:from|for|of)\s+)?(?P<role>{_ROLE})?"
    rf"(?P<name>{_NAME})(?:,\s+(?:the\s+)?(?P<appositive>[a-z][\w\s'’-]{{2,60}}?)(?:[,.]|$))?"
)
_NAME_THEN_QUOTE = re.compile(
    rf"(?:\b(?P<role>(?:(?:{_ROLE_WORDS})\s+){{1,3}}))?(?P<name>{_NAME})"
    rf"(?:\s+and\s+(?:[a-z]+\s+)?{_NAME})?(?:,[^,{_Q}]{{1,80}},)?\s+{_AUX}(?:{_SPEECH_VERBS})\b[^{_Q}]{{0,80}}{_Q}"
)
# Indirect speech ("Ms Varga said the pier …") names who a later "he said" refers to.
_REPORTED = re.compile(rf"(?P<name>{_NAME})(?:,[^,]{{1,80}},)?\s+{_AUX}(?:{_SPEECH_VERBS}|urged)\b")
_ACCORDING = re.compile(rf"according to\s+(?P<name>{_NAME})")
_PRONOUN = re.compile(
    rf"(?:{_Q}[,.!?—–\s]*(?:he|she|they)\s+{_AUX}(?:{_SPEECH_VERBS})\b)"
    rf"|(?:\b(?:He|She|he|she)\s+{_AUX}(?:{_SPEECH_VERBS})\b[^{_Q}]{{0,40}}{_Q})"
    rf"|(?:{_Q}[,.!?—–\s]*(?:reads|read|says|said)\s+(?:the|a|his|her)\s+(?:post|statement|message|tweet|letter))"
)
_HONORIFICS = {"mr", "mrs", "ms", "dr", "messrs"}
_NOT_NAMES = {
    "The",
    "This",
    "That",
    "It",
    "They",
    "We",
    "I",
    "He",
    "She",
    "In",
    "On",
    "But",
    "And",
    "A",
}
# Groups of people who are not a named speaker ("Officials said …", "Residents told …").
_GROUPS = {
    "officials", "residents", "police", "witnesses", "analysts", "critics", "experts",
    "authorities", "investigators", "protesters", "protestors", "supporters", "opponents",
    "lawmakers", "prosecutors", "doctors", "scientists", "researchers", "sources", "observers",
    "locals", "officers", "workers", "employees", "students", "voters", "diplomats", "economists",
    "activists", "organisers", "organizers", "campaigners", "others", "many", "some", "both",
    "several", "reporters", "journalists", "people", "families", "villagers", "firefighters",
    "rescuers", "volunteers", "leaders", "ministers", "members", "fans", "reports",
}  # fmt: skip


@dataclass(frozen=True)
class Quote:
    """A quotation's span in the text and the words it quotes."""

    start: int
    end: int

    def words(self, text: str) -> int:
        return len(text[self.start + 1 : self.end - 1].split())


def quotes_in(text: str, start: int, end: int) -> list[Quote]:
    """Quotations between start and end."""
    return [Quote(start + m.start(), start + m.end()) for m in _QUOTE_RE.finditer(text[start:end])]


def attributed_speaker(text: str, start: int, end: int, last: Speaker | None) -> Speaker | None:
    """The speaker of the direct quote in this sentence, or None when it has none.

    Only quotes of three words or more count: shorter ones are scare quotes ("terrorists").
    A pronoun ("he said") resolves to `last`, the previous named speaker.
    """
    found = quotes_in(text, start, end)
    if not any(q.words(text) >= 3 for q in found):
        return None
    outside, pos = [], start
    for q in found:
        outside.append(text[pos : q.start])
        outside.append(_Q)
        pos = q.end
    outside.append(text[pos:end])
    frame = " ".join("".join(outside).split())
    for pattern in (_AFTER_QUOTE, _VERB_THEN_NAME, _NAME_THEN_QUOTE, _ACCORDING):
        m = pattern.search(frame)
        if m and (speaker := _speaker(m.group("name"), _role(m))):
            return speaker
    if _PRONOUN.search(frame) and last is not None:
        return last
    if frame.replace(_Q, "").strip(" ,.!?—–") == "" and last is not None:
        return last  # a quote on its own continues the previous speaker
    return None


def reported_speaker(text: str, start: int, end: int) -> Speaker | None:
    """Who is reported speaking in a sentence without a direct quote ("Ms Varga said …")."""
    m = _REPORTED.search(" ".join(text[start:end].split()))
    return _speaker(m.group("name")) if m else None


def _role(m: re.Match[str]) -> str | None:
    groups = m.groupdict()
    parts = [groups.get("role"), groups.get("appositive")]
    return " ".join(p.strip() for p in parts if p and p.strip()) or None


def _speaker(raw: str, extra_role: str | None = None) -> Speaker | None:
    words = raw.split()
    if words and words[0].lower() == "the":
        words = words[1:]
    # Drop a trailing possessive or lowercase tail.
    while words and not words[-1][0].isupper():
        words.pop()
    cut = 0
    for i, w in enumerate(words[:-1]):
        if w.lower().strip(",") in _TITLES or (w.isupper() and len(w) <= 4):
            cut = i + 1
    name_words = words[cut:]
    role = " ".join(w for w in words[:cut] if w.lower().rstrip(".") not in _HONORIFICS) or None
    if extra_role:
        role = f"{role} {extra_role}" if role else extra_role
    if not name_words or name_words[0] in _NOT_NAMES:
        return None
    name = re.sub(r"[’']s?$", "", " ".join(name_words).rstrip(".,"))  # possessive, not a final s
    if len(name) < 2 or name.lower() in _GROUPS:
        return None
    return Speaker(name=name, role=role)


_CALENDAR = {
    "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "January",
    "February", "March", "April", "May", "June", "July", "August", "September", "October",
    "November", "December",
}  # fmt: skip


def full_name(text: str, name: str) -> str:
    """The longest form of a one-word name used in the text ("Varga" → "Ilse Varga")."""
    if " " in name:
        return name
    best = name
    pattern = rf"((?:\b[A-Z][\w'’.-]+\s+){{0,3}}){re.escape(name)}((?:\s+[A-Z][\w'’-]+){{0,2}})"
    for m in re.finditer(pattern, text):
        before = m.group(1).split()
        titled = [i for i, w in enumerate(before) if w.lower().rstrip(".,") in _TITLES]
        if titled:
            before = before[titled[-1] + 1 :]
        if before and before[0] in _NOT_NAMES:
            before = []
        after = []
        for w in m.group(2).split():
            if w in _CALENDAR or w in _NOT_NAMES or w.lower() in _TITLES:
                break
            after.append(w)
        candidate = " ".join([*before, name, *after])
        if len(candidate) > len(best) and len(candidate.split()) <= 4:
            best = candidate
    return best


def same_person(a: str, b: str) -> bool:
    """Whether two names plausibly denote one person ("Putin" and "Vladimir Putin")."""
    ta = [t for t in re.findall(r"\w+", a.lower()) if len(t) > 1]
    tb = [t for t in re.findall(r"\w+", b.lower()) if len(t) > 1]
    if not ta or not tb:
        return False
    if ta[-1] == tb[-1]:
        return True
    short, long_ = (ta, tb) if len(ta) <= len(tb) else (tb, ta)
    return all(t in long_ for t in short)
