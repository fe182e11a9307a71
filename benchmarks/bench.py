"""Benchmarks as ratios against plain SymPy in the same run (never a timed test).

    python benchmarks/bench.py

Prints, for the textbook corpus (tests/data/corpus.tsv) in one process: building the steps vs
sympy.diff, verifying them vs sympy.diff; the article's example after imports; and
`chainrule --help` vs `python -c "import sympy"`.
"""

from __future__ import annotations

import csv
import statistics
import subprocess
import sys
import time
from pathlib import Path

import sympy

from chainrule_cli.calculus.stepper import Stepper, expression_heights
from chainrule_cli.calculus.verify import verify
from chainrule_cli.parse import parse, symbol

ROOT = Path(__file__).resolve().parent.parent


def corpus():
    rows = csv.DictReader((ROOT / "tests/data/corpus.tsv").open(encoding="utf-8"), delimiter="\t")
    return [(parse(r["expr"]), symbol(r["var"])) for r in rows]


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def best_of(n, fn) -> float:
    return min(timed(fn) for _ in range(n))


def command_seconds(args: list[str], runs: int = 5) -> float:
    return statistics.median(
        timed(lambda: subprocess.run(args, capture_output=True, check=True)) for _ in range(runs)
    )


def main() -> None:
    problems = corpus()
    sympy.diff(*problems[0])  # warm caches the same way for both sides

    # SymPy's cache would make every second pass free: clear it before each measurement
    def plain():
        sympy.core.cache.clear_cache()
        for e, v in problems:
            sympy.diff(e, v)

    built = []

    def steps():
        sympy.core.cache.clear_cache()
        built.clear()
        for e, v in problems:
            st = Stepper(e)
            built.append((st.step(e, v), expression_heights(e)))

    def checks():
        sympy.core.cache.clear_cache()
        for root, heights in built:
            verify(root, heights)

    t_plain, t_steps = best_of(3, plain), best_of(3, steps)
    t_verify = best_of(3, checks)
    print(f"corpus: {len(problems)} problems")
    print(f"  sympy.diff            {t_plain * 1000:8.1f} ms")
    for label, seconds in (("building steps", t_steps), ("verifying steps", t_verify)):
        ratio = seconds / t_plain
        print(f"  {label:<20}  {seconds * 1000:8.1f} ms   ratio {ratio:5.2f}  (target <= 3)")

    from chainrule_cli import differentiate

    article = "1/(1+exp(-(w*x+b)))"
    differentiate(article, "x")
    t_article = statistics.median(timed(lambda: differentiate(article, "x")) for _ in range(7))
    print(f"article example, after imports: {t_article * 1000:.1f} ms (target well under 100 ms)")

    t_import = command_seconds([sys.executable, "-c", "import sympy"])
    t_help = command_seconds([sys.executable, "-m", "chainrule_cli", "--help"])
    print(
        f"--help {t_help * 1000:.0f} ms vs import sympy {t_import * 1000:.0f} ms: "
        f"ratio {t_help / t_import:.2f} (target <= 0.3)"
    )


if __name__ == "__main__":
    main()
