"""Issue 26, must 3: the mistake families, each named in English and Chinese and recognised on
at least 20 generated expressions (the wrong answer built by making that one mistake); no
mistake is ever reported on a correct answer."""

from __future__ import annotations

import random

import pytest
import sympy
from hypothesis import HealthCheck, given, settings
from strategies import expressions

from chainrule_cli import api
from chainrule_cli.calculus.check import KINDS
from chainrule_cli.render.messages import CATALOG
from chainrule_cli.render.printing import SympyTextPrinter

x, y = sympy.symbols("x y", real=True)
COUNT = 20
show = SympyTextPrinter().doprint


def _coefficient(rng: random.Random, low: int = 2, high: int = 9) -> int:
    return rng.choice([k for k in range(-high, high + 1) if abs(k) >= low])


def _chain_inner(rng):
    # a > 0: SymPy takes the sign out of an odd function (atan(−u) is −atan(u))
    a, b, n = rng.randint(2, 9), rng.randint(1, 9), rng.randint(2, 4)
    inner = a * x**n + b
    f = rng.choice([sympy.sin, sympy.cos, sympy.tan, sympy.atan, sympy.sinh])
    t = sympy.Dummy()
    return f(inner), sympy.diff(f(t), t).subs(t, inner)


def _product_of_derivatives(rng):
    n = rng.randint(2, 9)
    # not e^x: f'·(e^x)' is also the product rule's second term missing
    g = rng.choice([sympy.sin(x), sympy.atan(x), sympy.cos(x), sympy.log(x)])
    return x**n * g, n * x ** (n - 1) * sympy.diff(g, x)


def _quotient(rng, sign: int):
    n, a, b = rng.randint(2, 5), rng.randint(1, 9), rng.randint(1, 9)
    f, g = x**n + a, x + b
    if sign < 0:  # the terms swapped
        return f / g, (f * sympy.diff(g, x) - sympy.diff(f, x) * g) / g**2
    return f / g, (sympy.diff(f, x) * g + f * sympy.diff(g, x)) / g**2


def _quotient_denominator(rng):
    n, a, b = rng.randint(2, 5), rng.randint(1, 9), rng.randint(1, 9)
    f, g = x**n + a, x + b
    return f / g, (sympy.diff(f, x) * g - f * sympy.diff(g, x)) / g


def _quotient_of_derivatives(rng):
    n, m, a = rng.randint(2, 6), rng.randint(2, 6), rng.randint(1, 9)
    f = rng.choice([sympy.sin(x), sympy.exp(x) + a, x**n + a])
    g = x**m + a + 1  # never f itself
    return f / g, sympy.diff(f, x) / sympy.diff(g, x)


def _power(rng):
    n, a = rng.randint(2, 9), _coefficient(rng)
    wrong = a * n * x ** (n + 1) if rng.random() < 0.5 else a * n * x**n
    return a * x**n, wrong


def _integrated(rng):
    n, a = rng.randint(2, 9), _coefficient(rng)
    return a * x**n, a * x ** (n + 1) / (n + 1)


def _wrong_order(rng):
    n, a = rng.randint(3, 9), _coefficient(rng)
    return a * x**n + x, sympy.diff(a * x**n + x, x, 2)


def _log_inner(rng):
    a, b, n = _coefficient(rng, 1), rng.randint(1, 9), rng.randint(2, 4)
    inner = a * x**n + b if a > 0 else -a * x**n + b
    return sympy.log(inner), 1 / inner


def _trig_sign(rng):
    a = rng.randint(1, 19)
    f = rng.choice([sympy.sin, sympy.cos])
    return f(a * x), -sympy.diff(f(a * x), x)


def _constant_dropped(rng):
    a = _coefficient(rng)
    g = rng.choice([sympy.sin(x), sympy.exp(x), sympy.log(x), x**3, sympy.atan(x)])
    return a * g, sympy.diff(g, x)


def _exp_inner(rng):
    a, b = _coefficient(rng), rng.randint(0, 9)
    return sympy.exp(a * x + b), sympy.exp(a * x + b)


def _exponential_log(rng):
    base = rng.choice([2, 3, 5, 6, 7, 10])
    a = rng.randint(1, 4)
    return a * sympy.Integer(base) ** x, a * sympy.Integer(base) ** x


