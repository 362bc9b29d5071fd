"""The one object everybody uses: store, embedder and indexes behind `ingest`, `ask`, `remove`."""

from __future__ import annotations

import logging
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path

import numpy as np

from corpus.claims import ClaimBook
from corpus.decode import DEFAULT_MAX_BYTES
from corpus.errors import CorpusError, DuplicateArticle, ParseError
from corpus.models import Article, Passage, Status
from corpus.nlp import pipeline as nlp_pipeline
from corpus.parse import ArticleMeta, nlp_texts, parse_article
from corpus.store import ArticleSummary, Change, Store
from retrieval.answer import Answer, Result, Source
from retrieval.claim_matcher import ClaimMatcher, ClaimTuning
from retrieval.embedder import Embedder
from retrieval.features import Candidate, Candidates, CorpusSpread, unseen_share
from retrieval.indexes import IndexSet, passage_document
from retrieval.lexical import LexicalIndex, terms
from retrieval.query import Query, analyze
from retrieval.ranker import Ranker
from retrieval.ranking import decide, match, topic_coverage
from retrieval.recency import Period, TimeAsk, latest_of_story, newer_within_story, read_time
from retrieval.registry import SpeakerRegistry
from retrieval.selection import Group, Limits
from retrieval.vector_index import APPROXIMATE_FROM, VectorIndex

log = logging.getLogger(__name__)

STORE_FILE = "briefbot.sqlite3"


PROGRESS_STEP = 256  # passages embedded between two progress reports
# Paragraphs parsed by the NLP pipeline in one pass ahead of their articles' parse: several
# articles' worth fills its batches (corpus.nlp.Pipeline.ahead); the characters bound what
# is held in memory at once.
AHEAD_TEXTS = 512
AHEAD_CHARS = 500_000
# The corpus spread (features.CorpusSpread) is read from at most this many passage vectors,
# evenly spaced, and recomputed once the corpus has grown or shrunk by this share of itself.
SPREAD_SAMPLE = 10_000
SPREAD_STALE = 0.05
# Fewer passages than this are a story or two, not a corpus to stand out from: no spread.
SPREAD_FROM = 200


@dataclass(frozen=True)
class Tuning:
    """Retrieval knobs, calibrated on the development set (README: Retrieval)."""

    candidates: int = 50
    max_results: int = 10
    # How the shown list is cut and folded; where to abstain is the ranker's (ranker.json).
    limits: Limits = field(default_factory=Limits)
    approximate_from: int = APPROXIMATE_FROM  # passages from which vector search is approximate
    batch_size: int = 64  # texts per forward pass of the model
    # Passages of several articles embedded in one encode call. The model sorts a call's texts
    # by length so that each forward pass pads little; 512 at a time ran 7-10 % below one call
    # over all 3,322 passages of the speed benchmark, 2,048 at par (benchmarks/speed.py).
    ingest_batch: int = 2048
    # Up to this many passages the keyword index is rebuilt as soon as the corpus changes;
    # above it, in a background thread while the previous index keeps answering.
    lexical_sync_limit: int = 50_000


@dataclass(frozen=True)
class Outcome:
    """What happened to one input of `ingest_many`: the stored article, or why not."""

    name: str
    article: Article | None = None
    error: CorpusError | None = None


@dataclass(frozen=True)
class LibraryStats:
    """What /stats shows of the corpus and its vector index."""

    articles: int
    passages: int
    index_kind: str
    vectors: int
    model: str


