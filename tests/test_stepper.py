"""The stepper: a test per rule, the article's example, and the invariant on every step."""

from __future__ import annotations

import pytest
import sympy as sp
from conftest import R
from sympy.core.function import AppliedUndef

from chainrule_cli import differentiate
from chainrule_cli.calculus import steps as S
from chainrule_cli.calculus.verify import agrees, verify
from chainrule_cli.functions import sigmoid
from chainrule_cli.parse import parse

x, y, w, b, u = (R(c) for c in "xywbu")


def assert_every_step_valid(d: S.Derivation) -> None:
    """The invariant of docs/architecture.md §2, checked independently of the library's own
    verifier."""
    assert d.verified, [(s.rule, s.expr) for s in d.failures]
    for step in d.steps:
        if isinstance(step, S.RepeatStep):
            assert step.result == step.original.result
            continue
        for form in step.worked():  # the formula on this expression and the middle form
            assert agrees(form.value(), step.result), (step.rule, form.why, form.expr)
        expected = sp.diff(step.expr, step.var, step.order)
        if expected == step.result:
            continue
        # numeric check at two points where the functions are real
        free = sorted(step.expr.free_symbols | step.result.free_symbols | {step.var}, key=str)
        checked = 0
        for value in (sp.Rational(3, 7), sp.Rational(13, 10), sp.Rational(-2, 3), 2):
            point = dict.fromkeys(free, value)
            here = sp.N(step.expr.subs(point), 25)
            try:
                c = sp.N(step.result.subs(point), 25)
            except ValueError:  # δ(acosh(3/7)): δ of a number that is not real
                continue
            if expected.has(sp.Derivative) and not step.expr.atoms(AppliedUndef):
                # SymPy could not differentiate (sign(acosh x)): the slope, numerically
                h = sp.Rational(1, 10**15)
                up = step.expr.subs({**point, step.var: value + h})
                down = step.expr.subs({**point, step.var: value - h})
                a = sp.N((up - down) / (2 * h), 40)
            else:
                a = sp.N(expected.subs(point), 25)
            # compare where the function itself is real: its real-calculus domain
            if here.is_real and a.is_real and c.is_real and a.is_finite:
                assert abs(a - c) < 1e-15 * max(1, abs(a)), (step.rule, step.expr)
                checked += 1
        assert checked or expected.has(sp.Derivative, sp.Subs), (step.rule, step.expr)


def rules(d: S.Derivation) -> list[str]:
    return [s.rule for s in d.steps]


def test_article_sigmoid_example_step_by_step():
    d = differentiate("1/(1+exp(-(w*x+b)))", "x")
    root = d.root
    assert isinstance(root, S.ChainStep)
    assert root.intermediate == u
    assert root.inner == w * x + b
    outer, inner = root.substeps
    assert outer.var == u
    assert isinstance(outer, S.RewriteStep) and outer.rewritten == sigmoid(u)
    assert outer.substeps[0].result == sigmoid(u) * (1 - sigmoid(u))  # dy/du = y(1 − y)
    assert inner.result == w  # du/dx = w
    assert d.in_terms_of is not None
    assert d.in_terms_of.name == y and d.in_terms_of.result == w * y * (1 - y)
    # the explicit form the article prints: w/(1+e^{−(wx+b)})·(1 − 1/(1+e^{−(wx+b)}))
    s = 1 / (1 + sp.exp(-(w * x + b)))
    assert d.root.result == w * s * (1 - s)  # as derived; the final form is one fraction:
    e = sp.exp(-b - w * x)
    assert d.result == w * e / (e + 1) ** 2
    assert d.verified
    assert_every_step_valid(d)


