"""The FAISS index over passage vectors, and its persistence as a checked directory."""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import math
import os
import tempfile
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Literal

import faiss
import numpy as np

__all__ = ["IndexMismatch", "VectorIndex", "VectorIndexError", "reconcile_plan"]

FORMAT_VERSION = 1
INDEX_FILE = "index.faiss"
MANIFEST_FILE = "manifest.json"
# A new index.faiss waits under this name until the manifest naming its checksum is in place.
PENDING_FILE = "index.faiss.pending"

Kind = Literal["exact", "ivf"]

# Exact search scans every vector: about 3 ms for 50,000 on one core of a small CPU, as long
# as embedding the question takes. Past that an inverted file with √n lists, of which a search
# visits NPROBE, keeps recall@10 ≥ 0.95 at a small fraction of the cost (benchmarks/speed.py).
# IVF rather than HNSW: it keeps the exact vectors and FAISS's HNSW cannot remove ids (/remove).
APPROXIMATE_FROM = 50_000
NPROBE = 32
TRAIN_PER_LIST = 64  # k-means training points per list (FAISS wants at least 39)
# Below this many query rows a search runs on the calling thread alone: OpenMP threads for one
# question cost more than they save, and contend with the embedding model's threads.
PARALLEL_FROM = 20

log = logging.getLogger(__name__)


class VectorIndexError(Exception):
    """Base for everything the vector index refuses."""


class IndexMismatch(VectorIndexError):
    """The saved index cannot be used for this model and store; rebuild it from the store."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


def reconcile_plan(index_ids: set[int], store_ids: set[int]) -> tuple[set[int], set[int]]:
    """(ids to add to the index, ids to remove from it) so it holds exactly the store's ids."""
    return store_ids - index_ids, index_ids - store_ids


