"""The speaker registry on literal passages (no corpus, no model)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from corpus.models import Passage, Speaker, Status
from corpus.store import Store
from retrieval.registry import SpeakerRegistry, mistaken_name


def _said(name: str, role: str | None, ordinal: int) -> Passage:
    text = f"“We will hold the line,” {name} said."
    speaker = Speaker(name=name, role=role)
    return Passage(article_id="a1", ordinal=ordinal, section="Body", status=Status.STATEMENT,
                   start=0, end=len(text), text=text, speaker=speaker)  # fmt: skip


def test_roles_from_several_articles_gather_under_one_name(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.sqlite3")
    try:
        registry = SpeakerRegistry(store, lambda: None, Counter)  # type: ignore[arg-type, return-value]
        registry.remember([_said("Ilse Varnholt", "port director", 0)])
        before = registry.index()
        registry.remember(
            [_said("Ilse Varnholt", "union negotiator", 1), _said("Ben Okoro", None, 2)]
        )
        registry.remember([_said("Ilse Varnholt", "port director", 3)])
        assert registry.names() == ["Ben Okoro", "Ilse Varnholt"]
        assert registry.roles() == {
            "Ilse Varnholt": "port director union negotiator",
            "Ben Okoro": "",
        }
        # A change of speakers is a new index; no change, the same one.
        after = registry.index()
        assert after is not before and registry.index() is after
        # Nothing stored yet: reloading from the store forgets what was only remembered.
        registry.reload()
        assert registry.names() == []
    finally:
        store.close()


def test_a_name_the_tagger_takes_for_an_organisation() -> None:
    assert mistaken_name("Oda Brannock")
    assert not mistaken_name("NASA")
    assert not mistaken_name("Brannock")
    assert not mistaken_name("the Brannock Shipping Company of Leith")
