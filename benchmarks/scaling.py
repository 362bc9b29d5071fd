"""How parsing cost grows with the input: the repetition bombs at n, 2n and 4n repeats.

    python -m benchmarks.scaling [--repeats R] [--only NAME] [--json]

n is each bomb's size in the hostile-input test (tests/reliability/bombs.py, about 500 kB).
Each input goes through `parse_article` (with no size limit, so 4n is parsed rather than
refused), best of R runs. Times are the process's CPU time, which other work on the machine
disturbs less than the wall clock; the wall clock of the same best run is shown beside it.
time(2n) / time(n) is about 2 for a cost linear in the input, 4 for a quadratic one; the
exponent is log2(time(4n) / time(n)) / 2 (1 linear, 2 quadratic).
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import shlex
import sys
import time

from corpus.errors import ParseError
from corpus.html import looks_like_html
from corpus.parse import parse_article
from tests.reliability.bombs import BOMBS, Bomb

FACTORS = (1, 2, 4)
NO_LIMIT = 1 << 40


def parse_once(text: str) -> tuple[str, float, float]:
    """(outcome, CPU seconds, wall seconds) of one parse."""
    gc.collect()  # the previous input's garbage is not this one's cost
    wall, cpu = time.perf_counter(), time.process_time()
    try:
        article = parse_article(text, filename="upload.txt", max_bytes=NO_LIMIT)
        outcome = f"ok, {len(article.passages):,} passages"
    except ParseError as exc:
        outcome = type(exc).__name__
    return outcome, time.process_time() - cpu, time.perf_counter() - wall


def measure(bomb: Bomb, repeats: int) -> dict:
    """The bomb at each size: its bytes, the outcome and the best of `repeats` timings."""
    sizes = []
    for factor in FACTORS:
        n = bomb.n * factor
        text = bomb.text(n)
        runs = [parse_once(text) for _ in range(repeats)]
        outcome, cpu, wall = min(runs, key=lambda r: r[1])
        sizes.append(
            {
                "n": n,
                "bytes": len(text.encode("utf-8")),
                "outcome": outcome,
                "cpu_s": round(cpu, 4),
                "wall_s": round(wall, 4),
            }
        )
    t = [max(s["cpu_s"], 1e-4) for s in sizes]  # a refusal can take no measurable time
    return {
        "bomb": bomb.name,
        "path": "html" if looks_like_html(bomb.text(1)) else "plain",
        "sizes": sizes,
        "ratio_2n_n": round(t[1] / t[0], 2),
        "ratio_4n_2n": round(t[2] / t[1], 2),
        "exponent": round(math.log2(t[2] / t[0]) / 2, 2),
    }


def render(results: list[dict], command: str) -> str:
    lines = [
        f"$ {command}",
        "CPU seconds of parse_article, best of the runs (wall clock of that run in brackets);"
        " n = the hostile-input test's size",
        "",
        f"{'bomb':<34}{'path':<6}{'kB at n':>8}  {'outcome at n':<22}{'t(n)':>15}{'t(2n)':>15}"
        f"{'t(4n)':>15}{'2n/n':>7}{'4n/2n':>7}{'exp':>6}",
    ]
    for r in results:
        s = r["sizes"]
        times = "".join(f"{'{:.3f} ({:.3f})'.format(x['cpu_s'], x['wall_s']):>15}" for x in s)
        lines.append(
            f"{r['bomb']:<34}{r['path']:<6}{s[0]['bytes'] / 1000:>8.0f}  {s[0]['outcome']:<22}"
            f"{times}{r['ratio_2n_n']:>7.2f}{r['ratio_4n_2n']:>7.2f}{r['exponent']:>6.2f}"
        )
    lines += ["", "2n/n ≈ 2 and exp ≈ 1: linear; 2n/n ≈ 4 and exp ≈ 2: quadratic."]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.scaling",
        description="Parse time of the repetition bombs at n, 2n and 4n repeats, and the ratios.",
    )
    parser.add_argument("--repeats", type=int, default=3, help="runs per size (best is kept)")
    parser.add_argument(
        "--only", action="append", metavar="NAME", help="only this bomb (repeatable)"
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    chosen = [b for b in BOMBS if not args.only or b.name in args.only]
    if not chosen:
        names = ", ".join(b.name for b in BOMBS)
        print(f"benchmarks.scaling: no bomb named {args.only}; the bombs: {names}", file=sys.stderr)
        return 2
    results = []
    for bomb in chosen:
        results.append(measure(bomb, max(1, args.repeats)))
        print(f"[{time.strftime('%H:%M:%S')}] {bomb.name} done", file=sys.stderr, flush=True)
    given = sys.argv[1:] if argv is None else argv
    if args.json:
        print(json.dumps({"bombs": results, "repeats": args.repeats}))
    else:
        print(render(results, shlex.join(["python", "-m", "benchmarks.scaling", *given])))
    return 0


if __name__ == "__main__":
    sys.exit(main())
