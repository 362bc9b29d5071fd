"""The Library against a real SQLite file and a real FAISS index in tmp_path.

The fast, deterministic HashingEmbedder stands in for the model (bag of hashed words), so a
question finds passages that share its words.
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pytest

from corpus.errors import ArticleNotFound, DuplicateArticle, EmptyArticle, TooLarge
from corpus.models import Status
from corpus.parse import parse_article
from retrieval.embedder import HashingEmbedder
from retrieval.indexes import INDEX_DIR
from retrieval.library import STORE_FILE, Library
from retrieval.vector_index import INDEX_FILE, MANIFEST_FILE

STRIKE = """\
Dockworkers strike at the Port of Tessaly

Lead: On Oct. 3, 2025 in Tessaly, 4,800 dockworkers began an open-ended strike over pay and jobs.

Key Takeaways

  • The union wants a nine percent pay rise and a guarantee against job cuts from automated cranes.
  • Forty container ships are waiting at anchor outside the harbour.

Verified Facts

The walkout began at six in the morning when the shift did not report to the terminals.

Forty container ships are waiting at anchor outside the harbour.

Official Statements

“Our members will not sign away their own jobs for a pay rise.”

Marta Quillon, General Secretary of the Dock Union (Tessaly, Oct. 3, 2025)

Unconfirmed

  • Shipping sources say one major line threatened to drop Tessaly from its Asia route.

Bottom Line

The strike has turned a local argument about cranes into a national supply problem.
"""

DAM = """\
Dam on the Ostrel River collapses after heavy rain

Lead: On Oct. 14, 2025 in Kellmar, part of the Upper Ostrel dam collapsed after four days of rain.

Verified Facts

The breach opened in the western embankment shortly after four in the morning.

Prosecutors opened a criminal investigation into the maintenance of the embankment.

Official Statements

“Our first duty is to find the missing villagers.”

Tomas Reyl, Director of the Civil Protection Agency (Kellmar, Oct. 14, 2025)

Unconfirmed

  • Prosecutors opened a criminal investigation into the maintenance of the embankment.
"""

# A second outlet on the strike, carrying one of its facts word for word.
STRIKE_ELSEWHERE = """\
Dockworkers strike at the Port of Tessaly

The walkout began at six in the morning when the shift did not report to the terminals.

