"""Fuzzing (issue 8, item 1): Hypothesis over the parser and over every command's CLI entry.

Inputs come from four sources: random text over an alphabet biased toward the input language,
random mutations of the corpus' expressions, random SymPy trees printed with str() (and LaTeX),
and textbook-style strings (plain and LaTeX) built here. The properties:

* the parser returns a SymPy Expr or raises ChainruleError, within a few seconds;
* every command exits 0, 1 or 2, never with an exception, a "Traceback" or an "internal error";
  exit 2 comes with an error line; with --format json stdout is JSON (JSON Lines in batch: one
  object per non-blank input line, in order) that matches the shipped schema;
* nothing unverified is presented as verified: "verified": true never comes with a "verification
  failed" message or a failing exit status, "NOT VERIFIED" never exits 0, and a derivative
  reported as verified agrees with sympy.diff at random real points;
* a run never takes much longer than its --timeout (subprocesses through `python -m`).

CI runs about 3,850 examples, derandomized (the same ones every run). More:
`CHAINRULE_FUZZ=long python -m pytest tests/test_fuzz.py` runs 100,000 with fresh random
examples; `CHAINRULE_FUZZ=20000` runs about that many. See docs/fuzzing.md.
"""

from __future__ import annotations

import contextlib
import csv
import json
import math
import os
import re
import resource
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from importlib import resources
from pathlib import Path

import jsonschema
import pytest
import sympy
import typer
from conftest import runner
from hypothesis import HealthCheck, Phase, event, example, given, settings
from hypothesis import strategies as st
from referencing import Registry, Resource
from strategies import expressions

from chainrule_cli.cli import app, expressions_not_options
from chainrule_cli.errors import ChainruleError
from chainrule_cli.parse import parse

ROOT = Path(__file__).resolve().parent.parent
X = sympy.Symbol("x", real=True)
TIMEOUT = 5  # --timeout of every fuzzed call, in seconds
COMMAND = typer.main.get_command(app)

# ---------------------------------------------------------------------------------------------
# How many examples: the CI budget per test (about 3,850 in all); CHAINRULE_FUZZ=long spreads
# 100,000 over the tests in the same proportions, CHAINRULE_FUZZ=N spreads N.

BUDGET = {
    "parser_random_text": 900,
    "parser_mutations": 700,
    "parser_trees": 400,
    "parser_textbook": 500,
    "cli_parse": 200,
    "cli_diff": 300,
    "cli_grad": 150,
    "cli_jacobian": 150,
    "cli_graph": 200,
    "cli_check": 120,
    "cli_batch": 80,
    "verified_results_are_right": 150,
    "real_entry_point": 8,
}
CI_TOTAL = sum(BUDGET.values())
_MODE = os.environ.get("CHAINRULE_FUZZ", "ci").strip().lower() or "ci"
if _MODE == "ci":
    TOTAL = CI_TOTAL
elif _MODE == "long":
    TOTAL = 100_000
elif _MODE.isdigit():
    TOTAL = int(_MODE)
else:
    raise ValueError(f"CHAINRULE_FUZZ must be ci, long or a number, not {_MODE!r}")

SUPPRESS = [
    HealthCheck.too_slow,
    HealthCheck.filter_too_much,
    HealthCheck.data_too_large,
    HealthCheck.large_base_example,
]
# Named fuzz-* so that conftest.py's global "ci" profile (200 examples) is left as it is.
# CI does not shrink: a failure is reported as generated, so a run with a slow bug in it stays
# bounded in time; the long runs shrink to the smallest failing input.
settings.register_profile(
    "fuzz-ci",
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=SUPPRESS,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
)
settings.register_profile(
    "fuzz-long",
    deadline=None,
    derandomize=False,  # not inherited from conftest.py's profile
    suppress_health_check=SUPPRESS,
    phases=list(Phase),
)
BASE = settings.get_profile("fuzz-ci" if _MODE == "ci" else "fuzz-long")

# a fuzzing campaign: minutes; `python -m pytest -m slow` runs it (and CI)
pytestmark = pytest.mark.slow


def fuzz(name: str) -> settings:
    """The settings of one fuzz test: its share of the total number of examples."""
    share = BUDGET[name] if TOTAL == CI_TOTAL else math.ceil(BUDGET[name] * TOTAL / CI_TOTAL)
    return settings(BASE, max_examples=max(1, share))


MEMORY_LIMIT = 6 << 30  # bytes of address space while the fuzz tests run


