"""The FAISS vector index and its saved directory, with real FAISS and random vectors."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from retrieval.vector_index import IndexMismatch, VectorIndex, VectorIndexError, reconcile_plan

DIM = 32
MODEL = "test-model"


def unit(rows: np.ndarray) -> np.ndarray:
    rows = rows.astype(np.float32)
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def random_unit(n: int, seed: int = 0, dim: int = DIM) -> np.ndarray:
    return unit(np.random.default_rng(seed).standard_normal((n, dim)))


def clustered(n: int, seed: int = 0, clusters: int = 60) -> np.ndarray:
    """Vectors in topical clusters, as text embeddings are."""
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((clusters, DIM))
    members = rng.integers(0, clusters, size=n)
    return unit(centres[members] + 0.35 * rng.standard_normal((n, DIM)))


def filled(n: int = 50, **kwargs: int) -> tuple[VectorIndex, np.ndarray, np.ndarray]:
    ids = np.arange(100, 100 + n, dtype=np.int64)
    vectors = random_unit(n)
    index = VectorIndex(DIM, **kwargs)
    index.add(ids, vectors)
    return index, ids, vectors


def test_exact_search_finds_the_vector_itself_first() -> None:
    index, ids, vectors = filled()
    assert index.kind == "exact"
    assert len(index) == 50
    assert index.ids() == set(ids.tolist())

    results = index.search(vectors[[3, 7]], k=5)
    assert [hits[0][0] for hits in results] == [ids[3], ids[7]]
    assert results[0][0][1] == pytest.approx(1.0, abs=1e-5)
    scores = [score for _, score in results[0]]
    assert scores == sorted(scores, reverse=True) and len(scores) == 5

    single = index.search(vectors[3] * 10, k=1)  # 1-D query, not normalised
    assert single == [[(int(ids[3]), pytest.approx(1.0, abs=1e-5))]]


def test_search_drops_missing_slots_and_handles_empty() -> None:
    index, ids, vectors = filled(n=3)
    hits = index.search(vectors[0], k=10)[0]
    assert sorted(i for i, _ in hits) == sorted(ids.tolist())
    assert VectorIndex(DIM).search(vectors[0], k=5) == [[]]
    with pytest.raises(ValueError):
        index.search(np.zeros(DIM + 1, dtype=np.float32), k=1)


def test_add_existing_id_replaces_its_vector() -> None:
    index, ids, vectors = filled(n=10)
    index.add([ids[0]], vectors[[5]])
    assert len(index) == 10
    top = index.search(vectors[5], k=2)[0]
    assert {i for i, _ in top} == {int(ids[0]), int(ids[5])}
    assert index.search(vectors[0], k=1)[0][0][0] != ids[0]


def test_remove_in_exact_index() -> None:
    index, ids, vectors = filled()
    assert index.remove([ids[3], ids[4], 999_999]) == 2
    assert len(index) == 48
    assert not {int(ids[3]), int(ids[4])} & index.ids()
    found = {i for hits in index.search(vectors, k=50) for i, _ in hits}
    assert int(ids[3]) not in found and int(ids[4]) not in found
    assert index.search(vectors[5], k=1)[0][0][0] == ids[5]


def test_save_load_round_trip_gives_identical_results(tmp_path: Path) -> None:
    index, ids, _ = filled(n=200)
    index.save(tmp_path / "idx", MODEL)
    manifest = json.loads((tmp_path / "idx" / "manifest.json").read_text())
    assert manifest["model"] == MODEL and manifest["dim"] == DIM
    assert manifest["count"] == 200 and manifest["ids"] == sorted(ids.tolist())
    assert manifest["kind"] == "exact" and len(manifest["sha256"]) == 64
    assert sorted(p.name for p in (tmp_path / "idx").iterdir()) == ["index.faiss", "manifest.json"]

    loaded = VectorIndex.load(tmp_path / "idx", MODEL, DIM)
    queries = random_unit(20, seed=5)
    assert loaded.ids() == index.ids()
    assert loaded.search(queries, k=10) == index.search(queries, k=10)
    loaded.remove([ids[0]])  # the loaded index stays usable
    assert len(loaded) == 199


def test_load_refuses_another_model_or_dimension(tmp_path: Path) -> None:
    index, _, _ = filled()
    index.save(tmp_path, MODEL)
    with pytest.raises(IndexMismatch, match="model") as caught:
        VectorIndex.load(tmp_path, "other-model", DIM)
    assert isinstance(caught.value, VectorIndexError) and "other-model" in caught.value.reason
    with pytest.raises(IndexMismatch, match="dimension"):
        VectorIndex.load(tmp_path, MODEL, DIM * 2)


def test_load_refuses_truncated_index_file(tmp_path: Path) -> None:
    index, _, _ = filled()
    index.save(tmp_path, MODEL)
    path = tmp_path / "index.faiss"
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with pytest.raises(IndexMismatch, match="checksum"):
        VectorIndex.load(tmp_path, MODEL, DIM)


def test_load_refuses_index_from_another_save(tmp_path: Path) -> None:
    first, _, _ = filled(n=10)
    first.save(tmp_path / "a", MODEL)
    second, _, _ = filled(n=20)
    second.save(tmp_path / "b", MODEL)
    (tmp_path / "a" / "index.faiss").write_bytes((tmp_path / "b" / "index.faiss").read_bytes())
    with pytest.raises(IndexMismatch, match="checksum"):
        VectorIndex.load(tmp_path / "a", MODEL, DIM)


def test_load_refuses_missing_or_bad_manifest(tmp_path: Path) -> None:
    with pytest.raises(IndexMismatch, match="missing"):
        VectorIndex.load(tmp_path / "nothing-here", MODEL, DIM)
    index, _, _ = filled()
    index.save(tmp_path, MODEL)
    manifest_path = tmp_path / "manifest.json"
    manifest = json.loads(manifest_path.read_text())

    manifest_path.unlink()
    with pytest.raises(IndexMismatch, match="missing"):
        VectorIndex.load(tmp_path, MODEL, DIM)

    manifest_path.write_text(json.dumps({**manifest, "format_version": 99}))
    with pytest.raises(IndexMismatch, match="format version"):
        VectorIndex.load(tmp_path, MODEL, DIM)

    manifest_path.write_text(json.dumps({**manifest, "ids": manifest["ids"][1:], "count": 49}))
    with pytest.raises(IndexMismatch, match="other passages"):
        VectorIndex.load(tmp_path, MODEL, DIM)

    manifest_path.write_text("{not json")
    with pytest.raises(IndexMismatch, match="unreadable"):
        VectorIndex.load(tmp_path, MODEL, DIM)


def test_missing_index_file_is_a_mismatch(tmp_path: Path) -> None:
    index, _, _ = filled()
    index.save(tmp_path, MODEL)
    (tmp_path / "index.faiss").unlink()
    with pytest.raises(IndexMismatch, match="cannot read"):
        VectorIndex.load(tmp_path, MODEL, DIM)


def recall_at_10(approx: VectorIndex, exact: VectorIndex, queries: np.ndarray) -> float:
    got = approx.search(queries, k=10)
    want = exact.search(queries, k=10)
    overlaps = [
        len({i for i, _ in g} & {i for i, _ in w}) / 10 for g, w in zip(got, want, strict=True)
    ]
    return float(np.mean(overlaps))


@pytest.fixture(scope="module")
def corpus_3000() -> tuple[np.ndarray, np.ndarray]:
    return np.arange(1, 3001, dtype=np.int64) * 7, clustered(3000)


def near_queries(vectors: np.ndarray, n: int = 200, seed: int = 3) -> np.ndarray:
    rng = np.random.default_rng(seed)
    picks = vectors[rng.choice(len(vectors), size=n, replace=False)]
    return unit(picks + 0.1 * rng.standard_normal(picks.shape))


def test_rebuild_past_threshold_is_ivf_with_good_recall(
    corpus_3000: tuple[np.ndarray, np.ndarray],
) -> None:
    ids, vectors = corpus_3000
    approx = VectorIndex(DIM, approximate_from=2000)
    approx.rebuild(ids, vectors)
    exact = VectorIndex(DIM)
    exact.rebuild(ids, vectors)
    assert approx.kind == "ivf" and exact.kind == "exact"
    assert len(approx) == 3000 and approx.ids() == set(ids.tolist())

    recall = recall_at_10(approx, exact, near_queries(vectors))
    assert recall >= 0.9, recall


def test_growing_exact_index_turns_ivf(corpus_3000: tuple[np.ndarray, np.ndarray]) -> None:
    ids, vectors = corpus_3000
    index = VectorIndex(DIM, approximate_from=2000)
    index.add(ids[:1500], vectors[:1500])
    assert index.kind == "exact"
    index.add(ids[1500:], vectors[1500:])
    assert index.kind == "ivf"
    assert index.ids() == set(ids.tolist())
    assert index.search(vectors[10], k=1)[0][0][0] == ids[10]
    assert index.search(vectors[2900], k=1)[0][0][0] == ids[2900]


def test_ivf_remove_save_load(tmp_path: Path, corpus_3000: tuple[np.ndarray, np.ndarray]) -> None:
    ids, vectors = corpus_3000
    index = VectorIndex(DIM, approximate_from=2000, nprobe=8)
    index.rebuild(ids, vectors)
    gone = ids[:100]
    assert index.remove(gone) == 100
    assert len(index) == 2900
    found = {i for hits in index.search(vectors[:100], k=20) for i, _ in hits}
    assert found and not found & set(gone.tolist())

    index.save(tmp_path, MODEL)
    loaded = VectorIndex.load(tmp_path, MODEL, DIM, nprobe=8)
    assert loaded.kind == "ivf"
    assert loaded.ids() == set(ids[100:].tolist())
    queries = near_queries(vectors, n=50)
    assert loaded.search(queries, k=10) == index.search(queries, k=10)


def test_nprobe_trades_speed_for_recall(corpus_3000: tuple[np.ndarray, np.ndarray]) -> None:
    ids, vectors = corpus_3000
    index = VectorIndex(DIM, approximate_from=2000)
    index.rebuild(ids, vectors)
    exact = VectorIndex(DIM)
    exact.rebuild(ids, vectors)
    queries = near_queries(vectors)
    index.nprobe = 1
    low = recall_at_10(index, exact, queries)
    index.nprobe = 10_000  # capped at the number of lists: exhaustive
    assert recall_at_10(index, exact, queries) == pytest.approx(1.0)
    assert low < 1.0


def test_rebuild_below_threshold_is_exact() -> None:
    index = VectorIndex(DIM, approximate_from=100)
    index.rebuild(np.arange(99), random_unit(99))
    assert index.kind == "exact" and len(index) == 99


def test_bad_input_is_refused() -> None:
    index = VectorIndex(DIM)
    with pytest.raises(ValueError):
        index.add([1, 2], random_unit(3))
    with pytest.raises(ValueError):
        index.add([1, 1], random_unit(2))
    with pytest.raises(ValueError):
        index.add([-1], random_unit(1))
    assert len(index) == 0


@pytest.mark.parametrize(
    ("index_ids", "store_ids", "to_add", "to_remove"),
    [
        (set(), {1, 2}, {1, 2}, set()),
        ({1, 2}, set(), set(), {1, 2}),
        ({1, 2, 3}, {2, 3, 4}, {4}, {1}),
        ({5}, {5}, set(), set()),
    ],
)
def test_reconcile_plan(
    index_ids: set[int], store_ids: set[int], to_add: set[int], to_remove: set[int]
) -> None:
    assert reconcile_plan(index_ids, store_ids) == (to_add, to_remove)