Retailers warned that shelves of imported electronics could empty within two weeks.
"""


class CountingEmbedder(HashingEmbedder):
    """The hashing embedder, recording every text it is asked to encode."""

    def __init__(self, dim: int = 256) -> None:
        super().__init__(dim)
        self.encoded: list[str] = []
        self.calls: list[int] = []  # texts per call

    def encode(self, texts: list[str], *, batch_size: int = 64) -> np.ndarray:
        self.encoded.extend(texts)
        self.calls.append(len(texts))
        return super().encode(texts, batch_size=batch_size)


@pytest.fixture
def library(tmp_path: Path) -> Library:
    lib = Library(tmp_path, HashingEmbedder())
    yield lib
    lib.close()


def reopen(tmp_path: Path, embedder: HashingEmbedder | None = None) -> Library:
    return Library(tmp_path, embedder or HashingEmbedder())


# -- ingest -----------------------------------------------------------------------------


def test_ingest_stores_and_indexes_every_passage(library: Library) -> None:
    article = library.ingest(STRIKE, filename="strike.txt")

    ids = [p.id for p in article.passages]
    assert all(isinstance(i, int) for i in ids) and len(set(ids)) == len(ids) >= 7
    assert set(ids) == library.store.passage_ids()
    assert library.index.ids() == set(ids)
    assert library.lexical.ids() == set(ids)
    assert [a.id for a in library.articles()] == [article.id]
    assert library.articles()[0].passage_count == len(ids)
    assert library.speakers() == ["Marta Quillon"]
    assert library.store.get(article.id).text == STRIKE
    assert (library.data_dir / STORE_FILE).is_file()
    assert (library.data_dir / INDEX_DIR / MANIFEST_FILE).is_file()


def test_ingest_duplicate_raises_and_changes_nothing(library: Library) -> None:
    first = library.ingest(STRIKE)
    index_file = library.data_dir / INDEX_DIR / INDEX_FILE
    saved = index_file.read_bytes()
    passages = library.store.count_passages()

    with pytest.raises(DuplicateArticle) as caught:
        library.ingest(STRIKE.replace("\n\n", "\n\n\n").encode("utf-8"), filename="again.txt")

    assert caught.value.existing_id == first.id
    assert library.store.count_articles() == 1
    assert library.store.count_passages() == passages
    assert len(library.index) == passages and len(library.lexical) == passages
    assert index_file.read_bytes() == saved


def test_refused_input_changes_nothing(tmp_path: Path) -> None:
    library = Library(tmp_path, HashingEmbedder(), max_article_bytes=200)
    try:
        with pytest.raises(EmptyArticle):
            library.ingest(b"  \n  ", filename="empty.txt")
        with pytest.raises(TooLarge):
            library.ingest(STRIKE, filename="strike.txt")
        assert library.store.count_articles() == 0
        assert len(library.index) == 0 and len(library.lexical) == 0
        assert not library.ask("dockworkers strike").found
    finally:
        library.close()


# -- ask --------------------------------------------------------------------------------


def test_ask_finds_the_passage_sharing_the_questions_words(library: Library) -> None:
    library.ingest(STRIKE)
    library.ingest(DAM)

    answer = library.ask("when did the breach open in the western embankment?")

    assert answer.found
    top = answer.results[0]
    assert top.passage.text.startswith("The breach opened in the western embankment")
    assert top.passage.status is Status.VERIFIED
    assert top.article.title == "Dam on the Ostrel River collapses after heavy rain"
    assert top.relevance > 0.5
    assert len(library.ask("dockworkers strike pay", limit=2).results) <= 2


def test_ask_on_an_empty_corpus_answers_nothing(library: Library) -> None:
    answer = library.ask("what did Putin say about Western troops?")
    assert answer.question == "what did Putin say about Western troops?"
    assert not answer.found and answer.results == []
    assert not library.ask("   ").found


def test_abstains_when_nothing_is_relevant(library: Library) -> None:
    library.ingest(STRIKE)
    library.ingest(DAM)

    answer = library.ask("banana bread recipe with walnuts")

    assert not answer.found
    assert answer.results == []


def test_a_named_speakers_statement_comes_first(library: Library) -> None:
    library.ingest(STRIKE)
    library.ingest(DAM)

    answer = library.ask("what did Quillon say about jobs and the pay rise?")

    first = answer.results[0].passage
    assert first.status is Status.STATEMENT
    assert first.speaker is not None and first.speaker.name == "Marta Quillon"
    assert first.speaker.role == "General Secretary of the Dock Union"


def test_a_name_the_articles_write_after_a_title_is_read_as_a_family_name(
    library: Library,
) -> None:
    library.ingest(
        "Ostria signs the harbour treaty\n\n"
        "Premier Kang Min-jun signed the harbour treaty on Monday.\n\n"
        "“The harbour is open to every flag,” Mr Kang said at the signing.\n\n"
        "Simon Lark, the harbour master, said the first ships would dock in May.\n"
    )
    kang = library.analyze("what did kang say about the treaty")
    assert kang.speaker is not None and kang.speaker.name == "Kang Min-jun"
    assert kang.speaker.how == "name"
    simon = library.analyze("what did simon say about the ships")  # never "Mr Simon"
    assert simon.speaker is not None and simon.speaker.how == "given name"


def test_someone_the_articles_name_but_never_quote_has_no_statement(library: Library) -> None:
    library.ingest(
        "Ostria signs the harbour treaty\n\n"
        "Premier Kang Min-jun signed the harbour treaty on Monday.\n\n"
        "“The harbour is open to every flag,” Mr Kang said at the signing.\n\n"
        "The treaty was drafted by the lawyer Oda Brannock over two years.\n\n"
        "NASA will track the first ships by satellite.\n"
    )
    found = library.candidates("what did Brannock say about the treaty")
    assert found is not None and found.unquoted == "Oda Brannock"
    answer = library.ask("what did Brannock say about the treaty")
    assert not answer.found and answer.missing_speaker == "Oda Brannock" and answer.never_quoted
    assert [r.passage.text for r in answer.related] == [
        "The treaty was drafted by the lawyer Oda Brannock over two years."
    ]
    assert library.candidates("what did Kang say about the treaty").unquoted is None
    # An organisation speaks through its people: never "no statement by NASA".
    assert library.candidates("what did nasa say about the ships").unquoted is None


# -- duplicates -------------------------------------------------------------------------


def test_a_takeaway_repeating_a_verified_fact_is_shown_once_as_verified(
    library: Library,
) -> None:
    library.ingest(STRIKE)

    answer = library.ask("how many container ships are waiting at anchor outside the harbour?")

    ships = [r for r in answer.results if "container ships are waiting" in r.passage.text]
    assert len(ships) == 1
    assert ships[0].passage.status is Status.VERIFIED
    assert ships[0].passage.section == "Verified Facts"
    assert ships[0].also_in_sections == ["Key Takeaways"]


def test_a_verified_fact_and_an_unconfirmed_one_are_never_folded(library: Library) -> None:
    library.ingest(DAM)

    answer = library.ask("is the criminal investigation into the embankment maintenance confirmed?")

    same = [r for r in answer.results if r.passage.text.startswith("Prosecutors opened")]
    assert {r.passage.status for r in same} == {Status.VERIFIED, Status.UNCONFIRMED}


def test_the_same_fact_in_two_articles_is_shown_once_with_the_other_source(
    library: Library,
) -> None:
    first = library.ingest(STRIKE)
    second = library.ingest(STRIKE_ELSEWHERE)

    answer = library.ask("when did the walkout begin and the shift not report to the terminals?")

    walkout = [r for r in answer.results if r.passage.text.startswith("The walkout began")]
    assert len(walkout) == 1
    shown_in = walkout[0].article.article_id
    assert {shown_in, *(s.article_id for s in walkout[0].also_reported_by)} == {first.id, second.id}
    assert len(walkout[0].also_reported_by) == 1


FERRY = """\
Ferry operator Halvik Lines halts sailings to Orsund

