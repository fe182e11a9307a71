"""A corpus of textbook problems (tests/data/corpus.tsv) and random expression trees: every
derivation agrees with sympy.diff and every step keeps the invariant."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
import sympy as sp
from hypothesis import HealthCheck, given, settings
from strategies import SYMBOLS, expressions
from test_stepper import assert_every_step_valid

from chainrule_cli import differentiate
from chainrule_cli.errors import UnsupportedError
from chainrule_cli.parse import parse, symbol

CORPUS = list(
    csv.DictReader(
        (Path(__file__).parent / "data" / "corpus.tsv").open(encoding="utf-8"), delimiter="\t"
    )
)


def test_corpus_is_big_enough():
    assert len(CORPUS) >= 150
    assert len({row["topic"] for row in CORPUS}) >= 15


@pytest.mark.parametrize("row", CORPUS, ids=[row["id"] for row in CORPUS])
def test_corpus_problem(row):
    expr = parse(row["expr"])
    var = symbol(row["var"])
    d = differentiate(expr, var)
    assert_every_step_valid(d)
    expected = sp.diff(expr, var)
    difference = d.result - expected
    if difference != 0 and not d.result.has(sp.Derivative):
        # equal as functions: check at points where both are real
        for value in (sp.Rational(2, 7), sp.Rational(7, 5), sp.Rational(-3, 4)):
            point = {s: value for s in expr.free_symbols}
            here = sp.N(expr.subs(point), 20)
            a, c = sp.N(d.result.subs(point), 20), sp.N(expected.subs(point), 20)
            if here.is_real and a.is_real and c.is_real:
                assert abs(a - c) < 1e-12 * max(1, abs(c)), row["expr"]


@settings(
    # at least 1,000 in CI; HYPOTHESIS_PROFILE=release runs 50,000
    max_examples=max(1000, settings.default.max_examples),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(expressions(max_leaves=8))
def test_random_expressions_every_step_valid(expr):
    var = SYMBOLS[0]
    if expr.has(sp.zoo, sp.nan, sp.oo, -sp.oo) or not isinstance(expr, sp.Expr):
        return
    try:
        d = differentiate(expr, var, timeout=60)  # a stall fails the test, never hangs CI
    except UnsupportedError:
        assert expr.has(sp.Pow(0, var, evaluate=False)) or expr.atoms(sp.Pow)
        return
    assert d.verified, [(s.rule, str(s.expr), str(s.result)) for s in d.failures]
    if not d.result.has(sp.Derivative, sp.Subs):
        sp_result = sp.diff(expr, var)
        for value in (sp.Rational(3, 11), sp.Rational(12, 7)):
            point = {s: value for s in expr.free_symbols}
            try:
                # numbers substituted, never exact values: gamma(7^12) exactly is a factorial
                # of 14 billion digits
                here = expr.evalf(20, subs=point)
                a, c = d.result.evalf(20, subs=point), sp_result.evalf(20, subs=point)
            except (TypeError, ValueError):
                continue
            if here.is_real and a.is_real and c.is_real and a.is_finite and c.is_finite:
                assert abs(a - c) < 1e-9 * max(1, abs(c)), str(expr)
