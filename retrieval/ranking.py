"""Fusion and re-scoring: pure functions over `(passage_id, score)` lists."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from corpus.models import Passage, Status
from corpus.speakers import same_person
from retrieval.query import Query

RRF_K = 60


@dataclass(frozen=True)
class Weights:
    """How much each signal adds to the question–passage cosine similarity."""

    lexical: float = 0.2  # times the BM25 score relative to the best one
    speaker: float = 0.15  # a statement by the person asked about
    reported: float = 0.05  # a passage reporting that person's words
    statement: float = 0.05  # any statement, when the question asks what was said
    status: float = 0.03  # verified or unconfirmed, when the question asks if it is confirmed
    # The outlet's summary when the question asks what is going on; the lede (an article's
    # first passage) twice over, since news puts the gist first.
    overview: float = 0.1


_SPEECH = re.compile(
    r"\b(said|says|told|wrote|warned|stated|declared|added|described|called|insisted)\b"
)


def reciprocal_rank_fusion(
    rankings: Sequence[Sequence[tuple[int, float]]],
    *,
    k: int = RRF_K,
    weights: Sequence[float] | None = None,
) -> dict[int, float]:
    """Sum of weight / (k + rank) over every ranking a passage appears in."""
    weights = weights or [1.0] * len(rankings)
    fused: dict[int, float] = {}
    for ranking, weight in zip(rankings, weights, strict=True):
        for rank, (pid, _) in enumerate(ranking, start=1):
            fused[pid] = fused.get(pid, 0.0) + weight / (k + rank)
    return fused


def speaks(passage: Passage, name: str) -> bool:
    """The passage is a statement by this person."""
    return passage.speaker is not None and same_person(passage.speaker.name, name)


def reports_words_of(passage: Passage, name: str) -> bool:
    """The passage names this person next to a verb of saying."""
    family = re.escape(name.split()[-1])
    return bool(re.search(rf"\b{family}\b", passage.text, re.IGNORECASE)) and bool(
        _SPEECH.search(passage.text)
    )


def topic_coverage(
    topic: set[str], article_terms: set[str], article_freq: Mapping[str, int], articles: int
) -> float:
    """Share of the question's topic, weighted by rarity (IDF), that an article mentions.

    A question about an "ebola outbreak" finds passages near in meaning, but no article
    that says "ebola": rare words the corpus has never seen weigh the most.
    """
    if not topic:
        return 1.0
    weight = {t: math.log((articles + 1) / (article_freq.get(t, 0) + 0.5)) for t in topic}
    total = sum(weight.values())
    return sum(w for t, w in weight.items() if t in article_terms) / total if total > 0 else 1.0


def hybrid(
    dense: Mapping[int, float], lexical: Sequence[tuple[int, float]], weight: float
) -> dict[int, float]:
    """Cosine similarity plus `weight` times the BM25 score relative to the best lexical match."""
    top = max((score for _, score in lexical), default=0.0)
    out = dict(dense)
    if top > 0:
        for pid, score in lexical:
            if pid in out:
                out[pid] += weight * score / top
    return out


def rescore(
    base: Mapping[int, float], passages: Mapping[int, Passage], query: Query, weights: Weights
) -> list[tuple[int, float]]:
    """Add what the question asks for to the base relevance, best first.

    When the question asks what a named person said, that person's statements come first
    and passages reporting their words next (the parser's reported speech, or their name
    beside a verb of saying), each group in order of relevance.
    """
    out: list[tuple[int, int, float]] = []
    for pid, score in base.items():
        p = passages.get(pid)
        if p is None:
            continue
        tier, bonus = 2, 0.0
        if query.speakers and query.wants_statement:
            said = any(speaks(p, s) for s in query.speakers)
            if said and p.status is Status.STATEMENT:
                tier, bonus = 0, weights.speaker
            elif said or any(reports_words_of(p, s) for s in query.speakers):
                tier, bonus = 1, weights.reported  # their reported words
        elif query.wants_statement and p.status is Status.STATEMENT:
            bonus += weights.statement
        elif query.speakers and any(speaks(p, s) for s in query.speakers):
            bonus += weights.statement  # named, though not asked what they said
        if query.wants_status and p.status in (Status.VERIFIED, Status.UNCONFIRMED):
            bonus += weights.status
        if query.wants_overview and (p.ordinal == 0 or p.status is Status.CONTEXT):
            bonus += weights.overview * (2 if p.ordinal == 0 else 1)
        if not (query.speakers and query.wants_statement):
            tier = 0
        out.append((tier, pid, score + bonus))
    out.sort(key=lambda item: (item[0], -item[2], item[1]))
    return [(pid, score) for _, pid, score in out]