@pytest.fixture(scope="module", autouse=True)
def bounded_memory():
    """A runaway computation (a bug the fuzzers found) ends in MemoryError, not in the
    machine's out-of-memory killer. A timed-out computation goes on in its daemon thread, so
    the limit stays while such a thread is alive."""
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = MEMORY_LIMIT if hard == resource.RLIM_INFINITY else min(MEMORY_LIMIT, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    yield
    if not any(t.name == "chainrule-work" and t.is_alive() for t in threading.enumerate()):
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


# ---------------------------------------------------------------------------------------------
# Inputs

# Pieces of the input language (and of things near it) for random text and mutations.
TOKENS = [
    *"xywbe",
    *"0123456789",
    *"+-*/^()[]{}|,.!'=<>_",
    *" \t\n",
    *"π√·×−²³⁻¹∞αθ",
    "pi",
    "alpha",
    "x_1",
    "w0",
    "e^",
    "**",
    "sin",
    "cos",
    "tan",
    "sec",
    "exp",
    "ln",
    "log",
    "log2",
    "sqrt",
    "cbrt",
    "abs",
    "sigmoid",
    "relu",
    "softplus",
    "tanh",
    "arcsin",
    "asinh",
    "erf",
    "gamma",
    "max",
    "min",
    "f(",
    "g(",
    "h(",
    "Derivative(",
    "Subs(",
    "Piecewise(",
    "Heaviside(",
    "factorial(",
    "1e3",
    "0.5",
    "10^10^4",  # a tower is kept symbolic; 10^10^10 is the same, slower if computed
    "9999999999",
    "\\frac",
    "\\frac{1}{",
    "\\sqrt",
    "\\sqrt[3]",
    "\\sin",
    "\\cos",
    "\\ln",
    "\\log",
    "\\exp",
    "\\cdot",
    "\\times",
    "\\pi",
    "\\alpha",
    "\\sigma",
    "\\left(",
    "\\right)",
    "\\left|",
    "\\right|",
    "\\operatorname{",
    "\\mathrm{",
    "\\",
    "\\\\",
    "$",
    "&",
    "\x00",
    "\x1c",
    "\u2028",
    "\ufeff",
]
fragments = st.one_of(st.sampled_from(TOKENS), st.characters())
random_text = st.one_of(
    st.lists(fragments, max_size=25).map("".join),
    st.text(alphabet=st.sampled_from([t for t in TOKENS if len(t) == 1]), max_size=30),
    st.text(max_size=20),
)

with (ROOT / "tests" / "data" / "corpus.tsv").open(encoding="utf-8", newline="") as _file:
    CORPUS = [row["expr"] for row in csv.DictReader(_file, delimiter="\t") if row["expr"]]


@st.composite
def mutated(draw) -> str:
    """A corpus expression with random characters and substrings inserted, deleted, replaced,
    duplicated, reversed or spliced in from another expression."""
    text = draw(st.sampled_from(CORPUS))
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(("insert", "delete", "replace", "duplicate", "swap", "splice")))
        i = draw(st.integers(0, len(text)))
        j = draw(st.integers(i, min(len(text), i + 8)))
        if kind == "insert":
            text = text[:i] + draw(fragments) + text[i:]
        elif kind == "delete":
            text = text[:i] + text[j:]
        elif kind == "replace":
            text = text[:i] + draw(fragments) + text[j:]
        elif kind == "duplicate":
            text = text[:j] + text[i:j] * draw(st.integers(1, 3)) + text[j:]
        elif kind == "swap":
            text = text[:i] + text[i:j][::-1] + text[j:]
        else:
            text = text[:i] + draw(st.sampled_from(CORPUS)) + text[j:]
    return text


# Textbook-style plain text: implicit products, `sin x`, `e^x`, `|x|`, Unicode.
PLAIN_ATOMS = ["x", "y", "w", "b", "2", "3", "0.5", "10", "π", "e", "pi", "alpha", "x_1", "w0"]
PLAIN_UNARY = [
    "sin({})",
    "sin {}",
    "cos({})",
    "tan {}",
    "ln {}",
    "ln({})",
    "log({})",
    "log({}, 2)",
    "log2({})",
    "log10({})",
    "exp({})",
    "e^({})",
    "e^{}",
    "sqrt({})",
    "√({})",
    "√{}",
    "cbrt({})",
    "|{}|",
    "abs({})",
    "sigmoid({})",
    "relu({})",
    "softplus({})",
    "tanh({})",
    "arcsin({})",
    "asinh({})",
    "sec({})",
    "erf({})",
    "({})²",
    "({})³",
    "({})^2",
    "({})**3",
    "({})^-1",
    "-({})",
    "−{}",
    "f({})",
    "g({})",
    "h({})",
    "1/({})",
    "2({})",
    "3{}",
]
PLAIN_BINARY = [
    "{} + {}",
    "{} - {}",
    "{} − {}",
    "({})({})",
    "{}*{}",
    "{} · {}",
    "{} × {}",
    "({})/({})",
    "{}/{}",
    "({})^({})",
    "max({}, {})",
    "min({}, {})",
    "log({}, {})",
    "({}) ({})",
]
LATEX_ATOMS = ["x", "y", "w", "b", "2", "3", "0.5", "\\pi", "e", "\\alpha", "x_1", "x_{12}"]
LATEX_UNARY = [
    "\\sin\\left({}\\right)",
    "\\cos({})",
    "\\tan {}",
    "\\ln\\left|{}\\right|",
    "\\ln({})",
    "\\log({})",
    "\\sqrt{{{}}}",
    "\\sqrt[3]{{{}}}",
    "e^{{{}}}",
    "\\exp\\left({}\\right)",
    "\\left|{}\\right|",
    "\\tanh({})",
    "\\arctan({})",
    "\\sigma({})",
    "\\operatorname{{sigmoid}}({})",
    "-{}",
    "{{{}}}^{{2}}",
    "\\left({}\\right)^{{-1}}",
    "\\frac{{1}}{{{}}}",
]
LATEX_BINARY = [
    "\\frac{{{}}}{{{}}}",
    "\\dfrac{{{}}}{{{}}}",
    "{} + {}",
    "{} - {}",
    "{} \\cdot {}",
    "{} \\times {}",
    "\\left({}\\right)^{{{}}}",
    "{}{}",
    "\\max({}, {})",
]


def _templated(atoms, unary, binary, max_leaves):
    def extend(children):
        return st.one_of(
            st.tuples(st.sampled_from(unary), children).map(lambda t: t[0].format(t[1])),
            st.tuples(st.sampled_from(binary), children, children).map(
                lambda t: t[0].format(t[1], t[2])
            ),
        )

    return st.recursive(st.sampled_from(atoms), extend, max_leaves=max_leaves)


def textbook(max_leaves: int = 8):
    return st.one_of(
        _templated(PLAIN_ATOMS, PLAIN_UNARY, PLAIN_BINARY, max_leaves),
        _templated(LATEX_ATOMS, LATEX_UNARY, LATEX_BINARY, max_leaves),
    )


def tree_text(max_leaves: int = 8):
    """SymPy's own printing of a random tree: str() (which must parse back) or LaTeX."""
    # a constant tree gets a variable: the commands have little to do with constants
    trees = expressions(max_leaves).map(lambda e: e if e.free_symbols else e * X)
    return st.one_of(trees.map(str), trees.map(str), trees.map(sympy.latex))


@st.composite
def any_expression(draw, max_leaves: int = 8) -> str:
    """Mostly well-formed input (so that the commands get past the parser), then mutations,
    then random text."""
    roll = draw(st.integers(0, 9))
    if roll < 4:
        return draw(tree_text(max_leaves))
    if roll < 7:
        return draw(textbook(max_leaves))
    if roll < 9:
        return draw(mutated())
    return draw(random_text)


