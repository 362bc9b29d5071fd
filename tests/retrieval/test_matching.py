"""Subscription matching on the bundled samples: the calibration the README states."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from corpus import SAMPLES_DIR
from retrieval import library as library_module
from retrieval.embedder import SentenceTransformerEmbedder
from retrieval.library import Library

# topic → the sample it must match (and no other); None: matches no sample.
TOPICS = {
    "port strike": "port_of_tessaly_dock_strike",
    "dockworkers pay dispute": "port_of_tessaly_dock_strike",
    "vaccines for older people": "norvania_rsv_vaccine_approval",
    "dam collapse": "ostrel_river_dam_failure",
    "floods": "ostrel_river_dam_failure",
    "mayoral election recount": "brevik_mayoral_election_recount",
    "hackers stole user data": "stridely_app_data_breach",
    "tram line to the airport": "plain_lindmark_tram_extension",
    "Western troops in Ukraine": "putin_vladivostok_western_troops",
    "Putin": "putin_vladivostok_western_troops",
    "banana bread recipe": None,
    "football transfers": None,
    "chess championship": None,
    "wildfire": None,
}


@pytest.fixture(scope="module")
def samples(
    tmp_path_factory: pytest.TempPathFactory, real_embedder: SentenceTransformerEmbedder
) -> tuple[Library, dict[str, str]]:
    library = Library(Path(tmp_path_factory.mktemp("samples")), real_embedder)
    ids = {p.stem: library.ingest(p.read_bytes(), filename=p.name).id
           for p in sorted(SAMPLES_DIR.glob("*.txt"))}  # fmt: skip
    yield library, ids
    library.close()


@pytest.mark.parametrize("topic", list(TOPICS))
def test_a_topic_matches_its_story_and_nothing_else(
    samples: tuple[Library, dict[str, str]], topic: str
) -> None:
    library, ids = samples
    vector = library.encode_queries([topic])[0]
    matched = {
        stem
        for stem, article_id in ids.items()
        if library.match_article(article_id, [(topic, vector)])[0]
    }
    expected = {TOPICS[topic]} if TOPICS[topic] else set()
    assert matched == expected


def test_matches_carry_the_passages_that_answer_the_topic(
    samples: tuple[Library, dict[str, str]],
) -> None:
    library, ids = samples
    topic = "Western troops in Ukraine"
    (results,) = library.match_article(
        ids["putin_vladivostok_western_troops"], [(topic, library.encode_queries([topic])[0])]
    )
    assert 1 <= len(results) <= 3
    assert any("troops" in r.passage.text.lower() for r in results)


def test_the_corpus_spread_is_the_stored_vectors_moments_and_follows_the_corpus(
    tmp_path: Path, real_embedder: SentenceTransformerEmbedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    library = Library(tmp_path, real_embedder)
    try:
        assert library.corpus_spread() is None  # nothing stored yet
        first, second = sorted(SAMPLES_DIR.glob("*.txt"))[:2]
        library.ingest(first.read_bytes(), filename=first.name)
        assert len(library.index) < library_module.SPREAD_FROM
        assert library.corpus_spread() is None  # one story is no corpus to stand out from
        monkeypatch.setattr(library_module, "SPREAD_FROM", 1)
        spread = library.corpus_spread()
        _, vectors = library.store.vectors()
        assert spread is not None and spread.n == len(vectors)
        assert np.allclose(spread.mean, vectors.mean(axis=0), atol=1e-6)
        assert library.corpus_spread() is spread  # unchanged corpus: not computed again
        library.ingest(second.read_bytes(), filename=second.name)
        grown = library.corpus_spread()
        _, vectors = library.store.vectors()
        assert grown is not None and grown.n == len(vectors) > spread.n
        assert np.allclose(grown.mean, vectors.mean(axis=0), atol=1e-6)
    finally:
        library.close()
