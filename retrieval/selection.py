"""From ranked candidates to what is shown: abstention, a who-said answer's order, the weak
tail, and duplicates folded together. Pure functions over `Candidate` lists."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from rapidfuzz import fuzz, utils

from corpus.models import Passage, Status
from corpus.speakers import fold as speakers_fold
from corpus.speakers import same_person
from retrieval.features import Candidate, mentions, speaks
from retrieval.query import Query, SpeakerMatch, question_words

# Defaults with a reason, not fitted: a speaker is taken as the one asked about when the
# match is at least an even bet, and a question as who-said when its kind is the likeliest.
SURE_SPEAKER = 0.5
RELATED = 3  # statements offered, labelled as not an answer, when a person said nothing on it
QUOTE_WORDS = 5  # fewer words than this ("No.") are one quote only when identical


@dataclass(frozen=True)
class Limits:
    """How the shown list is cut and folded (README: Retrieval)."""

    tail_gap: float = 0.30  # cosine this far below the best one: dropped
    same_article_duplicate: float = 0.85  # cosine of two passages of one article saying one thing
    cross_article_duplicate: float = 0.90  # the same across articles
    same_quote: float = 90.0  # rapidfuzz token-set ratio of two quotes of one speaker


@dataclass
class Group:
    """One result: the passage shown and the ones folded into it."""

    head: Candidate
    same_article: list[Candidate] = field(default_factory=list)  # other sections, same words
    other_articles: list[Candidate] = field(default_factory=list)  # also reported by
    someone_else: bool = False  # a who-said answer's result that is not that person's words


@dataclass
class Selection:
    """What the question gets: results, or nothing with a reason and related passages."""

    groups: list[Group]
    asked: str | None = None  # the person a who-said question is about
    spelt: str | None = None  # the question's word for them when it was a near spelling
    missing: str | None = None  # when abstaining: the person with no statement on this
    never_quoted: bool = False  # `missing` is named in the corpus but never quoted
    related: list[Candidate] = field(default_factory=list)  # shown as not an answer
    kind: str = ""  # the likeliest question kind (retrieval.features.KINDS)


def who_said(query: Query, kind_probs: Mapping[str, float]) -> SpeakerMatch | None:
    """The person whose words the question asks for, if it asks for someone's words: the
    question-kind model reads a reporting verb among its cues, but the verb alone does not
    decide ("did police charge the driver", "any update on the repairs" ask what happened).
    Held out: +0.011 hit@1, one near-topic negative fewer abstained (`benchmarks.rank`)."""
    m = query.speaker
    if m is None or m.confidence < SURE_SPEAKER:
        return None
    return m if likeliest(kind_probs) == "who_said" else None


def tier(passage: Passage, name: str) -> int:
    """0: their quote; 1: their reported words (the parser's reported speech of theirs, or a
    passage of no speaker naming them); 2: someone else."""
    if speaks(passage, name):
        return 0 if passage.status is Status.STATEMENT else 1
    if passage.speaker is None and mentions(passage, name):
        return 1
    return 2


def eligible(
    candidates: list[Candidate], query: Query, kind_probs: Mapping[str, float]
) -> list[Candidate]:
    """The candidates that may answer, best first: for a who-said question only that
    person's words and the passages naming them."""
    ranked = sorted(candidates, key=lambda c: (-c.score, c.passage.id or 0))
    asked = who_said(query, kind_probs)
    return ranked if asked is None else [c for c in ranked if tier(c.passage, asked.name) < 2]