def well_formed(max_leaves: int = 8):
    return st.one_of(tree_text(max_leaves), textbook(max_leaves))


class Hang(BaseException):
    """Raised by the alarm when the parser runs too long (BaseException: nothing swallows it)."""


@contextlib.contextmanager
def alarm(seconds: float):
    def ring(signum, frame):
        raise Hang(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, ring)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def variables_of(text: str) -> list[str]:
    """The variable names of text as chainrule reads it, or [] when it does not parse."""
    try:
        with alarm(10):
            return sorted(s.name for s in parse(text).free_symbols)
    except ChainruleError:
        return []
    except Hang:
        raise AssertionError(f"the parser hangs on {text!r}") from None
    except Exception as exc:  # noqa: BLE001 - a bug: name the input
        raise AssertionError(f"the parser raised {exc!r} on {text!r}") from exc


NAMES = ["x", "y", "w", "b", "alpha", "x_1", "w0", "t", "z", "e", "pi", "lambda", "if", "1", ""]
VALUES = ["1", "0", "-1", "2", "0.5", "-0.25", "1/3", "pi", "e", "sqrt(2)", "1e3", "10^400", "x"]


@st.composite
def variable(draw, names: list[str]) -> str:
    """Mostly a variable of the expression; sometimes another name or random text."""
    roll = draw(st.integers(0, 9))
    if names and roll < 8:
        return draw(st.sampled_from(names))
    return draw(st.sampled_from(NAMES) if roll < 9 else random_text)


@st.composite
def variables(draw, names: list[str]) -> list[str]:
    """VARS for grad and jacobian: none (all of them), some, or odd ones."""
    if names and draw(st.booleans()):
        return draw(st.lists(st.sampled_from(names), max_size=len(names), unique=True))
    return draw(st.lists(variable(names), max_size=3))


@st.composite
def point(draw, names: list[str]) -> str:
    """An --at value: NAME=VALUE pairs, mostly for every variable of the expression."""
    roll = draw(st.integers(0, 19))
    if roll == 0:
        return draw(random_text)
    chosen = list(names)
    if roll == 1 or not chosen and roll < 5:
        chosen = draw(st.lists(st.sampled_from(NAMES), max_size=3, unique=True)) + chosen
    if roll == 2 and chosen:
        chosen.pop(draw(st.integers(0, len(chosen) - 1)))
    pairs = []
    for name in chosen:
        value = draw(st.sampled_from(VALUES) if draw(st.integers(0, 9)) else random_text)
        pairs.append(f"{name}={value}")
    return ",".join(pairs)


@st.composite
def common(draw, formats: list[str]) -> tuple[str, list[str]]:
    """--format and the options every expression command shares."""
    fmt = draw(st.sampled_from(formats))
    options = ["--format", fmt, "--timeout", str(TIMEOUT)]
    if fmt == "latex" and draw(st.booleans()):
        options.append("--standalone")
    if draw(st.integers(0, 3)) == 0:
        options += ["--lang", draw(st.sampled_from(["en", "zh"]))]
    if draw(st.integers(0, 9)) == 0:
        options += ["--input", draw(st.sampled_from(["auto", "text", "latex"]))]
    if draw(st.integers(0, 14)) == 0:
        options += ["--function", draw(st.sampled_from(["u", "F", "phi", "sin", "x", "1"]))]
    if draw(st.integers(0, 19)) == 0:
        options += [draw(st.sampled_from(["--max-length", "--max-depth"])), "5"]
    return fmt, options


ENVIRONMENTS = [
    {},
    {"LANG": "zh_CN.UTF-8"},
    {"LANG": "C", "NO_COLOR": "1"},
    {"LANG": "en_US.UTF-8", "COLUMNS": "20"},
]


def arrange(command: str, positionals: list[str], options: list[str], explicit: bool) -> list[str]:
    """The arguments: `COMMAND OPTIONS -- ARGS` (explicit), or `COMMAND ARGS OPTIONS` rewritten
    the way chainrule_cli.cli.main() rewrites a command line (arguments starting with '-')."""
    if explicit:
        return [command, *options, "--", *positionals]
    return expressions_not_options([command, *positionals, *options], COMMAND)


# ---------------------------------------------------------------------------------------------
# Properties of every run


def load_schema(name: str) -> dict:
    return json.loads(resources.files("chainrule_cli").joinpath(f"schemas/{name}").read_text())


SCHEMAS = {
    name: load_schema(f"{name}.json")
    for name in ("derivation", "gradient", "jacobian", "graph", "check")
}
REGISTRY = Registry().with_resources(
    [(s["$id"], Resource.from_contents(s)) for s in SCHEMAS.values()]
)
VALIDATORS = {
    f"chainrule.{name}/1": jsonschema.Draft202012Validator(schema, registry=REGISTRY)
    for name, schema in SCHEMAS.items()
}
SCHEMA_OF = {
    "diff": "chainrule.derivation/1",
    "grad": "chainrule.gradient/1",
    "jacobian": "chainrule.jacobian/1",
    "graph": "chainrule.graph/1",
    "check": "chainrule.check/1",
}


# English, or Chinese with --lang zh or a Chinese locale (第 3 行：错误：…)
ERROR_LINE = re.compile(
    r"^((line \d+: )?error\b|(第 \d+ 行：)?错误：)", re.IGNORECASE | re.MULTILINE
)
FAILED_LINE = re.compile(
    r"^(?:(?:line (\d+): )?error: verification failed|(?:第 (\d+) 行：)?错误：验证失败)",
    re.MULTILINE,
)
NOT_VERIFIED = ("NOT VERIFIED", "未通过验证")
CLAIMS_VERIFIED = ("Every step verified", "Every gradient verified", "都已用 SymPy 验证")


