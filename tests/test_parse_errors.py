"""Bad input: a ParseError with the right column, never a traceback or a side effect."""

from __future__ import annotations

import os
import sys

import pytest
import sympy as sp
from conftest import R

from chainrule_cli.errors import LimitError, ParseError
from chainrule_cli.parse import parse

ERRORS = [
    ("sin(x", 4, "'(' is never closed (expected ')')"),
    ("x)", 2, "unexpected ')' (no matching opener)"),
    ("(x+1))", 6, "unexpected ')' (no matching opener)"),
    ("1 +", 4, "unexpected end of input, expected an expression"),
    ("", 1, "empty input, expected an expression"),
    ("   ", 1, "empty input, expected an expression"),
    ("x $ y", 3, "unexpected character '$'"),
    ("2 3", 3, "two numbers in a row: '3'"),
    ("max(x)", 1, "max takes at least 2 arguments, got 1"),
    ("sin", 1, "sin needs an argument"),
    ("sin + 1", 1, "sin needs an argument"),
    ("log(x,2,3)", 1, "log takes 1 to 2 arguments, got 3"),
    ("sin(x, y)", 1, "sin takes 1 argument, got 2"),
    ("|x", 1, "'|' is never closed (expected '|')"),
    ("x > 0", 1, "expected an expression, found a condition"),
    ("(x, y)", 1, "expected an expression, found a list"),
    ("()", 1, "empty ()"),
    ("x +* y", 4, "unexpected '*'"),
    ("2x^", 4, "unexpected end of input, expected an expression"),
    ("x^^2", 3, "unexpected '^'"),
    ("[x]", 1, "unexpected '['"),
    ("x, y", 2, "unexpected ','"),
    ("f(x", 2, "'(' is never closed (expected ')')"),
    ("sin(x]", 6, "expected ')' but found ']'"),
    (r"\foo{x}", 1, "unknown LaTeX command \\foo"),
    (r"\frac{1}", 9, "expected '{' after \\frac"),
    ("import", 1, "'import' is a reserved word, not a name"),
    ("x if y", 3, "'if' is a reserved word, not a name"),
    ("__class__", 1, "'__class__' is a reserved word, not a name"),
    ("x ≈ 1", 3, "unexpected character '≈'"),
    ("max x", 1, "max needs parentheses: max(…)"),
    # found by fuzzing: a condition inside arithmetic was SymPy's TypeError (an internal error)
    ("x^(x=1)", 2, "a condition (=, <, &, …) cannot be used in arithmetic"),
    ("(2=3 - 5)^4", 10, "a condition (=, <, &, …) cannot be used in arithmetic"),
    ("5x(-x=x)", 1, "a condition (=, <, &, …) cannot be used in arithmetic"),
    ("(x<1)+1", 1, "a condition (=, <, &, …) cannot be used in arithmetic"),
    ("(x=1)!", 6, "a condition (=, <, &, …) cannot be used in arithmetic"),
    (r"\frac{x=1}{2}", 1, "a condition (=, <, &, …) cannot be used in arithmetic"),
    # ... and values that are no number went on through the derivation: d/dx 1/0 was 0
    ("1/0", 2, "this is undefined (complex infinity, as 1/0)"),
    ("x/(1-1)", 2, "this is undefined (complex infinity, as 1/0)"),
    ("log(0)", 1, "this is undefined (complex infinity, as 1/0)"),
    ("sinh(zoo*x)", 6, "this is undefined (complex infinity, as 1/0)"),
    ("0*oo", 1, "this is undefined (NaN, as 0/0)"),
    ("oo - oo", 1, "this is undefined (NaN, as 0/0)"),
    ("2*nan", 1, "this is undefined (NaN, as 0/0)"),
    ("sin(zoo)", 1, "this is undefined (NaN, as 0/0)"),
    ("sin(oo)", 1, "this is undefined (no single value, as sin ∞)"),
    # scientific notation without a decimal point: 1·e − 3 to the grammar, 0.001 to a reader
    ("1e-3*x", 1, "'1e-3' would read as a product with e; write 1.0e-3"),
    ("x + 2E5", 5, "'2E5' would read as a product with e; write 2.0E5"),
    ("x\ufffd", 2, "unexpected character '\ufffd' (the input has bytes that are not UTF-8 text)"),
    # a quote that is no prime (it follows no name) is still an unexpected character
    ("__import__('os')", 12, 'unexpected character "\'"'),
    ("x + 'a'", 5, 'unexpected character "\'"'),
]


