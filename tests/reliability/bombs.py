"""Repetition bombs: a short unit repeated into a long input, at any number of repeats.

The hostile-input test parses each at its standard size (about 500 kB; the upload limit is
2 MB); `python -m benchmarks.scaling` times them at n, 2n and 4n repeats to show how the cost
grows (100,000 nested divs once took 8 minutes).
"""

from __future__ import annotations

from dataclasses import dataclass

RTL = "\u200f\u202e\u2067ש״ב عربي \u202c\u2069"


@dataclass(frozen=True)
class Bomb:
    """`head + unit × n + middle + tail × n`."""

    name: str
    unit: str
    n: int  # the repeats of the standard input
    head: str = ""
    middle: str = ""
    tail: str = ""

    def text(self, n: int | None = None) -> str:
        n = self.n if n is None else n
        return self.head + self.unit * n + self.middle + self.tail * n


BOMBS = (
    Bomb("one enormous line", "word ", 100_000),
    Bomb("one enormous word", "x", 500_000),
    Bomb(
        "a paragraph repeated",
        "The council met. “We will not yield,” said Ana Lind, Mayor.\n\n",
        8_000,
    ),
    Bomb("headings only", "Verified Facts\n\nUnconfirmed\n\n", 16_000),
    Bomb("bullets only", "• \n", 160_000),
    Bomb("quotes only", "“", 500_000),
    Bomb("attributions only", "Ana Lind, Mayor of Vell (Vell, Oct. 3, 2025)\n\n", 10_000),
    Bomb("nested html", "<div>", 45_000, head="<html><body>", middle="news", tail="</div>"),
    Bomb("unclosed html", "<p><b><i>x", 50_000, head="<html><body>"),
    Bomb("html comments", "<p>a</p><!-- c -->", 30_000, head="<html><body>"),
    Bomb("wide html", "<li>item</li>", 40_000, head="<html><body><ul>"),
    Bomb("control characters", "ab\x01cd\x02", 80_000),
    Bomb("rtl and joiners", RTL + "\u200d", 16_000),
    Bomb("a capitalised word repeated", "Putin", 100_000),
    Bomb(
        "a speaker, then a capitalised run",
        "Putin",
        100_000,
        head="“We will go on and on and on,” Putin said.\n\n",
    ),
)
