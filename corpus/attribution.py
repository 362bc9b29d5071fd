"""Who speaks: the second stage of attribution, on spaCy's parse and entities.

For each paragraph, the sentences are grouped into *frames* (a quotation that spans sentences
keeps them together). A frame holding a direct quote is attributed through its speech
predicate: a verb of the reporting lexicon (`data/reporting_verbs.txt`) outside the quote,
preferably one whose clause holds the quote, and the phrase the dependency patterns of
`data/attribution_patterns.json` lead to from it (its subject, "according to X", the
subject it shares with the verb it hangs from: "condemned the plan, calling it “…”"). That
phrase is a name (a PERSON, ORG, GPE or NORP entity, or a proper noun the tagger saw), with
its role from what stands before it ("far-right party leader", "the senator’s lawyer") and
its appositive ("…, the team captain"); or a reference, resolved to the last compatible
speaker or subject of the article: a pronoun ("he said"), a role noun ("the minister
added"), an organisation noun ("the company said"), a statement ("the post read"). A quote
with no predicate continues the speaker of the frame just before it, in this paragraph or
the previous one; nothing else is guessed.

A frame without a direct quote whose predicate introduces a clause ("Berg said the count
was unclear") or that says "according to X" is reported speech: it gets its speaker, but
stays reported (not a statement).
"""

from __future__ import annotations

import json
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from functools import cached_property

from corpus.lexicon import DATA_DIR, words
from corpus.models import Speaker
from corpus.nlp import Pipeline, pipeline
from corpus.quotes import Quote, quotes_by_paragraph
from corpus.segment import sentences
from corpus.speakers import HONORIFICS, PARTICLES, SpeakerRegistry, name_words, same_person

REPORTING = words("reporting_verbs")
STANCE = words("stance_verbs")
COMMUNICATION = words("communication_nouns")
VOICE = words("voice_nouns")
_ORG_ENTRIES = words("organisation_nouns")
ORGANISATION = frozenset(e.rstrip(" *") for e in _ORG_ENTRIES)
GENERIC_ORGANISATION = frozenset(e[:-2] for e in _ORG_ENTRIES if e.endswith(" *"))
QUALIFIERS = words("role_qualifiers")
HYPERNYMS = {e.split()[0]: frozenset(e.split()[1:]) for e in words("role_hypernyms")}
ABBREVIATIONS = dict(e.split() for e in words("abbreviations"))

NAME_LABELS = {"PERSON": "person", "ORG": "org", "GPE": "org", "NORP": "org", "FAC": "org"}
DIRECT_WORDS = 3  # a quote this long is someone's words, a statement; shorter ones may be
LINKED_WORDS = 2  # scare quotes, but this long in a speech predicate's clause they make the
# sentence reported speech ("believes the era “must end”")
# A pronoun or role noun refers back at most this many paragraphs (the current one
# included): further back, news names the person again.
REFERENCE_PARAGRAPHS = 3
# Bounds on what the parse is read for, so that no input costs more than its length: a
# "sentence" of more tokens is a list or a dump, and a paragraph of more characters is text
# with its breaks lost (news paragraphs run to hundreds of characters). Neither is searched
# for speakers; their quotes stay unattributed.
MAX_SENTENCE_TOKENS = 150
MAX_PARAGRAPH_CHARS = 20_000
COURTESY = {"mr": "m", "messrs": "m", "sir": "m", "lord": "m", "mrs": "f", "ms": "f", "miss": "f",
            "mme": "f", "mlle": "f", "dame": "f", "lady": "f", "mx": "", "dr": ""}  # fmt: skip
_PRONOUN_GENDER = {"he": "m", "him": "m", "his": "m", "she": "f", "her": "f"}
_NOT_ROLE_ENTITIES = {"DATE", "TIME", "CARDINAL", "ORDINAL", "PERCENT", "MONEY", "QUANTITY"}
_CLAUSE_DEPS = {"ccomp", "xcomp", "parataxis"}


@dataclass(frozen=True)
class Run:
    """Consecutive sentences of one paragraph with one speaker (None: nobody), `direct` when
    they carry a direct quote (a statement) rather than reported speech."""

    start: int
    end: int
    speaker: Speaker | None
    direct: bool = False


@dataclass
class _Mention:
    """A name the article has used, where, and as what."""

    pos: int
    sentence: int
    paragraph: int
    name: str
    role: str | None
    kind: str  # person, org or unknown
    subject: bool
    speaker: bool = False


@dataclass
class _State:
    """What the article has said so far, for references back."""

    mentions: list[_Mention] = field(default_factory=list)
    genders: dict[tuple[str, ...], str] = field(default_factory=dict)
    recent: tuple[int, Speaker] | None = None  # (paragraph, speaker) of the last frame with one
    sentence: int = 0


def _lemma(t) -> str:
    """The token's lemma, or its lowercase form where the pipeline gave none (proper nouns:
    the tagger takes a capitalised role noun for one)."""
    return (t.lemma_ or t.lower_).lower()


