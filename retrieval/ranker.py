"""The learned ranker: a question-kind model (a logistic regression), a passage model (a
logistic regression and a LightGBM lambdarank booster) and an answerability model with the
abstention threshold calibrated on it, shipped as `ranker.json`.

The file is written by `python -m benchmarks.rank --fit`, which reads the labelled questions
of `../shared/devset`, fits with scikit-learn and reports held-out figures on folds grouped by
story (README: Ranking). Nothing here is set by hand: the numbers come from the file, and
the file names the data and the figures it was fitted with.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from retrieval.features import (
    FEATURES,
    KINDS,
    PLAIN_TOPIC_FEATURES,
    QUESTION_FEATURES,
    TOPIC_FEATURES,
)

log = logging.getLogger(__name__)

FORMAT = 2  # 2: the passage model holds a LightGBM booster beside its linear model
CONSTANT = 1e-4  # inputs whose spread is below this are taken as constant
_CUES = 12  # features.question_row: the question's vector, then this many cues
DEFAULT_FILE = Path(__file__).with_name("ranker.json")
# The booster: a few hundred shallow trees with large leaves, for some 8,000 candidates of
# 150-200 questions (more leaves or rounds fit the training questions, not new ones). One
# thread and a fixed seed: the same data gives the same file on any machine.
BOOSTER_ROUNDS = 200
BOOSTER_PARAMS = {
    "objective": "lambdarank",
    "lambdarank_truncation_level": 10,
    "learning_rate": 0.05,
    "num_leaves": 8,
    "max_depth": 3,
    "min_data_in_leaf": 40,
    "lambda_l2": 1.0,
    "seed": 0,
    "deterministic": True,
    "num_threads": 1,
    "verbose": -1,
}


class RankerError(Exception):
    """The ranker file cannot be used; `path` names it."""

    def __init__(self, path: Path, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"{path}: {reason}")


@dataclass(frozen=True)
class Linear:
    """Standardised inputs times coefficients plus intercept (one row of coef per output)."""

    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray  # (outputs, inputs)
    intercept: np.ndarray  # (outputs,)

    def __call__(self, x: np.ndarray) -> np.ndarray:
        z = (np.atleast_2d(x) - self.mean) / self.scale
        return z @ self.coef.T + self.intercept

    def to_json(self) -> dict:
        r = lambda a: np.round(np.asarray(a, dtype=np.float64), 8).tolist()  # noqa: E731
        return {"mean": r(self.mean), "scale": r(self.scale), "coef": r(self.coef),
                "intercept": r(self.intercept)}  # fmt: skip

    @classmethod
    def from_json(cls, d: dict) -> Linear:
        coef = np.atleast_2d(np.asarray(d["coef"], dtype=np.float64))
        scale = np.asarray(d["scale"], dtype=np.float64)
        if (scale <= 0).any() or not np.isfinite(scale).all():
            raise ValueError("a scale is not a positive number")
        return cls(
            np.asarray(d["mean"], dtype=np.float64),
            scale,
            coef,
            np.atleast_1d(np.asarray(d["intercept"], dtype=np.float64)),
        )


@dataclass(frozen=True)
class Passages:
    """The passage model: a logistic regression's log-odds that the passage answers, and a
    LightGBM lambdarank booster's ordering of a question's candidates over the same
    features, each in units of its spread over the training candidates, averaged. The
    linear model carries to unseen questions steadily; the trees read what it cannot, how
    the features combine. Scores order candidates; nothing reads them as probabilities."""

    linear: Linear
    booster: Any = None  # lightgbm.Booster; None: the linear model alone (the prior)
    spreads: tuple[float, float] = (1.0, 1.0)  # (linear, booster) scores' standard deviations

    def __call__(self, rows: np.ndarray) -> np.ndarray:
        rows = np.atleast_2d(rows)
        linear = self.linear(rows)[:, 0]
        if self.booster is None:
            return linear
        trees = self.booster.predict(rows, raw_score=True, num_threads=1)
        return (linear / self.spreads[0] + trees / self.spreads[1]) / 2

    def to_json(self) -> dict:
        data: dict = {"linear": self.linear.to_json()}
        if self.booster is not None:
            data["booster"] = self.booster.model_to_string()
            data["spreads"] = [round(x, 8) for x in self.spreads]
        return data

    @classmethod
    def from_json(cls, d: dict) -> Passages:
        linear = Linear.from_json(d["linear"])
        if "booster" not in d:
            return cls(linear)
        import lightgbm

        try:
            booster = lightgbm.Booster(model_str=d["booster"])
        except lightgbm.basic.LightGBMError as exc:
            raise ValueError(f"booster: {exc}") from exc
        spreads = tuple(float(x) for x in d["spreads"])
        if len(spreads) != 2 or not all(np.isfinite(x) and x > 0 for x in spreads):
            raise ValueError("a spread is not a positive number")
        return cls(linear, booster, (spreads[0], spreads[1]))


@dataclass(frozen=True)
class Ranker:
    """Question kinds, passage scores (an ordering of the candidates), whether the question is
    answered at all (log-odds, from its best candidates) and where to abstain."""

    kinds: Linear
    passages: Passages
    answerable: Linear
    abstain_below: float  # nothing is shown when `answerable` falls below this
    info: dict
    # Subscriptions: whether a new article is about a topic (log-odds), and from where it is
    # pushed; None until fitted (`python -m benchmarks.topics --fit`): then nothing matches.
    topics: Linear | None = None
    match_above: float = float("inf")
    # The same over PLAIN_TOPIC_FEATURES, for a corpus too small to give a spread (a new bot).
    plain_topics: Linear | None = None
    plain_match_above: float = float("inf")

    @classmethod
    def prior(cls, dim: int) -> Ranker:
        """Before any training: every kind equally likely, passages by cosine, no abstention
        (what `benchmarks.rank` gathers its candidates with)."""
        width = dim + _CUES
        kinds = Linear(np.zeros(width), np.ones(width), np.zeros((len(KINDS), width)),
                       np.zeros(len(KINDS)))  # fmt: skip
        coef = np.zeros((1, len(FEATURES)))
        coef[0, FEATURES.index("cosine")] = 1.0
        cosine = Linear(np.zeros(len(FEATURES)), np.ones(len(FEATURES)), coef, np.zeros(1))
        passages = Passages(cosine)
        n = len(QUESTION_FEATURES)
        answerable = Linear(np.zeros(n), np.ones(n), np.zeros((1, n)), np.zeros(1))
        return cls(kinds, passages, answerable, float("-inf"), {"prior": True})

    def fitted_to(self, model: str, dim: int) -> Ranker:
        """This ranker for questions embedded by `model`: the kind model reads the question's
        vector, so under another embedding model every kind is taken as equally likely (the
        passage and abstention models read no vector and still apply)."""
        trained = self.info.get("embedding_model")
        if trained in (None, model) and self.kinds.coef.shape[1] == dim + _CUES:
            return self
        log.warning("the ranker's question-kind model was fitted with %s: not used", trained)
        return replace(self, kinds=Ranker.prior(dim).kinds)

    def kind_probs(self, row: np.ndarray) -> dict[str, float]:
        logits = self.kinds(row)[0]
        e = np.exp(logits - logits.max())
        return dict(zip(KINDS, (e / e.sum()).tolist(), strict=True))

    def score(self, rows: np.ndarray) -> np.ndarray:
        if len(rows) == 0:
            return np.zeros(0)
        return self.passages(rows)

    def answerability(self, row: np.ndarray) -> float:
        return float(self.answerable(row)[0, 0])

    def about_topic(self, row: np.ndarray) -> float:
        return float(self.topics(row)[0, 0]) if self.topics is not None else float("-inf")

    def topic_margin(self, row: np.ndarray, *, plain: bool = False) -> float:
        """How far the article's log-odds of being about the topic lie above the threshold to
        match (`plain`: by the model of plain cosines, for a corpus that gives no spread)."""
        if not plain:
            return self.about_topic(row) - self.match_above
        if self.plain_topics is None:
            return float("-inf")
        width = len(PLAIN_TOPIC_FEATURES)
        return float(self.plain_topics(np.asarray(row)[..., :width])[0, 0]) - self.plain_match_above

    def save(self, path: Path = DEFAULT_FILE) -> None:
        data = {
            "format": FORMAT,
            "features": list(FEATURES),
            "question_features": list(QUESTION_FEATURES),
            "kinds": list(KINDS),
            "abstain_below": round(self.abstain_below, 6),
            "info": self.info,
            "kind_model": self.kinds.to_json(),
            "passage_model": self.passages.to_json(),
            "answerable_model": self.answerable.to_json(),
        }
        if self.topics is not None:
            data["topic_features"] = list(TOPIC_FEATURES)
            data["topic_model"] = self.topics.to_json()
            data["match_above"] = round(self.match_above, 6)
        if self.plain_topics is not None:
            data["plain_topic_model"] = self.plain_topics.to_json()
            data["plain_match_above"] = round(self.plain_match_above, 6)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, ensure_ascii=False) + "\n", encoding="utf-8")
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path = DEFAULT_FILE, *, with_topics: bool = True) -> Ranker:
        """The ranker in the file; `with_topics=False` leaves its topic model out (what
        `benchmarks.topics --fit` fits a new one beside, whatever features the old one read)."""
        data = read_file(path)
        if (
            data.get("features") != list(FEATURES)
            or data.get("question_features") != list(QUESTION_FEATURES)
            or data.get("kinds") != list(KINDS)
        ):
            raise RankerError(path, "fitted for other features: retrain it (benchmarks.rank)")
        try:
            ranker = cls(
                Linear.from_json(data["kind_model"]),
                Passages.from_json(data["passage_model"]),
                Linear.from_json(data["answerable_model"]),
                float(data["abstain_below"]),
                data.get("info", {}),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise RankerError(path, f"malformed ({exc})") from exc
        return replace(ranker, **topic_models(path, data)) if with_topics else ranker


def topic_models(path: Path = DEFAULT_FILE, data: dict | None = None) -> dict:
    """The topic models of a ranker file (`data`: the file as `read_file` gave it), as
    `Ranker` fields, none when it has none: what `benchmarks.rank --fit` keeps when it refits
    the passage models beside them, whatever features those read."""
    data = read_file(path) if data is None else data
    if "topic_model" not in data:
        return {}
    if data.get("topic_features") != list(TOPIC_FEATURES):
        raise RankerError(path, "topic model fitted for other features (benchmarks.topics)")
    try:
        models = {
            "topics": Linear.from_json(data["topic_model"]),
            "match_above": float(data["match_above"]),
        }
        if "plain_topic_model" in data:
            models["plain_topics"] = Linear.from_json(data["plain_topic_model"])
            models["plain_match_above"] = float(data["plain_match_above"])
    except (KeyError, TypeError, ValueError) as exc:
        raise RankerError(path, f"malformed ({exc})") from exc
    return models


def read_file(path: Path = DEFAULT_FILE) -> dict:
    """A ranker file's contents, checked to be of this FORMAT."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise RankerError(path, f"unreadable ({exc})") from exc
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        got = data.get("format") if isinstance(data, dict) else None
        raise RankerError(path, f"format {got!r}, expected {FORMAT}")
    return data