RULE_CASES = [
    ("7", "constant", sp.S.Zero),
    ("x", "variable", sp.S.One),
    ("3x", "constant_multiple", sp.S(3)),
    ("x + sin(x)", "sum", 1 + sp.cos(x)),
    ("x*sin(x)*exp(x)", "product", None),
    ("sin(x)/x", "quotient", None),
    ("x^5", "power", 5 * x**4),
    ("sqrt(x)", "power", 1 / (2 * sp.sqrt(x))),
    ("1/x", "power", -1 / x**2),
    ("exp(x)", "exponential", sp.exp(x)),
    ("2^x", "exponential", 2**x * sp.log(2)),
    ("ln(x)", "logarithm", 1 / x),
    ("log(x, 2)", "constant_multiple", 1 / (x * sp.log(2))),
    ("tan(x)", "trig", sp.sec(x) ** 2),
    ("sec(x)", "trig", sp.sec(x) * sp.tan(x)),
    ("csc(x)", "trig", -sp.csc(x) * sp.cot(x)),
    ("cot(x)", "trig", -(sp.csc(x) ** 2)),
    ("asin(x)", "inverse_trig", 1 / sp.sqrt(1 - x**2)),
    ("acos(x)", "inverse_trig", -1 / sp.sqrt(1 - x**2)),
    ("atan(x)", "inverse_trig", 1 / (1 + x**2)),
    ("acot(x)", "inverse_trig", -1 / (1 + x**2)),
    ("asec(x)", "inverse_trig", 1 / (sp.Abs(x) * sp.sqrt(x**2 - 1))),
    ("acsc(x)", "inverse_trig", -1 / (sp.Abs(x) * sp.sqrt(x**2 - 1))),
    ("sinh(x)", "hyperbolic", sp.cosh(x)),
    ("cosh(x)", "hyperbolic", sp.sinh(x)),
    ("tanh(x)", "hyperbolic", sp.sech(x) ** 2),
    ("coth(x)", "hyperbolic", -(sp.csch(x) ** 2)),
    ("sech(x)", "hyperbolic", -sp.sech(x) * sp.tanh(x)),
    ("csch(x)", "hyperbolic", -sp.csch(x) * sp.coth(x)),
    ("asinh(x)", "inverse_hyperbolic", 1 / sp.sqrt(x**2 + 1)),
    ("acosh(x)", "inverse_hyperbolic", 1 / sp.sqrt(x**2 - 1)),
    ("atanh(x)", "inverse_hyperbolic", 1 / (1 - x**2)),
    ("acoth(x)", "inverse_hyperbolic", 1 / (1 - x**2)),
    ("asech(x)", "inverse_hyperbolic", -1 / (x * sp.sqrt(1 - x**2))),
    ("acsch(x)", "inverse_hyperbolic", -1 / (sp.Abs(x) * sp.sqrt(1 + x**2))),
    ("|x|", "abs", sp.sign(x)),
    ("relu(x)", "special", sp.Heaviside(x, 0)),  # relu'(0) = 0, as in PyTorch and JAX
    ("max(x, x^2)", "piecewise", None),
    ("min(x, 1)", "piecewise", sp.Heaviside(1 - x)),
    ("Heaviside(x)", "piecewise", sp.DiracDelta(x)),
    ("sign(x)", "piecewise", 2 * sp.DiracDelta(x)),  # SymPy's fdiff leaves it unevaluated
    ("sign(x^2 - 1)", "chain", 4 * x * sp.DiracDelta(x**2 - 1)),
    # SymPy cannot say d/dx sign(acosh x) (acosh x is not known to be real): the step is
    # checked against the slope of sign(acosh x) instead, and is right
    ("sign(acosh(x))", "chain", 2 * sp.DiracDelta(sp.acosh(x)) / sp.sqrt(x**2 - 1)),
    ("Piecewise((x^2, x > 0), (-x, True))", "piecewise", None),
    ("erf(x)", "special", 2 * sp.exp(-(x**2)) / sp.sqrt(sp.pi)),
    ("sigmoid(x)", "special", sigmoid(x) * (1 - sigmoid(x))),
    ("gamma(x)", "special", sp.gamma(x) * sp.polygamma(0, x)),
    ("x^x", "general_power", None),
    ("x^sin(x)", "general_power", x ** sp.sin(x) * (sp.cos(x) * sp.log(x) + sp.sin(x) / x)),
    ("f(x)", "function", sp.Derivative(sp.Function("f")(x), x)),
    ("f(g(x))", "chain", sp.Function("f")(sp.Function("g")(x)).diff(x)),
    ("sin(x^2)", "chain", 2 * x * sp.cos(x**2)),
    ("1/(1+exp(-x))", "rewrite", None),
]