def _role_words(role: str | None) -> set[str]:
    found = set()
    for w in (role or "").replace("’s", " ").replace("'s", " ").replace("-", " ").split():
        w = w.strip(".,;:()").lower()
        found.add(ABBREVIATIONS.get(w, w))
        if len(w) > 3 and w.endswith("s") and not w.endswith("ss"):
            found.add(w[:-1])  # "one of her lawyers"
    if found & {"spokesman", "spokeswoman", "spokesperson"}:
        found |= {"spokesman", "spokeswoman", "spokesperson"}
    return found


def to_parse(text: str, paragraphs: list[tuple[int, int]]) -> list[str]:
    """The paragraph texts `Attributor.attribute` hands the NLP pipeline, in order."""
    return [text[s:e] for s, e in paragraphs if e - s <= MAX_PARAGRAPH_CHARS]


class Attributor:
    """Direct quotes and reported speech of an article, with their speakers."""

    def __init__(self, pipeline: Pipeline) -> None:
        self.pipeline = pipeline

    @cached_property
    def _matcher(self):
        from spacy.matcher import DependencyMatcher

        spec = json.loads((DATA_DIR / "attribution_patterns.json").read_text(encoding="utf-8"))
        matcher = DependencyMatcher(self.pipeline.nlp.vocab)
        self._rank = {}
        for rank, pattern in enumerate(spec["patterns"]):
            spec_text = json.dumps(pattern["nodes"])
            spec_text = spec_text.replace('"$REPORTING"', json.dumps(sorted(REPORTING)))
            spec_text = spec_text.replace('"$COMMUNICATION"', json.dumps(sorted(COMMUNICATION)))
            nodes = json.loads(spec_text)
            matcher.add(pattern["name"], [nodes])
            self._rank[pattern["name"]] = rank
        return matcher

    def attribute(
        self, text: str, paragraphs: list[tuple[int, int]], last: Speaker | None = None
    ) -> list[list[Run]]:
        """Runs of sentences for each paragraph, in order. `last`: who spoke just before
        the first paragraph (an attribution line), for a quote or pronoun that follows it."""
        quotes = quotes_by_paragraph(text, paragraphs)
        some = iter(self.pipeline.parse(to_parse(text, paragraphs)))
        docs = [next(some) if e - s <= MAX_PARAGRAPH_CHARS else None for s, e in paragraphs]
        state = _State()
        if last is not None:
            state.recent = (0, last)
            state.mentions.append(
                _Mention(paragraphs[0][0] if paragraphs else 0, -1, 0, last.name, last.role,
                         "unknown", True, True)
            )  # fmt: skip
        # Every name of the article first (a role may be named after it is used: "the
        # prosecutor said …" then "said prosecutor Ana Berg"), then the frames in order.
        prepared = []
        first = 0
        for n, (span, qs, doc) in enumerate(zip(paragraphs, quotes, docs, strict=True)):
            frames = _frames(text, span, qs)
            if doc is None:
                prepared.append((span, qs, doc, {}, frames, first))
                first += len(frames)
                continue
            quoted = _quoted_tokens(doc, span[0], qs)
            sentence_of = _sentence_index(doc, span[0], frames, first)
            state.mentions.extend(_mentions(doc, span[0], n, sentence_of, quoted, state.genders))
            prepared.append((span, qs, doc, quoted, frames, first))
            first += len(frames)
        state.mentions.sort(key=lambda m: m.pos)
        out = [
            self._paragraph(text, n, *args, state)
            if args[2] is not None
            else [Run(fs, fe, None, False) for fs, fe in args[4]]
            for n, args in enumerate(prepared)
        ]
        return _complete_names(out, state)

    # -- one paragraph --------------------------------------------------------------------

    def _paragraph(
        self, text: str, n: int, span, quotes: list[Quote], doc, quoted, frames, first, state
    ) -> list[Run]:
        base = span[0]
        matcher = self._matcher
        by_predicate: dict[int, list[tuple[int, str, int]]] = {}
        # A parse tree is one sentence, so a match never crosses sentences; the matcher's
        # cost grows with the square of a tree's size, hence no sentence over the bound is
        # searched. Lemmas are set on verbs and nouns only (corpus.nlp): a sentence with
        # neither has no speech predicate, and spaCy's matcher refuses one without lemmas.
        # Every pattern starts from a speech verb or "according": a sentence without one is
        # not searched at all.
        sents = list(doc.sents)
        searched = [
            sent
            for sent in sents
            if len(sent) <= MAX_SENTENCE_TOKENS
            and any(t.lemma for t in sent)
            and any(_anchors(t) for t in sent)
        ]
        if len(searched) > 1 and all(len(sent) <= MAX_SENTENCE_TOKENS for sent in sents):
            # The whole paragraph at once, the matches of sentences not searched dropped: it
            # finds the same, without the copy of each sentence as a Doc that spaCy's matcher
            # makes of a Span (a third of its time).
            starts_ = {sent.start for sent in searched}
            found = [(m, ids) for m, ids in matcher(doc) if doc[ids[0]].sent.start in starts_]
        else:
            found = [(m, [sent.start + i for i in ids]) for sent in searched
                     for m, ids in matcher(sent)]  # fmt: skip
        for match_id, ids in found:
            name = doc.vocab.strings[match_id]
            entry = (self._rank[name], name, ids[-1])
            by_predicate.setdefault(ids[0], []).append(entry)
        starts = [base + t.idx for t in doc]
        runs: list[Run] = []
        for k, (fs, fe) in enumerate(frames):
            state.sentence = first + k
            inside = [q for q in quotes if q.start < fe and fs < q.end]
            tokens = list(doc[bisect_left(starts, fs) : bisect_left(starts, fe)])
            predicates = [
                t for t in tokens if t.i in by_predicate and t.i not in quoted and not _aspect(t)
            ]
            speaker, direct = self._direct(text, n, inside, tokens, predicates, by_predicate,
                                           quoted, base, state)  # fmt: skip
            if speaker is None and not direct:
                speaker = self._reported(n, predicates, by_predicate, quoted, base, state)
            if speaker is not None:
                state.recent = (n, speaker)
            runs.append(Run(fs, fe, speaker, direct and speaker is not None))
        return runs

    def _direct(self, text, n, inside, tokens, predicates, by_predicate, quoted, base, state):
        """(speaker, True) for a frame with a direct quote, (None, True) when its speaker is
        unknown; (speaker, False) for a short quote inside reported speech ("called it “very
        strange”": reported, not a statement); (None, False) when there is none."""
        inside = [q for q in inside if not _is_title(q.inner(text))]
        long_ = [q for q in inside if q.words(text) >= DIRECT_WORDS]
        short = [q for q in inside if q.words(text) >= LINKED_WORDS]
        if not short:
            return None, False
        # The speech predicate a quote hangs from: the nearest one up the parse from the quote
        # (its closing mark included), for the first quote that has one; else one right
        # beside a long quote, the parse having gone astray.
        chosen = None
        governed = set(predicates) | {
            t for t in tokens
            if t.i not in quoted and _lemma(t) in COMMUNICATION and _owner(t) is not None
        }  # fmt: skip
        for q in sorted(inside, key=lambda q: q.words(text) < DIRECT_WORDS):
            chosen = next(iter(_governing(q, tokens, quoted, governed)), None)
            if chosen is not None:
                break
        if chosen is not None and chosen.pos_ == "NOUN":  # "Berg's claim that “…”"
            return self._speaker_of(_owner(chosen), base, n, state), bool(long_)
        if chosen is None and long_:
            near = [
                (_gap(p, long_, base), p.i, p)
                for p in predicates
                if not any(i in quoted for i in _subject_tokens(p))
            ]
            near = [x for x in near if x[0] <= 4]
            chosen = min(near)[2] if near else None
        if chosen is not None:
            speaker = self._resolve_up(chosen, predicates, by_predicate, base, n, state)
            return speaker, bool(long_)
        if not long_:
            return None, False
        rest = [t for t in tokens if t.i not in quoted and not t.is_punct and not t.is_space]
        if not rest or (inside and inside[0].continues):
            return _continued(state, n), True
        colon = _colon_speaker(tokens, quoted)
        if colon is not None:
            return self._speaker_of(colon, base, n, state), True
        return None, True

    def _reported(self, n, predicates, by_predicate, quoted, base, state) -> Speaker | None:
        """The speaker of the frame's first speech predicate that reports what was said: it
        takes a clause ("said the count was unclear"), or an object of what it holds
        ("condemned the strike"), or names its speaker as agent ("was called “…” by Berg"),
        or says "according to". The first, because a source
        named after the words is the outlet's ("…, Berg wrote, the agency reported"). Not
        one in a relative clause (it describes someone) or one only intended ("plans to
        announce")."""
        for p in predicates:
            if _describes(p) or (p.dep_ == "xcomp" and _lemma(p.head) not in REPORTING):
                continue
            says = any(c.dep_ in _CLAUSE_DEPS or c.lower_ == "that" for c in p.children)
            holds = _lemma(p) in STANCE  # "condemned the strike", "apologised"
            passive = any(c.dep_ == "agent" for c in p.children)  # "was condemned by X"
            if says or holds or passive or p.lower_ == "according":
                return self._resolve_up(p, predicates, by_predicate, base, n, state, True)
        return None

    # -- from a predicate to a speaker -----------------------------------------------------

    def _resolve_up(self, p, predicates, by_predicate, base, n, state, reported=False):
        """The predicate's speaker; failing that, that of the speech predicate it is said
        within ("he acknowledged that …, and highlighted that “…”")."""
        outer = [a for a in p.ancestors if a in predicates]
        for q in (p, *outer):
            speaker = self._resolve(q, by_predicate, base, n, state, reported=reported)
            if speaker is not None:
                return speaker
        return None

    def _resolve(self, p, by_predicate, base, n, state, *, reported=False) -> Speaker | None:
        found = sorted(by_predicate.get(p.i, []))
        if any(name == "subject" for _, name, _ in found):
            found = [f for f in found if f[1] == "subject"]
        for _, name, i in found:
            tok = p.doc[i]
            if name in ("said_name", "said_statement") and (tok.i < p.i or p.lemma_ == "tell"):
                continue
            speaker = self._speaker_of(tok, base, n, state, reported=reported)
            if speaker is not None:
                state.mentions.append(
                    _Mention(base + p.idx, state.sentence, n, speaker.name, speaker.role,
                             _kind_of(speaker.name, tok, state), True, True)
                )  # fmt: skip
                state.mentions.sort(key=lambda m: m.pos)
                return speaker
            if name == "subject":
                return None
        return None

    def _speaker_of(self, tok, base, n, state, *, reported=False) -> Speaker | None:
        """The speaker a subject (or agent, or owner) phrase names or refers back to."""
        pos = base + tok.idx
        if tok.lower_ in ("who", "that") and tok.head.dep_ == "relcl":
            tok = tok.head.head
        if tok.lower_ == "one":  # "one of her lawyers, Ana Berg, said"
            tok = next((g for c in tok.children if c.lower_ == "of" for g in c.children), tok)
        if tok.pos_ == "PRON":
            return _pronoun(tok, pos, n, state)
        if (person := _person_in_title(tok)) is not None:
            return person
        named = _name(tok) or _known_name(tok, state)
        if named is not None:
            return named
        for c in tok.children:
            if c.dep_ == "appos" and (named := _name(c)) is not None:
                return named  # "its director, Ana Berg,": the role is the phrase before
        lemma = _lemma(tok)
        owner = _owner(tok)
        if lemma in COMMUNICATION:
            if owner is not None:
                return self._speaker_of(owner, base, n, state)
            if reported:
                return None
            return _continued(state, n) or _recent_subject(state, pos, n)
        definite = any(
            (c.dep_ == "det" and c.lower_ in ("the", "this", "that")) or c.dep_ == "poss"
            for c in tok.children
        ) or (tok.tag_ == "NN" and not any(c.dep_ == "det" for c in tok.children))
        if lemma in VOICE:  # "the Kremlin spokesman": the one named before, else the Kremlin
            found = _by_role(tok, pos, n, state) if definite else None
            if found is None and owner is not None:
                found = self._speaker_of(owner, base, n, state)
            return found
        if _is_age(tok):  # "the 29-year-old said": the person the story is about
            return _pronoun(tok, pos, n, state, gender="")
        if not definite or tok.tag_ in ("NNS", "NNPS"):
            return None
        return _by_role(tok, pos, n, state)


