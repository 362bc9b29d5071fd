"""Matching a new article's passages against the claims of the corpus, and back.

A candidate pair (claim, later passage) must first belong to the same story: the two
articles close in time and sharing their rare names, the claim's own names present in the
later article. A look-alike from another story (another dam, another company's breach) fails
there, however similar its words. Pairs that pass are scored by meaning (cosine of the
passages' embeddings), words (the claim's rare words the passage repeats) and figures (a
number of the claim coming back, refined); the passage's status and cues of denial decide
the kind of link. Two thresholds, as in Meedan Check: above the higher one the link is
automatic, between them it is a suggestion for an admin; very short texts and old claims
are at most suggested.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np

from corpus.claims import Claim, ClaimBook, LinkKind, LinkState
from corpus.models import Article, Passage, Status
from corpus.store import Store
from retrieval import claim_features as f
from retrieval.lexical import terms

log = logging.getLogger(__name__)

THRESHOLDS_FILE = Path(__file__).with_name("claim_thresholds.json")
SETTLING = (Status.VERIFIED, Status.STATEMENT)


def _thresholds() -> dict:
    try:
        return json.loads(THRESHOLDS_FILE.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        log.warning("%s is missing or unreadable: using the built-in thresholds", THRESHOLDS_FILE)
        return {}


@dataclass(frozen=True)
class ClaimTuning:
    """The matcher's knobs. The two thresholds come from `python -m benchmarks.claims --fit`
    (written to claim_thresholds.json); the rest are defaults with their reasons."""

    automatic: float = field(default_factory=lambda: _thresholds().get("automatic", 0.80))
    suggest: float = field(default_factory=lambda: _thresholds().get("suggest", 0.65))
    # A restatement merges two passages into one claim; a wrong one loses a claim, so it
    # needs this much more than an automatic settlement (also chosen by --fit).
    restate_margin: float = field(default_factory=lambda: _thresholds().get("restate_margin", 0.05))
    lexical_weight: float = 0.3  # times the share of the claim's rare words the passage repeats
    # A figure of the claim's unit that comes back, refined or contradicted: the same figure
    # revisited, a strong sign the passage is about this claim.
    number_weight: float = 0.25
    denial_weight: float = 0.15  # a denial aimed at the claim's own words
    speaker_weight: float = 0.1  # a statement by someone (or an office) the claim names
    window_days: int = 60  # follow-ups of a news claim come within weeks
    old_days: int = 30  # past this, a match is only suggested (Meedan: old items)
    short_words: int = 5  # a text with fewer content words is only suggested (short texts)
    story_overlap: float = 0.25  # weighted share of rare names the two articles have in common
    claim_names: float = 0.5  # share of the claim's own names the later article mentions


@dataclass(frozen=True)
class Verdict:
    kind: LinkKind
    score: float
    state: LinkState


@dataclass
class _Side:
    """An article as the matcher sees it: its date, names, words."""

    article: Article
    names: set[str]
    terms: set[str]


class ClaimMatcher:
    """Relates new articles to claims; writes claims, links and events to the ClaimBook."""

    def __init__(
        self,
        store: Store,
        book: ClaimBook,
        encode: Callable[[list[str]], np.ndarray],
        frequencies: Callable[[], tuple[Mapping[str, int], int]],
        tuning: ClaimTuning | None = None,
    ) -> None:
        self.store = store
        self.book = book
        self.encode = encode
        self.frequencies = frequencies  # (article frequency of each term, articles)
        self.tuning = tuning or ClaimTuning()
        self._sides: dict[str, _Side] = {}
        self._vectors: dict[str, np.ndarray] = {}  # passage text → embedding
        self._own_names: dict[int, set[str]] = {}  # claim id → the names the claim states

    def forget(self, article_id: str) -> None:
        self._sides.pop(article_id, None)

    # -- the verb -------------------------------------------------------------------------

    def take_in(self, article: Article) -> None:
        """Link the new article's passages to earlier claims, open claims for its unconfirmed
        passages that restate none, and settle those new claims from later articles."""
        t = self.tuning
        new = self._side(article)
        day = article.published
        lo = None if day is None else date.fromordinal(day.toordinal() - t.window_days)
        hi = None if day is None else date.fromordinal(day.toordinal() + t.window_days)
        claims = [c for c in self.book.live_claims(lo, hi) if c.article_id != article.id]
        restated: set[int] = set()
        earlier = [c for c in claims if _earlier(c.stated_on, day, strict=False)]
        pairs = self._pairs(earlier, [new])
        for claim, passage, verdict in self._assign(pairs):
            self.book.link(claim.id, passage, article, verdict.kind, verdict.state,
                           verdict.score)  # fmt: skip
            if verdict.kind is LinkKind.RESTATES and verdict.state.counts:
                restated.add(passage.id)
        opened = [
            self.book.open_claim(p, article)
            for p in article.passages
            if p.status is Status.UNCONFIRMED and p.id not in restated
        ]
        if opened:
            self._settle_from_later(opened, article)

    def prefetch(self, articles: list[Article]) -> None:
        """Embed in one call what `take_in` will compare for these new articles, taken in in
        this order: the model's cost per call dwarfs that of a few short texts. A guess that
        counts every unconfirmed passage as a claim to be; what it misses (a settlement by an
        article dated later) is embedded when it is met."""
        t = self.tuning
        base, n = self.frequencies()
        added: Counter[str] = Counter()
        freq = _Sum(base, added)
        days = [a.published for a in articles]
        dated = [d for d in days if d is not None]
        lo = hi = None
        if dated and len(dated) == len(days):
            lo = date.fromordinal(min(dated).toordinal() - t.window_days)
            hi = date.fromordinal(max(dated).toordinal() + t.window_days)
        # (article id, stated on, text, names of its story, own names once known)
        claims: list[tuple[str, date | None, str, set[str] | None, set[str] | None]] = []
        for c in self.book.live_claims(lo, hi):
            origin = self._claim_side(c)
            claims.append((c.article_id, c.stated_on, c.text, origin.names if origin else None,
                           self._own_names.get(c.id)))  # fmt: skip
        texts: list[str] = []
        for k, article in enumerate(articles):
            side = self._side_of(article)
            added.update(terms(article.text))  # as the Library counts it before take_in
            day = article.published
            eligible = [p for p in article.passages
                        if p.status in SETTLING or p.status is Status.UNCONFIRMED]  # fmt: skip
            for article_id, stated_on, text, story, own in claims:
                if article_id == article.id or not _earlier(stated_on, day, strict=False):
                    continue
                story = f.names(text) if story is None else story
                if not self._story_gate(stated_on, story, own, text, side, freq, n + k + 1):
                    continue
                newer = _earlier(stated_on, day, strict=True)
                candidates = [p for p in eligible if p.status is Status.UNCONFIRMED or newer]
                if candidates:
                    texts.append(f.core(text))
                    texts.extend(v for p in candidates for v in _views(p))
            claims.extend((article.id, day, p.text, side.names, None) for p in article.passages
                          if p.status is Status.UNCONFIRMED)  # fmt: skip
        self._embed(texts)

    def _settle_from_later(self, claims: list[Claim], article: Article) -> None:
        """New claims of an article added after later ones (out of date order) are settled
        by what those later articles already say."""
        day = article.published
        if day is None:
            return
        hi = date.fromordinal(day.toordinal() + self.tuning.window_days)
        later = [
            s.id
            for s in self.store.articles()
            if s.id != article.id and s.published is not None and day < s.published <= hi
        ]
        sides = [self._side(a) for aid in later if (a := self.store.find(aid)) is not None]
        if not sides:
            return
        pairs = [x for x in self._pairs(claims, sides) if x[2].kind.settles]
        for claim, passage, verdict in self._assign(pairs):
            source = next(s.article for s in sides if s.article.id == passage.article_id)
            self.book.link(claim.id, passage, source, verdict.kind, verdict.state,
                           verdict.score)  # fmt: skip

    # -- pairs ----------------------------------------------------------------------------

    def _pairs(
        self, claims: list[Claim], sides: list[_Side]
    ) -> list[tuple[Claim, Passage, Verdict]]:
        """Every (claim, passage) pair of one story, with its verdict (unrelated ones left out)."""
        freq, n = self.frequencies()
        compared: list[tuple[_Side, Claim, list[Passage]]] = []
        for side in sides:
            eligible = [p for p in side.article.passages
                        if p.status in SETTLING or p.status is Status.UNCONFIRMED]  # fmt: skip
            if not eligible:
                continue
            for claim in claims:
                origin = self._claim_side(claim)
                if not self._same_story(claim, origin, side, freq, n):
                    continue
                newer = _earlier(claim.stated_on, side.article.published, strict=True)
                candidates = [p for p in eligible if p.status is Status.UNCONFIRMED or newer]
                if candidates:
                    compared.append((side, claim, candidates))
        # Every text the pairs compare, embedded in one call: the model's cost per call
        # dwarfs that of a few short texts.
        texts = []
        for _, claim, candidates in compared:
            texts.append(f.core(claim.text))
            texts.extend(v for p in candidates for v in _views(p))
        vectors = dict(zip(texts, self._embed(texts), strict=True))
        out: list[tuple[Claim, Passage, Verdict]] = []
        for side, claim, candidates in compared:
            target = vectors[f.core(claim.text)]
            for p in candidates:
                views = np.stack([vectors[v] for v in _views(p)])
                similarity = float(np.max(views @ target))
                verdict = self.judge(claim, p, side, similarity, freq, n)
                # A restatement is automatic or nothing: below the threshold the passage
                # is a claim of its own (suggestions are for settlements only).
                if verdict is not None and (verdict.kind.settles or verdict.state.counts):
                    out.append((claim, p, verdict))
        return out

    def judge(
        self,
        claim: Claim,
        passage: Passage,
        side: _Side,
        similarity: float,
        freq: Mapping[str, int],
        n: int,
    ) -> Verdict | None:
        """The kind, score and state of one same-story pair, or None when unrelated."""
        t = self.tuning
        core = f.core(claim.text)
        lexical = f.coverage(terms(core), terms(passage.text), freq, n)
        numbers = f.number_agreement(core, passage.text)
        aimed = passage.status in SETTLING and f.targeted_denial(core, passage.text)
        named = passage.speaker is not None and bool(
            f.names(f"{passage.speaker.name}, {passage.speaker.role or ''}")
            & f.names(claim.text, side.names)
        )
        score = (
            similarity
            + t.lexical_weight * lexical
            + t.number_weight * abs(numbers)
            + t.denial_weight * aimed
            + t.speaker_weight * named
        )
        log.debug("claim %r ~ passage %r: cos %.3f lex %.3f num %d -> %.3f", claim.text[:50],
                  passage.text[:50], similarity, lexical, numbers, score)  # fmt: skip
        if score < t.suggest:
            return None
        if passage.status is Status.UNCONFIRMED:
            kind = LinkKind.RESTATES
        elif f.contradicts(claim.text, passage.text):
            kind = LinkKind.DENIES
        else:
            kind = LinkKind.CONFIRMS
        automatic = score >= t.automatic + (t.restate_margin if kind is LinkKind.RESTATES else 0)
        short = min(len(f.content_stems(claim.text)), len(f.content_stems(passage.text)))
        gap = _days(claim.stated_on, side.article.published)
        if short < t.short_words or (gap is not None and gap > t.old_days):
            automatic = False
        return Verdict(kind, score, LinkState.AUTOMATIC if automatic else LinkState.SUGGESTED)

    def _assign(
        self, pairs: list[tuple[Claim, Passage, Verdict]]
    ) -> list[tuple[Claim, Passage, Verdict]]:
        """Best first, each passage to one claim and each claim to one passage of an article
        (its best restatement, its best settlement): what the reader is shown as having
        settled it, without its near repeats."""
        chosen: list[tuple[Claim, Passage, Verdict]] = []
        used_passages: set[int] = set()
        used: set[tuple[int, str, bool]] = set()
        for claim, passage, verdict in sorted(pairs, key=lambda x: -x[2].score):
            slot = (claim.id, passage.article_id, verdict.kind.settles)
            if passage.id in used_passages or slot in used:
                continue
            used_passages.add(passage.id)
            used.add(slot)
            chosen.append((claim, passage, verdict))
        return chosen

    def _same_story(
        self, claim: Claim, origin: _Side | None, side: _Side, freq: Mapping[str, int], n: int
    ) -> bool:
        """Close in time, sharing rare names, the claim's own names in the later article."""
        # A claim whose own article was removed keeps the names it states.
        story = origin.names if origin else f.names(claim.text)
        own = self._own_names.get(claim.id)
        if own is None and story & side.names:
            own = self._own_names[claim.id] = f.names(claim.text, story)
        return self._story_gate(claim.stated_on, story, own, claim.text, side, freq, n)

    def _story_gate(
        self,
        stated_on: date | None,
        story: set[str],
        own: set[str] | None,
        text: str,
        side: _Side,
        freq: Mapping[str, int],
        n: int,
    ) -> bool:
        """`_same_story` on a claim's date, its story's names and its own (`None`: to be
        found in its `text`)."""
        t = self.tuning
        gap = _days(stated_on, side.article.published)
        if gap is not None and abs(gap) > t.window_days:
            return False
        if not story & side.names:  # the common case, cheaply: no name in common at all
            return False
        own = f.names(text, story) if own is None else own
        if f.coverage(own, side.names, freq, n) < t.claim_names:
            return False
        return f.overlap(story, side.names, freq, n) >= t.story_overlap

    def same_story(self, a: Article, b: Article) -> bool:
        """Whether two articles tell one story: close in time and sharing their rare names
        (the test a claim and a later passage pass first)."""
        t = self.tuning
        gap = _days(a.published, b.published)
        if gap is not None and abs(gap) > t.window_days:
            return False
        one, other = self._side(a), self._side(b)
        if not one.names & other.names:
            return False
        freq, n = self.frequencies()
        return f.overlap(one.names, other.names, freq, n) >= t.story_overlap

    # -- caches ---------------------------------------------------------------------------

    def _side(self, article: Article) -> _Side:
        side = self._sides.get(article.id)
        if side is None:
            side = self._sides[article.id] = self._side_of(article)
            if len(self._sides) > 2048:  # a bounded cache: the oldest article is forgotten
                self._sides.pop(next(iter(self._sides)))
        return side

    @staticmethod
    def _side_of(article: Article) -> _Side:
        # The speakers' names belong to the story too ("Marlow" said it; "Ines Marlow" claims).
        speakers = [p.speaker.name for p in article.passages if p.speaker]
        body = "\n".join([*(p.text for p in article.passages), *speakers])
        return _Side(article, f.capitalised(body)[0], terms(body))

    def _claim_side(self, claim: Claim) -> _Side | None:
        article = self.store.find(claim.article_id) if claim.article_id not in self._sides else None
        if article is not None:
            return self._side(article)
        return self._sides.get(claim.article_id)

    def _embed(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        missing = [t for t in dict.fromkeys(texts) if t not in self._vectors]
        if missing:
            for text, vec in zip(missing, self.encode(missing), strict=True):
                self._vectors[text] = np.asarray(vec, dtype=np.float32)
            while len(self._vectors) > 20_000:
                self._vectors.pop(next(iter(self._vectors)))
        return np.stack([self._vectors[t] for t in texts])


class _Sum(Mapping[str, int]):
    """Article frequencies of the corpus plus those of articles about to join it."""

    def __init__(self, base: Mapping[str, int], added: Mapping[str, int]) -> None:
        self.base = base
        self.added = added

    def __getitem__(self, term: str) -> int:
        if term not in self.base and term not in self.added:
            raise KeyError(term)
        return self.base.get(term, 0) + self.added.get(term, 0)

    def __iter__(self) -> Iterator[str]:
        return iter(self.base.keys() | self.added.keys())

    def __len__(self) -> int:
        return len(self.base.keys() | self.added.keys())


def _views(passage: Passage) -> list[str]:
    """What is compared for a passage: its text and clauses (claim_features.views), a
    statement with its speaker ("we did not pay" means something only with who "we" are)."""
    s = passage.speaker
    if s is None:
        return f.views(passage.text)
    who = f"{s.name}, {s.role}" if s.role else s.name
    return [f"{who}: {v}" for v in f.views(passage.text)]


def _days(earlier: date | None, later: date | None) -> int | None:
    if earlier is None or later is None:
        return None
    return later.toordinal() - earlier.toordinal()


def _earlier(claim_day: date | None, day: date | None, *, strict: bool) -> bool:
    """Whether a passage of `day` comes after a claim of `claim_day` (undated: by the order
    the articles were added, which is the order matching sees them)."""
    if claim_day is None or day is None:
        return True
    return claim_day < day if strict else claim_day <= day