@pytest.mark.parametrize(("text", "rule", "result"), RULE_CASES, ids=[c[0] for c in RULE_CASES])
def test_each_rule(text, rule, result):
    d = differentiate(text, "x")
    assert d.root.rule == rule
    if result is not None:
        assert d.root.result == result
    assert sp.simplify(d.root.result - sp.diff(parse(text), x)) == 0 or d.verified
    assert_every_step_valid(d)


def test_constant_multiple_names_the_constants():
    d = differentiate("a*b*x^2", "x")
    assert isinstance(d.root, S.ConstantMultipleStep)
    assert d.root.constant == R("a") * R("b")
    assert d.root.other == x**2


def test_partial_derivative_treats_other_symbols_as_constants():
    d = differentiate("x^2*y + y^3", "y")
    assert d.root.result == x**2 + 3 * y**2
    assert sorted(s.rule for s in d.root.substeps) == ["constant_multiple", "power"]


def test_general_power_gets_x_to_the_sin_x_right():
    # SymPy Gamma's steps got this wrong
    d = differentiate("x^sin(x)", "x")
    assert sp.simplify(d.result - sp.diff(x ** sp.sin(x), x)) == 0
    assert_every_step_valid(d)


def test_fresh_names_skip_names_in_the_expression():
    d = differentiate("sin(cos(u*v*x))", "x")
    names = [s.intermediate.name for s in d.steps if isinstance(s, S.ChainStep)]
    assert names == ["w", "p"]


def test_chain_four_deep_names_every_level():
    d = differentiate("sqrt(sin(cos(exp(x^2))))", "x")
    chain = [s for s in d.steps if isinstance(s, S.ChainStep)]
    assert [c.intermediate.name for c in chain] == ["u", "v", "w", "p"]
    assert [c.inner for c in chain] == [
        sp.sin(sp.cos(sp.exp(x**2))),
        sp.cos(sp.exp(x**2)),
        sp.exp(x**2),
        x**2,
    ]
    assert_every_step_valid(d)


def test_brief_folds_trivial_inner_derivatives():
    full = differentiate("sin(3x + 1)", "x", detail="full")
    brief = differentiate("sin(3x + 1)", "x", detail="brief")
    assert full.root.substeps[1].substeps  # d(3x + 1)/dx worked out
    assert brief.root.substeps[1].substeps == ()  # folded to one line
    assert brief.root.substeps[1].result == 3
    assert brief.result == full.result


def test_repeated_subexpression_is_a_repeat_step():
    d = differentiate("sin(x^2) + cos(sin(x^2))", "x")
    repeats = [s for s in d.steps if isinstance(s, S.RepeatStep)]
    assert len(repeats) == 1
    assert repeats[0].expr == sp.sin(x**2)
    assert repeats[0].original in d.steps


def test_higher_order():
    d = differentiate("x^3*sin(x)", "x", order=3)
    assert isinstance(d.root, S.HigherOrderStep)
    assert d.root.order == 3 and len(d.root.substeps) == 3
    assert sp.simplify(d.result - sp.diff(x**3 * sp.sin(x), x, 3)) == 0
    assert_every_step_valid(d)


def test_simplification_is_recorded():
    d = differentiate("x^2/(x+1)", "x")
    assert d.result == x * (x + 2) / (x + 1) ** 2
    assert d.simplify and d.simplify[-1].after == d.result


def test_in_terms_of_tanh_and_exp():
    assert str(differentiate("tanh(2x)", "x").in_terms_of.result) == "2*(1 - y**2)"
    assert differentiate("exp(3x)", "x").in_terms_of.result == 3 * y


def test_a_wrong_step_is_caught():
    d = differentiate("sin(x^2)", "x")
    bad = d.root.replace(result=x * sp.cos(x**2))
    assert not verify(bad).ok
    wrong_inner = d.root.substeps[1].replace(result=3 * x)
    assert not verify(wrong_inner).ok