# -- frames and tokens -------------------------------------------------------------------


def _frames(text: str, span: tuple[int, int], quotes: list[Quote]) -> list[tuple[int, int]]:
    """The paragraph's sentences, those a quotation spans joined into one."""
    frames: list[tuple[int, int]] = []
    starts = [q.start for q in quotes]
    for s, e in sentences(text, *span):
        # A quotation across the boundary starts before the frame ends and ends after s.
        k = bisect_left(starts, frames[-1][1]) if frames else 0
        if frames and any(q.end > s for q in quotes[max(0, k - 1) : k]):
            frames[-1] = (frames[-1][0], e)
        else:
            frames.append((s, e))
    return frames


def _quoted_tokens(doc, base: int, quotes: list[Quote]) -> dict[int, Quote]:
    """Token index → the quotation it is inside (its marks included). Quotations are the
    outermost ones, in order and apart, so one search finds the only candidate."""
    starts = [q.start for q in quotes]
    out = {}
    for t in doc:
        at = base + t.idx
        k = bisect_right(starts, at) - 1
        if k >= 0 and at < quotes[k].end:
            out[t.i] = quotes[k]
    return out


def _sentence_index(doc, base, frames, first) -> dict[int, int]:
    """Token index → the article-wide number of the frame it is in (frames are in order)."""
    starts = [s for s, _ in frames]
    index = {}
    for t in doc:
        at = base + t.idx
        k = bisect_right(starts, at) - 1
        index[t.i] = first + (k if k >= 0 and at < frames[k][1] else 0)
    return index


