"""What the ranker reads: one row of features per (question, candidate passage), and one
row per question for the question-kind model. Pure functions over literal inputs."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from corpus.models import Passage, Status
from corpus.speakers import fold, same_person
from retrieval import claim_features
from retrieval.query import Query

KINDS = ("who_said", "status", "overview", "fact")
_WH = ("what", "who", "how", "when", "where", "why", "which")


@dataclass
class Candidate:
    """A passage found for a question, with the scores it was found by."""

    passage: Passage
    cosine: float
    lexical: float = 0.0  # BM25 relative to the question's best lexical match (0: not found)
    vector: np.ndarray | None = None
    score: float = 0.0  # the ranker's, once ranked


@dataclass
class Candidates:
    """Everything about one question the ranker and the selection need."""

    query: Query
    vector: np.ndarray
    items: list[Candidate]
    coverage: dict[str, float] = field(default_factory=dict)  # article id → topic coverage
    article_sizes: dict[str, int] = field(default_factory=dict)  # article id → passages
    passage_coverage: dict[int, float] = field(default_factory=dict)  # passage id → coverage
    base: np.ndarray | None = None  # candidate_rows' kind-free columns, once computed
    # The question's topic words alone, embedded when it names someone: how near the person's
    # own words come to the topic, their name and "said" aside.
    topic_vector: np.ndarray | None = None
    headline: float = 0.0  # matching one article to a topic: the topic's cosine to its headline
    # The question's (or topic's) cosine to the corpus's passages: mean and standard deviation
    # (`CorpusSpread.of_topics`); None: the corpus is too small to read one from.
    spread: tuple[float, float] | None = None
    unseen: float = 0.0  # share of the question's topic words no article of the corpus uses
    # The person the question asks for words of, named in the corpus but never quoted there.
    unquoted: str | None = None


@dataclass(frozen=True)
class CorpusSpread:
    """The first two moments of the corpus's passage vectors: for any unit vector t, the mean
    of its cosines to the passages is t·mean and their variance tᵀ·moment·t − (t·mean)², so
    how far an article stands out for a topic is read without comparing it to every other."""

    mean: np.ndarray  # (dim,)
    moment: np.ndarray  # (dim, dim): the mean of v·vᵀ
    n: int  # the corpus passages these were computed for (a sample may stand for them)

    @classmethod
    def of(cls, vectors: np.ndarray, n: int | None = None) -> CorpusSpread:
        v = np.asarray(vectors, dtype=np.float32)  # float32 products: BLAS, a few times faster
        if len(v) == 0:
            raise ValueError("no vectors")
        moment = (v.T @ v).astype(np.float64) / len(v)
        return cls(v.mean(axis=0, dtype=np.float64), moment, len(v) if n is None else n)

    def of_topics(self, vectors: np.ndarray) -> list[tuple[float, float]]:
        """(mean, standard deviation) of each vector's cosines to the corpus's passages."""
        t = np.atleast_2d(np.asarray(vectors, dtype=np.float64))
        means = t @ self.mean
        variances = np.sum((t @ self.moment) * t, axis=1) - means**2
        sds = np.sqrt(np.maximum(variances, 0.0))
        return [(float(m), max(float(s), MIN_SPREAD)) for m, s in zip(means, sds, strict=True)]


# Below this a corpus's cosines to a topic are taken as equal (one passage, or copies).
MIN_SPREAD = 1e-3


def question_row(query: Query, vector: np.ndarray) -> np.ndarray:
    """The question-kind model's input: the question's vector and how it is put."""
    c = query.cues
    speaker = query.speaker
    cues = [
        float(c.saying),
        float(c.yes_no),
        *(float(c.wh == w) for w in _WH),
        float(speaker is not None),
        float(speaker is not None and speaker.how == "role"),
        min(c.words, 20) / 20,
    ]
    return np.concatenate([np.asarray(vector, dtype=np.float32), np.asarray(cues, np.float32)])


FEATURES = (
    "cosine",
    "cosine_gap",
    "lexical",
    "dense_rank",
    "coverage",
    "passage_coverage",
    "first",
    "position",
    "log_length",
    "verified",
    "unconfirmed",
    "statement",
    "context",
    "has_speaker",
    "asked_quote",
    "asked_reported",
    "asked_mentioned",
    "other_quote",
    "object_speaks",
    "saying_statement",
    "saying_speaker",
    "article_cosine",
    "article_lead",
    "gives_date",
    "gives_quantity",
    "gives_name",
    "hedged",
    "who_statement",
    "who_speaker",
    "status_standing",
    "yes_no_verified",
    "overview_first",
    "overview_context",
    "fact_verified",
    "fact_unspecified",
    "status_hedged",
)


# A date as English news writes one: a month or weekday named (the claim lexicon's), a year,
# a clock time.
_YEAR_OR_CLOCK = re.compile(r"\b(?:1[89]|20)\d\d\b|\b\d{1,2}(?::\d\d)?\s?[ap]\.?m\b", re.I)


def gives(wants: str, text: str, asked: set[str]) -> tuple[float, float, float]:
    """Whether the passage holds the kind of answer the question asks for (`Cues.wants`):
    a date, a counted quantity, or a name the question does not give (`asked`: the stems
    of its words). The claim lexicon reads the months, numbers and names."""
    if wants == "date":
        lexicon = claim_features.cues()
        ws = set(claim_features.words(text))
        named = ws & lexicon.months or ws & lexicon.weekdays
        dated = bool(named) or bool(_YEAR_OR_CLOCK.search(text))
        return float(dated), 0.0, 0.0
    if wants == "quantity":
        return 0.0, float(bool(claim_features.quantities(text))), 0.0
    if wants == "name":
        return 0.0, 0.0, float(bool(claim_features.names(text) - asked))
    return 0.0, 0.0, 0.0


LEDE = 1  # the last ordinal of an article's lede: its first paragraph and the one after


def speaks(passage: Passage, name: str) -> bool:
    """The passage carries this person as its speaker (a quote or reported speech)."""
    return passage.speaker is not None and same_person(passage.speaker.name, name)


def mentions(passage: Passage, name: str) -> bool:
    """The passage text holds the person's family name."""
    family = re.escape(fold(name.split()[-1]))
    return bool(re.search(rf"\b{family}\b", fold(passage.text)))


