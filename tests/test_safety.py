"""Data safety and limits: -o never leaves a half-written file, even when the process is killed;
a batch never loses or reorders a line; every limit has a default, an option, a clear error
(exit 1, kind limit or timeout) and is tested here."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest
from test_diff_cli import chainrule

DEEP = "sin(" * 400 + "x" + ")" * 400  # a few seconds of work, a JSON of megabytes
# A sum of products whose steps and checks take seconds (about 6 s here; the 120-term one
# about 2.5 s, so that lines timed out in a batch do not run on for long beside the others).
SLOW = "+".join(f"sin({i}x)*cos(x^{i})" for i in range(1, 300))
SLOW_LINE = "+".join(f"sin({i}x)*cos(x^{i})" for i in range(1, 120))


def start(*args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "chainrule_cli", *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, "NO_COLOR": "1"},
    )


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL, signal.SIGINT])
@pytest.mark.slow
def test_a_killed_run_never_leaves_a_partial_output_file(tmp_path, sig):
    target = tmp_path / "out.json"
    target.write_text("OLD\n")
    # kill at several moments: while importing, while working, around the write
    outcomes = set()
    for delay in (0.3, 1.0, 2.0, 3.5, 6.0):
        process = start("diff", DEEP, "x", "--format", "json", "-o", str(target))
        time.sleep(delay)
        process.send_signal(sig)
        process.wait(timeout=120)
        content = target.read_text()
        if content == "OLD\n":
            outcomes.add("old")
        else:
            assert json.loads(content)["ok"] is True  # whole, never a prefix
            outcomes.add("new")
        if sig != signal.SIGKILL:
            # an orderly end removes its temporary file; SIGKILL cannot be caught
            assert sorted(p.name for p in tmp_path.iterdir()) == ["out.json"]
        target.write_text("OLD\n")
    assert "old" in outcomes


def test_a_finished_run_replaces_the_file_whole(tmp_path):
    target = tmp_path / "out.json"
    target.write_text("OLD\n")
    result = chainrule("diff", DEEP, "x", "--format", "json", "-o", str(target))
    assert result.returncode == 0, result.stderr
    assert json.loads(target.read_text())["verified"] is True
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.json"]


@pytest.mark.slow
def test_batch_never_loses_or_reorders_a_line():
    lines = []
    for i in range(12):
        lines += [f"sin({i}x)", "x +", SLOW_LINE, f"x^{i} + exp(x)", "1/(", "|x|"]
    stdin = "\n".join(lines) + "\n\n   \n"
    result = chainrule("diff", "-", "x", "--format", "json", "--timeout", "1", stdin=stdin)
    assert result.returncode == 1
    objects = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o["input"] for o in objects] == lines  # N non-blank lines in, N results out, in order
    kinds = [o["error"]["kind"] if not o["ok"] else "ok" for o in objects]
    assert kinds[:6] == ["ok", "parse", "timeout", "ok", "parse", "ok"]
    assert kinds == kinds[:6] * 12


# ---- limits -----------------------------------------------------------------------------------

LIMITS = [
    # (what, arguments over the default limit, the same with the option raised, kind, message)
    (
        "input length",
        ["diff", "x" + "+x" * 6000, "x"],
        ["--max-length", "20000"],
        "limit",
        "the limit is 10000",
    ),
    (
        "nesting depth",
        ["diff", "(" * 2100 + "x" + ")" * 2100, "x"],
        ["--max-depth", "3000"],
        "limit",
        "nesting deeper than 2000 levels (raise the limit with --max-depth)",
    ),
    (
        "digits of a power",
        ["diff", "10^5000 x", "x"],
        ["--max-digits", "6000"],
        "limit",
        "more than 3,000 digits (raise the limit with --max-digits)",
    ),
    (
        "output size",
        ["diff", "sin(" * 300 + "x" + ")" * 300, "x", "--max-output", "100000"],
        ["--max-output", "100000000"],
        "limit",
        "the limit is 100,000 (raise it with --max-output)",
    ),
    (
        "wall time",
        ["diff", SLOW, "x", "--timeout", "2"],
        None,
        "timeout",
        "gave up after 2 seconds (raise it with --timeout)",
    ),
]


@pytest.mark.parametrize("what, args, raised, kind, message", LIMITS, ids=[w[0] for w in LIMITS])
def test_each_limit_has_a_clear_error_and_an_option(what, args, raised, kind, message):
    result = chainrule(*args, "--format", "json")
    assert result.returncode == 1, result.stderr
    obj = json.loads(result.stdout)
    assert obj["ok"] is False and obj["error"]["kind"] == kind
    assert message in obj["error"]["message"]
    assert result.stderr.startswith("error: ") and "Traceback" not in result.stderr
    if raised is not None:
        result = chainrule(*args, *raised, "--format", "json")
        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout)["ok"] is True


def test_every_command_has_the_limit_options():
    for command in ("diff", "grad", "jacobian", "graph", "check"):
        result = chainrule(command, "--help")
        for option in ("--max-length", "--max-depth", "--max-digits", "--max-output", "--timeout"):
            assert option in result.stdout, (command, option)


def test_the_python_api_works_on_long_integers_and_leaves_the_settings_as_they_were():
    # the command line and the Python API make the same settings where the work runs
    from chainrule_cli import differentiate

    digits, frames = sys.get_int_max_str_digits(), sys.getrecursionlimit()
    d = differentiate("(10^2999*x)^2", "x")
    obj = d.to_json()
    assert obj["result"] == "2" + "0" * 5998 + "*x"
    assert d.to_text().count("0") >= 5998
    assert (sys.get_int_max_str_digits(), sys.getrecursionlimit()) == (digits, frames)


def test_parse_reads_and_prints_long_numbers_as_diff_does():
    # found in review: parse ran outside the work's settings, so a 4,400-digit number was an
    # internal error (Python's limit of 4,300 digits for printing an integer)
    from chainrule_cli.api import parse_expression

    result = chainrule("parse", "10^4400*x", "--max-digits", "10000")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "1" + "0" * 4400 + "*x\n"
    long = "1" * 5000
    assert chainrule("parse", long).stdout == long + "\n"
    parsed = parse_expression("10^4400*x", max_digits=10000)
    assert len(parsed.text) == 4403 and parsed.to_json()["expr"] == parsed.text


@pytest.mark.parametrize(
    "args",
    [
        ("parse", "1.0e999999999"),
        ("parse", "1.0e-999999999"),
        ("diff", "1.0e999999999*x", "x", "--timeout", "3"),
        ("diff", "x^2", "x", "--at", "x=1.0e999999999"),
    ],
)
def test_a_literal_of_too_many_digits_is_refused_before_it_is_built(args):
    """Issue 27, F6: a 14-character decimal hung the process past its timeout and SIGTERM:
    its exponent is bounded like a power's digits (--max-digits), on the text."""
    result = chainrule(*args)  # a hang is subprocess.TimeoutExpired, after 300 s
    assert result.returncode == 1 and result.stdout == ""
    assert "has more than 3,000 digits (raise the limit with --max-digits)" in result.stderr


def test_a_large_exponent_within_the_limit_is_still_read():
    assert chainrule("parse", "1.5e2999").stdout.strip() == "1.50000000000000e+2999"
    assert "2.5e-10*x" in chainrule("parse", "2.5e-10*x").stdout


@pytest.mark.parametrize(
    "name", ["</math><script>alert(1)</script>", "\\input{/etc/passwd}", "x\nimport os", "$x$"]
)
def test_a_sympy_name_no_input_could_give_is_refused(name):
    """Issue 27, F3: a Symbol's name reached HTML and LaTeX unescaped (a <script>, \\input)."""
    import sympy

    from chainrule_cli import api

    x = sympy.Symbol("x", real=True)
    bad = sympy.Symbol(name, real=True)
    for call in (
        lambda: api.differentiate(x**2 * bad, x),
        lambda: api.graph(bad * x),
        lambda: api.check(x**2, x, bad),
        lambda: api.jacobian([bad * x, x]),
        lambda: api.differentiate(sympy.Function(name)(x), x),
    ):
        with pytest.raises(api.ParseError, match="is not one chainrule reads"):
            call()
