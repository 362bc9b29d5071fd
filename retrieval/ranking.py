"""Fusion and ranking: pure functions over `(passage_id, score)` lists and candidates."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from retrieval.features import (
    Candidates,
    answerability_row,
    candidate_rows,
    question_row,
    topic_row,
)
from retrieval.ranker import Ranker
from retrieval.selection import Selection, eligible, likeliest, select, unquoted, who_said

RRF_K = 60
# The fixed-weight fusion the IR benchmark compares with (benchmarks.ir): cosine plus this
# times BM25 relative to the best lexical match. The product's ranking is learned (`rank`).
LEXICAL_WEIGHT = 0.2


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
        for rank_, (pid, _) in enumerate(ranking, start=1):
            fused[pid] = fused.get(pid, 0.0) + weight / (k + rank_)
    return fused


def topic_coverage(
    topic: set[str], article_terms: set[str], article_freq: Mapping[str, int], articles: int
) -> float:
    """Share of the question's topic, weighted by rarity (IDF), that a text mentions.

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


def rank(found: Candidates, ranker: Ranker) -> dict[str, float]:
    """Score every candidate with the learned ranker (higher: likelier to answer the question);
    returns the question-kind probabilities the scores were computed with."""
    probs = ranker.kind_probs(question_row(found.query, found.vector))
    scores = ranker.score(candidate_rows(found, probs))
    for c, s in zip(found.items, scores, strict=True):
        c.score = float(s)
    return probs


def decide(found: Candidates, ranker: Ranker, limits) -> Selection:
    """Rank, judge whether the question is answered at all, and select what is shown."""
    probs = rank(found, ranker)
    if found.unquoted is not None and likeliest(probs) == "who_said":
        return unquoted(found.items, found.unquoted, probs)
    may = eligible(found.items, found.query, probs)
    asked = who_said(found.query, probs) is not None
    answerable = ranker.answerability(answerability_row(found, may, asked))
    abstain = not may or answerable < ranker.abstain_below
    if asked and not abstain:
        # No article where the person speaks or is named holds a word of the topic: they
        # cannot have addressed it in this corpus, whatever the scores say.
        abstain = max(found.coverage.get(c.passage.article_id, 0.0) for c in may) == 0.0
    return select(found.items, found.query, probs, abstain=abstain, limits=limits)


def match(found: Candidates, ranker: Ranker, limits) -> Selection:
    """A subscription topic against one new article: its passages that answer the topic,
    pushed only when the topic model reads the article as about it."""
    probs = rank(found, ranker)
    may = eligible(found.items, found.query, probs)
    # A corpus too small to give a spread is read by the model of plain cosines.
    plain = found.spread is None and ranker.plain_topics is not None
    abstain = not may or ranker.topic_margin(topic_row(found), plain=plain) < 0
    return select(found.items, found.query, probs, abstain=abstain, limits=limits)