def _gap(p, quotes: list[Quote], base: int) -> int:
    """Tokens (not punctuation) between the predicate and the nearest quotation."""
    best = 10**6
    doc = p.doc
    for q in quotes:
        if base + p.idx >= q.end:
            between = [t for t in doc[: p.i] if base + t.idx >= q.end]
        else:
            between = [t for t in doc[p.i + 1 :] if base + t.idx < q.start]
        best = min(best, sum(1 for t in between if not t.is_punct))
    return best


def _is_title(words: str) -> bool:
    """A quoted name or title ("Department of Public Works", “The Long Road Home”), not
    someone's words: every word capitalised but the small ones, and nothing after a stop."""
    found = words.strip(" ,.;:!?").split()
    small = {"of", "the", "and", "for", "a", "an", "in", "on", "to", "at", "by", "de", "la"}
    return (
        bool(found)
        and len(found) <= 8
        and all(w[:1].isupper() or w.lower() in small for w in found[1:])
        and found[0][:1].isupper()
        and not any(w.endswith((".", "!", "?")) for w in found[:-1])
    )


def _anchors(t) -> bool:
    """The token can be the first node of a pattern of `data/attribution_patterns.json`."""
    if t.lower_ == "according":
        return True
    return t.pos_ in ("VERB", "AUX") and (t.lemma_ in REPORTING or t.lemma_ == "quote")