def fit_linear(x: np.ndarray, y: np.ndarray, *, c: float, multiclass: bool) -> Linear:
    """A standardised L2 logistic regression (scikit-learn), as a `Linear`."""
    from sklearn.linear_model import LogisticRegression

    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    # A constant input (a dead dimension of the embedding has std ~1e-7) is left unscaled:
    # dividing by its spread would only amplify rounding noise.
    scale[scale < CONSTANT] = 1.0
    model = LogisticRegression(C=c, max_iter=2000)
    model.fit((x - mean) / scale, y)
    if multiclass:
        # Rows in KINDS order, whatever order scikit-learn sorted the labels in.
        order = [list(model.classes_).index(k) for k in range(len(KINDS))]
        return Linear(mean, scale, model.coef_[order], model.intercept_[order])
    return Linear(mean, scale, model.coef_, model.intercept_)


def fit_passages(x: np.ndarray, y: np.ndarray, sizes: list[int], *, c: float) -> Passages:
    """The passage model from candidate rows `x` labelled `y` (1: answers), `sizes` the
    number of rows of each question in turn (the booster ranks within a question)."""
    import lightgbm

    linear = fit_linear(x, y, c=c, multiclass=False)
    data = lightgbm.Dataset(x, y.astype(int), group=sizes)
    booster = lightgbm.train(BOOSTER_PARAMS, data, num_boost_round=BOOSTER_ROUNDS)
    spreads = (float(linear(x)[:, 0].std()), float(booster.predict(x, raw_score=True).std()))
    if not all(s > CONSTANT for s in spreads):  # a model that does not tell rows apart
        return Passages(linear)
    return Passages(linear, booster, spreads)


def calibrate_abstention(answerable: list[float], *, false_abstention: float) -> float:
    """The threshold that leaves at most this share of the answerable questions' scores
    below it (those questions would be answered with nothing): midway between the last
    score allowed below and the next, so that it sits on no one question."""
    if not answerable:
        return float("-inf")
    s = np.sort(np.asarray(answerable))
    allowed = int(np.floor(false_abstention * len(s)))  # how many may fall below
    if allowed == 0:
        return float(s[0])
    if allowed >= len(s):
        return float(s[-1])
    return float((s[allowed - 1] + s[allowed]) / 2)