Lead: On May 2, 2025 in Orsund, Halvik Lines halted every sailing to the island after an inspection.

Verified Facts

Inspectors from the Orsund Maritime Board found cracks in the hull of the ferry Selka.

Unconfirmed

  • Crew members say the Selka had sailed for three weeks with a cracked hull before the inspection.
"""

# A week later, on the same story: the rumour again, and the board confirming it.
FERRY_REPORT = """\
Halvik Lines ferry Selka sailed for weeks with a cracked hull

Lead: On May 9, 2025 in Orsund, the Orsund Maritime Board published its report on the Selka.

Verified Facts

The Orsund Maritime Board confirmed that the Selka had sailed for three weeks with a cracked hull.

Unconfirmed

  • Crew members say the Selka had sailed for three weeks with a cracked hull before the inspection.
"""

# Another outlet the day after, with the board's finding.
FERRY_WIRE = """\
Orsund board: ferry Selka sailed with a cracked hull

Lead: On May 10, 2025 in Orsund, Halvik Lines said the Selka would stay in dock until repaired.

Verified Facts

The Orsund Maritime Board found that the Selka had sailed for three weeks with a cracked hull.

Bottom Line

The Selka stays in dock until Halvik Lines repairs her hull.
"""


def test_related_articles_ingested_together_compare_their_claims_in_one_model_call(
    tmp_path: Path,
) -> None:
    def links(lib: Library) -> list[tuple[int, int, str, str]]:
        return [(k.claim_id, k.passage_id, k.kind.value, k.state.value) for k in lib.claims.links()]

    items = [(f"{n}.txt", text, None) for n, text in enumerate([FERRY, FERRY_REPORT, FERRY_WIRE])]
    together, apart = CountingEmbedder(), CountingEmbedder()
    lib = Library(tmp_path / "together", together)
    lib.ingest_many(items)
    found = links(lib)
    lib.close()
    lib = Library(tmp_path / "apart", apart)
    for item in items:
        lib.ingest_many([item])
    expected = links(lib)
    lib.close()

    assert {kind for _, _, kind, _ in expected} == {"restates", "confirms"} and len(expected) == 3
    assert found == expected
    # The passages of the three articles, then every text the claim comparisons need.
    assert len(together.calls) == 2 and together.calls[0] == 9
    assert len(apart.calls) == 5


# -- remove -----------------------------------------------------------------------------


def test_remove_deletes_from_store_and_both_indexes(library: Library) -> None:
    strike = library.ingest(STRIKE)
    dam = library.ingest(DAM)
    question = "when did the breach open in the western embankment?"
    assert library.ask(question).results[0].passage.article_id == dam.id

    removed = library.remove(dam.id)

    assert removed.id == dam.id
    gone = {p.id for p in dam.passages}
    assert library.store.find(dam.id) is None
    assert not gone & library.store.passage_ids()
    assert not gone & library.index.ids()
    assert not gone & library.lexical.ids()
    assert [a.id for a in library.articles()] == [strike.id]
    assert all(r.passage.article_id != dam.id for r in library.ask(question).results)
    assert "Tomas Reyl" not in library.speakers()
    with pytest.raises(ArticleNotFound):
        library.remove(dam.id)


def test_remove_is_saved(tmp_path: Path) -> None:
    library = reopen(tmp_path)
    dam = library.ingest(DAM)
    library.ingest(STRIKE)
    library.remove(dam.id)
    library.close()

    again = reopen(tmp_path)
    try:
        assert not {p.id for p in dam.passages} & again.index.ids()
        assert all(r.passage.article_id != dam.id for r in again.ask("western embankment").results)
    finally:
        again.close()


# -- persistence and reconciliation -----------------------------------------------------

QUESTIONS = (
    "when did the breach open in the western embankment?",
    "what did Quillon say about jobs?",
    "how many container ships are waiting at anchor?",
)


def answers(library: Library) -> list[list[tuple[int, str, float]]]:
    return [
        [(r.passage.id, r.passage.status.value, round(r.score, 5)) for r in library.ask(q).results]
        for q in QUESTIONS
    ]


def filled(tmp_path: Path) -> tuple[list[list[tuple[int, str, float]]], set[int]]:
    library = reopen(tmp_path)
    library.ingest(STRIKE)
    library.ingest(DAM)
    before = answers(library)
    ids = library.store.passage_ids()
    library.close()
    assert all(before), "every question has an answer"
    return before, ids


def test_answers_survive_close_and_reopen_without_reembedding(tmp_path: Path) -> None:
    before, ids = filled(tmp_path)
    embedder = CountingEmbedder()

    library = reopen(tmp_path, embedder)
    try:
        assert embedder.encoded == []
        assert library.index.ids() == ids
        assert library.speakers() == ["Marta Quillon", "Tomas Reyl"]
        assert answers(library) == before
    finally:
        library.close()


def test_a_deleted_index_is_rebuilt_from_stored_vectors(tmp_path: Path) -> None:
    before, ids = filled(tmp_path)
    for f in (tmp_path / INDEX_DIR).iterdir():
        f.unlink()
    (tmp_path / INDEX_DIR).rmdir()
    embedder = CountingEmbedder()

    library = reopen(tmp_path, embedder)
    try:
        assert embedder.encoded == []  # the vectors come from the store, not the model
        assert library.index.ids() == ids
        assert (tmp_path / INDEX_DIR / INDEX_FILE).is_file()
        assert answers(library) == before
    finally:
        library.close()


def test_a_corrupt_index_file_is_rebuilt_with_a_log_line(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    before, ids = filled(tmp_path)
    index_file = tmp_path / INDEX_DIR / INDEX_FILE
    index_file.write_bytes(index_file.read_bytes()[:100])
    embedder = CountingEmbedder()

    with caplog.at_level(logging.WARNING, logger="retrieval.library"):
        library = reopen(tmp_path, embedder)
    try:
        assert any("rebuilding the vector index" in r.getMessage() for r in caplog.records)
        assert embedder.encoded == []
        assert library.index.ids() == ids
        assert answers(library) == before
    finally:
        library.close()
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="retrieval.library"):
        reopen(tmp_path).close()  # the rebuilt index was saved: nothing to do the next time
    assert not any("index" in r.getMessage() for r in caplog.records)


LATE = """\
Shelves may empty, retailers warn