_ASPECTUAL = {"begin", "continue", "start", "keep", "go", "resume"}


def _aspect(p) -> bool:
    """ "continued to strike", "began to cry": the verb says when, not what was said."""
    return _lemma(p) in _ASPECTUAL and any(
        c.dep_ == "xcomp" and c.pos_ in ("VERB", "AUX") for c in p.children
    )


def _governing(q: Quote, tokens, quoted, predicates) -> list:
    """The predicates the quotation hangs from, nearest first."""
    found = []
    for t in tokens:
        if quoted.get(t.i) is q and quoted.get(t.head.i) is not q:
            for a in t.ancestors:
                if a in predicates:
                    if a not in found:
                        found.append(a)
                    break
    return found


def _describes(p) -> bool:
    """The predicate sits in a relative clause or a subjectless modifier of a noun ("who
    asked not to be named", "a plan announced on Monday")."""
    for t in (p, *p.ancestors):
        if t.dep_ == "relcl" or (
            t.dep_ == "acl" and not any(c.dep_ == "nsubj" for c in t.children)
        ):
            return True
    return False


def _subject_tokens(p) -> set[int]:
    return {t.i for c in p.children if c.dep_ in ("nsubj", "nsubjpass") for t in c.subtree}


def _colon_speaker(tokens, quoted):
    """The subject of the clause a colon ends, right before a quotation ("Berg put it
    plainly: “…”")."""
    for i, t in enumerate(tokens[:-1]):
        if t.text == ":" and t.i not in quoted and tokens[i + 1].i in quoted:
            head = t.head
            for c in head.children:
                if c.dep_ == "nsubj":
                    return c
    return None


def _kind_of(name: str, tok, state: _State) -> str:
    """A speaker's kind: its own tag, else what the article's mentions of the name say
    (a speaker found through "the bank said" is the bank)."""
    kind = _kind(tok)
    if kind != "unknown":
        return kind
    kinds = {m.kind for m in state.mentions if m.kind != "unknown" and same_person(m.name, name)}
    return "person" if "person" in kinds else kinds.pop() if kinds else "unknown"


def _kind(tok) -> str:
    if tok.ent_type_ in NAME_LABELS:
        return NAME_LABELS[tok.ent_type_]
    return "unknown"


def _span_text(tok, stop=None) -> str | None:
    """The words of a noun phrase up to its head (or up to `stop`), less its determiner."""
    words = [t for t in tok.subtree if t.i <= tok.i and (stop is None or t.i < stop.i)]
    while words and (words[0].dep_ == "det" or words[0].is_punct):
        words = words[1:]
    return _text(words) or None


def _text(tokens) -> str:
    """The tokens' words, with a space wherever the text has one between them."""
    out = ""
    for k, t in enumerate(tokens):
        nxt = tokens[k + 1] if k + 1 < len(tokens) else None
        joined = nxt is not None and nxt.idx == t.idx + len(t.text)
        out += t.text + ("" if joined or nxt is None else " ")
    return out.strip(" ,")


def _join(*parts: str | None) -> str | None:
    found = [p for p in parts if p]
    return ", ".join(found)[:120] if found else None


# -- names ---------------------------------------------------------------------------------


def _name_span(tok):
    """The tokens of the name `tok` heads: its entity, or its run of proper nouns."""
    if tok.ent_type_ in NAME_LABELS:
        ent = next((e for e in tok.doc.ents if e.start <= tok.i < e.end), None)
        if ent is not None:
            return list(ent)
    if tok.pos_ != "PROPN" or not tok.text[:1].isupper():
        return None
    span = [tok]
    k = tok.i - 1
    while k >= 0 and _name_part(tok.doc[k]):
        span.insert(0, tok.doc[k])
        k -= 1
    return span


def _name_part(t) -> bool:
    """A word before a proper noun that belongs to the name: a proper noun, or a
    capitalised word the tagger took for a common one ("Tomasz Wrona"), not a title."""
    if t.dep_ not in ("compound", "flat", "nmod"):
        return False
    if t.pos_ == "PROPN":
        return True
    return t.pos_ == "NOUN" and t.text[:1].isupper() and t.lower_ not in HONORIFICS


