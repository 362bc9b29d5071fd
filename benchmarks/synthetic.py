"""Corpora for the speed benchmark: real articles made distinct, and synthetic filler at scale.

Real text: the development-set articles and the bundled samples, repeated with the first line
varied (" — edition N") so each copy is a new article with the same structure.

Synthetic filler, for the sizes no real corpus of ours reaches: briefing-like articles of ten
passages (lead, verified facts, statements with speakers, unconfirmed claims, plain prose)
whose words follow a Zipf law over the real articles' vocabulary (most frequent first),
extended by a long tail of made-up words, so BM25 meets realistic posting lists. Their vectors
come from one of two distributions (`VECTORS`), built from the real passages' vectors:

- noisy copies: a real passage vector plus Gaussian noise, normalised. The corpus is a few
  hundred tight clusters, which flatters an IVF index (each cluster falls in few lists);
- gaussian: draws from one multivariate Gaussian with the real vectors' mean and covariance,
  normalised: their spread and correlations, without the clusters.

They go in through the real store (`Store.add(article, vectors)`), so SQLite, FAISS and BM25
are all real at every size. Texts and vectors draw from separate random streams, so both
distributions get the same texts.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from corpus import SAMPLES_DIR
from corpus.models import Article, Passage, Speaker, Status, article_id
from corpus.parse import ArticleMeta
from corpus.sidecar import read_sidecar
from corpus.store import Store
from tests.conftest import SHARED

DEVSET = SHARED / "devset"
TAIL_WORDS = 200_000  # made-up words after the real vocabulary
ZIPF = 1.07  # exponent of the rank–frequency law
NOISE = 0.05  # per-dimension standard deviation added to a real vector (cosine ≈ 0.7 to it)
PASSAGES_PER_ARTICLE = 10

# (section, status) of the ten passages of a synthetic article, in order.
LAYOUT = (
    ("Lead", Status.CONTEXT),
    ("Key Takeaways", Status.CONTEXT),
    ("Verified Facts", Status.VERIFIED),
    ("Verified Facts", Status.VERIFIED),
    ("Verified Facts", Status.VERIFIED),
    ("Official Statements", Status.STATEMENT),
    ("Official Statements", Status.STATEMENT),
    ("Unconfirmed", Status.UNCONFIRMED),
    ("Body", Status.UNSPECIFIED),
    ("Bottom Line", Status.CONTEXT),
)
ROLES = (
    "Minister of Transport",
    "Spokesperson for the Interior Ministry",
    "Chief Executive of {org}",
    "Mayor of {org}",
    "Director of the {org} Agency",
    "President of {org}",
    "Head of Research at {org}",
    "Chair of the {org} Committee",
)
FIRST_NAMES = (
    "Anna", "Boris", "Carla", "David", "Elena", "Farid", "Greta", "Hugo", "Ines", "Jonas",
    "Karin", "Luca", "Maria", "Nils", "Olga", "Pavel", "Rosa", "Sven", "Tara", "Viktor",
)  # fmt: skip


def real_articles() -> dict[str, tuple[str, ArticleMeta | None]]:
    """The devset articles and the bundled samples: key → (text, metadata)."""
    out: dict[str, tuple[str, ArticleMeta | None]] = {}
    meta = read_sidecar(DEVSET) if DEVSET.is_dir() else {}
    for path in sorted((DEVSET / "articles").glob("*.txt")):
        out[f"devset-{path.stem}"] = (path.read_text(encoding="utf-8"), meta.get(path.stem))
    for path in sorted(SAMPLES_DIR.glob("*.txt")):
        out[f"sample-{path.stem}"] = (path.read_text(encoding="utf-8"), None)
    if not out:
        raise FileNotFoundError(f"no articles in {DEVSET / 'articles'} nor {SAMPLES_DIR}")
    return out


def edition(text: str, n: int) -> str:
    """The article with its first line marked as edition n (n = 0: unchanged)."""
    if n == 0:
        return text
    first, sep, rest = text.partition("\n")
    return f"{first.rstrip()} — edition {n}{sep}{rest}"


def ingest_items(rounds: int) -> list[tuple[str, str, ArticleMeta | None]]:
    """(name, text, metadata) for every real article in `rounds` editions."""
    articles = real_articles()
    return [
        (f"{key}#{n}", edition(text, n), meta)
        for n in range(rounds)
        for key, (text, meta) in articles.items()
    ]


# --- synthetic filler -----------------------------------------------------------------------


@dataclass
class Vocabulary:
    """Words by rank and the probability of each rank (Zipf)."""

    words: np.ndarray  # dtype object, rank order
    cumulative: np.ndarray  # cumulative probabilities, for inverse-CDF sampling

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return np.searchsorted(self.cumulative, rng.random(n), side="right")


def vocabulary(texts: list[str], tail: int = TAIL_WORDS, seed: int = 0) -> Vocabulary:
    """The real words by frequency, then `tail` made-up ones; probability ∝ 1 / rank^ZIPF."""
    counts = Counter(w for t in texts for w in re.findall(r"[a-z]{2,}", t.lower()))
    real = [w for w, _ in counts.most_common()]
    rng = np.random.default_rng(seed)
    letters = np.array(list("abcdefghiklmnoprstuvz"))
    seen = set(real)
    made_up: list[str] = []
    while len(made_up) < tail:
        rows = letters[rng.integers(len(letters), size=(tail, 10))]
        for row, length in zip(rows, rng.integers(5, 11, size=tail), strict=True):
            word = "".join(row[:length])
            if word not in seen:
                seen.add(word)
                made_up.append(word)
    words = np.array(real + made_up[:tail], dtype=object)
    weights = 1.0 / np.arange(1, len(words) + 1) ** ZIPF
    cumulative = np.cumsum(weights / weights.sum())
    cumulative[-1] = 1.0
    return Vocabulary(words, cumulative)


def _normalised(vectors: np.ndarray) -> np.ndarray:
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors


class NoisyCopies:
    """A real vector picked at random plus noise (σ = NOISE a dimension), normalised."""

    def __init__(self, base_vectors: np.ndarray) -> None:
        self.base = np.ascontiguousarray(base_vectors, dtype=np.float32)

    def __call__(self, rng: np.random.Generator, n: int) -> np.ndarray:
        picks = self.base[rng.integers(len(self.base), size=n)]
        return _normalised(picks + rng.normal(0.0, NOISE, size=picks.shape).astype(np.float32))


class FittedGaussian:
    """Draws from N(mean, covariance) of the real vectors, normalised.

    The covariance is estimated from a few hundred distinct passages in 384 dimensions, so it
    is rough in its smallest directions; what matters here is that the draws have no clusters.
    """

    def __init__(self, base_vectors: np.ndarray) -> None:
        base = np.asarray(base_vectors, dtype=np.float64)
        self.mean = base.mean(axis=0).astype(np.float32)
        values, vectors = np.linalg.eigh(np.cov(base, rowvar=False))
        # x = mean + z · factor with z ~ N(0, I) has covariance factorᵀ·factor = the estimate.
        self.factor = (vectors * np.sqrt(np.clip(values, 0.0, None))).T.astype(np.float32)

    def __call__(self, rng: np.random.Generator, n: int) -> np.ndarray:
        z = rng.standard_normal((n, len(self.mean)), dtype=np.float32)
        return _normalised(self.mean + z @ self.factor)


VectorSource = Callable[[np.random.Generator, int], np.ndarray]
VECTORS: dict[str, Callable[[np.ndarray], VectorSource]] = {
    "noisy-copies": NoisyCopies,
    "gaussian": FittedGaussian,
}


class Filler:
    """Makes synthetic articles with vectors from a source built on real ones, reproducibly."""

    def __init__(self, vocab: Vocabulary, vectors: VectorSource, seed: int = 1) -> None:
        self.vocab = vocab
        self.vectors = vectors
        self.rng = np.random.default_rng(seed)  # texts and speakers
        self.vector_rng = np.random.default_rng([seed, 1])
        self.count = 0  # articles made so far

    def speaker(self) -> Speaker:
        """One of a pool of people that grows with the corpus (about one per four articles)."""
        pool = max(50, self.count // 4)
        k = int(self.rng.integers(pool))
        family = str(self.vocab.words[len(self.vocab.words) - 1 - k]).capitalize()
        org = str(self.vocab.words[len(self.vocab.words) - 1 - (k * 7 + 3) % 50_000]).title()
        role = ROLES[k % len(ROLES)].format(org=org)
        return Speaker(name=f"{FIRST_NAMES[k % len(FIRST_NAMES)]} {family}", role=role)

    def article(self, day: date) -> tuple[Article, np.ndarray]:
        """One synthetic article and its passages' vectors."""
        rng, vocab = self.rng, self.vocab
        self.count += 1
        lengths = rng.integers(18, 48, size=PASSAGES_PER_ARTICLE + 1)
        lengths[0] = rng.integers(6, 11)  # the title
        words = vocab.words[vocab.sample(rng, int(lengths.sum()))]
        cuts = np.cumsum(lengths)[:-1]
        chunks = [" ".join(w) for w in np.split(words, cuts)]
        title = chunks[0].capitalize()
        pieces, spans, speakers = [f"{title}\n\n"], [], []
        offset = len(pieces[0])
        for (section, status), chunk in zip(LAYOUT, chunks[1:], strict=True):
            body = chunk.capitalize() + "."
            speaker = None
            if status is Status.STATEMENT:
                speaker = self.speaker()
                body = f"“{body}”\n{speaker.name}, {speaker.role}"
            spans.append((offset, offset + len(body), section, status, speaker))
            pieces.append(body + "\n\n")
            offset += len(body) + 2
            speakers.append(speaker)
        text = "".join(pieces).rstrip() + "\n"
        aid = article_id(text)
        passages = tuple(
            Passage.model_construct(
                id=None, article_id=aid, ordinal=i, section=section, status=status,
                start=start, end=end, text=text[start:end], speaker=speaker,
            )
            for i, (start, end, section, status, speaker) in enumerate(spans)
        )  # fmt: skip
        article = Article.model_construct(
            id=aid, title=title, source="Synthetic Wire", url=f"https://example.org/{aid}",
            published=day, format="briefing", text=text, passages=passages,
        )  # fmt: skip
        return article, self.vectors(self.vector_rng, len(passages))

    def fill(self, store: Store, passages: int) -> Iterator[tuple[list[int], np.ndarray]]:
        """Add articles to the store until it has gained `passages` passages (± one article);
        yields (passage ids, vectors) of each stored article."""
        added = 0
        start = date(2020, 1, 1)
        while added < passages:
            article, vectors = self.article(start + timedelta(days=self.count % 2000))
            stored = store.add(article, vectors)
            added += len(stored.passages)
            yield [p.id for p in stored.passages], vectors