def invoke(args: list[str], stdin: str | None = None, env: dict | None = None, lines: int = 1):
    """Run the command in this process and check what every run must satisfy."""
    started = time.monotonic()
    result = runner.invoke(args, input=stdin, env=env)
    elapsed = time.monotonic() - started
    where = f"args={args!r} stdin={stdin!r} env={env!r}"
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        shown = "".join(traceback.format_exception(result.exception))
        raise AssertionError(f"uncaught exception for {where}\n{shown}")
    out, err = result.stdout, result.stderr
    event(f"{args[0]}: exit {result.exit_code}")
    assert result.exit_code in (0, 1, 2), f"exit {result.exit_code} for {where}\n{err}"
    for stream in (out, err):
        assert "Traceback" not in stream, f"traceback for {where}:\n{stream}"
        assert "internal error" not in stream, f"internal error for {where}:\n{err}"
    if result.exit_code == 2:
        assert ERROR_LINE.search(err), f"exit 2 without an error line for {where}:\n{err}"
    # the work runs in a thread with a deadline: the whole run stays near --timeout per line
    assert elapsed < TIMEOUT * lines + 15, f"{elapsed:.1f} s for {where}"
    if result.exit_code == 0:
        assert not FAILED_LINE.search(err), f"verification failed, yet exit 0 for {where}"
    for words in NOT_VERIFIED:
        assert not (words in out and result.exit_code == 0), f"{words!r} with exit 0: {where}"
    if FAILED_LINE.search(err) and "\n" not in (stdin or ""):
        for words in CLAIMS_VERIFIED:
            assert words not in out, f"verification failed, yet {words!r} for {where}"
    return result


def verified_flag(obj: dict):
    if "verified" in obj:
        return obj["verified"]
    derivation = obj.get("derivation")
    return derivation.get("verified") if isinstance(derivation, dict) else None


def check_object(obj, schema: str, where: str) -> None:
    assert isinstance(obj, dict), f"not an object for {where}: {obj!r}"
    assert obj.get("schema") == schema, f"schema {obj.get('schema')!r} for {where}"
    errors = sorted(VALIDATORS[schema].iter_errors(obj), key=lambda e: list(e.path))
    assert not errors, f"{schema} schema violated for {where}: {errors[0].message}"
    if obj.get("ok") is False:
        assert obj["error"]["kind"] != "internal", f"internal error for {where}: {obj}"


def check_json(result, schema: str, where: str, inputs: list[str] | None = None) -> list[dict]:
    """stdout is one JSON object (or, for a batch, one per non-blank input line, in order),
    consistent with the exit status and with what stderr says about verification."""
    code, err = result.exit_code, result.stderr
    if code == 2 and "Usage:" in err and not result.stdout:
        return []  # Click's own usage error, before the command runs
    if inputs is None:
        try:
            objects = [json.loads(result.stdout)]
        except json.JSONDecodeError as exc:
            message = f"stdout is not JSON ({exc}) for {where}:\n{result.stdout}"
            raise AssertionError(message) from None
    else:
        rows = [row for row in result.stdout.split("\n") if row.strip()]
        assert len(rows) == len(inputs), f"{len(rows)} JSON lines for {len(inputs)}: {where}"
        objects = []
        for row in rows:
            try:
                objects.append(json.loads(row))
            except json.JSONDecodeError as exc:
                raise AssertionError(f"not a JSON line ({exc}) for {where}: {row!r}") from None
        for obj, text in zip(objects, inputs, strict=True):
            assert isinstance(obj, dict) and obj.get("input") == text, f"order: {where}"
    failed = {int(en or zh or 1) for en, zh in FAILED_LINE.findall(err)}
    for number, obj in enumerate(objects, start=1):
        check_object(obj, schema, where)
        verified = verified_flag(obj)
        if obj.get("ok") is False or verified is False:
            assert code != 0, f"failure or unverified result with exit 0 for {where}: {obj}"
        if verified is False:
            assert number in failed, f"unverified without saying so for {where}"
        if number in failed:
            assert verified is not True, f"'verified': true after a failed check for {where}"
        if obj.get("verdict") is not None and obj.get("verdict") != "correct":
            assert code == 1, f"verdict {obj['verdict']} with exit {code} for {where}"
    if code == 0:
        assert all(o.get("ok") is True and verified_flag(o) is not False for o in objects)
        assert all(o.get("verdict") in (None, "correct") for o in objects), where
    return objects


# ---------------------------------------------------------------------------------------------
# The parser


def parses_or_refuses(text: str, kind: str = "auto") -> sympy.Expr | None:
    try:
        with alarm(10):
            expr = parse(text, input=kind)
    except ChainruleError as exc:
        assert str(exc), f"an empty message for {text!r}"
        return None
    except Hang:
        raise AssertionError(f"the parser hangs on {text!r}") from None
    assert isinstance(expr, sympy.Expr), f"{text!r} parsed to {type(expr).__name__}"
    for node in sympy.preorder_traversal(expr):
        if isinstance(node, (sympy.Add, sympy.Mul, sympy.Pow)):
            lists = [a for a in node.args if isinstance(a, sympy.Tuple)]
            assert not lists, f"{text!r}: a list {lists[0]} in arithmetic, in {node}"
    # README, Limits: a power of a number is refused or kept symbolic beyond 3,000 digits, so no
    # number is much longer than that or than the numbers typed
    bound = (3_000 + 2 * len(text)) * math.log2(10)
    for number in expr.atoms(sympy.Rational):
        for part in (number.p, number.q):
            bits = abs(part).bit_length()
            digits = round(bits / math.log2(10))
            assert bits <= bound, f"{text!r} computed a {digits}-digit number"
    return expr


INPUT_KINDS = st.sampled_from(["auto", "auto", "text", "latex"])


@fuzz("parser_random_text")
@given(random_text, INPUT_KINDS)
def test_parser_random_text(text, kind):
    parses_or_refuses(text, kind)


@fuzz("parser_mutations")
@given(mutated(), INPUT_KINDS)
def test_parser_mutations(text, kind):
    parses_or_refuses(text, kind)