class Library:
    """The corpus with its indexes; safe to call from worker threads."""

    def __init__(
        self,
        data_dir: Path,
        embedder: Embedder,
        tuning: Tuning | None = None,
        *,
        max_article_bytes: int = DEFAULT_MAX_BYTES,
        claim_tuning: ClaimTuning | None = None,
        nlp_model: str | None = None,
        ranker: Ranker | None = None,
        database_url: str | None = None,
    ) -> None:
        self.ranker = (ranker or Ranker.load()).fitted_to(embedder.name, embedder.dim)
        self.data_dir = Path(data_dir)
        self.max_article_bytes = max_article_bytes
        self.nlp_model = nlp_model  # the spaCy pipeline speakers are attributed with (corpus.nlp)
        self.embedder = embedder
        self.tuning = tuning or Tuning()
        # The database: the SQLite file in the data directory unless a URL names another (the
        # indexes stay in the data directory, one copy per instance).
        self.store = Store(database_url or self.data_dir / STORE_FILE)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.claims = ClaimBook(self.store)
        self.claim_matcher = ClaimMatcher(
            self.store,
            self.claims,
            self._encode,
            lambda: (self._article_freq, len(self._sources)),
            claim_tuning,
        )
        self.indexes = IndexSet(
            self.data_dir,
            self.store,
            embedder.name,
            embedder.dim,
            approximate_from=self.tuning.approximate_from,
            lexical_sync_limit=self.tuning.lexical_sync_limit,
        )
        self._sources: dict[str, Source] = {}
        self._sources_sizes: dict[str, int] = {}  # article id → its passages
        self._article_freq: Counter[str] = Counter()
        self.registry = SpeakerRegistry(
            self.store, lambda: self.indexes.lexical, lambda: self._article_freq, nlp_model
        )
        self._write = threading.Lock()
        self._seen = 0  # the store's change log is taken in up to here (see `sync`)
        self._spread: CorpusSpread | None = None  # see `corpus_spread`
        self._reconcile()

    def close(self) -> None:
        self.indexes.wait()
        self.store.close()

    @property
    def index(self) -> VectorIndex:
        return self.indexes.vector

    @property
    def lexical(self) -> LexicalIndex:
        return self.indexes.lexical

    # -- start-up ---------------------------------------------------------------------

    def _reconcile(self) -> None:
        """Bring stored vectors and the saved indexes in line with the store, then the
        library's own view of the corpus (DESIGN.md: Storage)."""
        # Read first: whatever another process commits while this runs is taken in by `sync`.
        self._seen = self.store.last_change()
        opened = self.indexes.open(self._embed_ids)
        summaries = self.store.articles()
        self._sources = {s.id: Source.of(s) for s in summaries}
        self._sources_sizes = {s.id: s.passage_count for s in summaries}
        self.registry.reload()
        if opened.articles == set(self._sources):
            self._article_freq = Counter(opened.article_freq)
        else:
            self._article_freq = self._count_words()
            if self._sources:
                log.info("article word frequencies recomputed for %d articles", len(self._sources))
        if not opened.keywords_saved:
            self._refresh_lexical(save=True)

    def _count_words(self) -> Counter[str]:
        """In how many articles each word occurs, counted from the stored texts."""
        freq: Counter[str] = Counter()
        for aid in self._sources:
            freq.update(terms(self.store.text_of(aid) or ""))
        return freq

    def _refresh_lexical(self, *, save: bool) -> None:
        self.indexes.refresh_lexical(self._lexical_manifest, save=save)

    def _lexical_manifest(self) -> dict[str, object]:
        """What the keyword index is saved with: the articles and their word counts."""
        with self._write:
            return {
                "articles": sorted(self._sources),
                "article_freq": {t: n for t, n in self._article_freq.items() if n},
            }

    def _embed_ids(self, ids: list[int]) -> None:
        passages = self.store.passages(ids)
        titles = {a.id: a.title for a in self.store.articles()}
        for start in range(0, len(ids), 1024):
            chunk = ids[start : start + 1024]
            texts = [passage_document(titles[passages[i].article_id], passages[i]) for i in chunk]
            self.store.set_vectors(chunk, self._encode(texts))

    def _encode(self, texts: list[str]) -> np.ndarray:
        return self.embedder.encode(texts, batch_size=self.tuning.batch_size)

    def _remember(self, passages: list[Passage]) -> None:
        self.registry.remember(passages)
        self.lexical.add([p.id for p in passages if p.id is not None])

    # -- verbs ------------------------------------------------------------------------

    def ingest(
        self,
        data: bytes | str,
        *,
        filename: str | None = None,
        meta: ArticleMeta | None = None,
        save: bool = True,
        on_progress: Callable[[str], None] | None = None,
    ) -> Article:
        """Parse, store and index one article; raises ParseError or DuplicateArticle.

        `on_progress` hears, from this thread, what is being done ("embedding 256 of 900
        passages"), for a person waiting on a long article."""
        (outcome,) = self.ingest_many(
            [(filename or "article", data, meta)], save=save, on_progress=on_progress
        )
        if outcome.error is not None:
            raise outcome.error
        assert outcome.article is not None
        return outcome.article

    def ingest_many(
        self,
        items: Iterable[tuple[str, bytes | str, ArticleMeta | None]],
        *,
        save: bool = True,
        on_outcome: Callable[[Outcome], None] | None = None,
        on_progress: Callable[[str], None] | None = None,
    ) -> list[Outcome]:
        """Ingest (name, data, metadata) items, embedding many articles' passages per batch.

        Every article is stored in its own transaction with its vectors; the index files are
        written once at the end. Refused and duplicate inputs are reported, not raised.
        """
        outcomes: list[Outcome] = []
        batch: list[tuple[str, Article]] = []

        def report(outcome: Outcome) -> None:
            outcomes.append(outcome)
            if on_outcome is not None:
                on_outcome(outcome)

        def flush() -> None:
            texts = [passage_document(a.title, p) for _, a in batch for p in a.passages]
            if on_progress is None:
                vectors = self._encode(texts)
            else:  # in steps, each one told
                step = PROGRESS_STEP
                parts = []
                for at in range(0, len(texts), step):
                    on_progress(f"embedding passages {at + 1}–{min(at + step, len(texts))} "
                                f"of {len(texts)}")  # fmt: skip
                    parts.append(self._encode(texts[at : at + step]))
                vectors = np.concatenate(parts) if parts else self._encode(texts)
                on_progress("indexing")
            self.claim_matcher.prefetch([a for _, a in batch])
            offset = 0
            for name, article in batch:
                n = len(article.passages)
                try:
                    stored = self._add(article, vectors[offset : offset + n])
                except DuplicateArticle as exc:
                    report(Outcome(name, error=exc))
                else:
                    report(Outcome(name, article=stored))
                offset += n
            batch.clear()

        queued: dict[str, str] = {}
        for name, data, meta in self._read_ahead(items):
            try:
                article = parse_article(
                    data,
                    filename=name,
                    meta=meta,
                    max_bytes=self.max_article_bytes,
                    nlp_model=self.nlp_model,
                )
            except ParseError as exc:
                report(Outcome(name, error=exc))
                continue
            title = queued.get(article.id) or self.store.title_of(article.id)
            if title is not None:
                report(Outcome(name, error=DuplicateArticle(article.id, title)))
                continue
            queued[article.id] = article.title
            if on_progress is not None:
                on_progress(f"read {len(article.passages)} passages")
            batch.append((name, article))
            if sum(len(a.passages) for _, a in batch) >= self.tuning.ingest_batch:
                flush()
        if batch:
            flush()
        if any(o.article for o in outcomes):
            if save:
                self.save_index()
            self._refresh_lexical(save=save)
        return outcomes

    def _read_ahead(
        self, items: Iterable[tuple[str, bytes | str, ArticleMeta | None]]
    ) -> Iterator[tuple[str, bytes | str, ArticleMeta | None]]:
        """The items, in order, each handed on while the NLP pipeline holds the parse of its
        paragraphs, done in one pass with those of the items around it."""
        pipeline = nlp_pipeline(self.nlp_model)
        pending: list[tuple[str, bytes | str, ArticleMeta | None]] = []
        texts: list[str] = []
        size = 0
        for name, data, meta in items:
            found = nlp_texts(data, filename=name, meta=meta, max_bytes=self.max_article_bytes)
            pending.append((name, data, meta))
            texts.extend(found)
            size += sum(len(t) for t in found)
            if len(texts) >= AHEAD_TEXTS or size >= AHEAD_CHARS:
                with pipeline.ahead(texts):
                    yield from pending
                pending, texts, size = [], [], 0
        if pending:
            with pipeline.ahead(texts):
                yield from pending

    def _add(self, article: Article, vectors: np.ndarray) -> Article:
        """Store one parsed article with its vectors and add it to both indexes."""
        with self._write:
            stored = self.store.add(article, vectors)
            self.index.add([p.id for p in stored.passages], vectors)
            self._sources[stored.id] = Source.of(stored)
            self._sources_sizes[stored.id] = len(stored.passages)
            self._article_freq.update(terms(stored.text))
            self._remember(stored.passages)
            # Under the write lock: two articles settling one claim are related in turn.
            self.claim_matcher.take_in(stored)
        return stored

    def save_index(self) -> None:
        """Write the vector index to disk (atomically; see VectorIndex.save)."""
        self.indexes.save_vectors()

    def sync(self) -> list[str]:
        """Take in what other processes on this store (`briefbot ingest`, another instance)
        added or removed since this one last looked; returns the ids of articles added.

        Cheap when nothing changed (one query). Idempotent: this process's own changes are in
        the log too and are recognised as already taken in.
        """
        added: list[str] = []
        with self._write:
            changes = self.store.changes_since(self._seen, limit=1_000_000)
            if not changes:
                return added
            self._seen = changes[-1].seq
            last_op = {c.article_id: c.op for c in changes}  # in log order: the last one wins
            gone = [aid for aid, op in last_op.items() if op == "remove" and aid in self._sources]
            for aid, op in last_op.items():
                if op != "add" or aid in self._sources:
                    continue
                article = self.store.find(aid)
                if article is None:  # removed again after the entries read
                    continue
                ids, vectors = self.store.vectors([p.id for p in article.passages])
                self.index.add(ids.tolist(), vectors)
                self._sources[aid] = Source.of(article)
                self._sources_sizes[aid] = len(article.passages)
                self._article_freq.update(terms(article.text))
                self._remember(article.passages)
                added.append(aid)
            if gone:
                stale = set(self.index.ids()) - self.store.passage_ids()
                self.index.remove(stale)
                self.lexical.remove(stale)
                for aid in gone:
                    self._sources.pop(aid, None)
                # Their words: recounted from what is stored (the texts are gone).
                self._article_freq = self._count_words()
                self.registry.reload()
        if added or gone:
            log.info(
                "taken in from the store: %d articles added, %d removed", len(added), len(gone)
            )
            self._refresh_lexical(save=False)
        return added

    def changes_since(self, seq: int) -> list[Change]:
        """The store's change log after `seq` (subscription matching follows it)."""
        return self.store.changes_since(seq)

    def find(self, article_id: str) -> Article | None:
        return self.store.find(article_id)

    def remove(self, article_id: str) -> Article:
        """Delete an article and its passages from the store and both indexes."""
        with self._write:
            removed = self.store.remove(article_id)
            ids = {p.id for p in removed.passages if p.id is not None}
            self.index.remove(ids)
            self.lexical.remove(ids)
            self._sources.pop(article_id, None)
            self.claim_matcher.forget(article_id)
            self._article_freq.subtract(terms(removed.text))
            if any(p.speaker for p in removed.passages):
                self.registry.reload()
            self.save_index()
        self._refresh_lexical(save=True)
        return removed

    def articles(self) -> list[ArticleSummary]:
        return self.store.articles()

    def passages(self, passage_ids: Iterable[int]) -> dict[int, Passage]:
        return self.store.passages(passage_ids)

    def count_articles(self) -> int:
        return self.store.count_articles()

    @property
    def model_name(self) -> str:
        """The embedding model's name: a stored vector made by another one is stale."""
        return self.embedder.name

    def stats(self) -> LibraryStats:
        return LibraryStats(
            articles=self.store.count_articles(),
            passages=self.store.count_passages(),
            index_kind=self.index.kind,
            vectors=len(self.index),
            model=self.embedder.name,
        )

    def speakers(self) -> list[str]:
        return self.registry.names()

    def ask(self, question: str, *, limit: int | None = None, today: date | None = None) -> Answer:
        """The passages that answer the question, best first, or none when nothing is relevant.

        A question about time (recency.read_time, relative to `today`) keeps the passages of
        its period, newest first; with no topic beyond the time it gets the newest articles."""
        when = read_time(question, today or date.today())
        period = when.period.words if when.period else None
        if when.asks and not when.topical:
            results = self.newest(when.period, limit or self.tuning.max_results)
            return Answer(question=question, results=self.with_standings(results), period=period,
                          listing=True)  # fmt: skip
        found = self.candidates(when.searched(question))
        if found is None:
            return Answer(question=question, period=period)
        return self.answer(found, limit=limit, question=question, when=when)

    def candidates(self, question: str) -> Candidates | None:
        """The question analysed, with its dense and keyword candidates (None: nothing to ask)."""
        query = self.analyze(question)
        if not query.text or len(self.index) == 0:
            return None
        # The topic words alone, for a question naming someone: one encode call with it.
        topic = " ".join(query.topic_terms) if query.speaker and query.topic_terms else None
        vectors = self._encode([query.text, *([topic] if topic else [])])
        qvec = vectors[0]
        n = self.tuning.candidates
        dense = self.index.search(qvec, n)[0]
        lexical = self.lexical.search(query.text, n)
        passages = self.store.passages({pid for pid, _ in dense} | {pid for pid, _ in lexical})
        topic_vector = vectors[1] if topic else None
        found = self._candidates(query, qvec, passages, lexical, self._article_text, topic_vector)
        if query.unnamed:
            found.unquoted = self.registry.person_named(query.unnamed)
        return found

    def newest(self, period: Period | None = None, limit: int = 10) -> list[Result]:
        """The newest articles (of the period), each by its lead or first passage."""
        out = []
        for summary in self.store.articles():
            if period is not None and not period.holds(summary.published):
                continue
            article = self.store.find(summary.id)
            if article is None or not article.passages or summary.id not in self._sources:
                continue
            first = next((p for p in article.passages if p.section == "Lead"), article.passages[0])
            out.append(Result(passage=first, article=self._sources[summary.id], score=0.0,
                              relevance=0.0))  # fmt: skip
            if len(out) == limit:
                break
        return out

    def _story_test(self) -> Callable[[str, str], bool]:
        """Whether two articles (by id) tell one story, each article read once."""
        found: dict[str, Article | None] = {}

        def same_story(a: str, b: str) -> bool:
            for aid in (a, b):
                if aid not in found:
                    found[aid] = self.store.find(aid)
            one, other = found[a], found[b]
            return (
                one is not None and other is not None and self.claim_matcher.same_story(one, other)
            )

        return same_story

    def analyze(self, question: str) -> Query:
        """Question analysis against this corpus's speakers (retrieval.query)."""
        text = " ".join(question.split())
        return analyze(text, self.registry.index(), _lemmas(self.nlp_model, text))

    def answer(
        self,
        found: Candidates,
        *,
        limit: int | None = None,
        ranker: Ranker | None = None,
        question: str | None = None,
        when: TimeAsk | None = None,
    ) -> Answer:
        """Rank the candidates, abstain or select, and dress the results with their sources.

        Bounded in time (`when`), only the period's passages are kept, the latest of each
        story first; a question of standing ("did the strike end?") is settled by the
        story's latest word."""
        chosen = decide(found, ranker or self.ranker, self.tuning.limits)
        results = self._results(chosen.groups)
        if when is not None and when.period is not None:
            results = [r for r in results if when.period.holds(r.article.published)]
        if when is not None and when.asks:
            results = latest_of_story(results, self._story_test())
        elif chosen.kind == "status" and chosen.asked is None:
            results = newer_within_story(results, self._story_test())
        related = self._results([Group(c) for c in chosen.related])
        return Answer(
            question=question or found.query.text,
            results=self.with_standings(results[: limit or self.tuning.max_results]),
            period=when.period.words if when is not None and when.period else None,
            speaker=chosen.asked,
            spelt=chosen.spelt,
            missing_speaker=chosen.missing,
            never_quoted=chosen.never_quoted,
            topic=" ".join(found.query.topic_terms) or None,
            related=related,
        )

    def _results(self, groups: list[Group]) -> list[Result]:
        return [r for g in groups if (r := self._result(g)) is not None]

    def _result(self, group: Group) -> Result | None:
        c = group.head
        source = self._sources.get(c.passage.article_id)
        if source is None:  # its article is being added or removed right now
            return None
        also = []
        for o in group.other_articles:
            s = self._sources.get(o.passage.article_id)
            if s is not None and all(a.article_id != s.article_id for a in also):
                also.append(s)
        sections = list(dict.fromkeys(o.passage.section for o in group.same_article))
        return Result(
            passage=c.passage,
            article=source,
            score=c.score,
            relevance=c.cosine,
            also_reported_by=also,
            also_in_sections=[x for x in sections if x != c.passage.section],
            someone_else=group.someone_else,
        )

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        """Vectors for subscription topics, so they are embedded once, not at every article."""
        return self._encode([" ".join(t.split()) for t in texts])

    def corpus_spread(self) -> CorpusSpread | None:
        """The moments of the corpus's passage vectors (None: fewer than SPREAD_FROM), computed
        again once the corpus has changed by SPREAD_STALE of its size, from an even sample of a
        large one: a topic's mean and spread of cosines over the corpus in one product."""
        n = len(self.index)
        spread = self._spread
        if n < SPREAD_FROM:
            return None
        if spread is not None and abs(n - spread.n) <= SPREAD_STALE * spread.n:
            return spread
        ids = sorted(self.index.ids())
        step = -(-len(ids) // SPREAD_SAMPLE)
        _, vectors = self.store.vectors(ids[::step])
        if len(vectors) == 0:
            return None
        spread = CorpusSpread.of(vectors, n)
        self._spread = spread  # swapped in whole: other threads read the one they hold
        return spread

    def match_article(
        self,
        article_id: str,
        topics: list[tuple[str, np.ndarray]],
        *,
        limit: int = 3,
        ranker: Ranker | None = None,
    ) -> list[list[Result]]:
        """For each (topic, vector), the article's passages that answer it, when the article
        is about it (the ranker's topic model, calibrated on held-out stories); an empty list
        means the article does not match the topic."""
        ranker = ranker or self.ranker
        # Many subscribers share a topic: each distinct one is matched once.
        distinct = list({topic: (topic, vector) for topic, vector in topics}.values())
        matched: dict[str, list[Result]] = {}
        for (topic, _), found in zip(
            distinct, self.topic_candidates(article_id, distinct), strict=True
        ):
            chosen = None if found is None else match(found, ranker, self.tuning.limits)
            results = [] if chosen is None else self._results(chosen.groups)
            matched[topic] = self.with_standings(results[:limit])
        return [list(matched[topic]) for topic, _ in topics]

    def topic_candidates(
        self, article_id: str, topics: list[tuple[str, np.ndarray]]
    ) -> list[Candidates | None]:
        """Each topic analysed as a question, with every passage of the article as a candidate
        (None: a topic of no words)."""
        article = self.store.get(article_id)
        passages = {p.id: p for p in article.passages if p.id is not None}
        article_terms = terms(article.text)
        ids, vectors = self.store.vectors(sorted(passages))
        vec_of = dict(zip(ids.tolist(), vectors, strict=True))
        among = set(passages)
        queries = [self.analyze(topic) for topic, _ in topics]
        # The headline and the topic words of every topic naming someone, in one model call.
        named = [" ".join(q.topic_terms) for q in queries if q.speaker and q.topic_terms]
        headline, *rest = self._encode([article.title, *named])
        named_vectors = dict(zip(named, rest, strict=True))
        corpus = self.corpus_spread()
        spreads = corpus.of_topics(np.stack([v for _, v in topics])) if corpus and topics else []
        out: list[Candidates | None] = []
        for i, (query, (_, vector)) in enumerate(zip(queries, topics, strict=True)):
            if not query.text:
                out.append(None)
                continue
            lexical = self.lexical.search(query.text, len(passages), among=among)
            topic_vector = named_vectors.get(" ".join(query.topic_terms)) if query.speaker else None
            found = self._candidates(
                query, vector, passages, lexical, lambda _: article_terms, topic_vector, vec_of
            )
            found.headline = float(headline @ vector)
            if spreads:
                found.spread = spreads[i]
            out.append(found)
        return out

    def results_for(self, passage_ids: list[int]) -> list[Result]:
        """Stored passages as results with their sources, in the order given (gone ones skipped)."""
        passages = self.store.passages(passage_ids)
        return self.with_standings(
            [
                Result(passage=p, article=self._sources[p.article_id], score=0.0, relevance=0.0)
                for pid in passage_ids
                if (p := passages.get(pid)) is not None and p.article_id in self._sources
            ]
        )

    def with_standings(self, results: list[Result]) -> list[Result]:
        """The results, each unconfirmed one with where its claim stands now."""
        ids = [r.passage.id for r in results if r.passage.status is Status.UNCONFIRMED]
        standings = self.claims.standings(i for i in ids if i is not None)
        for r in results:
            if r.passage.id in standings:
                r.claim = standings[r.passage.id]
        return results

    def _article_text(self, article_id: str) -> set[str]:
        return terms(self.store.text_of(article_id) or "")

    def _candidates(
        self,
        query: Query,
        qvec: np.ndarray,
        passages: dict[int, Passage],
        lexical: list[tuple[int, float]],
        article_terms: Callable[[str], set[str]],
        topic_vector: np.ndarray | None = None,
        vec_of: dict[int, np.ndarray] | None = None,
    ) -> Candidates:
        if vec_of is None:
            ids, vectors = self.store.vectors(sorted(passages))
            vec_of = dict(zip(ids.tolist(), vectors, strict=True))
        top = max((score for _, score in lexical), default=0.0)
        bm25 = {pid: score / top for pid, score in lexical} if top > 0 else {}
        items = [
            Candidate(p, float(vec_of[pid] @ qvec), bm25.get(pid, 0.0), vec_of[pid])
            for pid, p in passages.items()
            if pid in vec_of and p.article_id in self._sources
        ]
        # A question that is only a name ("Varga") is about that name: the article must hold it.
        topic = terms(" ".join(query.topic_terms) or " ".join(query.speakers) or query.text)
        n = len(self._sources)
        freq = self._article_freq
        coverage = {
            aid: topic_coverage(topic, article_terms(aid), freq, n)
            for aid in {c.passage.article_id for c in items}
        }
        own = {
            c.passage.id: topic_coverage(topic, terms(c.passage.text), freq, n)
            for c in items
            if c.passage.id is not None
        }
        sizes = {aid: self._sources_sizes.get(aid, 1) for aid in coverage}
        return Candidates(query, qvec, items, coverage, sizes, own, topic_vector=topic_vector,
                          unseen=unseen_share(topic, freq))  # fmt: skip


@lru_cache(maxsize=4096)
def _lemmas(nlp_model: str | None, text: str) -> tuple[str, ...]:
    """The verbs of a question, lemmatised (kept: every new article is matched against every
    subscription's topic)."""
    if not text:
        return ()
    docs = nlp_pipeline(nlp_model).parse([text[:500]])
    return tuple(t.lemma_.lower() for doc in docs for t in doc if t.pos_ == "VERB")
