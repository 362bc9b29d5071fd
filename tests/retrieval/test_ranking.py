"""Fusion, the learned ranker's file and scores, and selection: pure functions over literal
inputs."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from corpus.models import Passage, Speaker, Status
from retrieval.features import (
    FEATURES,
    KINDS,
    PLAIN_TOPIC_FEATURES,
    QUESTION_FEATURES,
    TOPIC_FEATURES,
    Candidate,
    Candidates,
    CorpusSpread,
    answerability_row,
    candidate_rows,
    standing_out,
    topic_row,
    unseen_share,
)
from retrieval.query import Cues, Query, SpeakerMatch
from retrieval.ranker import (
    DEFAULT_FILE,
    Linear,
    Ranker,
    RankerError,
    calibrate_abstention,
    fit_linear,
    fit_passages,
    topic_models,
)
from retrieval.ranking import hybrid, match, rank, reciprocal_rank_fusion, topic_coverage
from retrieval.selection import Limits, duplicates, fold, select, tier, unquoted, who_said


def passage(
    pid: int,
    text: str,
    status: Status = Status.UNSPECIFIED,
    speaker: str | None = None,
    article: str = "a1",
) -> Passage:
    return Passage(
        id=pid,
        article_id=article,
        ordinal=pid,
        section="Section",
        status=status,
        start=0,
        end=len(text),
        text=text,
        speaker=Speaker(name=speaker) if speaker else None,
    )


def cand(p: Passage, score: float, cosine: float = 0.6, vector=None) -> Candidate:
    return Candidate(p, cosine, 0.0, None if vector is None else np.asarray(vector), score)


WHO = {"who_said": 0.7, "status": 0.1, "overview": 0.1, "fact": 0.1}
FACT = {"who_said": 0.1, "status": 0.1, "overview": 0.1, "fact": 0.7}
ASKS_VARGA = Query(
    text="what did varga say about the pier",
    matches=(SpeakerMatch("Ilse Varga", "name", 1.0, "varga"),),
    cues=Cues(saying=True, wh="what", words=7),
    topic_terms=("pier",),
)


# -- hybrid -----------------------------------------------------------------------------


def test_hybrid_adds_weighted_bm25_relative_to_the_best_lexical_match() -> None:
    dense = {1: 0.50, 2: 0.40, 3: 0.30}
    lexical = [(2, 10.0), (3, 5.0), (9, 8.0)]  # 9 has no vector: it gains nothing

    fused = hybrid(dense, lexical, 0.2)

    assert fused == pytest.approx({1: 0.50, 2: 0.40 + 0.2 * 1.0, 3: 0.30 + 0.2 * 0.5})
    assert dense == {1: 0.50, 2: 0.40, 3: 0.30}  # the input is not modified


def test_hybrid_without_lexical_matches_is_the_dense_scores() -> None:
    assert hybrid({1: 0.7, 2: 0.1}, [], 0.2) == {1: 0.7, 2: 0.1}
    assert hybrid({1: 0.7}, [(1, 0.0)], 0.2) == {1: 0.7}  # a zero best score adds nothing


# -- reciprocal rank fusion -------------------------------------------------------------


def test_reciprocal_rank_fusion_sums_one_over_k_plus_rank() -> None:
    dense = [(1, 0.9), (2, 0.8)]
    lexical = [(2, 12.0), (3, 4.0)]

    fused = reciprocal_rank_fusion([dense, lexical], k=60)
    assert fused == pytest.approx({1: 1 / 61, 2: 1 / 62 + 1 / 61, 3: 1 / 62})

    weighted = reciprocal_rank_fusion([dense, lexical], k=10, weights=[1.0, 0.5])
    assert weighted == pytest.approx({1: 1 / 11, 2: 1 / 12 + 0.5 / 11, 3: 0.5 / 12})


# -- topic coverage ---------------------------------------------------------------------


def test_topic_coverage_weighs_words_the_corpus_has_never_seen_the_most() -> None:
    freq = {"outbreak": 3, "ebola": 0}
    ebola = math.log(5 / 0.5)  # in no article of four: the rarest
    outbreak = math.log(5 / 3.5)

    covered = topic_coverage({"ebola", "outbreak"}, {"outbreak", "virus"}, freq, 4)

    assert covered == pytest.approx(outbreak / (ebola + outbreak))
    assert covered < 0.2  # the common word alone covers little of the question
    assert topic_coverage({"ebola", "outbreak"}, {"ebola"}, freq, 4) == pytest.approx(
        ebola / (ebola + outbreak)
    )
    assert topic_coverage({"ebola", "outbreak"}, {"ebola", "outbreak"}, freq, 4) == 1.0
    assert topic_coverage({"ebola"}, {"outbreak"}, freq, 4) == 0.0


def test_topic_coverage_of_an_empty_topic_is_full() -> None:
    assert topic_coverage(set(), {"anything"}, {}, 10) == 1.0
    assert topic_coverage(set(), set(), {}, 0) == 1.0


# -- the ranker -------------------------------------------------------------------------


def test_the_shipped_ranker_loads_and_fits_these_features() -> None:
    ranker = Ranker.load(DEFAULT_FILE)
    assert ranker.passages.linear.coef.shape == (1, len(FEATURES))
    assert ranker.passages.booster is not None
    assert ranker.passages.booster.num_feature() == len(FEATURES)
    assert ranker.kinds.coef.shape[0] == len(KINDS)
    assert math.isfinite(ranker.abstain_below)
    assert ranker.info["command"] == "python -m benchmarks.rank --fit"
    assert ranker.topics is not None and ranker.topics.coef.shape == (1, len(TOPIC_FEATURES))
    assert math.isfinite(ranker.match_above)
    assert ranker.plain_topics is not None and math.isfinite(ranker.plain_match_above)
    assert ranker.plain_topics.coef.shape == (1, len(PLAIN_TOPIC_FEATURES))


def test_a_topic_model_round_trips_and_an_unfitted_one_matches_nothing(tmp_path: Path) -> None:
    prior = Ranker.prior(4)
    n = len(TOPIC_FEATURES)
    topics = Linear(np.zeros(n), np.ones(n), np.ones((1, n)), np.array([-1.0]))
    path = tmp_path / "ranker.json"
    Ranker(prior.kinds, prior.passages, prior.answerable, 0.0, {}, topics, 0.5).save(path)
    back = Ranker.load(path)
    assert back.match_above == 0.5
    assert back.about_topic(np.ones(n)) == pytest.approx(n - 1.0)
    assert prior.about_topic(np.ones(n)) == -math.inf < prior.match_above


def test_topic_features_read_the_headline_and_how_much_of_the_article_comes_near() -> None:
    items = [
        cand(passage(1, "The harbour cranes stood still."), 0.0, cosine=0.7),
        cand(passage(2, "Dockers walked out at dawn."), 0.0, cosine=0.5),
        cand(passage(3, "A bakery reopened nearby."), 0.0, cosine=0.1),
        cand(passage(4, "Weather was mild."), 0.0, cosine=-0.1),
    ]
    found = Candidates(
        query=Query(text="harbour strike", topic_terms=("harbour", "strike")),
        vector=np.zeros(3),
        items=items,
        coverage={"a1": 0.5},
        passage_coverage={1: 0.5, 2: 0.0, 3: 0.0, 4: 0.0},
        headline=0.6,
    )
    row = dict(zip(TOPIC_FEATURES, topic_row(found), strict=True))
    assert row["best_cosine"] == pytest.approx(0.7)
    assert row["top3_cosine"] == pytest.approx((0.7 + 0.5 + 0.1) / 3)
    assert row["mean_cosine"] == pytest.approx(0.3)
    assert row["headline_cosine"] == 0.6 and row["article_coverage"] == 0.5
    assert row["best_passage_coverage"] == 0.5 and row["covering_share"] == 0.25
    # With no corpus spread, the z columns repeat the cosines (the plain model reads neither).
    assert row["best_z"] == pytest.approx(0.7) and row["headline_z"] == 0.6


def test_the_corpus_spread_gives_a_topics_mean_and_spread_of_cosines_without_the_passages() -> None:
    corpus = np.array([[1.0, 0.0], [0.0, 1.0], [0.6, 0.8], [0.8, 0.6]])
    spread = CorpusSpread.of(corpus)
    topics = np.array([[1.0, 0.0], [0.6, 0.8]])
    for topic, (mean, sd) in zip(topics, spread.of_topics(topics), strict=True):
        cosines = corpus @ topic
        assert mean == pytest.approx(cosines.mean()) and sd == pytest.approx(cosines.std())
    assert spread.n == 4 and CorpusSpread.of(corpus[:2], n=40).n == 40
    # Every passage alike: no spread to stand out from, and no division by zero.
    same = CorpusSpread.of(np.array([[1.0, 0.0], [1.0, 0.0]]))
    assert same.of_topics(np.array([1.0, 0.0]))[0][1] > 0
    with pytest.raises(ValueError):
        CorpusSpread.of(np.zeros((0, 2)))


def test_topic_features_read_the_cosines_against_the_topics_spread_over_the_corpus() -> None:
    # A broad topic: near everything a little (mean 0.3, sd 0.05); 0.42 stands out, 0.32 not.
    items = [
        cand(passage(1, "The council voted the budget down."), 0.0, cosine=0.42),
        cand(passage(2, "The mayor called a new vote."), 0.0, cosine=0.32),
        cand(passage(3, "Rain is expected on Friday."), 0.0, cosine=0.22),
        cand(passage(4, "Tickets went on sale."), 0.0, cosine=0.2),
    ]
    found = Candidates(Query(text="town politics"), np.zeros(3), items, headline=0.4,
                       spread=(0.3, 0.05))  # fmt: skip
    row = dict(zip(TOPIC_FEATURES, topic_row(found), strict=True))
    assert row["best_z"] == pytest.approx(2.4) and row["headline_z"] == pytest.approx(2.0)
    assert row["top3_z"] == pytest.approx(((0.42 + 0.32 + 0.22) / 3 - 0.3) / 0.05)
    assert row["mean_z"] == pytest.approx(((0.42 + 0.32 + 0.22 + 0.2) / 4 - 0.3) / 0.05)
    assert row["standout_share"] == 0.25  # only the first is two deviations above the mean
    assert standing_out(0.3, (0.3, 0.05)) == 0.0


def test_without_a_corpus_spread_the_plain_topic_model_decides() -> None:
    items = [cand(passage(1, "Dockers walked out at dawn."), 0.0, cosine=0.6)]
    n, k = len(TOPIC_FEATURES), len(PLAIN_TOPIC_FEATURES)
    never = Linear(np.zeros(n), np.ones(n), np.zeros((1, n)), np.array([-5.0]))
    by_best = np.zeros((1, k))
    by_best[0, PLAIN_TOPIC_FEATURES.index("best_cosine")] = 1.0
    plain = Linear(np.zeros(k), np.ones(k), by_best, np.zeros(1))
    prior = Ranker.prior(3)
    ranker = Ranker(prior.kinds, prior.passages, prior.answerable, 0.0, {}, never, 0.0, plain, 0.5)
    small = Candidates(Query(text="harbour strike"), np.zeros(3), items)
    assert [g.head.passage.id for g in match(small, ranker, Limits()).groups] == [1]
    large = Candidates(Query(text="harbour strike"), np.zeros(3), items, spread=(0.1, 0.1))
    assert match(large, ranker, Limits()).groups == []  # the full model says no
    assert ranker.topic_margin(np.full(n, 0.6), plain=True) == pytest.approx(0.1)


def test_unseen_share_counts_the_topic_words_no_article_uses() -> None:
    freq = {"harbour": 3, "strike": 1, "crane": 0}
    assert unseen_share({"harbour", "strike"}, freq) == 0.0
    assert unseen_share({"harbour", "crane", "gondola", "strike"}, freq) == 0.5
    assert unseen_share(set(), freq) == 0.0


def test_the_answerability_row_carries_the_unseen_share_with_or_without_candidates() -> None:
    items = [cand(passage(1, "The pier reopened."), 1.0, cosine=0.5)]
    found = Candidates(Query(text="pier gondola"), np.zeros(3), items, unseen=0.5)
    for ranked in (items, []):
        row = dict(zip(QUESTION_FEATURES, answerability_row(found, ranked, False), strict=True))
        assert row["unseen_topic"] == 0.5


def test_a_topic_matches_only_when_the_topic_model_says_the_article_is_about_it() -> None:
    items = [cand(passage(1, "Dockers walked out at dawn."), 0.0, cosine=0.6)]
    found = Candidates(Query(text="harbour strike"), np.zeros(3), items, headline=0.4)
    n = len(TOPIC_FEATURES)
    by_headline = np.zeros((1, n))
    by_headline[0, TOPIC_FEATURES.index("headline_cosine")] = 1.0
    model = Linear(np.zeros(n), np.ones(n), by_headline, np.zeros(1))
    prior = Ranker.prior(3)
    ranker = Ranker(prior.kinds, prior.passages, prior.answerable, 0.0, {}, model, 0.3)
    assert [g.head.passage.id for g in match(found, ranker, Limits()).groups] == [1]
    strict = Ranker(prior.kinds, prior.passages, prior.answerable, 0.0, {}, model, 0.5)
    assert match(found, strict, Limits()).groups == []


def test_a_ranker_round_trips_through_its_file(tmp_path: Path) -> None:
    prior = Ranker.prior(4)
    path = tmp_path / "ranker.json"
    Ranker(prior.kinds, prior.passages, prior.answerable, -1.5, {"note": "invented"}).save(path)
    back = Ranker.load(path)
    assert back.abstain_below == -1.5 and back.info == {"note": "invented"}
    assert np.allclose(back.passages.linear.coef, prior.passages.linear.coef)
    assert back.passages.booster is None
    probs = back.kind_probs(np.zeros(4 + 12))
    assert probs == pytest.approx(dict.fromkeys(KINDS, 0.25))


def test_a_ranker_file_for_other_features_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "ranker.json"
    Ranker.prior(4).save(path)
    path.write_text(path.read_text().replace('"cosine"', '"cosine_old"'))
    with pytest.raises(RankerError, match="other features"):
        Ranker.load(path)


def test_the_topic_models_of_a_file_for_other_passage_features_are_still_read(
    tmp_path: Path,
) -> None:
    # What `benchmarks.rank --fit` keeps when it refits the passage models with new features.
    prior = Ranker.prior(4)
    n = len(TOPIC_FEATURES)
    topics = Linear(np.zeros(n), np.ones(n), np.ones((1, n)), np.array([-1.0]))
    path = tmp_path / "ranker.json"
    Ranker(prior.kinds, prior.passages, prior.answerable, 0.0, {}, topics, 0.5).save(path)
    path.write_text(path.read_text().replace('"cosine"', '"cosine_old"'))
    with pytest.raises(RankerError, match="other features"):
        Ranker.load(path)
    kept = topic_models(path)
    assert kept["match_above"] == 0.5 and "plain_topics" not in kept
    assert np.allclose(kept["topics"].coef, topics.coef)
    with pytest.raises(RankerError, match="unreadable"):
        topic_models(tmp_path / "absent.json")


def test_the_passage_model_averages_its_linear_and_tree_scores_by_their_spreads(
    tmp_path: Path,
) -> None:
    # Three invented questions of four candidates; the answer is the candidate whose first
    # feature is high and whose second is low (what no single feature tells).
    rng = np.random.default_rng(0)
    x = rng.random((120, len(FEATURES)))
    y = ((x[:, 0] > 0.5) & (x[:, 1] < 0.5)).astype(float)
    model = fit_passages(x, y, [4] * 30, c=1.0)
    assert model.booster is not None and all(s > 0 for s in model.spreads)
    rows = x[:8]
    expected = (model.linear(rows)[:, 0] / model.spreads[0]
                + model.booster.predict(rows, raw_score=True) / model.spreads[1]) / 2  # fmt: skip
    assert model(rows) == pytest.approx(expected)
    # The answers come first more often than by chance.
    scores = model(x).reshape(30, 4)
    labels = y.reshape(30, 4)
    answered = labels.sum(axis=1) > 0
    top = labels[np.arange(30), scores.argmax(axis=1)]
    assert top[answered].mean() > labels[answered].mean()
    # And it round-trips through the ranker's file, booster and all.
    prior = Ranker.prior(4)
    path = tmp_path / "ranker.json"
    Ranker(prior.kinds, model, prior.answerable, 0.0, {}).save(path)
    back = Ranker.load(path)
    assert back.score(rows) == pytest.approx(model(rows))


def test_a_ranker_file_whose_booster_is_broken_is_refused(tmp_path: Path) -> None:
    x = np.random.default_rng(1).random((40, len(FEATURES)))
    model = fit_passages(x, (x[:, 0] > 0.5).astype(float), [4] * 10, c=1.0)
    prior = Ranker.prior(4)
    path = tmp_path / "ranker.json"
    Ranker(prior.kinds, model, prior.answerable, 0.0, {}).save(path)
    data = json.loads(path.read_text())
    data["passage_model"]["booster"] = "not a model"
    path.write_text(json.dumps(data))
    with pytest.raises(RankerError, match="malformed"):
        Ranker.load(path)


def test_linear_standardises_then_weighs() -> None:
    model = Linear(np.array([1.0, 0.0]), np.array([2.0, 1.0]), np.array([[1.0, -1.0]]),
                   np.array([0.5]))  # fmt: skip
    assert model(np.array([3.0, 2.0]))[0, 0] == pytest.approx((3 - 1) / 2 - 2 + 0.5)


def test_the_prior_ranks_by_cosine() -> None:
    items = [cand(passage(1, "Low."), 0, cosine=0.2), cand(passage(2, "High."), 0, cosine=0.9)]
    found = Candidates(Query(text="q"), np.zeros(4), items)
    probs = rank(found, Ranker.prior(4))
    assert probs == pytest.approx(dict.fromkeys(KINDS, 0.25))
    assert [c.score for c in items] == pytest.approx([0.2, 0.9])


def test_calibration_leaves_the_allowed_share_of_answerable_questions_below() -> None:
    scores = [float(x) for x in range(100)]  # 0 … 99
    # 0 and 1 fall below; the threshold sits midway to the next score, on no one question.
    assert calibrate_abstention(scores, false_abstention=0.02) == 1.5
    assert calibrate_abstention(scores, false_abstention=0.0) == 0.0
    assert calibrate_abstention([], false_abstention=0.02) == float("-inf")


# -- features ---------------------------------------------------------------------------


def test_features_of_the_asked_persons_quote_and_someone_elses() -> None:
    own = passage(1, "We will rebuild the pier.", Status.STATEMENT, "Ilse Varga")
    other = passage(2, "The pier is safe.", Status.STATEMENT, "Tom Reyl")
    reported = passage(3, "Varga said the pier would reopen.", Status.UNSPECIFIED, "Varga")
    mention = passage(4, "Varga visited the pier on Monday.")
    found = Candidates(
        ASKS_VARGA, np.zeros(4), [cand(p, 0) for p in (own, other, reported, mention)]
    )
    rows = candidate_rows(found, WHO)
    col = {name: rows[:, i].tolist() for i, name in enumerate(FEATURES)}
    assert col["asked_quote"] == [1.0, 0.0, 0.0, 0.0]
    assert col["other_quote"] == [0.0, 1.0, 0.0, 0.0]
    assert col["asked_reported"] == [0.0, 0.0, 1.0, 0.0]
    assert col["asked_mentioned"] == [0.0, 0.0, 0.0, 1.0]
    assert col["who_statement"] == pytest.approx([0.7, 0.7, 0.0, 0.0])
    assert col["fact_unspecified"] == pytest.approx([0.0, 0.0, 0.1, 0.1])


def test_features_of_the_kind_of_answer_asked_for_and_of_an_open_matter() -> None:
    when = Query(text="when will the pier reopen", cues=Cues(wh="when", words=5, wants="date"))
    count = Query(text="how many boats were lost", cues=Cues(wh="how", words=5, wants="quantity"))
    who = Query(text="who runs the Halbrook pier", cues=Cues(wh="who", words=5, wants="name"))
    dated = passage(1, "The pier reopens on Friday, officials said.")
    counted = passage(2, "About 40 boats were lost in the storm.")
    named = passage(3, "The Halbrook pier is run by Ilse Varga.")
    open_ = passage(4, "How many boats were lost is still unclear.")
    items = [cand(p, 0) for p in (dated, counted, named, open_)]

    def column(query: Query, name: str, probs=FACT) -> list[float]:
        rows = candidate_rows(Candidates(query, np.zeros(4), items), probs)
        return rows[:, FEATURES.index(name)].tolist()

    assert column(when, "gives_date") == [1.0, 0.0, 0.0, 0.0]
    assert column(count, "gives_quantity") == [0.0, 1.0, 0.0, 0.0]
    # "Halbrook" is in the question: only a name it does not give answers "who".
    assert column(who, "gives_name") == [0.0, 0.0, 1.0, 0.0]
    assert column(when, "gives_quantity") == [0.0] * 4
    status = {"who_said": 0.1, "status": 0.7, "overview": 0.1, "fact": 0.1}
    assert column(count, "hedged") == [0.0, 0.0, 0.0, 1.0]
    assert column(count, "status_hedged", status) == pytest.approx([0.0, 0.0, 0.0, 0.7])


# -- selection --------------------------------------------------------------------------


def test_who_said_needs_a_sure_speaker_and_a_who_said_question() -> None:
    assert who_said(ASKS_VARGA, WHO).name == "Ilse Varga"
    # A reporting verb alone is not enough ("did varga charge the contractor"): the
    # question-kind model, which reads it among the cues, decides.
    assert who_said(ASKS_VARGA, FACT) is None
    quiet = Query(text="varga pier", matches=ASKS_VARGA.matches)
    assert who_said(quiet, FACT) is None
    assert who_said(quiet, WHO).name == "Ilse Varga"
    unsure = Query(text="q", matches=(SpeakerMatch("Ilse Varga", "spelling", 0.4, "vrga"),),
                   cues=Cues(saying=True))  # fmt: skip
    assert who_said(unsure, WHO) is None


def test_tiers_of_a_who_said_answer() -> None:
    assert tier(passage(1, "x", Status.STATEMENT, "Ilse Varga"), "Ilse Varga") == 0
    assert tier(passage(2, "x", Status.UNSPECIFIED, "Varga"), "Ilse Varga") == 1
    assert tier(passage(3, "Varga came."), "Ilse Varga") == 1
    assert tier(passage(4, "x", Status.STATEMENT, "Tom Reyl"), "Ilse Varga") == 2


def test_a_who_said_answer_puts_the_persons_words_first_and_marks_the_rest() -> None:
    items = [
        cand(passage(1, "The pier is safe.", Status.STATEMENT, "Tom Reyl"), 3.0),
        cand(passage(2, "Varga said it would reopen.", Status.UNSPECIFIED, "Ilse Varga"), 2.0),
        cand(passage(3, "We will rebuild it.", Status.STATEMENT, "Ilse Varga"), 1.0),
    ]
    chosen = select(items, ASKS_VARGA, WHO, abstain=False)
    assert [g.head.passage.id for g in chosen.groups] == [3, 2, 1]
    assert [g.someone_else for g in chosen.groups] == [False, False, True]
    assert chosen.asked == "Ilse Varga" and chosen.missing is None


def test_a_near_spelling_of_the_person_is_kept_as_the_question_wrote_it() -> None:
    misspelt = Query(
        text="What did Vargga's office say?",
        matches=(SpeakerMatch("Ilse Varga", "spelling", 0.9, "vargga"),),
        cues=Cues(saying=True),
    )
    items = [cand(passage(1, "We will rebuild it.", Status.STATEMENT, "Ilse Varga"), 1.0)]
    for abstain in (False, True):
        chosen = select(items, misspelt, WHO, abstain=abstain)
        assert chosen.asked == "Ilse Varga" and chosen.spelt == "Vargga"
    assert select(items, ASKS_VARGA, WHO, abstain=False).spelt is None  # spelt as the corpus


def test_a_known_person_who_said_nothing_on_it_gets_an_abstention_with_their_words() -> None:
    items = [
        cand(passage(1, "The pier is safe.", Status.STATEMENT, "Tom Reyl"), 3.0),
        cand(passage(2, "Taxes will not rise.", Status.STATEMENT, "Ilse Varga"), -4.0),
    ]
    chosen = select(items, ASKS_VARGA, WHO, abstain=True)
    assert chosen.groups == []
    assert chosen.missing == "Ilse Varga"
    assert [c.passage.id for c in chosen.related] == [2]  # hers, not the better-scored other


def test_someone_named_but_never_quoted_gets_no_statement_and_the_passages_naming_them() -> None:
    items = [
        cand(passage(1, "The pier is safe.", Status.STATEMENT, "Tom Reyl"), 3.0),
        cand(passage(2, "Reyl thanked Oda Brannock for her work."), 1.0),
    ]
    chosen = unquoted(items, "Oda Brannock", WHO)
    assert chosen.groups == [] and chosen.missing == "Oda Brannock"
    assert [c.passage.id for c in chosen.related] == [2]


def test_select_abstains_when_told_and_keeps_the_ranked_order_otherwise() -> None:
    items = [cand(passage(1, "a"), -2.0), cand(passage(2, "b"), -1.0)]
    assert select(items, Query(text="q"), FACT, abstain=True).groups == []
    kept = select(items, Query(text="q"), FACT, abstain=False)
    assert [g.head.passage.id for g in kept.groups] == [2, 1]
    assert kept.missing is None and kept.related == []


def test_the_weak_tail_is_dropped_by_cosine() -> None:
    items = [cand(passage(1, "a"), 2.0, cosine=0.8), cand(passage(2, "b"), 1.0, cosine=0.45)]
    kept = select(items, Query(text="q"), FACT, abstain=False, limits=Limits(tail_gap=0.3))
    assert [g.head.passage.id for g in kept.groups] == [1]


def test_the_tail_of_a_who_said_answer_is_cut_below_the_persons_best_words() -> None:
    items = [
        cand(passage(1, "The pier is safe.", Status.STATEMENT, "Tom Reyl"), 3.0, cosine=0.8),
        cand(passage(2, "We will rebuild it.", Status.STATEMENT, "Ilse Varga"), 1.0, cosine=0.4),
    ]
    kept = select(items, ASKS_VARGA, WHO, abstain=False, limits=Limits(tail_gap=0.3))
    assert [g.head.passage.id for g in kept.groups] == [2, 1]  # hers, though 0.4 from another's


def test_the_same_quote_from_two_outlets_is_one_result() -> None:
    a = cand(passage(1, "We will rebuild the pier by May.", Status.STATEMENT, "Ilse Varga",
                     "outlet-a"), 2.0, vector=[1.0, 0.0])  # fmt: skip
    b = cand(passage(2, "“We will rebuild the pier by May,” she said.", Status.STATEMENT,
                     "Varga", "outlet-b"), 1.5, vector=[0.0, 1.0])  # fmt: skip
    other = cand(passage(3, "We will rebuild the pier by May.", Status.STATEMENT, "Tom Reyl",
                         "outlet-c"), 1.0, vector=[1.0, 0.0])  # fmt: skip
    assert duplicates(a, b)  # the quoted words and the speaker, whatever the vectors say
    assert not duplicates(a, other)  # the same words from someone else are not the same quote
    groups = fold([a, b, other])
    assert [g.head.passage.id for g in groups] == [1, 3]
    assert [o.passage.article_id for o in groups[0].other_articles] == ["outlet-b"]


def test_an_unconfirmed_claim_is_never_folded_into_a_fact() -> None:
    v = [1.0, 0.0]
    fact = cand(passage(1, "The dam held.", Status.VERIFIED), 1.0, vector=v)
    claim = cand(passage(2, "The dam held.", Status.UNCONFIRMED), 0.9, vector=v)
    assert not duplicates(fact, claim)
    assert len(fold([fact, claim])) == 2


def test_within_one_article_the_best_ranked_of_one_fact_is_shown() -> None:
    v = [1.0, 0.0]
    takeaway = cand(passage(1, "The dam held.", Status.CONTEXT), 1.0, vector=v)
    fact = cand(passage(2, "The dam held.", Status.VERIFIED), 0.9, vector=v)
    (group,) = fold([takeaway, fact])
    assert group.head.passage.id == 1 and [c.passage.id for c in group.same_article] == [2]
    (group,) = fold([fact, takeaway])
    assert group.head.passage.id == 2 and [c.passage.id for c in group.same_article] == [1]


def test_a_nearly_constant_input_is_left_unscaled() -> None:
    rng = np.random.default_rng(0)
    x = np.column_stack([rng.normal(size=200), np.full(200, 0.3) + 1e-8 * rng.normal(size=200)])
    y = (x[:, 0] > 0).astype(float)
    model = fit_linear(x, y, c=1.0, multiclass=False)
    assert model.scale[1] == 1.0
    assert np.isfinite(model(np.array([[0.5, 0.3]]))).all()


def test_the_shipped_kind_model_gives_probabilities_for_any_vector() -> None:
    ranker = Ranker.load(DEFAULT_FILE)
    width = ranker.kinds.coef.shape[1]
    for row in (np.zeros(width), np.full(width, 0.05)):
        probs = ranker.kind_probs(row)
        assert all(math.isfinite(p) for p in probs.values())
        assert sum(probs.values()) == pytest.approx(1.0)


def test_a_ranker_file_with_a_zero_scale_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "ranker.json"
    Ranker.prior(4).save(path)
    text = path.read_text()
    data = json.loads(text)
    data["passage_model"]["linear"]["scale"][0] = 0.0
    path.write_text(json.dumps(data))
    with pytest.raises(RankerError, match="malformed"):
        Ranker.load(path)
