"""Benchmarks as ratios against plain SymPy in the same run (never a timed test).

    pip install . && python benchmarks/bench.py

Measure what a user runs: a pip-installed package carries compiled bytecode, so this script
first compiles chainrule's modules (an editable install with PYTHONDONTWRITEBYTECODE set would
otherwise recompile them at every start, ~50 ms more).

Prints, for the textbook corpus (tests/data/corpus.tsv) in one process: building the steps vs
sympy.diff, verifying them vs sympy.diff; the article's example after imports; and
`chainrule --help` vs `python -c "import sympy"`.
"""

from __future__ import annotations

import compileall
import csv
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import sympy

from chainrule_cli.calculus.stepper import Stepper, expression_heights
from chainrule_cli.calculus.verify import verify
from chainrule_cli.parse import parse, symbol
from chainrule_cli.workers import default_jobs

ROOT = Path(__file__).resolve().parent.parent


def corpus_rows() -> list[dict]:
    with (ROOT / "tests/data/corpus.tsv").open(encoding="utf-8") as file:
        return list(csv.DictReader(file, delimiter="\t"))


def corpus():
    return [(parse(r["expr"]), symbol(r["var"])) for r in corpus_rows()]


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


def command_stats(args: list[str], stdin: str | None = None, runs: int = 5):
    """Median wall time (s) and median peak resident memory (KB) of a command."""
    times, peaks = [], []
    for _ in range(runs):
        start = time.perf_counter()
        process = subprocess.Popen(
            args,
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        process.stdin.write(stdin or "")
        process.stdin.close()
        _, status, usage = os.wait4(process.pid, 0)
        times.append(time.perf_counter() - start)
        peaks.append(usage.ru_maxrss)
        process.returncode = os.waitstatus_to_exitcode(status)
    return statistics.median(times), statistics.median(peaks)


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

    import chainrule_cli

    compileall.compile_dir(Path(chainrule_cli.__file__).parent, quiet=1)
    t_import = command_seconds([sys.executable, "-c", "import sympy"])
    t_help = command_seconds([sys.executable, "-m", "chainrule_cli", "--help"])
    print(
        f"--help {t_help * 1000:.0f} ms vs import sympy {t_import * 1000:.0f} ms: "
        f"ratio {t_help / t_import:.2f} (target <= 0.3)"
    )

    base_cmd = [sys.executable, "-c", "import sympy, typer, rich"]
    diff_cmd = [sys.executable, "-m", "chainrule_cli", "diff", article, "x"]
    # interleaved, so that a burst of load on a shared machine hits both sides alike
    pairs = [(command_stats(base_cmd, runs=1), command_stats(diff_cmd, runs=1)) for _ in range(15)]
    t_base = statistics.median(p[0][0] for p in pairs)
    m_base = statistics.median(p[0][1] for p in pairs)
    t_diff = statistics.median(p[1][0] for p in pairs)
    m_diff = statistics.median(p[1][1] for p in pairs)
    print(
        f"chainrule diff (article) {t_diff * 1000:.0f} ms, {m_diff / 1024:.0f} MB vs "
        f"import sympy, typer, rich {t_base * 1000:.0f} ms, {m_base / 1024:.0f} MB: "
        f"time ratio {t_diff / t_base:.2f} (target <= 1.25), "
        f"memory ratio {m_diff / m_base:.2f} (target <= 1.3)"
    )

    lines = [r["expr"] for r in corpus_rows() if r["var"] == "x"]
    text = "\n".join(lines) + "\n"
    plain_script = (
        "import sys, sympy\n"
        "from chainrule_cli.parse import parse, symbol\n"
        "x = symbol('x')\n"
        "for line in sys.stdin.read().splitlines():\n"
        "    print(sympy.diff(parse(line), x))\n"
    )
    t_plain_batch, _ = command_stats([sys.executable, "-c", plain_script], stdin=text, runs=3)
    batch_cmd = [sys.executable, "-m", "chainrule_cli", "diff", "-", "x", "--format", "json"]
    t_batch, _ = command_stats([*batch_cmd, "--jobs", "1"], stdin=text, runs=3)
    print(
        f"batch of {len(lines)} corpus lines, diff - --format json --jobs 1 "
        f"{t_batch * 1000:.0f} ms vs a plain SymPy script (parse, sympy.diff, print) "
        f"{t_plain_batch * 1000:.0f} ms: ratio {t_batch / t_plain_batch:.2f}"
    )

    # --jobs: the default (one worker per core) against --jobs 1, interleaved pairs
    for copies in (1, 2):
        batch = text * copies
        pairs = [
            (command_stats(batch_cmd, stdin=batch, runs=1)[0],
             command_stats([*batch_cmd, "--jobs", "1"], stdin=batch, runs=1)[0])
            for _ in range(5)
        ]  # fmt: skip
        t_default = statistics.median(p[0] for p in pairs)
        t_serial = statistics.median(p[1] for p in pairs)
        print(
            f"batch of {len(lines) * copies} corpus lines on {default_jobs()} cores: default "
            f"{t_default * 1000:.0f} ms vs --jobs 1 {t_serial * 1000:.0f} ms: "
            f"ratio {t_default / t_serial:.2f} (target <= 0.6)"
        )


if __name__ == "__main__":
    main()
