"""How good and how costly the final form is, on the textbook corpus (tests/data/corpus.tsv).

    python benchmarks/final_form.py

Length: for each problem, count_ops of the final form that `derive` chooses (form="auto") is
compared with the shortest of sympy.simplify, factor, cancel, together, trigsimp and expand
applied to sympy.diff of the same expression; a problem meets the bound when the final form is
at most two operations longer. Prints the share of problems that meet it and lists the others.

Time: derive with form="as-derived" (the steps, verification, no rewriting) against
form="auto", in the same process. Each pass starts with SymPy's cache cleared; the passes
alternate and the best of `RUNS` is kept for each. Also per problem with a cold cache (cleared
before each call, as in one `chainrule diff` run): the median, 95th percentile and worst ratio.
Ratios only: never a timed assertion.
"""

from __future__ import annotations

import csv
import statistics
import sys
import time
from pathlib import Path

import sympy
from sympy.core.cache import clear_cache

from chainrule_cli.calculus.derive import derive
from chainrule_cli.parse import parse, symbol

ROOT = Path(__file__).resolve().parent.parent
SLACK = 2  # operations the final form may exceed SymPy's shortest by
TARGET = 0.97
RUNS = 3

REFERENCES = {
    "simplify": sympy.simplify,
    "factor": sympy.factor,
    "cancel": sympy.cancel,
    "together": sympy.together,
    "trigsimp": sympy.trigsimp,
    "expand": sympy.expand,
}


def corpus() -> list[tuple[str, sympy.Expr, sympy.Symbol]]:
    with (ROOT / "tests/data/corpus.tsv").open(encoding="utf-8") as file:
        rows = list(csv.DictReader(file, delimiter="\t"))
    return [(r["id"], parse(r["expr"]), symbol(r["var"])) for r in rows]


def shortest_reference(expr: sympy.Expr, var: sympy.Symbol) -> tuple[int, str, sympy.Expr]:
    """The fewest operations among SymPy's rewrites of sympy.diff (and the name of the one)."""
    direct = sympy.diff(expr, var)
    best = (int(sympy.count_ops(direct)), "diff", direct)
    for name, rewrite in REFERENCES.items():
        try:
            form = rewrite(direct)
        except (TypeError, ValueError, NotImplementedError, sympy.PolynomialError):
            continue
        best = min(best, (int(sympy.count_ops(form)), name, form), key=lambda b: b[0])
    return best


def pass_seconds(problems, form: str) -> float:
    clear_cache()
    start = time.perf_counter()
    for _, expr, var in problems:
        derive(expr, var, form=form)
    return time.perf_counter() - start


def cold_seconds(expr, var, form: str) -> float:
    clear_cache()
    start = time.perf_counter()
    derive(expr, var, form=form)
    return time.perf_counter() - start


def main() -> int:
    problems = corpus()

    met, failures = 0, []
    for name, expr, var in problems:
        final = derive(expr, var, form="auto").result
        ops = int(sympy.count_ops(final))
        ref_ops, ref_name, ref_form = shortest_reference(expr, var)
        if ops <= ref_ops + SLACK:
            met += 1
        else:
            failures.append((name, ops, final, ref_ops, ref_name, ref_form))
    share = met / len(problems)
    print(f"final form within {SLACK} operations of SymPy's shortest: {met}/{len(problems)}")
    print(f"  = {share:.1%} (target {TARGET:.0%}) {'OK' if share >= TARGET else 'MISSED'}")
    for name, ops, final, ref_ops, ref_name, ref_form in failures:
        print(f"  {name}: {ops} ops  {final}")
        print(f"  {' ' * len(name)}  {ref_ops} ops  {ref_form}   ({ref_name})")

    best = {"as-derived": float("inf"), "auto": float("inf")}
    for _ in range(RUNS):
        for form in best:
            best[form] = min(best[form], pass_seconds(problems, form))
    ratio = best["auto"] / best["as-derived"]
    print(
        f"corpus pass (cache cleared per pass, best of {RUNS}): as-derived "
        f"{best['as-derived']:.3f} s, auto {best['auto']:.3f} s, ratio {ratio:.2f}x"
    )

    timed, plain_total, auto_total = [], 0.0, 0.0
    for name, expr, var in problems:
        plain = min(cold_seconds(expr, var, "as-derived") for _ in range(RUNS))
        auto = min(cold_seconds(expr, var, "auto") for _ in range(RUNS))
        plain_total, auto_total = plain_total + plain, auto_total + auto
        timed.append((auto / plain, name, plain, auto))
    timed.sort()
    ratios = [t[0] for t in timed]
    p95 = ratios[int(0.95 * (len(ratios) - 1))]
    print(
        f"per problem, cold cache (best of {RUNS}): total {plain_total:.3f} s -> "
        f"{auto_total:.3f} s, ratio {auto_total / plain_total:.2f}x; per-problem ratio median "
        f"{statistics.median(ratios):.2f}x, 95th percentile {p95:.2f}x, worst {ratios[-1]:.2f}x"
    )
    over = [t for t in timed if t[0] > 3]
    print(f"  problems over 3x: {len(over)}/{len(timed)}")
    for ratio, name, plain, auto in reversed(over):
        print(f"    {name}: {plain * 1000:.1f} ms -> {auto * 1000:.1f} ms ({ratio:.2f}x)")
    return 0 if share >= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