class VectorIndex:
    """Cosine similarity over L2-normalised float32 vectors keyed by passage id; thread-safe."""

    def __init__(
        self, dim: int, *, approximate_from: int = APPROXIMATE_FROM, nprobe: int = NPROBE
    ) -> None:
        """An empty exact index of dimension `dim`; it turns ivf at `approximate_from` vectors."""
        if dim <= 0:
            raise ValueError(f"dimension must be positive, got {dim}")
        self.dim = dim
        self.approximate_from = approximate_from
        self._nprobe = max(1, nprobe)
        self._lock = threading.RLock()
        self._index: Any = _exact(dim)
        self._ids: set[int] = set()

    # -- properties ------------------------------------------------------------------

    @property
    def kind(self) -> Kind:
        """ "exact" (flat, brute force) or "ivf" (inverted file, approximate)."""
        return "ivf" if isinstance(self._index, faiss.IndexIVF) else "exact"

    @property
    def nprobe(self) -> int:
        """How many inverted lists an ivf search visits."""
        return self._nprobe

    @nprobe.setter
    def nprobe(self, value: int) -> None:
        with self._lock:
            self._nprobe = max(1, int(value))
            if isinstance(self._index, faiss.IndexIVF):
                self._index.nprobe = min(self._nprobe, self._index.nlist)

    def __len__(self) -> int:
        return len(self._ids)

    def ids(self) -> set[int]:
        """The passage ids held (a copy)."""
        with self._lock:
            return set(self._ids)

    # -- changes ---------------------------------------------------------------------

    def add(self, ids: Iterable[int], vectors: np.ndarray) -> None:
        """Add (or replace) one vector per id; an exact index past the threshold turns ivf."""
        id_array = _as_ids(ids)
        matrix = self._as_matrix(vectors, len(id_array))
        if len(id_array) == 0:
            return
        with self._lock:
            present = [i for i in id_array.tolist() if i in self._ids]
            if present:
                self._remove(np.asarray(present, dtype=np.int64))
            total = len(self._ids) + len(id_array)
            exact = self.kind == "exact"
            if (exact and total >= self.approximate_from) or (
                not exact and _nlist(total) >= 2 * self._index.nlist
            ):
                # Turning ivf, or an ivf index that has grown fourfold since it was trained:
                # its lists would grow long and searches slow, so it is trained anew.
                old_ids, old_vectors = self._exact_contents() if exact else self._ivf_contents()
                self._rebuild(np.concatenate([old_ids, id_array]), np.vstack([old_vectors, matrix]))
                return
            self._index.add_with_ids(matrix, id_array)
            self._ids.update(id_array.tolist())

    def remove(self, ids: Iterable[int]) -> int:
        """Drop these ids (unknown ones are ignored); return how many were removed."""
        id_array = _as_ids(ids)
        with self._lock:
            return self._remove(id_array)

    def rebuild(self, ids: Iterable[int], vectors: np.ndarray) -> None:
        """Replace the contents; exact below `approximate_from` vectors, ivf from it."""
        id_array = _as_ids(ids)
        matrix = self._as_matrix(vectors, len(id_array))
        with self._lock:
            self._rebuild(id_array, matrix)

    def _remove(self, id_array: np.ndarray) -> int:
        known = np.asarray([i for i in id_array.tolist() if i in self._ids], dtype=np.int64)
        if len(known) == 0:
            return 0
        removed = int(self._index.remove_ids(known))
        self._ids.difference_update(known.tolist())
        return removed

    def _rebuild(self, id_array: np.ndarray, matrix: np.ndarray) -> None:
        n = len(id_array)
        if n >= self.approximate_from and n > 0:
            nlist = _nlist(n)
            quantizer = faiss.IndexFlatIP(self.dim)
            index = faiss.IndexIVFFlat(quantizer, self.dim, nlist, faiss.METRIC_INNER_PRODUCT)
            sample = matrix
            if n > TRAIN_PER_LIST * nlist:
                rng = np.random.default_rng(0)
                size = TRAIN_PER_LIST * nlist
                sample = matrix[np.sort(rng.choice(n, size=size, replace=False))]
            index.train(sample)
            index.nprobe = min(self._nprobe, nlist)
        else:
            index = _exact(self.dim)
        if n:
            index.add_with_ids(matrix, id_array)
        self._index = index
        self._ids = set(id_array.tolist())

    def _exact_contents(self) -> tuple[np.ndarray, np.ndarray]:
        """(ids, vectors) held by the exact index, in its internal order."""
        ids = faiss.vector_to_array(self._index.id_map).astype(np.int64)
        flat = faiss.downcast_index(self._index.index)
        vectors = flat.reconstruct_n(0, flat.ntotal) if flat.ntotal else self._empty()
        return ids, np.asarray(vectors, dtype=np.float32).reshape(len(ids), self.dim)

    def _ivf_contents(self) -> tuple[np.ndarray, np.ndarray]:
        """(ids, vectors) held by the ivf index, list by list (its codes are the vectors)."""
        index = self._index
        invlists = index.invlists
        id_parts, vector_parts = [], []
        for list_no in range(index.nlist):
            size = invlists.list_size(list_no)
            if not size:
                continue
            ids = invlists.get_ids(list_no)
            codes = invlists.get_codes(list_no)
            id_parts.append(faiss.rev_swig_ptr(ids, size).astype(np.int64))
            raw = faiss.rev_swig_ptr(codes, size * index.code_size)
            vector_parts.append(np.frombuffer(raw, dtype=np.float32).reshape(size, self.dim).copy())
            invlists.release_ids(list_no, ids)
            invlists.release_codes(list_no, codes)
        if not id_parts:
            return np.zeros(0, dtype=np.int64), self._empty()
        return np.concatenate(id_parts), np.vstack(vector_parts)

    # -- search ----------------------------------------------------------------------

    def search(self, query: np.ndarray, k: int) -> list[list[tuple[int, float]]]:
        """For each query row, up to k (passage id, cosine similarity) pairs, best first."""
        matrix = np.array(query, dtype=np.float32, ndmin=2, copy=True)
        if matrix.ndim != 2 or matrix.shape[1] != self.dim:
            raise ValueError(f"query must have dimension {self.dim}, got shape {matrix.shape}")
        if k <= 0 or len(matrix) == 0:
            return [[] for _ in range(len(matrix))]
        faiss.normalize_L2(matrix)
        with self._lock:
            if not self._ids:
                return [[] for _ in range(len(matrix))]
            threads = faiss.omp_get_max_threads()
            if len(matrix) < PARALLEL_FROM:
                faiss.omp_set_num_threads(1)  # for this thread only (an OpenMP thread setting)
            try:
                scores, labels = self._index.search(matrix, min(k, len(self._ids)))
            finally:
                faiss.omp_set_num_threads(threads)
        return [
            [(int(i), float(s)) for i, s in zip(row_ids, row_scores, strict=True) if i != -1]
            for row_ids, row_scores in zip(labels, scores, strict=True)
        ]

    # -- persistence -----------------------------------------------------------------

    def save(self, directory: Path, model: str, *, store_id: str | None = None) -> None:
        """Write index.faiss and manifest.json into `directory`; a kill at any moment leaves the
        old pair or the new one (the manifest's rename commits; `load` completes the rest)."""
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        # The lock is held throughout so two saves cannot pair one file with the other manifest.
        with self._lock:
            ids = sorted(self._ids)
            tmp = _temp_path(directory, INDEX_FILE)
            try:
                faiss.write_index(self._index, str(tmp))
                digest = _fsync_and_hash(tmp)
                os.replace(tmp, directory / PENDING_FILE)
            finally:
                tmp.unlink(missing_ok=True)
            _fsync_dir(directory)
            manifest = {
                "format_version": FORMAT_VERSION,
                "model": model,
                "dim": self.dim,
                "kind": self.kind,
                "count": len(ids),
                "sha256": digest,
                "ids": ids,
            }
            if store_id is not None:  # which store's passages the ids name
                manifest["store_id"] = store_id
            _write_atomic(directory / MANIFEST_FILE, json.dumps(manifest).encode("utf-8"))
            os.replace(directory / PENDING_FILE, directory / INDEX_FILE)
        _fsync_dir(directory)

    @classmethod
    def load(
        cls,
        directory: Path,
        model: str,
        dim: int,
        *,
        approximate_from: int = APPROXIMATE_FROM,
        nprobe: int = NPROBE,
        store_id: str | None = None,
    ) -> VectorIndex:
        """Read a saved index, or raise IndexMismatch saying why it cannot be used (given a
        `store_id`, an index saved for another store is refused; one saved without is not)."""
        directory = Path(directory)
        manifest = _read_manifest(directory / MANIFEST_FILE)
        if manifest.get("format_version") != FORMAT_VERSION:
            raise IndexMismatch(
                f"format version {manifest.get('format_version')!r}, expected {FORMAT_VERSION}"
            )
        if manifest.get("model") != model:
            raise IndexMismatch(f"built with model {manifest.get('model')!r}, not {model!r}")
        if manifest.get("dim") != dim:
            raise IndexMismatch(f"dimension {manifest.get('dim')!r}, expected {dim}")
        if store_id is not None and manifest.get("store_id") not in (None, store_id):
            raise IndexMismatch("built for another store: its passage ids name other passages")
        index_path = directory / INDEX_FILE
        _finish_save(directory, manifest.get("sha256"))
        try:
            digest = _hash_file(index_path)
        except OSError as exc:
            raise IndexMismatch(f"cannot read {index_path}: {exc}") from exc
        if digest != manifest.get("sha256"):
            raise IndexMismatch(f"{INDEX_FILE} does not match its manifest (checksum differs)")
        try:
            index = faiss.read_index(str(index_path))
        except RuntimeError as exc:
            raise IndexMismatch(f"{INDEX_FILE} is unreadable: {exc}") from exc

        held = _held_ids(index, manifest.get("kind"))
        if index.d != dim or index.metric_type != faiss.METRIC_INNER_PRODUCT:
            raise IndexMismatch(f"{INDEX_FILE} has dimension {index.d} or a foreign metric")
        manifest_ids = manifest.get("ids")
        if not isinstance(manifest_ids, list) or len(manifest_ids) != manifest.get("count"):
            raise IndexMismatch("manifest ids are missing or do not match its count")
        if len(held) != len(manifest_ids) or set(held.tolist()) != set(manifest_ids):
            raise IndexMismatch(f"{INDEX_FILE} holds other passages than its manifest lists")

        result = cls(dim, approximate_from=approximate_from, nprobe=nprobe)
        result._index = index
        result._ids = set(held.tolist())
        if isinstance(index, faiss.IndexIVF):
            index.nprobe = min(result._nprobe, index.nlist)
        return result

    # -- helpers ---------------------------------------------------------------------

    def _as_matrix(self, vectors: np.ndarray, rows: int) -> np.ndarray:
        matrix = np.array(vectors, dtype=np.float32, copy=True)
        if rows == 0 and matrix.size == 0:
            return self._empty()
        if matrix.ndim != 2 or matrix.shape != (rows, self.dim):
            raise ValueError(f"expected shape ({rows}, {self.dim}), got {matrix.shape}")
        matrix = np.ascontiguousarray(matrix)
        faiss.normalize_L2(matrix)
        return matrix

    def _empty(self) -> np.ndarray:
        return np.zeros((0, self.dim), dtype=np.float32)


