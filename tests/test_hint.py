"""chainrule hint: the next rule and where, without the answer, at three levels; the student's
own rule applied or refused with the reason; every applied form checked; JSON with a schema;
English and Chinese."""

from __future__ import annotations

import json
from importlib import resources

import jsonschema
import pytest
import sympy
from conftest import runner
from test_render import corpus

from chainrule_cli import api, differentiate
from chainrule_cli.calculus.hint import PICKABLE, _taken

SCHEMA = json.loads(resources.files("chainrule_cli.schemas").joinpath("hint.json").read_text())
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)


def run(*args: str, stdin: str | None = None):
    return runner.invoke(["hint", *args], input=stdin)


def test_three_levels_of_the_product_rule():
    out = [run("x^2 sin x", "--level", str(n), "-f", "text").stdout for n in (1, 2, 3)]
    assert out[0] == (
        "Hint (level 1 of 3) for d/dx (x^2·sin(x))\n"
        "  x^2·sin(x) is a product of x^2 and sin(x): the product rule.\n"
    )
    assert out[1] == out[0].replace("level 1", "level 2") + (
        "  Its parts: f = x^2, g = sin(x).\n  The rule: (f·g)' = f'·g + f·g'.\n"
    )
    assert out[2] == out[1].replace("level 2", "level 3") + (
        "  Applied: d/dx (x^2·sin(x)) = (x^2)'·sin(x) + x^2·(sin(x))'; the derivatives\n"
        "    left are yours to take.\n"
    )  # wrapped at 80 columns between words, never inside the formula
    # never the answer
    assert "2x·sin(x)" not in out[2] and "cos(x)" not in out[2]


@pytest.mark.parametrize(
    ("expr", "rule", "said"),
    [
        ("(3x^2+1)^5", "chain",
         "(3x^2 + 1)^5 is a function of 3x^2 + 1, not of x itself: the chain rule, with"
         " u = 3x^2 + 1."),
        ("(x^2+1)/(x-1)", "quotient",
         "(x^2 + 1)/(x − 1) is a quotient, x^2 + 1 over x − 1: the quotient rule."),
        ("x^3", "power", "x^3 is x to a constant power: the power rule."),
        ("x^x", "general_power",
         "x^x has x in its base and in its exponent: logarithmic differentiation."),
        ("x^2 + sin x", "sum", "x^2 + sin(x) is a sum: the sum rule, differentiate each term."),
        ("5", "constant", "5 does not depend on x: its derivative is 0."),
        ("sin x", "trig", "sin(x) is a function of x itself whose derivative is a fact to know:"
         " the derivative of the trigonometric function."),
        ("x^2 + y^2 = 25", "implicit", "x^2 + y^2 = 25 is an equation: differentiate both"
         " sides, with y a function of x (implicit differentiation)."),
    ],
)  # fmt: skip
def test_level_one_names_the_rule_where_and_why(expr, rule, said):
    obj = json.loads(run(expr, "x", "-f", "json").stdout)
    assert (obj["rule"], obj["text"]) == (rule, said)
    VALIDATOR.validate(obj)


def test_the_chain_rule_at_level_three_keeps_each_derivative_by_its_own_variable():
    out = run("(3x^2+1)^5", "--level", "3", "-f", "text").stdout.splitlines()
    assert out[3:] == [
        "  Let u = 3x^2 + 1, so y = u^5.",
        "  The rule: dy/dx = dy/du · du/dx.",
        "  Applied: d/dx ((3x^2 + 1)^5) = d/du (u^5)·d/dx (3x^2 + 1); the derivatives",
        "    left are yours to take.",
    ]


@pytest.mark.parametrize(
    ("expr", "rule", "said"),
    [
        ("x^2 sin x", "quotient", "The quotient rule does not apply: there is no quotient"
         " (x^2·sin(x) has no denominator that depends on x)."),
        ("3x^2", "chain", "The chain rule does not apply: 3x^2 is not a function of a function"
         " of x."),
        ("x^2 sin x", "sum", "The sum rule does not apply: x^2·sin(x) is not a sum."),
        ("(3x^2+1)^5", "power", "The power rule does not apply: (3x^2 + 1)^5 is not x to a"
         " constant power."),
        ("sin x", "product", "The product rule does not apply: sin(x) is not a product of"
         " factors that depend on x."),
        ("x^2", "general_power", "Logarithmic differentiation does not apply: x^2 does not"
         " have x in both its base and its exponent."),
    ],
)  # fmt: skip
def test_a_rule_that_does_not_apply_is_refused_with_the_reason(expr, rule, said):
    result = run(expr, "--rule", rule, "-f", "json")
    assert result.exit_code == 0
    obj = json.loads(result.stdout)
    assert (obj["applies"], obj["picked"], obj["rule"], obj["text"]) == (False, True, rule, said)
    VALIDATOR.validate(obj)