def _name(tok) -> Speaker | None:
    """The speaker a name-headed phrase names, with the role its modifiers give."""
    span = _name_span(tok)
    if not span:
        return None
    while span and (span[0].dep_ == "det" or span[0].is_punct):
        span = span[1:]
    titles = []
    while len(span) > 1 and span[0].lower_.rstrip(".") in HONORIFICS:
        titles.append(span.pop(0))
    while span and (span[-1].tag_ == "POS" or span[-1].is_punct):
        span = span[:-1]
    while len(span) > 2 and span[0].text.isupper() and len(span[0].text) >= 3:
        span = span[1:]  # an outlet's tag glued to the name ("AFP Ana Berg")
    name = _text(span)
    if not name or not name_words(name):
        return None
    if not name[0].isupper() and not (span[0].lower_ in PARTICLES and span[-1].text[:1].isupper()):
        return None
    if span[-1].lower_.rstrip(".") in HONORIFICS and span[-1].ent_type_ != "PERSON":
        return None  # a title without a name ("the Health Minister"): a role, not a name
    left = [t for t in tok.subtree if t.i < (titles[0].i if titles else span[0].i)]
    while left and (left[0].dep_ == "det" or left[0].is_punct or left[0].dep_ == "prep"):
        left = left[1:]
    role_tokens = [
        t
        for t in left + titles
        if t.lower_.rstrip(".") not in COURTESY and t.ent_type_ not in _NOT_ROLE_ENTITIES
    ]
    if len(role_tokens) == 1 and not (
        role_tokens[0].pos_ == "NOUN" or role_tokens[0].lower_.rstrip(".") in HONORIFICS
    ):
        role_tokens = []  # an outlet's tag or a place before the name ("AFP Ana Berg")
    if not role_tokens and tok.dep_ == "appos" and tok.head.pos_ == "NOUN" and tok.head.i < tok.i:
        role_tokens = [  # "the country's deputy leader, Ana Berg"
            t
            for t in tok.head.subtree
            if t.i < span[0].i and t.dep_ != "det" and t.pos_ != "PRON" and not t.is_punct
        ]
    appos = next((c for c in tok.children if c.dep_ == "appos" and c.i > tok.i), None)
    after = tok.doc[span[-1].i + 1 : span[-1].i + 2]
    if appos is None and len(after) and after[0].text == ",":
        # "said Park Ji-hoon, the team captain", the phrase parsed as a second subject
        appos = next(
            (c for c in tok.head.children
             if c.i > after[0].i and c.pos_ == "NOUN" and c.dep_ in ("nsubj", "npadvmod", "dep")
             and c.left_edge.i == after[0].i + 1),
            None,
        )  # fmt: skip
    appos_text = None
    if appos is not None:
        words = [t for t in appos.subtree if t.dep_ != "relcl" and not _after_clause(t, appos)]
        while words and (words[0].dep_ == "det" or words[0].is_punct):
            words = words[1:]
        appos_text = _text(words) or None
    return Speaker(name=name, role=_join(_text(role_tokens) or None, appos_text))


def _after_clause(t, appos) -> bool:
    return any(a.dep_ == "relcl" for a in t.ancestors if a.i >= appos.i and a != appos)


def _person_in_title(tok) -> Speaker | None:
    """A person at the end of a long title the tagger took for an organisation ("Texas
    Department of Public Safety Director Ana Berg"): the person speaks, the rest is the role."""
    if tok.ent_type_ not in ("ORG", "GPE", "NORP", "FAC") and tok.pos_ != "PROPN":
        return None
    left = tok.left_edge.i
    for ent in tok.doc.ents:
        if ent.label_ != "PERSON" or ent.start <= tok.i or ent.end - 1 > tok.right_edge.i:
            continue
        between = tok.doc[left : ent.start]
        if all(
            t.text[:1].isupper() or t.lower_ in ("of", "and", "&", "for", "the", "-")
            for t in between
        ):
            found = _name(ent.root)
            if found is not None:
                role = _text([t for t in between if t.dep_ != "det"]) or None
                return Speaker(name=found.name, role=role)
    return None


def _known_name(tok, state: _State) -> Speaker | None:
    """A capitalised word the tagger took for a common noun ("Berg said") that the article
    names a person by elsewhere."""
    if tok.pos_ != "NOUN" or not tok.text[:1].isupper() or tok.tag_ != "NN":
        return None
    if any(m.kind == "person" and same_person(tok.text, m.name) for m in state.mentions):
        return Speaker(name=tok.text)
    return None


def _is_age(tok) -> bool:
    """ "the 29-year-old", "the 61-year-old minister"."""
    words = [t.lower_ for t in tok.subtree if t.i <= tok.i]
    return "old" in words and any(w in ("year", "years") for w in words)


