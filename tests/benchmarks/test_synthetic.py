"""benchmarks.synthetic's vector distributions and filler articles, on invented vectors."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from benchmarks import synthetic

DIM = 32


@pytest.fixture(scope="module")
def base() -> np.ndarray:
    """Correlated unit vectors standing in for real passage embeddings."""
    rng = np.random.default_rng(7)
    mixing = rng.normal(size=(DIM, DIM)).astype(np.float32)
    vectors = rng.normal(size=(500, DIM)).astype(np.float32) @ mixing + 0.5
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def test_gaussian_has_the_real_vectors_mean_and_covariance(base: np.ndarray) -> None:
    source = synthetic.FittedGaussian(base)
    assert np.allclose(source.mean, base.mean(axis=0), atol=1e-6)
    # z · factor with z ~ N(0, I) has covariance factorᵀ · factor.
    cov = source.factor.T.astype(np.float64) @ source.factor
    assert np.allclose(cov, np.cov(base, rowvar=False), atol=1e-5)
    draws = source(np.random.default_rng(0), 1_000)
    assert draws.shape == (1_000, DIM) and draws.dtype == np.float32
    assert np.allclose(np.linalg.norm(draws, axis=1), 1.0, atol=1e-5)


def test_noisy_copies_stay_near_a_real_vector(base: np.ndarray) -> None:
    draws = synthetic.NoisyCopies(base)(np.random.default_rng(0), 200)
    assert np.allclose(np.linalg.norm(draws, axis=1), 1.0, atol=1e-5)
    nearest = (draws @ base.T).max(axis=1)
    # σ = 0.05 in 32 dimensions: the copy keeps most of its real vector.
    assert nearest.min() > 0.9


def test_both_distributions_get_the_same_texts(base: np.ndarray) -> None:
    # Speakers and organisations are named from the last 50,000 words.
    vocab = synthetic.vocabulary(["the harbour crane lifted the crates at dawn"], tail=60_000)
    made = {}
    for name, build in synthetic.VECTORS.items():
        filler = synthetic.Filler(vocab, build(base), seed=3)
        made[name] = [filler.article(date(2024, 5, 1)) for _ in range(3)]
    copies, gaussian = made["noisy-copies"], made["gaussian"]
    assert [a.text for a, _ in copies] == [a.text for a, _ in gaussian]
    assert all(v.shape == (len(a.passages), DIM) for a, v in copies + gaussian)
    assert not np.allclose(copies[0][1], gaussian[0][1])