@pytest.mark.parametrize(("text", "column", "message"), ERRORS, ids=[e[0] for e in ERRORS])
def test_error_message_and_column(text, column, message):
    with pytest.raises(ParseError) as info:
        parse(text)
    assert info.value.column == column
    assert info.value.message == message
    assert str(info.value) == f"column {column}: {message}"


def test_an_undefined_value_under_a_tall_zero_is_still_refused():
    # 0 is one shared object: 0·D for a 45-deep D once made every later 0 "tall", so log(0)
    # was built unevaluated, never became zoo, and was differentiated (review finding)
    tall = "sin(" * 45 + "x" + ")" * 45
    with pytest.raises(ParseError) as info:
        parse(f"x*log(0*{tall})")
    assert info.value.column == 3
    assert info.value.message == "this is undefined (complex infinity, as 1/0)"
    assert parse(f"0*{tall} + sin(0)") == 0


def test_unknown_function_suggests_the_close_one():
    with pytest.raises(ParseError) as info:
        parse("1 + sine(x)")
    assert info.value.column == 5
    assert info.value.message == (
        "'sine' is not a known function: declare it with --function sine, or write sine*(x) for"
        " a product; did you mean 'sin'?"
    )


def test_unknown_function_without_suggestion_says_how_to_fix():
    with pytest.raises(ParseError) as info:
        parse("qqq(x)")
    assert info.value.message == (
        "'qqq' is not a known function: declare it with --function qqq, or write qqq*(x) for a"
        " product"
    )


def test_input_length_limit():
    with pytest.raises(LimitError) as info:
        parse("x+" * 5000 + "x")
    assert "the limit is 10000" in info.value.message
    assert parse("x+" * 5000 + "x", max_length=20_000).is_Mul  # the sum of 5001 x is 5001*x


def test_nesting_limit_has_its_own_message():
    with pytest.raises(LimitError) as info:
        parse("(" * 30 + "x" + ")" * 30, max_depth=20)
    assert info.value.column == 21
    assert "nesting deeper than 20 levels" in info.value.message


@pytest.mark.slow
def test_thousand_deep_nesting_parses():
    x = R("x")
    deep = parse("sin(" * 1000 + "x" + ")" * 1000)
    for _ in range(1000):
        assert deep.func is sp.sin
        deep = deep.args[0]
    assert deep == x
    assert parse("(" * 1999 + "x" + ")" * 1999) == x
    assert parse("-" * 1000 + "x") == x
    assert parse("|" * 30 + "x" + "|" * 30) == sp.Abs(x)
    # past 40 levels SymPy's automatic evaluation is skipped (its cost grows with depth), but
    # |(|u|)| is |u| at every level, evaluated or not
    assert parse("|" * 500 + "x" + "|" * 500) == sp.Abs(x)


def test_recursion_limit_is_restored():
    before = sys.getrecursionlimit()
    parse("(" * 1500 + "x" + ")" * 1500)
    assert sys.getrecursionlimit() == before


def test_astronomical_powers_are_refused_or_symbolic():
    with pytest.raises(LimitError):
        parse("10^100000")
    with pytest.raises(LimitError):
        parse("10^10^10 * 10^10^10")
    assert parse("2^10").is_Integer


def test_factorial_like_functions_of_large_integers_stay_unevaluated():
    for text, cls in (
        ("100000!", sp.factorial),
        ("gamma(10^6)", sp.gamma),
        ("digamma(100000)", sp.digamma),
        ("polygamma(1, 100000)", sp.polygamma),
    ):
        value = parse(text)
        assert isinstance(value, cls), text
    assert parse("5!") == 120 and parse("gamma(5)") == 24


INJECTIONS = [
    "__import__('os').system('touch {marker}')",
    '__import__("os").system("touch {marker}")',
    "().__class__",
    "().__class__.__bases__[0].__subclasses__()",
    "lambda: 1",
    "x.__class__",
    "exec('1')",
    'eval(\'open("{marker}", "w")\')',
    "[c for c in ()]",
    "open('{marker}', 'w').write('x')",
    "import os",
    "x; import os",
    "globals()",
    "f.__globals__",
    "Symbol('x')",
    "sympify('x')",
    "x if x else y",
    "{{1: 2}}",
    "x @ y",
    "`touch {marker}`",
    "$(touch {marker})",
    "x\\\\import",
]


@pytest.mark.parametrize("template", INJECTIONS)
def test_injection_is_just_bad_input(template, tmp_path):
    marker = tmp_path / "pwned"
    text = template.format(marker=marker)
    with pytest.raises(ParseError):
        parse(text)
    assert not marker.exists()
    assert not os.path.exists("/tmp/x-chainrule-pwned")