@fuzz("parser_trees")
@given(expressions())
def test_parser_trees(expr):
    # what SymPy prints must parse back (docs/architecture.md §3), and its LaTeX must not
    # crash the parser
    text = str(expr)
    assert parses_or_refuses(text) is not None, f"str() output {text!r} does not parse"
    parses_or_refuses(sympy.latex(expr), "latex")


@fuzz("parser_textbook")
@given(textbook(max_leaves=12))
def test_parser_textbook(text):
    parses_or_refuses(text)


@settings(BASE, phases=[Phase.explicit])
@given(st.text(), INPUT_KINDS)
# a tower kept symbolic was computed once divided or rooted: 1/10^10^10 (as in
# 'x1/10^10^10xsqrt(x)') worked on a 10^10-digit number for minutes, without a deadline
@example("1/10^10^4", "auto")
@example("x/10^10^4", "auto")
@example("sqrt(10^10^4)", "auto")
# ... and so is a tower over a variable: x^(-10^(10^10)) is worked out for minutes
@example("1/x^10^10^10", "auto")
@example("sqrt(x^10^10^10)", "auto")
# a list in arithmetic: accepted as an expression (x*(1, 2)) or an AttributeError from SymPy
@example("x*(1,2)", "auto")
@example("2*(1,2)", "auto")
@example("(1,2)+x", "auto")
@example("Max(0, x)*w(0, x)*w", "latex")
# a condition inside arithmetic: SymPy's TypeError, an internal error even in `parse`
@example("x^(x=1)", "auto")
@example("(2=3 - 5)^4", "auto")
@example("5x(-x=x)", "auto")
# zoo reached the stepper (d/dx sinh(zoo·x): SymPy compares with NaN)
@example("sinh(zoo*x)", "auto")
# SymPy's Mul rebuilt a tower as a power and asked whether its exponent is prime (evalf of
# 10^(4^(10^4))): minutes, with some hash seeds only
@example("1010^10^410^10^4^10^4x^(-2/5)", "auto")
def test_parser_found_by_fuzzing(text, kind):
    parses_or_refuses(text, kind)


# ---------------------------------------------------------------------------------------------
# Every command, in this process


@fuzz("cli_parse")
@given(any_expression(), st.sampled_from(["text", "json", "latex", "srepr"]), INPUT_KINDS,
       st.booleans(), st.sampled_from(ENVIRONMENTS))  # fmt: skip
def test_cli_parse(text, fmt, kind, explicit, env):
    args = arrange("parse", [text], ["--format", fmt, "--input", kind], explicit)
    result = invoke(args, env=env)
    if fmt == "json" and not (result.exit_code == 2 and not result.stdout):
        obj = json.loads(result.stdout)
        assert obj["schema"] == "chainrule.parse/1" and obj["ok"] is (result.exit_code == 0)


DIFF_FORMATS = ["terminal", "text", "latex", "markdown", "json", "json"]


@st.composite
def diff_case(draw):
    text = draw(any_expression())
    names = variables_of(text)
    fmt, options = draw(common(DIFF_FORMATS))
    positionals = [text]
    if names or draw(st.booleans()):
        positionals.append(draw(variable(names)))
    if draw(st.integers(0, 3)) == 0:
        options += ["--order", str(draw(st.integers(1, 3)))]
    if draw(st.integers(0, 2)) == 0:
        options += ["--at", draw(point(names))]
    if draw(st.integers(0, 3)) == 0:
        options += ["--detail", draw(st.sampled_from(["full", "brief"]))]
    if draw(st.integers(0, 9)) == 0:
        let = draw(st.sampled_from(["u=x^2", "y=sin(x)", "u=", "=x", "u=u", "v=w*x+b"]))
        options += ["--let", let]
    return fmt, positionals, options


JSON_OPTIONS = ["--format", "json", "--timeout", str(TIMEOUT)]


@fuzz("cli_diff")
@given(diff_case(), st.booleans(), st.sampled_from(ENVIRONMENTS))
def test_cli_diff(case, explicit, env):
    fmt, positionals, options = case
    args = arrange("diff", positionals, options, explicit)
    result = invoke(args, env=env)
    if fmt == "json":
        check_json(result, "chainrule.derivation/1", repr(args))


@st.composite
def point_and_detail(draw, names: list[str]) -> list[str]:
    """The options grad and jacobian share beyond common(): sometimes --at, sometimes --detail."""
    options = []
    if draw(st.integers(0, 2)) == 0:
        options += ["--at", draw(point(names))]
    if draw(st.integers(0, 3)) == 0:
        options += ["--detail", draw(st.sampled_from(["full", "brief"]))]
    return options


@fuzz("cli_grad")
@given(any_expression(), st.data(), st.booleans(), st.sampled_from(ENVIRONMENTS))
def test_cli_grad(text, data, explicit, env):
    names = variables_of(text)
    fmt, options = data.draw(common(DIFF_FORMATS))
    wrt = data.draw(variables(names))
    options += data.draw(point_and_detail(names))
    args = arrange("grad", [text, *wrt], options, explicit)
    result = invoke(args, env=env)
    if fmt == "json":
        check_json(result, "chainrule.gradient/1", repr(args))


@st.composite
def function_list(draw) -> tuple[str, list[str]]:
    """'[f1, f2, …]' of random parts (or one expression, or random text), and its variables."""
    part = st.one_of(*[well_formed(max_leaves=5)] * 4, any_expression(max_leaves=5))
    parts = draw(st.lists(part, min_size=1, max_size=3))
    shape = draw(st.sampled_from(["[{}]"] * 5 + ["{}", "({})", "[[{}]]", "[{},]"]))
    text = shape.format(draw(st.sampled_from([", ", ",", " , "])).join(parts))
    return text, sorted({name for part in parts for name in variables_of(part)})