def test_a_rule_the_student_picks_is_applied_when_it_applies():
    # the product rule on a quotient: (x² + 1)·(x − 1)⁻¹
    obj = json.loads(run("(x^2+1)/(x-1)", "--rule", "product", "--level", "3", "-f", "json")
                     .stdout)  # fmt: skip
    assert obj["applies"] and obj["rule"] == "product"
    assert obj["parts"] == {"f": "x**2 + 1", "g": "1/(x - 1)"}
    assert (
        obj["applied"]["expr"]
        == "(x**2 + 1)*Derivative(1/(x - 1), x) + Derivative(x**2 + 1, x)/(x - 1)"
    )
    assert obj["verified"] is True
    VALIDATOR.validate(obj)
    # the rule chainrule would take itself
    same = json.loads(run("x^2 sin x", "--rule", "product", "-f", "json").stdout)
    assert same["picked"] and same["applies"] and same["rule"] == "product"


def test_its_rule_is_the_derivations_first_step_and_every_applied_form_is_the_derivative():
    x = sympy.Symbol("x", real=True)
    checked = 0
    for expr, var in corpus(every=7):
        if var != "x":
            continue
        d = differentiate(expr, var)
        if d.equation is not None:
            continue
        h = api.hint(expr, var, level=3)
        assert h.rule == d.root.rule, expr
        assert h.verified, expr
        if h.applied is not None and not h.applied.expr.has(sympy.Subs):
            taken = _taken(h.applied)
            point = {s: sympy.Rational(3, 7) + i for i, s in enumerate(sorted(
                taken.free_symbols | {x}, key=str))}  # fmt: skip
            a, b = taken.subs(point).evalf(30), sympy.diff(d.expr, d.var).subs(point).evalf(30)
            if a.is_real and b.is_real:
                assert abs(a - b) < 1e-20 * max(1, abs(b)), expr
                checked += 1
    assert checked > 20


def test_every_pickable_rule_applied_anywhere_it_applies_is_the_derivative():
    for expr in ["x^2 sin x", "(x^2+1)/(x-1)", "sin(x^2)", "x^3", "3 x^2", "x^x",
                 "x^2 + sin x", "e^x cos x / x"]:  # fmt: skip
        for rule in PICKABLE:
            h = api.hint(expr, "x", level=3, rule=rule)
            assert h.verified, (expr, rule)  # applied forms agree with the derivative
            if h.applies:
                assert h.applied is not None, (expr, rule)
            else:
                assert h.why_not == f"hint.not.{rule}", (expr, rule)


def test_hints_in_chinese():
    out = run("x^2 sin x", "--level", "2", "--lang", "zh", "-f", "text").stdout
    assert out == (
        "提示（第 2 级，共 3 级）：d/dx (x^2·sin(x))\n"
        "  x^2·sin(x) 是 x^2 与 sin(x) 的乘积：用乘积法则。\n"
        "  各部分：f = x^2, g = sin(x)。\n"
        "  法则：(f·g)' = f'·g + f·g'。\n"
    )
    refused = run("x^2 sin x", "--rule", "quotient", "--lang", "zh", "-f", "text").stdout
    assert "商的法则不适用：没有商" in refused


def test_bad_input_and_options_are_one_line_errors_with_exit_2():
    result = run("sin(", "-f", "text")
    assert result.exit_code == 2 and "column 5" in result.stderr
    assert run("x^2", "--level", "4").exit_code == 2
    assert run("x^2", "--rule", "magic").exit_code == 2
    lines = run("-", "-f", "json", stdin="x^2 sin x\nsin(\n").stdout.splitlines()
    objs = [json.loads(line) for line in lines]
    assert [o["ok"] for o in objs] == [True, False]
    for obj in objs:
        VALIDATOR.validate(obj)


def test_markdown_hint():
    out = run("sin(x^2)", "--level", "2", "-f", "markdown").stdout
    assert out.startswith("**Hint (level 2 of 3) for d/dx (sin(x^2))**\n\n- sin(x^2) is a")
    assert "- Let u = x^2, so y = sin(u)." in out
