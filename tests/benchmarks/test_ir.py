"""benchmarks.ir on a tiny invented BEIR folder: reading it, BM25's rankings, the metrics."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from benchmarks import ir

TINY = Path(__file__).resolve().parent / "tiny_beir"
# Each judged query shares rare words (axolotl, varroa, dredge, seismologists, orchards) with
# its one relevant document and with no other.
GOLD = {"q1": "d1", "q2": "d7", "q3": "d2", "q4": "d10", "q5": "d11"}


@pytest.fixture(scope="module")
def tiny() -> ir.Dataset:
    return ir.load(TINY)


def test_a_beir_folder_is_read_with_titles_and_only_judged_queries(tiny: ir.Dataset) -> None:
    assert tiny.name == "tiny_beir"
    assert len(tiny.doc_ids) == 12 and tiny.doc_ids[0] == "d1"
    assert tiny.docs[0].startswith("Axolotl limbs. The axolotl regrows")
    assert list(tiny.queries) == list(GOLD)  # q6 has no judgement
    assert tiny.qrels == {q: {d: 1} for q, d in GOLD.items()}


def test_bm25_ranks_the_document_sharing_rare_words_first(tiny: ir.Dataset) -> None:
    rankings = ir.bm25_rankings(tiny)
    assert len(rankings) == len(tiny.queries)
    for qid, ranking in zip(tiny.queries, rankings, strict=True):
        assert ranking, f"{qid}: BM25 returned nothing"
        best, score = ranking[0]
        assert tiny.doc_ids[best] == GOLD[qid]
        assert score > 0
        assert [s for _, s in ranking] == sorted((s for _, s in ranking), reverse=True)


def test_bm25_returns_only_documents_holding_a_query_word(tiny: ir.Dataset) -> None:
    (ranking,) = ir.bm25_rankings(tiny.limit(1))  # "How does an axolotl regrow a limb?"
    assert {tiny.doc_ids[i] for i, _ in ranking} == {"d1"}


def test_dense_rankings_are_exact_inner_product_best_first() -> None:
    docs = np.eye(4, dtype=np.float32)
    query = np.array([[0.1, 0.7, 0.0, 0.3]], dtype=np.float32)
    (ranking,) = ir.dense_rankings(docs, query, k=3)
    assert [i for i, _ in ranking] == [1, 3, 0]
    assert ranking[0][1] == pytest.approx(0.7)


def test_metrics_score_the_bm25_run_and_a_worse_one(tiny: ir.Dataset) -> None:
    run = ir.as_run(tiny, ir.bm25_rankings(tiny))
    assert ir.evaluate(tiny.qrels, run) == {"ndcg@10": 1.0, "recall@100": 1.0}
    # The relevant document second for every query: nDCG@10 = 1 / log2(3).
    second = {q: {"d4": 2.0, GOLD[q]: 1.0} for q in GOLD}
    got = ir.evaluate(tiny.qrels, second)
    assert got["ndcg@10"] == pytest.approx(1 / np.log2(3), abs=1e-4)
    assert got["recall@100"] == 1.0