@fuzz("cli_jacobian")
@given(function_list(), st.data(), st.booleans(), st.sampled_from(ENVIRONMENTS))
def test_cli_jacobian(case, data, explicit, env):
    text, names = case
    fmt, options = data.draw(common(DIFF_FORMATS))
    wrt = data.draw(variables(names))
    options += data.draw(point_and_detail(names))
    if data.draw(st.integers(0, 9)) == 0:
        options += ["--let", data.draw(st.sampled_from(["u1=x*y", "u=sin(x)", "u=(", "1=x"]))]
    args = arrange("jacobian", [text, *wrt], options, explicit)
    result = invoke(args, env=env)
    if fmt == "json":
        check_json(result, "chainrule.jacobian/1", repr(args))


GRAPH_FORMATS = ["terminal", "text", "latex", "markdown", "json", "json", "dot", "python"]


@fuzz("cli_graph")
@given(any_expression(), st.data(), st.booleans(), st.sampled_from(ENVIRONMENTS))
def test_cli_graph(text, data, explicit, env):
    names = variables_of(text)
    fmt, options = data.draw(common(GRAPH_FORMATS))
    if data.draw(st.booleans()):
        options += ["--at", data.draw(point(names))]
    if data.draw(st.integers(0, 4)) == 0:
        options += ["--wrt", ",".join(data.draw(st.lists(variable(names), max_size=3)))]
    if fmt == "python" and data.draw(st.integers(0, 3)) == 0:
        options += ["--name", data.draw(st.sampled_from(["grad", "class", "f2", "1f", "", "é"]))]
    args = arrange("graph", [text], options, explicit)
    result = invoke(args, env=env)
    if fmt == "json":
        check_json(result, "chainrule.graph/1", repr(args))
    if fmt == "python" and result.exit_code == 0:
        compile(result.stdout, "<chainrule graph --format python>", "exec")


@st.composite
def check_case(draw) -> tuple[str, str, str, str | None]:
    """EXPR, VAR, ANSWER and what the verdict must (not) be: a tree with its true derivative
    (never 'incorrect'), the derivative plus one (never 'correct'), or random answers."""
    how = draw(st.sampled_from(["right", "wrong", "random", "random"]))
    if how == "random":
        text = draw(any_expression(max_leaves=6))
        names = variables_of(text)
        return text, draw(variable(names)), draw(any_expression(max_leaves=6)), None
    expr = draw(expressions(max_leaves=6))
    names = sorted(s.name for s in expr.free_symbols) or ["x"]
    name = draw(st.sampled_from(names))
    derivative = sympy.diff(expr, sympy.Symbol(name, real=True))
    if derivative.has(sympy.zoo, sympy.nan, sympy.oo, sympy.Derivative, sympy.Subs):
        return str(expr), name, str(derivative), None
    if how == "right" and derivative.has(sympy.Float):
        # check reads decimals exactly (issue 23), and SymPy's float arithmetic is not exact:
        # d/dx 0.25^x printed is −1.38629436111989·0.25^x, not ln(1/4)·(1/4)^x
        return str(expr), name, str(derivative), None
    if how == "right":
        return str(expr), name, str(derivative), "incorrect"
    return str(expr), name, str(derivative + 1), "correct"


@fuzz("cli_check")
@given(check_case(), st.data(), st.booleans(), st.sampled_from(ENVIRONMENTS))
def test_cli_check(case, data, explicit, env):
    text, var, answer, impossible = case
    fmt, options = data.draw(common(DIFF_FORMATS))
    if "--input" in options and options[options.index("--input") + 1] == "latex":
        # the oracle reads the expression as str() text; as LaTeX, letters stand alone and
        # `alpha` is a·l·p·h·a (found by the long run: check alpha alpha 1 --input latex)
        impossible = None
    if impossible is None and data.draw(st.integers(0, 3)) == 0:
        options += ["--order", str(data.draw(st.integers(1, 3)))]
    args = arrange("check", [text, var, answer], options, explicit)
    result = invoke(args, env=env)
    if fmt == "json":
        objects = check_json(result, "chainrule.check/1", repr(args))
        for obj in objects:
            if impossible is not None and obj.get("ok"):
                assert obj["verdict"] != impossible, f"{impossible} for {args!r}"
    elif impossible == "correct":
        assert result.exit_code != 0, f"a wrong answer passed: {args!r}"


@st.composite
def batch_case(draw) -> tuple[str, str, list[str]]:
    """A command reading lines from stdin: good, bad, blank and odd lines."""
    command = draw(st.sampled_from(["diff", "grad", "jacobian", "graph", "check"]))
    if command == "check":
        line = st.one_of(
            st.tuples(any_expression(5), variable(["x", "y"]), any_expression(5)).map("\t".join),
            check_case().map(lambda c: "\t".join(c[:3])),
            random_text,
        )
    elif command == "jacobian":
        line = st.one_of(function_list().map(lambda case: case[0]), random_text)
    else:
        line = any_expression(max_leaves=6)
    lines = draw(st.lists(st.one_of(line, st.sampled_from(["", "  ", "\t"])), max_size=6))
    ending = draw(st.sampled_from(["\n", "\n", "\r\n", ""]))
    return command, ending.join(line.replace("\n", " ") for line in lines) + ending, lines


@fuzz("cli_batch")
@given(batch_case(), st.sampled_from(["json", "json", "text", "terminal", "markdown", "latex"]),
       st.sampled_from(ENVIRONMENTS), st.booleans())  # fmt: skip
def test_cli_batch(case, fmt, env, standalone):
    command, stdin, _ = case
    options = ["--format", fmt, "--timeout", str(TIMEOUT)]
    if fmt == "latex" and standalone:
        options.append("--standalone")
    positionals = ["-"] if command == "check" else ["-", "x"] if command == "diff" else ["-"]
    args = [command, *options, *positionals]
    inputs = [line for line in stdin.splitlines() if line.strip()]
    result = invoke(args, stdin=stdin, env=env, lines=max(1, len(inputs)))
    if inputs:
        assert result.exit_code in (0, 1), f"batch exit {result.exit_code}: {args!r} {stdin!r}"
    if fmt == "json":
        check_json(result, SCHEMA_OF[command], f"{args!r} stdin={stdin!r}", inputs=inputs)


# What the fuzzers found, kept as explicit examples (the power towers that outlast --timeout
# are in test_a_run_never_outlasts_its_timeout_by_much: in this process they would hang).