def _owner(tok):
    """Whose statement or spokesperson this is: "Berg's", "from Berg", "a Berg statement"."""
    for c in tok.children:
        if c.dep_ == "poss" or (c.dep_ == "compound" and c.pos_ == "PROPN"):
            return c
    for c in tok.children:
        if c.dep_ == "prep" and c.lower_ in ("from", "by", "of", "for"):
            for g in c.children:
                if g.dep_ == "pobj":
                    return g
    return None


# -- references back ----------------------------------------------------------------------


def _candidates(
    state: _State, pos: int, n: int, window: int | None = REFERENCE_PARAGRAPHS
) -> list[_Mention]:
    """Mentions before `pos` (in the last `window` paragraphs): the latest sentence first,
    and in one sentence the subject first. In the sentence being attributed only subjects
    count ("Taking to the stage, he said": not the stage)."""
    found = [
        m
        for m in state.mentions
        if m.pos < pos
        and (window is None or n - m.paragraph < window)
        and (m.sentence != state.sentence or m.subject or m.speaker)
    ]
    found.sort(key=lambda m: (m.sentence, m.speaker or m.subject, m.pos), reverse=True)
    return found


def _ahead(state: _State, pos: int, n: int) -> list[_Mention]:
    """Mentions after `pos` in this paragraph and the next, nearest first: news may give a
    role first and the name just after ("The prosecutor said … said prosecutor Ana Berg")."""
    return [m for m in state.mentions if m.pos > pos and m.paragraph - n <= 1]


def _role_texts(state: _State, name: str) -> list[str]:
    return [m.role for m in state.mentions if m.role and same_person(m.name, name)]


def _roles(state: _State, name: str) -> set[str]:
    """Every role word the article gives this person, under any form of the name."""
    return {
        w
        for m in state.mentions
        if m.role and same_person(m.name, name)
        for w in _role_words(m.role)
    }


def _gender_key(name: str) -> tuple[str, ...]:
    return tuple(name_words(name))


def _gender(state: _State, name: str) -> str | None:
    """What the article says of this person's gender: under the full name, or under the
    family name alone ("Ms Berg" tells of "Ana Berg")."""
    key = _gender_key(name)
    return state.genders.get(key) or state.genders.get(key[-1:])


def _pronoun(tok, pos: int, n: int, state: _State, gender: str | None = None) -> Speaker | None:
    """he/she: the latest person (subjects first) of that gender or of none known yet; it,
    they: the latest organisation that spoke. `gender=""`: a person, whichever."""
    word = tok.lower_
    if gender is not None or word in _PRONOUN_GENDER:
        gender = _PRONOUN_GENDER.get(word, "") if gender is None else gender
        found = _candidates(state, pos, n)
        # People first; then a name the tagger took for an organisation, as it often does
        # with a surname it has not seen, unless the name says it is one ("… Airways").
        for m in [m for m in found if not _is_organisation(m, state)] + [
            m for m in found if _is_organisation(m, state) and m.subject and could_be_person(m.name)
        ]:
            key = _gender_key(m.name)
            if gender and _gender(state, m.name) not in (None, gender):
                continue
            if gender:
                state.genders[key] = gender
            return Speaker(name=m.name, role=m.role)
        return None
    if word in ("it", "they", "them", "its", "their"):  # mostly things and groups: only an
        for m in _candidates(state, pos, n):  # organisation that has spoken before
            if m.speaker and _is_organisation(m, state):
                return Speaker(name=m.name, role=m.role)
        return None
    return None


def _by_role(tok, pos: int, n: int, state: _State) -> Speaker | None:
    """ "the minister", "the company": the last mention this role noun fits.

    The noun must be in the role the person was given (or be a general word for it: "the
    leader" for a president), and so must its modifiers ("the finance minister" is not the
    health minister), except those of time and standing ("the former president") and a
    nationality where the role names none ("the French president").
    """
    noun = ABBREVIATIONS.get(_lemma(tok), _lemma(tok))
    modifiers = [c for c in tok.children if c.dep_ in ("amod", "compound", "nmod") and c.i < tok.i]
    plain = {ABBREVIATIONS.get(w, w) for c in modifiers if not c.text[:1].isupper()
             for w in [c.lower_.rstrip(".")]} - QUALIFIERS  # fmt: skip
    proper = {c.lower_ for c in modifiers if c.text[:1].isupper()} - QUALIFIERS
    nouns = {noun} | HYPERNYMS.get(noun, frozenset())
    for m in [*_candidates(state, pos, n, window=None), *_ahead(state, pos, n)]:
        name = {w.lower() for w in m.name.split()}
        if noun in ORGANISATION and _is_organisation(m, state):
            known = _role_words(m.role)
            if noun in GENERIC_ORGANISATION or noun in name or noun in known:
                return Speaker(name=m.name, role=m.role)
            continue
        known = _roles(state, m.name)
        if not nouns & known:
            continue
        # Modifiers must not contradict: the role's own ones (less its noun and titles)
        # are absent, or the reference's are among them.
        own = known - nouns - HONORIFICS - QUALIFIERS
        if plain and not plain <= known | name and own:
            continue
        capitalised = {
            w.lower()
            for r in _role_texts(state, m.name)
            for w in r.replace("’s", " ").replace("'s", " ").split()
            if w[:1].isupper()
        }
        if proper <= known | name or not capitalised - nouns - HONORIFICS:
            return Speaker(name=m.name, role=_fuller(m.role, _span_text(tok)))
    return None