Retailers warned that shelves of imported electronics could empty within two weeks of the strike.
"""


def test_passages_added_behind_its_back_are_embedded_and_indexed(tmp_path: Path) -> None:
    filled(tmp_path)
    store_only = Library(tmp_path, HashingEmbedder())
    added = store_only.store.add(parse_article(LATE))  # no vectors, no index update
    store_only.store.close()
    new_ids = {p.id for p in added.passages}
    embedder = CountingEmbedder()

    library = reopen(tmp_path, embedder)
    try:
        assert len(embedder.encoded) == len(new_ids)  # only the new passages are embedded
        assert new_ids <= library.index.ids() and new_ids <= library.lexical.ids()
        assert library.index.ids() == library.store.passage_ids()
        answer = library.ask("what did the retailers warn about imported electronics?")
        assert answer.results[0].passage.article_id == added.id
    finally:
        library.close()
    counting = CountingEmbedder()
    reopen(tmp_path, counting).close()
    assert counting.encoded == []


def test_passages_removed_behind_its_back_leave_the_index(tmp_path: Path) -> None:
    filled(tmp_path)
    library = reopen(tmp_path)
    dam = next(a for a in library.articles() if a.title.startswith("Dam"))
    library.store.remove(dam.id)  # straight in the store: the saved index still holds them
    library.close()

    library = reopen(tmp_path)
    try:
        assert library.index.ids() == library.store.passage_ids()
        assert all(
            r.passage.article_id != dam.id for r in library.ask("western embankment").results
        )
    finally:
        library.close()


@pytest.mark.parametrize(
    ("dim", "name"),
    [(128, "hashing-128"), (256, "another-model")],  # another dimension; another model, same one
)
def test_a_model_change_reembeds_everything_and_rebuilds_the_index(
    tmp_path: Path, dim: int, name: str, caplog: pytest.LogCaptureFixture
) -> None:
    _, ids = filled(tmp_path)
    embedder = CountingEmbedder(dim)
    embedder.name = name

    with caplog.at_level(logging.WARNING, logger="retrieval.library"):
        library = reopen(tmp_path, embedder)
    try:
        assert any("embedding model changed" in r.getMessage() for r in caplog.records)
        assert len(embedder.encoded) == len(ids)
        stored_ids, vectors = library.store.vectors()
        assert set(stored_ids.tolist()) == ids and vectors.shape == (len(ids), dim)
        assert library.index.dim == dim and library.index.ids() == ids
        top = library.ask("when did the breach open in the western embankment?").results[0]
        assert top.passage.text.startswith("The breach opened")
    finally:
        library.close()
    counting = CountingEmbedder(dim)
    counting.name = name
    reopen(tmp_path, counting).close()
    assert counting.encoded == []  # the new model's vectors and index were saved
