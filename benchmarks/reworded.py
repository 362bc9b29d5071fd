"""The dev questions as written against the same questions reworded, with the same gold.

    python -m benchmarks.reworded [--json] [--per-question] [--baseline dense-chunks]

`benchmarks/data/reworded.jsonl` holds our rewording of some dev questions (only the qid and
the new wording). Two evaluation sets are built at run time in a temporary directory: the
original dev questions for those qids, and the same questions with the new wording (kind,
gold and notes read from `../shared/devset/questions.jsonl`). Both link the dev set's
articles; nothing is copied into the project. Each set is measured by the product's own
evaluation (`retrieval.evaluation.evaluate`, what `briefbot eval DIR` runs), so the figures
are the contract's, side by side: hit@1, hit@3, mrr, who_said hit@1, abstained_negative,
status accuracy and false abstention, with the difference.

`--per-question` also asks every question of both sets on one more ingest (briefbot itself,
whatever `--baseline` says) and lists the questions whose first hit moved, or that abstained
on one wording only.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from benchmarks.heldout import DEVSET, ingest_set, load_reworded, read_jsonl

# (label, kind or None for overall, figure)
ROWS = (
    ("hit@1", None, "hit@1"),
    ("hit@3", None, "hit@3"),
    ("mrr", None, "mrr"),
    ("who_said hit@1", "who_said", "hit@1"),
    ("abstained_negative", None, "abstained_negative"),
    ("status_accuracy", None, "status_accuracy"),
    ("false_abstention", None, "false_abstention"),
)


def question_sets(devset: Path = DEVSET) -> tuple[list[dict], list[dict]]:
    """(original questions, reworded questions) in the order of reworded.jsonl."""
    by_qid = {q["qid"]: q for q in read_jsonl(devset / "questions.jsonl")}
    original, reworded = [], []
    for row in load_reworded():
        q = by_qid[row["qid"]]
        original.append(q)
        reworded.append({**q, "question": row["question"]})
    return original, reworded


def write_set(directory: Path, devset: Path, questions: list[dict]) -> Path:
    """An evaluation directory: the dev articles (linked) and these questions."""
    directory.mkdir(parents=True)
    (directory / "articles").symlink_to((devset / "articles").resolve(), target_is_directory=True)
    sidecar = devset / "articles.jsonl"
    if sidecar.is_file():
        (directory / "articles.jsonl").symlink_to(sidecar.resolve())
    lines = [json.dumps(q, ensure_ascii=False) for q in questions]
    (directory / "questions.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return directory


def measure(devset: Path, embedder, baseline: str | None = None) -> dict:
    from retrieval.evaluation import evaluate

    original, reworded = question_sets(devset)
    with tempfile.TemporaryDirectory(prefix="briefbot-reworded-") as tmp:
        reports = {}
        for name, questions in (("original", original), ("reworded", reworded)):
            directory = write_set(Path(tmp) / name, devset, questions)
            reports[name] = evaluate(directory, embedder, baseline=baseline)
    kinds: dict[str, int] = {}
    for q in original:
        kinds[q["kind"]] = kinds.get(q["kind"], 0) + 1
    rows = []
    for label, kind, figure in ROWS:
        a, b = (_pick(reports[n], kind, figure) for n in ("original", "reworded"))
        diff = None if a is None or b is None else round(b - a, 4)
        rows.append({"figure": label, "original": a, "reworded": b, "difference": diff})
    return {
        "n": len(original),
        "per_kind_n": kinds,
        "baseline": baseline,
        "figures": rows,
        "original": reports["original"],
        "reworded": reports["reworded"],
    }


def per_question(devset: Path, embedder) -> list[dict]:
    """First-hit rank of every question under both wordings (0: no hit, None: abstained)."""
    from retrieval.evaluation import RANKS, score
    from retrieval.library import Library

    original, reworded = question_sets(devset)
    out = []
    with tempfile.TemporaryDirectory(prefix="briefbot-reworded-") as tmp:
        library = Library(Path(tmp), embedder)
        try:
            key_to_id = ingest_set(library, devset)
            texts = {aid: library.store.get(aid).text for aid in set(key_to_id.values())}

            def rank(q: dict) -> int | None:
                shown = [r.passage for r in library.ask(q["question"], limit=RANKS).results]
                if not shown:
                    return None
                figs = score([q], lambda _q: shown, texts, key_to_id)["overall"]
                if not q["gold"]:
                    return 0
                return round(1 / figs["mrr"]) if figs["mrr"] else 0

            for a, b in zip(original, reworded, strict=True):
                out.append(
                    {"qid": a["qid"], "kind": a["kind"], "original": a["question"],
                     "reworded": b["question"], "rank_original": rank(a),
                     "rank_reworded": rank(b)}
                )  # fmt: skip
        finally:
            library.close()
    return out


def format_report(rep: dict, changes: list[dict] | None) -> str:
    kinds = ", ".join(f"{k} {n}" for k, n in rep["per_kind_n"].items())
    what = f"baseline {rep['baseline']}" if rep["baseline"] else "briefbot"
    lines = [
        f"Reworded dev questions ({what}): {rep['n']} questions ({kinds}), same gold",
        "",
        "| figure | as written | reworded | difference |",
        "| --- | --- | --- | --- |",
    ]
    for r in rep["figures"]:
        lines.append(
            f"| {r['figure']} | {_fmt(r['original'])} | {_fmt(r['reworded'])} | "
            f"{_fmt(r['difference'], sign=True)} |"
        )
    lines += ["", "hit@1 by kind:", "", "| kind | as written | reworded |", "| --- | --- | --- |"]
    for kind in rep["per_kind_n"]:
        a = rep["original"]["per_kind"][kind]["hit@1"]
        b = rep["reworded"]["per_kind"][kind]["hit@1"]
        if kind == "negative":
            a = rep["original"]["per_kind"][kind]["abstained_negative"]
            b = rep["reworded"]["per_kind"][kind]["abstained_negative"]
            kind = "negative (abstained)"
        lines.append(f"| {kind} | {_fmt(a)} | {_fmt(b)} |")
    if changes is not None:
        moved = [c for c in changes if c["rank_original"] != c["rank_reworded"]]
        lines += ["", f"Questions whose first hit moved ({len(moved)}; '-' abstained, 0 no hit):"]
        lines += ["", "| qid | kind | as written | reworded | rewording |"]
        lines += ["| --- | --- | --- | --- | --- |"]
        for c in moved:
            lines.append(
                f"| {c['qid']} | {c['kind']} | {_rank(c['rank_original'])} | "
                f"{_rank(c['rank_reworded'])} | {c['reworded']} |"
            )
    return "\n".join(lines)


def _pick(report: dict, kind: str | None, figure: str) -> float | None:
    figs = report["overall"] if kind is None else report["per_kind"].get(kind, {})
    return figs.get(figure)


def _fmt(x: float | None, *, sign: bool = False) -> str:
    if x is None:
        return "—"
    return f"{x:+.3f}" if sign else f"{x:.3f}"


def _rank(r: int | None) -> str:
    return "-" if r is None else str(r)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.reworded", description=__doc__)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument(
        "--per-question", action="store_true", help="list the questions whose first hit moved"
    )
    parser.add_argument("--baseline", choices=["dense-chunks"], help="measure a baseline instead")
    parser.add_argument("--devset", type=Path, default=DEVSET, help=f"default: {DEVSET}")
    args = parser.parse_args(argv)
    if not (args.devset / "questions.jsonl").is_file():
        print(f"{args.devset} has no questions.jsonl: the dev set is needed", file=sys.stderr)
        return 1
    from retrieval.embedder import SentenceTransformerEmbedder

    embedder = SentenceTransformerEmbedder()
    rep = measure(args.devset, embedder, args.baseline)
    changes = per_question(args.devset, embedder) if args.per_question else None
    if args.json:
        print(json.dumps({**rep, "per_question": changes}, ensure_ascii=False))
    else:
        print(format_report(rep, changes))
    return 0


if __name__ == "__main__":
    sys.exit(main())