def _fuller(role: str | None, description: str | None) -> str | None:
    """The role a reference back gives, when it says more than the one known ("France's
    culture minister said …, the minister, Ana Berg, told …": Berg is the culture minister)."""
    known, said = _role_words(role), _role_words(description)
    return description if known < said else role


def _is_organisation(mention: _Mention, state: _State) -> bool:
    """Tagged an organisation here, and nowhere in the article a person (the tagger's
    labels vary from one mention of a name to the next)."""
    if mention.kind != "org":
        return False
    return not any(m.kind == "person" and same_person(m.name, mention.name) for m in state.mentions)


def could_be_person(name: str) -> bool:
    """A name of at most three words, none an organisation noun ("… Airways", "… Council")."""
    found = name.split()
    return len(found) <= 3 and not any(w.lower() in ORGANISATION for w in found)


def _recent_subject(state: _State, pos: int, n: int) -> Speaker | None:
    """Who the post or statement is by when it names nobody: the subject of the paragraph
    before, or of this one ("Berg posted on Sunday. “…,” read the post")."""
    for m in _candidates(state, pos, n, window=2):
        if m.subject or m.speaker:
            return Speaker(name=m.name, role=m.role)
    return None


def _continued(state: _State, n: int) -> Speaker | None:
    """The speaker of the last frame that had one, in this paragraph or the one before."""
    if state.recent is not None and n - state.recent[0] <= 1:
        return state.recent[1]
    return None


def _mentions(doc, base, n, sentence_of, quoted, genders) -> list[_Mention]:
    """Every name outside quotes: entities of the name kinds, with their role; the subjects
    of a clause flagged, for pronouns."""
    out = []
    for ent in doc.ents:
        if ent.label_ not in NAME_LABELS or ent.root.i in quoted:
            continue
        speaker = _name(ent.root)
        if speaker is None:
            continue
        subject = ent.root.dep_ in ("nsubj", "nsubjpass")
        title = doc[ent.start - 1].lower_.rstrip(".") if ent.start > 0 else ""
        if COURTESY.get(title) or COURTESY.get(ent[0].lower_.rstrip(".")):
            genders[_gender_key(speaker.name)] = (
                COURTESY.get(title) or COURTESY[ent[0].lower_.rstrip(".")]
            )
        out.append(
            _Mention(base + ent.start_char, sentence_of[ent.root.i], n, speaker.name,
                     speaker.role, NAME_LABELS[ent.label_], subject)
        )  # fmt: skip
    return out


def _complete_names(runs: list[list[Run]], state: _State) -> list[list[Run]]:
    """Each speaker under the fullest form of the name the article uses, with the role it
    was given somewhere in the article when this mention gave none."""
    registries = {
        kind: SpeakerRegistry((m.name, m.role) for m in state.mentions if m.kind in kinds)
        for kind, kinds in (("person", {"person", "unknown"}), ("org", {"org", "unknown"}))
    }
    out = []
    for paragraph in runs:
        fixed = []
        for r in paragraph:
            s = r.speaker
            if s is not None:
                person = registries["person"].lookup(s.name)
                org = registries["org"].lookup(s.name)
                identity = person or org
                if identity is not None:
                    role = s.role or next(iter(identity.roles), None)
                    s = Speaker(name=identity.canonical, role=role)
            if fixed and fixed[-1].speaker == s and fixed[-1].direct == r.direct:
                fixed[-1] = Run(fixed[-1].start, r.end, s, r.direct)
            else:
                fixed.append(Run(r.start, r.end, s, r.direct))
        out.append(fixed)
    return out


class Recorder(Attributor):
    """Attributes nothing and parses nothing: notes the texts an Attributor would hand the
    NLP pipeline for the same calls (corpus.parse.nlp_texts). Which paragraphs an article's
    parse attributes depends on its layout only, never on the speakers found."""

    def __init__(self) -> None:
        self.texts: list[str] = []

    def attribute(
        self, text: str, paragraphs: list[tuple[int, int]], last: Speaker | None = None
    ) -> list[list[Run]]:
        self.texts.extend(to_parse(text, paragraphs))
        return [[Run(s, e, None)] for s, e in paragraphs]


_attributors: dict[str, Attributor] = {}


def attributor(model: str | None = None) -> Attributor:
    """The Attributor on this model's shared pipeline (corpus.nlp.pipeline)."""
    shared = pipeline(model)
    if shared.name not in _attributors:
        _attributors[shared.name] = Attributor(shared)
    return _attributors[shared.name]