def test_a_wide_step_is_checked_through_its_terms():
    # a sum of 80 terms is not differentiated again as a whole by sympy.diff: its result is
    # checked against the sum of its terms' (checked) results, and a wrong one is caught
    d = differentiate(" + ".join(f"sin({k}x)" for k in range(1, 81)), "x")
    assert d.verified and len(d.root.substeps) == 80
    assert d.root.result == sum(k * sp.cos(k * x) for k in range(1, 81))
    assert not verify(d.root.replace(result=d.root.result + x)).ok
    # the sub-steps must be of every term: a dropped one is caught
    fewer = d.root.substeps[:-1]
    assert not verify(d.root.replace(substeps=fewer, result=sum(s.result for s in fewer))).ok
    wrong_term = d.root.substeps[7].replace(result=sp.cos(8 * x))
    assert not verify(
        d.root.replace(substeps=(*d.root.substeps[:7], wrong_term, *d.root.substeps[8:]))
    ).ok


@pytest.mark.parametrize(
    "text",
    [
        "max(" + ", ".join(f"{k}*x" for k in range(1, 61)) + ")",
        "Piecewise(" + ", ".join(f"({k}*x, x < {k})" for k in range(1, 61)) + ", (0, True))",
        "*".join(f"(x + {k})" for k in range(1, 61)),
    ],
    ids=["max of 60", "60 pieces", "product of 60"],
)
@pytest.mark.slow
def test_wide_steps_of_every_kind_are_verified(text):
    # only sums and products are checked through their parts; other wide steps by sympy.diff
    assert differentiate(text, "x", timeout=120).verified


def test_variable_must_be_named_when_ambiguous():
    from chainrule_cli.errors import ParseError

    with pytest.raises(ParseError, match=r"several variables \(x, y\)"):
        differentiate("x*y")
    assert differentiate("t^2").var == R("t")


@pytest.mark.slow
def test_thousand_deep_composition():
    depth = 1000
    d = differentiate("sin(" * depth + "x" + ")" * depth, "x")
    chains = [s for s in d.steps if isinstance(s, S.ChainStep)]
    assert len(chains) == depth - 1
    assert len({c.intermediate for c in chains}) == depth - 1
    assert d.verified


@pytest.mark.parametrize("name", ["log", "exp", "Abs", "sign", "sigmoid", "sin", "relu", "sqrt"])
def test_a_declared_function_is_unknown_whatever_its_name(name):
    # --function log: the user's own log, not the natural logarithm (its class is named log too)
    d = differentiate(f"{name}(x^2)", "x", functions=(name,))
    assert_every_step_valid(d)
    f = sp.Function(name)
    assert sp.simplify(d.result - sp.diff(f(x**2), x).doit()) == 0
    assert {s.rule for s in d.steps} >= {"function"}
    assert not {"logarithm", "exponential", "abs", "trig", "sigmoid"} & {s.rule for s in d.steps}


def test_numbers_past_a_double_are_compared_not_taken_for_infinity():
    # found by the scale benchmark: a product of 250 factors is 10^493 at x = 0.18, and
    # SymPy's Float converts it to inf (no OverflowError), so inf − inf failed the step
    from chainrule_cli.calculus.numeric import close

    big = sp.Float("5.39501468075268e+493", 30)
    assert close(big, big) and close(big, big * (1 + sp.Float("1e-12")))
    assert not close(big, 2 * big)
    d = differentiate("*".join(f"(x+{k})" for k in range(1, 201)), "x")
    assert d.verified


def step_classes() -> list[type]:
    found, stack = [], [S.Step]
    while stack:
        for sub in stack.pop().__subclasses__():
            found.append(sub)
            stack.append(sub)
    return found


def test_the_schema_lists_exactly_the_rules_of_the_step_classes():
    import json
    from importlib import resources

    schema = json.loads(
        resources.files("chainrule_cli").joinpath("schemas/derivation.json").read_text()
    )
    listed = schema["$defs"]["step"]["properties"]["rule"]["enum"]
    assert set(S.STEP_CLASSES) == set(step_classes())  # the list of classes forgets none
    rules = [cls.rule for cls in S.STEP_CLASSES]
    assert len(set(rules)) == len(rules)  # one class per rule
    assert sorted(listed) == sorted(rules)