def select(
    candidates: list[Candidate],
    query: Query,
    kind_probs: Mapping[str, float],
    *,
    abstain: bool,
    limits: Limits = Limits(),
) -> Selection:
    """Nothing when told to abstain (a who-said question then names its person and offers
    their nearest words as related); otherwise order, cut the tail and fold duplicates.
    For a who-said question only that person's words (or passages naming them) are
    eligible, and they come first."""
    ranked = sorted(candidates, key=lambda c: (-c.score, c.passage.id or 0))
    asked = who_said(query, kind_probs)
    name = asked.name if asked else None
    spelt = as_written(query.text, asked.asked) if asked and asked.how == "spelling" else None
    may = eligible(candidates, query, kind_probs)
    if not may or abstain:
        related = [c for c in may if speaks(c.passage, name)] if name else []
        return Selection(
            [],
            asked=name,
            spelt=spelt,
            missing=name,
            related=related[:RELATED],
            kind=likeliest(kind_probs),
        )
    if name is not None:
        ranked = sorted(ranked, key=lambda c: tier(c.passage, name))
    # The tail is cut below the best passage that may answer: another speaker's words, nearer
    # to the question, do not push the person's own quote out.
    best = max(c.cosine for c in may)
    kept = [c for c in ranked if c.cosine >= best - limits.tail_gap]
    groups = fold(kept, limits=limits)
    if name is not None:
        for g in groups:
            g.someone_else = tier(g.head.passage, name) == 2
    return Selection(groups, asked=name, spelt=spelt, kind=likeliest(kind_probs))


def unquoted(candidates: list[Candidate], name: str, kind_probs: Mapping[str, float]) -> Selection:
    """Nothing for the words of someone the corpus names but never quotes: no statement by
    them, and the passages naming them as related."""
    ranked = sorted(candidates, key=lambda c: (-c.score, c.passage.id or 0))
    naming = [c for c in ranked if mentions(c.passage, name)]
    return Selection(
        [], missing=name, never_quoted=True, related=naming[:RELATED], kind=likeliest(kind_probs)
    )


def as_written(text: str, folded: str) -> str:
    """The question's own word for a folded one ("Osterbey" for "osterbey")."""
    return next((w for w in question_words(text) if speakers_fold(w) == folded), folded)


def likeliest(kind_probs: Mapping[str, float]) -> str:
    return max(kind_probs, key=kind_probs.__getitem__) if kind_probs else ""


def duplicates(a: Candidate, b: Candidate, limits: Limits = Limits()) -> bool:
    """Whether b says what a already says. An unconfirmed claim is folded only into another
    unconfirmed claim (its label is the point); two speakers' words never into each other;
    the same quote of one speaker is one however its outlets frame it."""
    pa, pb = a.passage, b.passage
    if (pa.status is Status.UNCONFIRMED) != (pb.status is Status.UNCONFIRMED):
        return False
    if pa.speaker and pb.speaker:
        if not same_person(pa.speaker.name, pb.speaker.name):
            return False
        both_quotes = pa.status is Status.STATEMENT and pb.status is Status.STATEMENT
        if both_quotes and _same_words(pa.text, pb.text, limits.same_quote):
            return True
    if a.vector is None or b.vector is None:
        return False
    similarity = float(a.vector @ b.vector)
    if pa.article_id == pb.article_id:
        return similarity >= limits.same_article_duplicate
    return similarity >= limits.cross_article_duplicate


def _same_words(a: str, b: str, ratio: float) -> bool:
    """One quote however framed: the shorter's words (at least QUOTE_WORDS of them) found in
    the longer, letter case and punctuation aside."""
    a, b = utils.default_process(a), utils.default_process(b)
    if min(len(a.split()), len(b.split())) < QUOTE_WORDS:
        return a == b
    return fuzz.token_set_ratio(a, b) >= ratio


def fold(ranked: list[Candidate], *, limits: Limits = Limits()) -> list[Group]:
    """Group each candidate with the first earlier one it duplicates: the best-ranked stays
    the result shown (the ranker weighs a passage's status against the question's kind,
    which a fixed preference for one status cannot: held out, "the stronger status first"
    lost 0.016 hit@3 to the ranker's own order); within one article the others are "also
    in", across articles "also reported by"."""
    groups: list[Group] = []
    for c in ranked:
        twin = next((g for g in groups if duplicates(g.head, c, limits)), None)
        if twin is None:
            groups.append(Group(c))
        elif c.passage.article_id == twin.head.passage.article_id:
            twin.same_article.append(c)
        elif all(o.passage.article_id != c.passage.article_id for o in twin.other_articles):
            twin.other_articles.append(c)
    return groups