def _exact(dim: int) -> Any:
    return faiss.IndexIDMap2(faiss.IndexFlatIP(dim))


def _nlist(n: int) -> int:
    """≈ sqrt(n) lists within 16..65536, but never so many that a list trains on < 39 points."""
    nlist = min(max(round(math.sqrt(n)), 16), 65536)
    return max(1, min(nlist, n // 39))


def _as_ids(ids: Iterable[int]) -> np.ndarray:
    array = np.asarray(list(ids) if not isinstance(ids, np.ndarray) else ids, dtype=np.int64)
    array = array.reshape(-1)
    if len(np.unique(array)) != len(array):
        raise ValueError("ids must be unique")
    if len(array) and array.min() < 0:
        raise ValueError("ids must be non-negative")
    return np.ascontiguousarray(array)


def _held_ids(index: Any, kind: object) -> np.ndarray:
    """The ids stored inside a loaded FAISS index, checking it is the kind the manifest says."""
    if kind == "exact" and isinstance(index, faiss.IndexIDMap2):
        return faiss.vector_to_array(index.id_map).astype(np.int64)
    if kind == "ivf" and isinstance(index, faiss.IndexIVFFlat):
        invlists = index.invlists
        parts = []
        for list_no in range(index.nlist):
            size = invlists.list_size(list_no)
            if size:
                pointer = invlists.get_ids(list_no)
                parts.append(faiss.rev_swig_ptr(pointer, size).astype(np.int64))
                invlists.release_ids(list_no, pointer)
        return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
    raise IndexMismatch(f"{INDEX_FILE} is a {type(index).__name__}, manifest says {kind!r}")


def _finish_save(directory: Path, digest: object) -> None:
    """A save killed between its manifest and its last rename: put the new file in place."""
    pending = directory / PENDING_FILE
    try:
        if _hash_file(pending) != digest:
            return  # a save killed before its manifest: the old pair stands
        with contextlib.suppress(FileNotFoundError):
            if _hash_file(directory / INDEX_FILE) == digest:
                return
    except OSError:
        return
    log.warning("completing an interrupted save of the vector index in %s", directory)
    os.replace(pending, directory / INDEX_FILE)
    _fsync_dir(directory)


def _read_manifest(path: Path) -> dict[str, Any]:
    try:
        manifest = json.loads(path.read_bytes())
    except FileNotFoundError as exc:
        raise IndexMismatch(f"no saved index at {path.parent} (missing {MANIFEST_FILE})") from exc
    except (OSError, ValueError) as exc:
        raise IndexMismatch(f"{MANIFEST_FILE} is unreadable: {exc}") from exc
    if not isinstance(manifest, dict):
        raise IndexMismatch(f"{MANIFEST_FILE} is not a JSON object")
    return manifest


def _temp_path(directory: Path, name: str) -> Path:
    fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=directory)
    os.close(fd)
    return Path(tmp)


def _write_atomic(path: Path, data: bytes) -> None:
    tmp = _temp_path(path.parent, path.name)
    try:
        with open(tmp, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _fsync_and_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb+") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
        os.fsync(handle.fileno())
    return digest.hexdigest()


def _hash_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _fsync_dir(directory: Path) -> None:
    """Make the renames durable where the platform allows it."""
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