def candidate_rows(c: Candidates, kind_probs: Mapping[str, float]) -> np.ndarray:
    """One row of FEATURES per candidate, in order (what does not depend on the question's
    kind is computed once per question and kept in `c.base`)."""
    if c.base is None:
        c.base = _base_rows(c)
    b = c.base
    col = {name: b[:, i] for i, name in enumerate(_BASE)}
    p = {k: kind_probs.get(k, 0.0) for k in KINDS}
    unspecified = 1 - col["verified"] - col["unconfirmed"] - col["statement"] - col["context"]
    kind_cols = [
        p["who_said"] * col["statement"],
        p["who_said"] * col["has_speaker"],
        p["status"] * (col["verified"] + col["unconfirmed"]),
        float(c.query.cues.yes_no) * col["verified"],
        p["overview"] * col["first"],
        p["overview"] * col["context"],
        p["fact"] * col["verified"],
        p["fact"] * unspecified,
        p["status"] * col["hedged"],
    ]
    return np.column_stack([b, *kind_cols]) if len(b) else np.zeros((0, len(FEATURES)))


_BASE = FEATURES[: FEATURES.index("who_statement")]


def _base_rows(c: Candidates) -> np.ndarray:
    q = c.query
    subject = q.speaker
    objects = [m for m in q.matches if m.as_object]
    best = max((x.cosine for x in c.items), default=0.0)
    order = sorted(range(len(c.items)), key=lambda i: -c.items[i].cosine)
    # How near the passage's article comes at its nearest passage: an overview's answer is
    # the lede of the article the question is about, however far the lede's own words are.
    article_best: dict[str, float] = {}
    for x in c.items:
        aid = x.passage.article_id
        article_best[aid] = max(article_best.get(aid, -1.0), x.cosine)
    dense_rank = {i: r for r, i in enumerate(order)}
    saying = float(q.cues.saying)
    conf = subject.confidence if subject else 0.0
    asked = {claim_features.stem(w) for w in claim_features.words(q.text)}
    rows = []
    for i, x in enumerate(c.items):
        p = x.passage
        st = p.status
        statement = float(st is Status.STATEMENT)
        has_speaker = float(p.speaker is not None)
        by_subject = subject is not None and speaks(p, subject.name)
        size = max(c.article_sizes.get(p.article_id, 1), 1)
        article_near = article_best[p.article_id] - best
        rows.append(
            [
                x.cosine,
                x.cosine - best,
                x.lexical,
                1 / math.log2(2 + dense_rank[i]),
                c.coverage.get(p.article_id, 0.0),
                c.passage_coverage.get(p.id or -1, 0.0),
                float(p.ordinal == 0),
                p.ordinal / size,
                math.log1p(len(p.text)) / 7,
                float(st is Status.VERIFIED),
                float(st is Status.UNCONFIRMED),
                statement,
                float(st is Status.CONTEXT),
                has_speaker,
                conf * float(by_subject and st is Status.STATEMENT),
                conf * float(by_subject and st is not Status.STATEMENT),
                conf * float(subject is not None and not by_subject and mentions(p, subject.name)),
                float(subject is not None and has_speaker and not by_subject and bool(statement)),
                float(any(speaks(p, m.name) for m in objects)),
                saying * statement,
                saying * has_speaker,
                article_near,
                float(p.ordinal <= LEDE) * (1 + article_near),
                *gives(q.cues.wants, p.text, asked),
                float(claim_features.hedged(p.text)),
            ]
        )
    return np.asarray(rows, dtype=np.float64).reshape(len(rows), len(_BASE))