def _chain_twice(rng):
    a = rng.randint(2, 9)
    f = rng.choice([sympy.sin, sympy.cos, sympy.exp, sympy.sinh])
    t = sympy.Dummy()
    return f(a * x), sympy.diff(f(t), t).subs(t, a * x) * a**2


def _other_variable(rng):
    n, m = rng.randint(1, 5), rng.randint(2, 5)
    expr = x**n * y**m + rng.randint(1, 9) * y
    return expr, sympy.diff(expr, y)


def _missing_term(rng):
    n = rng.randint(2, 9)
    g = rng.choice([sympy.sin(x), sympy.exp(x), sympy.cos(x), sympy.atan(x)])
    return x**n * g, n * x ** (n - 1) * g


GENERATORS = {
    "chain_rule_missing_inner": _chain_inner,
    "product_of_derivatives": _product_of_derivatives,
    "quotient_rule_order": lambda rng: _quotient(rng, -1),
    "quotient_rule_sign": lambda rng: _quotient(rng, 1),
    "quotient_rule_denominator": _quotient_denominator,
    "quotient_of_derivatives": _quotient_of_derivatives,
    "power_rule": _power,
    "integrated": _integrated,
    "wrong_order": _wrong_order,
    "log_missing_inner": _log_inner,
    "sign": _trig_sign,
    "constant_factor": _constant_dropped,
    "exp_missing_inner": _exp_inner,
    "exponential_missing_log": _exponential_log,
    "chain_rule_twice": _chain_twice,
    "other_variable": _other_variable,
    "product_rule_missing_term": _missing_term,
}


def test_at_least_twelve_families_each_in_english_and_chinese():
    assert len(GENERATORS) >= 12 and set(GENERATORS) <= set(KINDS)
    for kind in GENERATORS:
        for lang in ("en", "zh"):
            assert CATALOG[lang][f"mistake.{kind}"], (kind, lang)


@pytest.mark.parametrize("kind", sorted(GENERATORS))
def test_each_family_is_named_on_generated_expressions(kind):
    rng = random.Random(f"family-{kind}")
    seen: set = set()
    for _ in range(50 * COUNT):  # distinct expressions, from a pool several times larger
        if len(seen) == COUNT:
            break
        expr, wrong = GENERATORS[kind](rng)
        if expr in seen:
            continue
        seen.add(expr)
        result = api.check(show(expr), "x", show(wrong))
        assert result.verdict == "incorrect", (kind, expr, wrong)
        assert result.mistake is not None and result.mistake.kind == kind, (
            kind, expr, wrong, result.mistake,
        )  # fmt: skip
    assert len(seen) == COUNT


@pytest.mark.parametrize("kind", ["sign", "chain_rule_missing_inner", "power_rule",
                                  "exp_missing_inner", "log_missing_inner"])  # fmt: skip
def test_each_family_is_named_in_a_line_of_working(kind):
    """The same families between two lines of a student's working: the line before leaves the
    derivative to take, the next takes it with the mistake."""
    rng = random.Random(f"working-{kind}")
    for _ in range(5):
        expr, wrong = GENERATORS[kind](rng)
        lines = [f"= 2x + ({show(expr)})'", f"= 2x + {show(wrong)}"]
        worked = api.check_steps(f"x^2 + {show(expr)}", "x", lines)
        assert worked.first_wrong == 2 and not worked.correct
        assert worked.lines[1].mistake is not None and worked.lines[1].mistake.kind == kind


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(expressions(max_leaves=6))
def test_no_mistake_on_a_correct_answer(expr):
    """The right derivative, in SymPy's own form, is correct, with no mistake named; and a
    working whose one line is it follows."""
    derivative = sympy.diff(expr, x)
    try:
        result = api.check(show(expr), "x", show(derivative))
    except api.ChainruleError:
        return  # refused as input (a limit, an undefined value): nothing graded
    assert result.mistake is None
    assert result.verdict in ("correct", "undecided")
    worked = api.check_steps(show(expr), "x", [f"= {show(derivative)}"])
    assert all(line.mistake is None for line in worked.lines)
    assert worked.first_wrong is None
