"""The final form (calculus/forms.py): what a textbook prints, reached by named, checked
rewrites; the forms "factored", "expanded" and "as-derived"."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
import sympy as sp

from chainrule_cli.calculus import forms
from chainrule_cli.calculus.derive import derive, simplify_result
from chainrule_cli.calculus.verify import agrees
from chainrule_cli.parse import parse, symbol

x = sp.Symbol("x", real=True)
w = sp.Symbol("w", real=True)
b = sp.Symbol("b", real=True)
y = sp.Symbol("y", real=True)


def final(text: str, var: str = "x", form: str = "auto"):
    return derive(parse(text), symbol(var), form=form)


def assert_rewrites_agree(d) -> None:
    """Each rewrite starts where the last ended, says what its before says, and ends in the
    final result; the first starts at the steps' result."""
    before = d.root.result
    for rewrite in d.simplify:
        assert rewrite.before == before
        assert rewrite.why in forms.WHY or rewrite.why in {"factor_terms", "one_fraction"}
        assert agrees(rewrite.before, rewrite.after), rewrite
        before = rewrite.after
    assert before == d.result


E = sp.exp(-b - w * x)

TEXTBOOK = [
    # the article's sigmoid neuron: w·e^(−(wx+b))/(1 + e^(−(wx+b)))², one common denominator
    ("1/(1+exp(-(w*x+b)))", w * E / (E + 1) ** 2, ["common_denominator"]),
    ("log(cos(x))", -sp.tan(x), ["trig_quotients"]),
    ("log(Abs(x))", 1 / x, ["sign_over_abs"]),
    # cos 2x (two operations) over cos²x − sin²x (five): the double angle is shorter
    ("sin(x)*cos(x)", sp.cos(2 * x), ["trig_identity"]),
    (
        "(x^2+1)^3/sqrt(x^3-1)",
        3 * x * (x**2 + 1) ** 2 * (3 * x**3 - x - 4) / (2 * (x**3 - 1) ** sp.Rational(3, 2)),
        ["factor"],
    ),
    # x·(x·cos x + 2 sin x): six operations, x² cos x + 2x sin x seven
    ("x^2*sin(x)", x * (x * sp.cos(x) + 2 * sp.sin(x)), ["factor_terms"]),
    # the quotient rule's own answer has its numerator expanded: nothing left to rewrite
    ("(x^2+1)/(x-1)", (x**2 - 2 * x - 1) / (x - 1) ** 2, []),
    ("x^x", x**x * (sp.log(x) + 1), []),
    (
        "sqrt(1+x^2)*log(3x)",
        (x**2 * sp.log(3 * x) + x**2 + 1) / (x * sp.sqrt(x**2 + 1)),
        ["common_denominator"],
    ),
    ("x^2/(x+1)", x * (x + 2) / (x + 1) ** 2, ["factor_terms"]),
    ("cos(x)/(1 + sin(x))", -1 / (sp.sin(x) + 1), ["trig_identity"]),
    ("cosh(3*x)^2", 3 * sp.sinh(6 * x), ["trig_identity"]),
    ("exp(exp(x))", sp.exp(x + sp.exp(x)), ["combine_powers"]),
    ("(x - 1)*(x - 2)*(x - 3)", 3 * x**2 - 12 * x + 11, ["expand"]),
]


@pytest.mark.parametrize(("text", "expected", "whys"), TEXTBOOK, ids=[t[0] for t in TEXTBOOK])
def test_the_textbook_form(text, expected, whys):
    d = final(text)
    assert d.result == expected
    assert [r.why for r in d.simplify] == whys
    assert d.verified
    assert_rewrites_agree(d)


def test_the_sigmoid_keeps_its_form_through_y():
    d = final("1/(1+exp(-(w*x+b)))")
    assert d.in_terms_of is not None
    y_ = d.in_terms_of.name
    assert d.in_terms_of.result == w * y_ * (1 - y_)
    assert d.result == w * E / (E + 1) ** 2


def test_as_derived_makes_no_rewrite():
    for text, _, _ in TEXTBOOK:
        d = final(text, form="as-derived")
        assert d.simplify == ()
        assert d.result == d.root.result


def test_expanded_multiplies_out_numerator_and_denominator():
    d = final("(x^2+1)/(x-1)", form="expanded")
    assert d.result == (x**2 - 2 * x - 1) / (x**2 - 2 * x + 1)
    assert [r.why for r in d.simplify] == ["expand"]
    assert_rewrites_agree(d)
    d = final("x^2*sin(x)", form="expanded")
    assert d.result == x**2 * sp.cos(x) + 2 * x * sp.sin(x)  # already multiplied out
    assert d.simplify == ()
    d = final("(x - 1)*(x - 2)*(x - 3)", form="expanded")
    assert d.result == sp.expand(d.result) == 3 * x**2 - 12 * x + 11
    d = final("(x^2+1)^3/sqrt(x^3-1)", form="expanded")
    numer, denom = sp.fraction(d.result)
    assert numer == sp.expand(numer) and numer.is_Add and sp.degree(numer, x) == 8
    assert denom == 2 * (x**3 - 1) ** sp.Rational(3, 2)
    assert_rewrites_agree(d)


