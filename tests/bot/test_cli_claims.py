"""`briefbot claims DIR --json` on the project's claims set: the contract and the figures."""

from __future__ import annotations

import contextlib
import io
import json

import pytest

from benchmarks.claims import SET_DIR, measure
from bot.cli import main

SPAN_KEYS = {"article", "start", "end"}


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> dict:
    monkeypatch = pytest.MonkeyPatch()
    work = tmp_path_factory.mktemp("work")
    monkeypatch.chdir(work)  # no .env of the checkout
    monkeypatch.setenv("BRIEFBOT_DATA_DIR", str(work / "data"))
    try:
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            code = main(["claims", str(SET_DIR), "--json"])
    finally:
        monkeypatch.undo()
    assert code == 0
    return json.loads(out.getvalue())


def text_of(item: dict) -> str:
    path = SET_DIR / "articles" / f"{item['article']}.txt"
    return path.read_text(encoding="utf-8")[item["start"] : item["end"]]


def test_the_report_has_exactly_the_contract_keys(report: dict) -> None:
    assert set(report) == {"claims", "suggested"}
    for claim in report["claims"]:
        assert set(claim) == SPAN_KEYS | {"standing", "restated_in", "settled_by"}
        assert claim["standing"] in ("open", "confirmed", "denied")
        assert all(set(x) == SPAN_KEYS for x in (*claim["restated_in"], *claim["settled_by"]))
        assert (claim["standing"] == "open") == (not claim["settled_by"])
    for s in report["suggested"]:
        assert set(s) == SPAN_KEYS | {"claim"} and set(s["claim"]) == SPAN_KEYS


def test_spans_index_the_article_files(report: dict) -> None:
    body = text_of(report["claims"][0])
    assert body.startswith("The death toll is reported to be about 40 people")
    assert body.endswith("regional hospital.")
    for claim in report["claims"]:
        for item in (claim, *claim["restated_in"], *claim["settled_by"]):
            assert text_of(item).strip()


def find(report: dict, words: str) -> dict:
    (claim,) = [c for c in report["claims"] if words in text_of(c)]
    return claim


def test_refined_figures_denials_restatements_and_open_claims(report: dict) -> None:
    toll = find(report, "about 40 people, according to staff")
    assert toll["standing"] == "confirmed"
    assert "43 people had died" in text_of(toll["settled_by"][0])  # "about 40" → 43
    ransom = find(report, "Halvorsen Freight is said to have paid a ransom")
    assert ransom["standing"] == "denied"
    contractor = find(report, "entered through a contractor's account")
    assert contractor["standing"] == "open"
    assert [x["article"] for x in contractor["restated_in"]] == ["ransomware-halvorsen-2"]
    # A restated claim is one claim: the restatement is not listed as a claim of its own.
    assert not [c for c in report["claims"] if "main line of inquiry" in text_of(c)]


def test_no_look_alike_from_another_story_is_linked_and_the_targets_hold(report: dict) -> None:
    figures = measure(report, SET_DIR)
    for part in ("tune", "test"):
        f = figures[part]
        assert f["traps_linked"] == 0 and f["suggestions_cross_story"] == 0, (part, f)
        assert f["link_precision"] >= 0.95, (part, f)
        assert f["link_recall"] >= 0.90, (part, f)
        assert f["standing_accuracy"] >= 0.95, (part, f)
