"""Scale: large inputs through the real command, each format, at size n and 2n.

    pip install . && python benchmarks/scale.py            # the full report (~10 minutes)
    python benchmarks/scale.py --quick                      # half the sizes

For each workload (sin nested n deep; a product of n factors; a sum of n terms; an n-deep mix of
every kind of function) and each format (text, latex, json) it runs `chainrule diff` in a
subprocess and prints the wall time, the peak memory and the output size at n and 2n, and the
ratios T(2n)/T(n) and S(2n)/S(n): 2 is linear growth, 4 quadratic. Every run must finish (no
RecursionError, no memory blow-up): a failed run is printed as such and the exit code is 1.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

MIX = [
    "sin({})",
    "exp({})",
    "log(1 + ({})^2)",
    "tanh({})",
    "sqrt(1 + ({})^2)",
    "atan({})",
    "cosh({})",
    "1/(1 + ({})^2)",
    "sigmoid({})",
    "asinh({})",
    "erf({})",
    "({})^3",
]


def nested(n: int) -> str:
    return "sin(" * n + "x" + ")" * n


def product(n: int) -> str:
    return "*".join(f"(x+{k})" for k in range(1, n + 1))


def total(n: int) -> str:
    return " + ".join(f"sin({k}x)" for k in range(1, n + 1))


def mix(n: int) -> str:
    expr = "x"
    for i in range(n):
        expr = MIX[i % len(MIX)].format(expr)
    return expr


WORKLOADS = [
    ("sin nested n deep", nested, 500),
    ("product of n factors", product, 250),
    ("sum of n terms", total, 2500),
    ("mix of every function, n deep", mix, 25),
]
FORMATS = ("text", "latex", "json")


def run(expr: str, fmt: str, timeout: float = 600) -> tuple[float, int, int, str]:
    """Wall seconds, peak KB, output bytes and the outcome of one `chainrule diff`."""
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / f"out.{fmt}"
        command = [
            "/usr/bin/time", "-f", "%M", sys.executable, "-m", "chainrule_cli", "diff", expr,
            "x", "--format", fmt, "-o", str(out), "--timeout", str(timeout),
            "--max-length", str(len(expr) + 10), "--max-output", str(10**9),
        ]  # fmt: skip
        start = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, env={**os.environ})
        seconds = time.perf_counter() - start
        lines = done.stderr.strip().splitlines()
        peak = int(lines[-1]) if lines and lines[-1].isdigit() else 0
        size = out.stat().st_size if out.exists() else 0
        outcome = "ok" if done.returncode == 0 else (lines[0] if lines else "failed")
        return seconds, peak, size, outcome


def main() -> int:
    quick = "--quick" in sys.argv
    failed = False
    print(f"{'workload':32} {'format':6} {'n':>6} {'T(n) s':>8} {'T(2n) s':>8} {'T ratio':>8}"
          f" {'S(n) KB':>9} {'S(2n) KB':>9} {'S ratio':>8} {'peak MB':>8}")  # fmt: skip
    for name, make, n in WORKLOADS:
        if quick:
            n //= 2
        for fmt in FORMATS:
            small = run(make(n), fmt)
            large = run(make(2 * n), fmt)
            for result in (small, large):
                if result[3] != "ok":
                    failed = True
                    print(f"  FAILED {name} {fmt}: {result[3]}")
            t_ratio = large[0] / small[0] if small[0] else float("nan")
            s_ratio = large[2] / small[2] if small[2] else float("nan")
            print(
                f"{name:32} {fmt:6} {n:>6} {small[0]:>8.2f} {large[0]:>8.2f} {t_ratio:>8.2f}"
                f" {small[2] / 1024:>9.0f} {large[2] / 1024:>9.0f} {s_ratio:>8.2f}"
                f" {large[1] / 1024:>8.0f}",
                flush=True,
            )
    # the sum of 2n terms against a plain SymPy script that builds, differentiates and prints it
    n = dict((name, size) for name, _, size in WORKLOADS)["sum of n terms"] * 2
    if quick:
        n //= 2
    plain = (
        "import sympy\n"
        "x = sympy.Symbol('x', real=True)\n"
        f"e = sympy.Add(*[sympy.sin(k*x) for k in range(1, {n + 1})])\n"
        "print(sympy.diff(e, x))\n"
    )
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", plain], capture_output=True, check=True)
    t_plain = time.perf_counter() - start
    for fmt in FORMATS:
        seconds = run(total(n), fmt)[0]
        print(
            f"sum of {n} terms, {fmt}: {seconds:.1f} s vs a plain SymPy script (build, diff,"
            f" print) {t_plain:.1f} s: ratio {seconds / t_plain:.2f} (target <= 3)",
            flush=True,
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