@settings(BASE, phases=[Phase.explicit])
@given(st.lists(st.text()))
# OverflowError in verify._close: internal error
@example(["diff", *JSON_OPTIONS, "--", "x^x^x^x^x^x^x^x", "x"])
@example(["grad", *JSON_OPTIONS, "--", "x^x^x^x^x^x^x^x"])
@example(["jacobian", *JSON_OPTIONS, "--", "[x^x^x^x^x^x^x^x, y]", "x", "y"])
@example(["graph", *JSON_OPTIONS, "--", "x^x^x^x^x^x^x^x"])
# a 10,000-digit number from the parser (see test_parser_found_by_fuzzing) breaks DOT labels
@example(["graph", "--format", "dot", "--at", "x=0.5,y=0.5", "--", "x*sqrt(y)/10^10^4"])
# verify's Evaluator meets a Tuple: AttributeError 'Tuple' object has no attribute 'evalf'
@example(["diff", *JSON_OPTIONS, "--", "sign(acosh(x))", "x"])
@example(["grad", *JSON_OPTIONS, "--at", "alpha=1", "--", "sign(acosh(alpha))"])
# a list in arithmetic (the parser's AttributeError, inside the work: an internal error)
@example(["diff", *JSON_OPTIONS, "--", "(1,2)+x", "x"])
# substituting the point: SymPy's assumptions compare with NaN (sinh of −∞ + …)
@example(["grad", *JSON_OPTIONS, "--at", "b=0,i=1", "--", "sinh(i*log(b)/pi - 1)"])
# the message for a value that is not real: Float(-sin(1), 6) is a TypeError
@example(["graph", *JSON_OPTIONS, "--at", "x=-1", "--", "sin(x)**pi"])
# a lone surrogate (a Python str, never a command line) in the JSON error's input
@example(["check", *JSON_OPTIONS, "--", "\ud8007", "x", "1"])
@example(["diff", *JSON_OPTIONS, "--", "x + \ud800", "x"])
# a complex counterexample printed with float(): (−8)^x is tiny and complex at x = 49.007
@example(["check", "--", "asec((-8)**x)", "x", "(log(8) + I*pi)/((-8)**x*sqrt(1 - 1/(-8)**(2*x)))"])
def test_found_by_fuzzing(args):
    result = invoke(args)
    if "json" in args:
        check_json(result, SCHEMA_OF[args[0]], repr(args))


# ---------------------------------------------------------------------------------------------
# A derivative reported as verified is right: compared with sympy.diff at random real points


def value(expr: sympy.Expr, at: dict, digits: int):
    try:
        number = expr.xreplace(at).evalf(digits)
    except (TypeError, ValueError, ZeroDivisionError, ArithmeticError, RecursionError):
        return None
    if not number.is_number or number.has(sympy.nan, sympy.zoo, sympy.oo, -sympy.oo):
        return None
    try:
        z = complex(number)
        abs(z)
    except (TypeError, ValueError, OverflowError):
        return None
    return z if math.isfinite(z.real) and math.isfinite(z.imag) else None


def real_everywhere(expr: sympy.Expr, at: dict) -> bool:
    """Every sub-expression is a finite real number at the point (so no branch is in play)."""
    for node in sympy.preorder_traversal(expr):
        if isinstance(node, sympy.Expr) and not node.is_Atom:
            z = value(node, at, 20)
            if z is None or abs(z.imag) > 1e-12 * max(1.0, abs(z.real)):
                return False
    return True


def agree(a: sympy.Expr, b: sympy.Expr, at: dict) -> bool | None:
    for digits in (30, 60):
        x, y = value(a, at, digits), value(b, at, digits)
        if x is None or y is None:
            return None
        if abs(x - y) <= 1e-9 * max(1.0, abs(x), abs(y)):
            return True
    return False


@fuzz("verified_results_are_right")
@given(st.one_of(expressions(max_leaves=8).map(str), textbook(max_leaves=6)), st.data())
def test_verified_results_are_right(text, data):
    names = variables_of(text)
    var = data.draw(st.sampled_from(names)) if names else "x"
    order = data.draw(st.sampled_from([1, 1, 1, 2]))
    args = ["diff", "--format", "json", "--order", str(order), "--timeout", str(TIMEOUT), "--"]
    result = invoke([*args, text, var])
    objects = check_json(result, "chainrule.derivation/1", repr([*args, text, var]))
    if not objects or not objects[0]["ok"] or not objects[0]["verified"]:
        return
    obj = objects[0]
    expr, found = parse(obj["input"]), parse(obj["result"])
    again = parse(obj["expr"])
    # str() prints 15 digits of a float: then the text, not the bits, must come back
    floats = isinstance(expr, sympy.Float) or bool(expr.atoms(sympy.Float))
    same_input = str(again) == str(expr) if floats else again == expr
    assert same_input, f"'expr' {obj['expr']!r} is not the input {text!r}"
    if expr.atoms(sympy.core.function.AppliedUndef) or found.has(sympy.Derivative, sympy.Subs):
        return
    truth = sympy.diff(expr, sympy.Symbol(var, real=True), order)
    symbols = sorted(expr.free_symbols | found.free_symbols, key=str)
    numbers = st.fractions(min_value=-3, max_value=3, max_denominator=97).filter(bool)
    for _ in range(3):
        at = {s: sympy.Rational(data.draw(numbers)) for s in symbols}
        if not real_everywhere(expr, at):
            continue
        same = agree(truth, found, at)
        wrong = f"d^{order}/d{var}^{order} {text!r} = {obj['result']!r}, not {truth} at {at}"
        assert same is not False, f"verified but wrong: {wrong}"
        term = obj["in_terms_of"]
        if term is not None and same:
            name = sympy.Symbol(term["name"], real=True)
            written = parse(term["result"]).xreplace({name: expr})
            assert agree(truth, written, at) is not False, f"in_terms_of wrong for {text!r}"


# ---------------------------------------------------------------------------------------------
# The real entry point, in a subprocess: main()'s argument handling, the process exit, and the
# wall time against --timeout.