def test_factored_factors_numerator_and_denominator():
    d = final("(x^2+1)/(x-1)", form="factored")
    assert d.result == (x**2 - 2 * x - 1) / (x - 1) ** 2
    assert [r.why for r in d.simplify] == []  # the quotient rule's answer is factored already
    d = final("(x^2-1)/(x+2)^2", form="factored")
    assert str(d.result) == "2*(2*x + 1)/(x + 2)**3"  # a common factor x + 2 cancelled
    assert [r.why for r in d.simplify] == ["factor"]
    d = final("x^3 - 2*x^2 + x", form="factored")
    assert d.result == (x - 1) * (3 * x - 1)
    d = final("log(Abs(x))", form="factored")
    assert d.result == 1 / x and [r.why for r in d.simplify] == ["sign_over_abs"]
    assert_rewrites_agree(d)


def test_an_unknown_form_is_a_value_error():
    with pytest.raises(ValueError, match="form"):
        final("x^2", form="pretty")
    with pytest.raises(ValueError, match="form"):
        simplify_result(x**2, form="simplest")
    with pytest.raises(ValueError, match="form"):
        forms.final_forms(x**2, "")


def test_simplify_result_forms():
    result = (-(x**2) + 2 * x * (x - 1) - 1) / (x - 1) ** 2
    assert simplify_result(result, form="as-derived") == (result, ())
    assert simplify_result(result, tall=True) == (result, ())
    after, rewrites = simplify_result(result)
    assert after == (x**2 - 2 * x - 1) / (x - 1) ** 2 and rewrites[0].before == result


def test_a_large_result_is_left_as_derived():
    big = sum(sp.sin(k * x) * sp.cos(k * x) / (k + x) for k in range(1, 40))
    assert sp.count_ops(big) > forms.MAX_OPS
    assert simplify_result(big) == (big, ())
    assert forms.final_forms(big) == [()]


def test_function_arguments_and_roots_are_left_alone():
    # the algebra works on the fraction, never inside exp(−b − w·x) or the base of a root
    d = final("w*x/(1+exp(-(w*x+b)))", "w")
    assert not d.result.has(sp.exp(-b)) and d.result.has(E)
    d = final("sqrt(x^3-1)*x", "x")
    assert not d.result.has(x - 1)


def test_the_measure():
    # a fraction inside a fraction costs more than one fraction of the same operations
    nested = w * (1 - 1 / (E + 1)) / (E + 1)
    assert forms.cost(nested) > sp.count_ops(nested)
    assert forms.cost(w * E / (E + 1) ** 2) < forms.cost(nested)
    # sign(x) is an artefact; a fraction in an exponent or a function's argument is not nested
    assert forms.cost(sp.sign(x) / abs(x)) == sp.count_ops(sp.sign(x) / abs(x)) + 2
    assert forms.cost(x ** (1 / x) / x**2) == sp.count_ops(x ** (1 / x) / x**2)
    assert forms.cost(sp.log(1 + 1 / x) / x) == sp.count_ops(sp.log(1 + 1 / x) / x)
    # sin and sec of one argument: a textbook writes one family
    assert forms.cost(sp.sin(x) * sp.sec(x) ** 3) == sp.count_ops(sp.sin(x) * sp.sec(x) ** 3) + 2
    # one fraction before a sum of fractions when the operations tie
    assert forms.measure(x / (x + 1))[1] == 1
    assert forms.measure(1 / x + 1 / (x + 1))[1] == 2


def test_light_rewrites():
    assert forms.trig_quotients(-sp.sin(x) / sp.cos(x)) == -sp.tan(x)
    assert forms.trig_quotients(sp.cos(x) / sp.sin(x) ** 2) == sp.cot(x) * sp.csc(x)
    assert forms.trig_quotients(1 / sp.cos(x) ** 2) == sp.sec(x) ** 2
    assert forms.trig_quotients(sp.sinh(x) / sp.cosh(x)) == sp.tanh(x)
    assert forms.sign_over_abs(sp.sign(x) / abs(x)) == 1 / x
    # sign(x)·|x| would keep |x|: left alone
    assert forms.sign_over_abs(x * sp.sign(x) + abs(x)) == x * sp.sign(x) + abs(x)
    assert forms.fewer_minus_signs(-3 * x * (-3 * x**3 + x + 4)) == 3 * x * (3 * x**3 - x - 4)


def test_every_why_has_both_sentences():
    for key, (en, zh) in forms.WHY.items():
        assert key.isidentifier() and en and zh


CORPUS = list(
    csv.DictReader(
        (Path(__file__).parent / "data" / "corpus.tsv").open(encoding="utf-8"), delimiter="\t"
    )
)


@pytest.mark.parametrize("form", ["auto", "factored", "expanded"])
def test_every_rewrite_over_the_corpus_agrees(form):
    for row in CORPUS:
        d = derive(parse(row["expr"]), symbol(row["var"]), form=form)
        assert_rewrites_agree(d)
        assert d.verified, row["expr"]