def kind_probabilities(probs: Sequence[float]) -> dict[str, float]:
    return dict(zip(KINDS, (float(p) for p in probs), strict=True))


QUESTION_FEATURES = (
    "best_cosine",
    "best_coverage",
    "best_passage_coverage",
    "who_said",
    "who_said_coverage",
    "who_said_passage_coverage",
    "who_said_topic_cosine",
    "unseen_topic",
)


def unseen_share(topic: set[str], article_freq: Mapping[str, int]) -> float:
    """Share of the topic's words that no article of the corpus uses: what nothing can
    answer, however near in meaning the passages come (0 for a topic of no words)."""
    return sum(1 for t in topic if article_freq.get(t, 0) <= 0) / len(topic) if topic else 0.0


def answerability_row(c: Candidates, ranked: Sequence[Candidate], who_said: bool) -> np.ndarray:
    """What the abstention model reads about a question: how near its best eligible
    candidates are (`ranked`: scored, best first) and how much of its topic they and their
    articles hold (for a who-said question, the person's own passages), and how much of
    the topic the corpus never puts in words."""
    # No raw BM25 score here: its scale grows with the corpus, and a model fitted on one
    # corpus would misread a small one.
    if not ranked:
        return np.array([0.0, 0.0, 0.0, float(who_said), 0.0, 0.0, 0.0, c.unseen])
    top = ranked[:5]
    article = max(c.coverage.get(x.passage.article_id, 0.0) for x in top)
    own = max(c.passage_coverage.get(x.passage.id or -1, 0.0) for x in top)
    w = float(who_said)
    near = 0.0
    if who_said and c.topic_vector is not None:
        near = max(
            (float(x.vector @ c.topic_vector) for x in ranked if x.vector is not None),
            default=0.0,
        )
    return np.array(
        [
            max(x.cosine for x in top),
            article,
            own,
            w,
            w * article,
            w * own,
            w * near,
            c.unseen,
        ]
    )


PLAIN_TOPIC_FEATURES = (
    "best_cosine",
    "top3_cosine",
    "mean_cosine",
    "headline_cosine",
    "article_coverage",
    "best_passage_coverage",
    "covering_share",
)
# Read against the corpus spread (without one, the plain features above are all there is).
TOPIC_FEATURES = (
    *PLAIN_TOPIC_FEATURES,
    "best_z",
    "top3_z",
    "mean_z",
    "headline_z",
    "standout_share",
)
STANDOUT = 2.0  # passages this many standard deviations above the corpus's mean stand out


def standing_out(cosine: float | np.ndarray, spread: tuple[float, float]) -> float | np.ndarray:
    """How many standard deviations a cosine lies above the topic's mean over the corpus."""
    mean, sd = spread
    return (cosine - mean) / sd


def topic_row(c: Candidates) -> np.ndarray:
    """What the topic model reads about one article for one subscription topic: whether the
    article is about the topic (its headline, how many of its passages come near) rather
    than mentioning it once. The cosines are read twice: as they are, and against the topic's
    cosines to the whole corpus (`c.spread`), since a broad topic ("regional politics") comes
    near every article a little and a narrow one near few, but much."""
    if not c.items:
        return np.zeros(len(TOPIC_FEATURES))
    cosines = np.sort(np.array([x.cosine for x in c.items]))[::-1]
    near = sorted(c.items, key=lambda x: -x.cosine)[:5]
    own = [c.passage_coverage.get(x.passage.id or -1, 0.0) for x in c.items]
    raw = [cosines[0], cosines[:3].mean(), cosines.mean(), c.headline]
    spread = c.spread or (0.0, 1.0)  # no spread: the z columns repeat the cosines
    z = standing_out(cosines, spread)
    return np.array(
        [
            *raw,
            max(c.coverage.values(), default=0.0),
            max(c.passage_coverage.get(x.passage.id or -1, 0.0) for x in near),
            sum(1 for v in own if v > 0) / len(own),
            *(standing_out(x, spread) for x in raw),
            float(np.mean(z > STANDOUT)),
        ]
    )