def memory_limit() -> None:
    """In the child: at most 4 GB of address space, so a runaway computation cannot take the
    machine down with it."""
    resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30))


def run_process(args: list[str], stdin: str | None = None, limit: float = 60):
    """Run `python -m chainrule_cli ARGS`; killed (and a failure) after `limit` seconds."""
    env = {**os.environ, "NO_COLOR": "1"}
    started = time.monotonic()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "chainrule_cli", *args],
            input=stdin,
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="surrogateescape",
            env=env,
            timeout=limit,
            cwd=tempfile.gettempdir(),
            preexec_fn=memory_limit,
        )
    except subprocess.TimeoutExpired as exc:
        said = (exc.stdout or b"")[:300]
        message = f"still running after {limit} s (killed): {args!r}; {said!r}"
        raise AssertionError(message) from None
    return done, time.monotonic() - started


def check_process(done, elapsed: float, timeout: float, where: str) -> None:
    assert done.returncode in (0, 1, 2), f"exit {done.returncode} for {where}\n{done.stderr}"
    for stream in (done.stdout, done.stderr):
        assert "Traceback" not in stream, f"traceback for {where}:\n{stream}"
        assert "internal error" not in stream, f"internal error for {where}:\n{stream}"
    if done.returncode == 2:
        assert ERROR_LINE.search(done.stderr), f"exit 2 without an error line: {where}"
    # start-up (importing SymPy) plus the deadline, plus a little
    assert elapsed < timeout + 8, f"{elapsed:.1f} s with --timeout {timeout}: {where}"


@fuzz("real_entry_point")
@given(
    st.sampled_from(["parse", "diff", "grad", "jacobian", "graph", "check"]),
    st.lists(any_expression(5).filter(lambda t: "\x00" not in t), min_size=3, max_size=3),
)
def test_real_entry_point(command, texts):
    # no "--": main() must see that arguments starting with '-' are expressions
    positionals = {"parse": 1, "graph": 1, "diff": 2, "check": 3}.get(command, 2)
    args = [command, *texts[:positionals], "--format", "json"]
    if command != "parse":
        args += ["--timeout", "3"]
    done, elapsed = run_process(args)
    check_process(done, elapsed, 3, repr(args))
    if done.returncode != 2 or done.stdout:
        json.loads(done.stdout)


ENTRY_CASES = {
    # arguments starting with '-' are expressions (main() moves them after "--")
    "minus-expression": (["diff", "-x^2", "x", "--format", "json"], None),
    "minus-answer": (["check", "-sin(x)", "x", "-cos(x)", "--format", "json"], None),
    # bytes that are not UTF-8, in an argument and on standard input
    "argv-not-utf8": (["parse", "x\udcff", "--format", "json"], None),
    "stdin-not-utf8": (["diff", "-", "x", "--format", "json"], "x\udcff\nx^2\n"),
    "png-to-a-pipe": (["graph", "x*y", "--format", "png"], None),
    "help": (["diff", "--help"], None),
    # found by fuzzing: a list in arithmetic is an AttributeError in the parser: a traceback
    "list-in-arithmetic": (["parse", "2*(1,2)"], None),
    "list-in-arithmetic-latex": (["parse", "Max(0, x)*w(0, x)*w", "--input", "latex"], None),
}


@pytest.mark.parametrize("case", ENTRY_CASES.values(), ids=ENTRY_CASES.keys())
def test_real_entry_point_cases(case):
    args, stdin = case
    done, elapsed = run_process(args, stdin)
    check_process(done, elapsed, 60, repr(args))
    if "json" in args and (done.returncode != 2 or done.stdout):
        for row in done.stdout.splitlines():
            json.loads(row)


SLOW = {
    "diff": ["diff", "x^x^x^x^x^x", "x", "--order", "12"],
    "grad": ["grad", "(x*y)^(x*y)^(x*y)^(x*y)^(x*y)"],
    "jacobian": ["jacobian", "[(x+y)^(x-y)^(x*y)^(x/y)^(x+1)^(y+1), x]", "x", "y"],
    "check": ["check", "x^x^x^x^x^x^x", "x", "1", "--order", "8"],
    "graph": ["graph", "x^x^x^x^x^x", "--at", "x=1.5"],
    # verification evaluates a power tower at a point: mpmath works on huge numbers in C,
    # holding the GIL, so neither the deadline nor the process exit can interrupt it
    "diff-power-tower": ["diff", "x^y^x^y^x^y", "x"],
    "grad-power-tower": ["grad", "x^y^x^y^x^y^x^y"],
    # the parser computes 10^(10^8) (a tower kept symbolic, then divided): GIL held again
    "diff-divided-tower": ["diff", "1/10^10^8", "x"],
    # the value at a point is computed exactly: 0.5^(10^40) (out of memory, in the fuzz run)
    "graph-at-huge-power": ["graph", "x^10^40", "--at", "x=0.5"],
}


@pytest.mark.parametrize("args", SLOW.values(), ids=SLOW.keys())
def test_a_run_never_outlasts_its_timeout_by_much(args):
    done, elapsed = run_process([*args, "--timeout", "1", "--format", "json"], limit=30)
    check_process(done, elapsed, 1, repr(args))
    # the input is slow, or the work is simply done: both are fine; a hang is not
    if done.returncode == 1 and "timeout" in done.stdout:
        assert json.loads(done.stdout)["error"]["kind"] == "timeout"


def test_a_batch_of_slow_lines_keeps_the_deadline_per_line():
    stdin = "x^x^x^x^x^x^x^x\nsin(x)\n\nx^x^x^x^x^x^x^x^x\n"
    done, elapsed = run_process(["diff", "-", "x", "--order", "15", "--timeout", "1",
                                 "--format", "json"], stdin)  # fmt: skip
    check_process(done, elapsed, 3, "a slow batch")
    objects = [json.loads(row) for row in done.stdout.splitlines() if row.strip()]
    assert [o["input"] for o in objects] == [line for line in stdin.splitlines() if line]
