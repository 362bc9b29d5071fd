"""Claims whose status changes, measured on the project's own set (tests/data/claims).

    python -m benchmarks.claims [--set DIR] [--json]
    python -m benchmarks.claims --fit      # choose the two thresholds on the 'tune' part

The set's articles are run through `briefbot claims` (retrieval.claim_report: a fresh store,
articles ingested in date order) and compared with `gold.json` beside them. Printed for the
'tune' stories (where the thresholds are chosen), the 'test' stories (only measured) and all:

- link precision and recall: automatic links (restatements and settlements) against the gold
  links; a link is right when its claim is the gold claim and its passage overlaps a gold
  restatement or settlement of that claim;
- standing accuracy: gold claims whose final standing (open, confirmed, denied) is right;
- traps linked: automatic links between a claim and a passage of another story;
- suggestions: links between the two thresholds, with how many are gold links and how many
  cross stories (an admin would be asked about them; they are not links).

`--fit` runs the set once per (automatic threshold, restatement margin) on a grid, keeps
those whose tune figures have link precision ≥ 0.95 and no trap, takes those with the best
recall plus standing accuracy, and picks the middle of that range (a margin on both sides,
not a value just above one example). The suggestion threshold is then the lowest value on a
0.05 grid at which an admin is asked about at most one suggestion for every four tune
claims. All three are written to retrieval/claim_thresholds.json with their figures.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterable
from pathlib import Path

from retrieval.claim_matcher import THRESHOLDS_FILE, ClaimTuning
from tests.bot.conftest import RememberingEmbedder

SET_DIR = Path(__file__).resolve().parents[1] / "tests" / "data" / "claims"
GRID = [round(0.60 + 0.01 * i, 2) for i in range(41)]  # automatic: 0.60 … 1.00
MARGINS = [round(0.05 * i, 2) for i in range(7)]  # restatements: automatic + 0 … 0.30
SUGGEST_GRID = [round(0.30 + 0.05 * i, 2) for i in range(15)]
# An admin is asked about at most one suggestion for every four claims of the tune part.
SUGGESTIONS_PER_CLAIM = 0.25


def load_gold(directory: Path) -> tuple[dict, dict[str, str], dict[str, str]]:
    """The gold file, the article texts by stem and each article's story."""
    gold = json.loads((directory / "gold.json").read_text(encoding="utf-8"))
    texts = {p.stem: p.read_text(encoding="utf-8") for p in (directory / "articles").glob("*.txt")}
    stories = {}
    for line in (directory / "articles.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            stories[row["id"]] = row["story"]
    return gold, texts, stories


def _span(item: dict, texts: dict[str, str]) -> tuple[str, int, int]:
    at = texts[item["article"]].find(item["snippet"])
    if at < 0:
        raise ValueError(f"snippet not in {item['article']}: {item['snippet']!r}")
    return item["article"], at, at + len(item["snippet"])


def _overlaps(pred: dict, gold: tuple[str, int, int]) -> bool:
    article, start, end = gold
    return pred["article"] == article and pred["start"] < end and start < pred["end"]


def score(
    report: dict, gold: dict, texts: dict[str, str], stories: dict[str, str], part: Iterable[str]
) -> dict:
    """The figures for the claims of the stories in `part`."""
    part = set(part)
    gold_claims = [g for g in gold["claims"] if stories[g["article"]] in part]
    spans = {
        id(g): (
            _span(g, texts),
            [_span(x, texts) for x in (*g["restated_in"], *g["settled_by"])],
        )
        for g in gold_claims
    }

    def gold_of(pred: dict) -> dict | None:
        return next((g for g in gold_claims if _overlaps(pred, spans[id(g)][0])), None)

    predicted = [c for c in report["claims"] if stories[c["article"]] in part]
    links = right = traps = 0
    found: set[tuple[int, int]] = set()
    for claim in predicted:
        g = gold_of(claim)
        for link in (*claim["restated_in"], *claim["settled_by"]):
            links += 1
            if stories[link["article"]] != stories[claim["article"]]:
                traps += 1
            hits = [i for i, s in enumerate(spans[id(g)][1]) if _overlaps(link, s)] if g else []
            if hits:
                right += 1
                found.update((id(g), i) for i in hits)
    gold_links = sum(len(spans[id(g)][1]) for g in gold_claims)
    standing_right = 0
    for g in gold_claims:
        pred = next((c for c in predicted if _overlaps(c, spans[id(g)][0])), None)
        standing_right += bool(pred and pred["standing"] == g["standing"])
    suggested = [s for s in report["suggested"] if stories[s["claim"]["article"]] in part]
    useful = 0
    for s in suggested:
        g = gold_of(s["claim"])
        useful += bool(g and any(_overlaps(s, x) for x in spans[id(g)][1]))
    extra = sum(1 for c in predicted if gold_of(c) is None)
    return {
        "claims": len(gold_claims),
        "gold_links": gold_links,
        "links": links,
        "link_precision": round(right / links, 4) if links else None,
        "link_recall": round(len(found) / gold_links, 4) if gold_links else None,
        "standing_accuracy": round(standing_right / len(gold_claims), 4) if gold_claims else None,
        "traps_linked": traps,
        "suggestions": len(suggested),
        "suggestions_gold": useful,
        "suggestions_cross_story": sum(
            1 for s in suggested if stories[s["article"]] != stories[s["claim"]["article"]]
        ),
        "extra_claims": extra,
    }


def measure(report: dict, directory: Path) -> dict[str, dict]:
    gold, texts, stories = load_gold(directory)
    parts = dict(gold["parts"])
    parts["all"] = sorted(set(stories.values()))
    return {name: score(report, gold, texts, stories, part) for name, part in parts.items()}


def fit(directory: Path, embedder) -> dict:
    """Choose the thresholds on the tune part (see the module's docstring)."""
    from retrieval.claim_report import claims_report

    low = min(SUGGEST_GRID)
    runs = {}
    for auto in GRID:
        for margin in MARGINS:
            tuning = ClaimTuning(automatic=auto, suggest=low, restate_margin=margin)
            report = claims_report(directory, embedder, tuning, scores=True)
            runs[auto, margin] = (report, measure(report, directory))
            tune = runs[auto, margin][1]["tune"]
            print(f"automatic {auto:.2f} restate +{margin:.2f}: precision "
                  f"{tune['link_precision']} recall {tune['link_recall']} standing "
                  f"{tune['standing_accuracy']} traps {tune['traps_linked']}")  # fmt: skip
    feasible = [
        a for a, (_, m) in runs.items()
        if (m["tune"]["link_precision"] or 0) >= 0.95 and m["tune"]["traps_linked"] == 0
    ]  # fmt: skip
    if not feasible:
        raise SystemExit("no automatic threshold reaches precision 0.95 without traps")

    def merit(key: tuple[float, float]) -> float:
        t = runs[key][1]["tune"]
        return (t["link_recall"] or 0) + (t["standing_accuracy"] or 0)

    best = max(merit(k) for k in feasible)
    top = [k for k in feasible if merit(k) == best]
    # The middle of the best range: first of the margins (at the middle automatic value),
    # then of the automatic values at that margin.
    autos = sorted({a for a, _ in top})
    mid_auto = autos[len(autos) // 2]
    margins = sorted(m for a, m in top if a == mid_auto)
    margin = margins[len(margins) // 2]
    autos = sorted(a for a, m in top if m == margin)
    automatic = autos[len(autos) // 2]
    report, _ = runs[automatic, margin]
    gold, texts, stories = load_gold(directory)
    claims = sum(1 for g in gold["claims"] if stories[g["article"]] in gold["parts"]["tune"])
    suggest = automatic
    for s in SUGGEST_GRID:
        if s >= automatic:
            break
        trimmed = {**report, "suggested": [x for x in report["suggested"] if x["score"] >= s]}
        figures = score(trimmed, gold, texts, stories, gold["parts"]["tune"])
        if figures["suggestions"] <= SUGGESTIONS_PER_CLAIM * claims:
            suggest = s
            break
    return {
        "version": 1,
        "automatic": automatic,
        "suggest": suggest,
        "restate_margin": margin,
        "source": "python -m benchmarks.claims --fit, on the 'tune' stories of tests/data/claims",
        "automatic_range": [min(autos), max(autos)],
        "restate_margin_range": [min(margins), max(margins)],
    }


def format_figures(figures: dict[str, dict]) -> str:
    keys = ["claims", "gold_links", "links", "link_precision", "link_recall",
            "standing_accuracy", "traps_linked", "suggestions", "suggestions_gold",
            "suggestions_cross_story", "extra_claims"]  # fmt: skip
    lines = ["| part | " + " | ".join(keys) + " |", "|" + " --- |" * (len(keys) + 1)]
    for name, f in figures.items():
        cells = ["—" if f[k] is None else str(f[k]) for k in keys]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    from retrieval.claim_report import claims_report
    from retrieval.embedder import SentenceTransformerEmbedder

    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.claims",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--set", type=Path, default=SET_DIR, help="the set (default: ours)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--fit", action="store_true", help="choose and write the thresholds")
    args = parser.parse_args(argv)
    embedder = RememberingEmbedder(SentenceTransformerEmbedder())
    tuning = ClaimTuning()
    if args.fit:
        chosen = fit(args.set, embedder)
        tuning = ClaimTuning(automatic=chosen["automatic"], suggest=chosen["suggest"],
                             restate_margin=chosen["restate_margin"])  # fmt: skip
        report = claims_report(args.set, embedder, tuning)
        chosen["figures"] = measure(report, args.set)
        THRESHOLDS_FILE.write_text(json.dumps(chosen, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {THRESHOLDS_FILE}: automatic {chosen['automatic']}, "
              f"suggest {chosen['suggest']}")  # fmt: skip
    report = claims_report(args.set, embedder, tuning)
    figures = measure(report, args.set)
    if args.json:
        thresholds = {"automatic": tuning.automatic, "suggest": tuning.suggest,
                      "restate_margin": tuning.restate_margin}  # fmt: skip
        print(json.dumps({**thresholds, **figures}))
    else:
        print(f"thresholds: automatic {tuning.automatic}, suggest {tuning.suggest}, "
              f"restatements automatic + {tuning.restate_margin}")  # fmt: skip
        print(format_figures(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
