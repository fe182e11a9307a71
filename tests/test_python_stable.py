"""`--format python` stays finite and accurate where the plain formulas overflow or take log(0):
σ, softplus, log σ, log(1 − σ) and binary cross-entropy from logits, forward and backward."""

from __future__ import annotations

import math
import random

import mpmath
import pytest
import sympy
from conftest import CommandLine

from chainrule_cli.api import graph
from chainrule_cli.render.python import render_python

runner = CommandLine()

BCE = "-(t*log(sigmoid(z)) + (1-t)*log(1-sigmoid(z)))"
# (expression, its variables other than the one swept, the value of each)
ONE_VARIABLE = ["sigmoid(x)", "softplus(x)", "log(1+exp(x))", "log(sigmoid(x))",
                "log(1-sigmoid(x))", "1 - sigmoid(x)", "softplus(-x)", "log(1+exp(-x))",
                "log(sigmoid(-x))", "sigmoid(x) + log(sigmoid(x))", "softplus(x)*sigmoid(x)",
                "sigmoid(2*x - 1)", "log(sigmoid(3*x))"]  # fmt: skip
EXTREMES = [-1e4, -1000.0, -40.0, -37.0, 37.0, 40.0, 1000.0, 1e4]
# digits enough for e^(±10^4) and for 1 − σ(10^4) = 1 − (1 − 10^−4343) to keep its digits
REFERENCE_DPS = 4500


def emitted(text: str) -> str:
    """The module `chainrule graph TEXT --format python` prints."""
    result = runner.invoke(["graph", text, "--format", "python"], env={"NO_COLOR": "1"})
    assert result.exit_code == 0, result.output
    return result.stdout


def load(source: str, name: str = "f"):
    namespace: dict = {}
    exec(compile(source, "<chainrule>", "exec"), namespace)  # our own output, not user text
    return namespace[name]


def reference(text: str):
    """(value, {variable: gradient}) of the expression in REFERENCE_DPS-digit mpmath, each
    rounded to the nearest double: SymPy's expression and sympy.diff, σ written out."""
    g = graph(text)
    variables = list(g.wrt)
    expr = g.expr.rewrite(sympy.exp)
    value = sympy.lambdify(variables, expr, "mpmath")
    slopes = {str(v): sympy.lambdify(variables, sympy.diff(expr, v), "mpmath") for v in variables}

    def at(**point):
        with mpmath.workdps(REFERENCE_DPS):
            args = [mpmath.mpf(point[str(v)]) for v in variables]
            return float(value(*args)), {k: float(d(*args)) for k, d in slopes.items()}

    return at


def close(got: float, want: float, rel: float = 1e-9) -> bool:
    # a double that underflows to 0 (σ(−1000) = e^−1000) is compared absolutely
    return math.isfinite(got) and got == pytest.approx(want, rel=rel, abs=1e-300)


def check_at(f, want, point: dict) -> None:
    value, gradient = f(**point)
    expected, slopes = want(**point)
    assert close(value, expected), (point, value, expected)
    assert list(gradient) == sorted(point)
    for name, slope in slopes.items():
        got = gradient[name]
        assert close(got, slope), (point, name, got, slope)


@pytest.mark.parametrize("text", ONE_VARIABLE)
def test_one_variable_is_finite_and_exact_at_the_extremes(text):
    f, want = load(emitted(text)), reference(text)
    for x in EXTREMES:
        check_at(f, want, {"x": x})


@pytest.mark.parametrize("t", [0.0, 1.0, 0.3])
def test_binary_cross_entropy_from_logits_is_finite_and_exact_at_the_extremes(t):
    f, want = load(emitted(BCE)), reference(BCE)
    for z in EXTREMES:
        check_at(f, want, {"t": t, "z": z})
        value, gradient = f(t=t, z=z)
        # the loss is max(z, 0) − t·z + log(1 + e^(−|z|)) and ∂/∂z = σ(z) − t
        assert value == pytest.approx(max(z, 0) - t * z + math.log1p(math.exp(-abs(z))))
        sigma = 1 / (1 + math.exp(-z)) if z >= 0 else math.exp(z) / (1 + math.exp(z))
        assert gradient["z"] == pytest.approx(sigma - t, rel=1e-12, abs=1e-15)
        assert gradient["t"] == pytest.approx(-z, rel=1e-12)  # −log σ(z) + log(1 − σ(z))


def test_a_neuron_with_a_logistic_loss_at_large_weights():
    text = "-(t*log(sigmoid(w*x + b)) + (1-t)*log(1-sigmoid(w*x + b)))"
    f, want = load(emitted(text)), reference(text)
    for w, x, b, t in [(100.0, 50.0, 3.0, 0.0), (-100.0, 50.0, -3.0, 1.0), (10.0, -1e3, 0.5, 0.3)]:
        check_at(f, want, {"b": b, "t": t, "w": w, "x": x})


def central_difference(f, point: dict, name: str, h: float = 1e-6) -> float:
    up, down = dict(point), dict(point)
    up[name] += h
    down[name] -= h
    return (f(**up)[0] - f(**down)[0]) / (2 * h)


@pytest.mark.parametrize("text", [*ONE_VARIABLE, BCE])
def test_moderate_points_match_mpmath_and_central_differences(text):
    f, want = load(emitted(text)), reference(text)
    variables = [str(v) for v in graph(text).wrt]
    rng = random.Random(text)
    for _ in range(10):
        point = {v: rng.uniform(0, 1) if v == "t" else rng.uniform(-8, 8) for v in variables}
        check_at(f, want, point)
        _, gradient = f(**point)
        for v in variables:
            slope = central_difference(f, point, v)
            assert gradient[v] == pytest.approx(slope, rel=1e-6, abs=1e-8), (text, point, v)


def test_no_overflow_where_the_plain_formulas_fail():
    # before: math.exp(1000) raised OverflowError, math.log(0.0) raised ValueError
    assert load(emitted("sigmoid(x)"))(x=-1000.0) == (0.0, {"x": 0.0})
    assert load(emitted("softplus(x)"))(x=1000.0) == (1000.0, {"x": 1.0})
    assert load(emitted("log(sigmoid(x))"))(x=-1e4) == (-1e4, {"x": 1.0})
    assert load(emitted("log(1-sigmoid(x))"))(x=1e4) == (-1e4, {"x": -1.0})
    assert load(emitted(BCE))(t=0.0, z=40.0) == (pytest.approx(40.0), {"t": -40.0, "z": 1.0})


def test_helpers_are_written_only_when_used_and_each_node_stays_one_line():
    plain = emitted("x^2 + sin(x)")
    assert "def _" not in plain
    sigmoid = emitted("sigmoid(x)")
    assert "def _sigmoid(a):" in sigmoid and "_softplus" not in sigmoid
    assert "    y = _sigmoid(x)\n" in sigmoid
    assert "    d_x = d_y * (y*_sigmoid(-x))\n" in sigmoid  # σ' = σ·(1 − σ), 1 − σ(x) = σ(−x)
    softplus = emitted("softplus(x)")
    assert "def _softplus(a):" in softplus and "_log_sigmoid" not in softplus
    # log(1 + e^x) in one line from x: e^x and 1 + e^x are not computed (e^1000 overflows)
    assert "    y = _softplus(x)  # = log(exp(x) + 1)\n" in softplus
    assert "math.exp(x)" not in softplus.split("def f")[1]
    assert "    d_x = d_y * _sigmoid(x)\n" in softplus
    bce = emitted(BCE)
    assert "def _log_sigmoid(a):" in bce and "def _softplus" not in bce
    assert "    u_2 = _log_sigmoid(z)  # = log(sigmoid(z))\n" in bce
    assert "    u_6 = _log_sigmoid(-z)  # = log(1 - sigmoid(z))\n" in bce
    assert "    d_z = d_u_2 * _sigmoid(-z) + d_u_6 * (-u_1)\n" in bce
    # the contract of the module: one function, its docstring, (value, {variable: gradient})
    title = "Value and gradient of y = -t*log(sigmoid(z)) - (1 - t)*log(1 - sigmoid(z))."
    assert f'    """{title}' in bce
    assert '    Returns (y, {"t": dy/dt, "z": dy/dz}).' in bce
    assert bce.count("\ndef f(") == 1


def test_a_helpers_name_yields_to_the_functions_and_the_variables():
    source = render_python(graph("log(sigmoid(x))"), name="_log_sigmoid")
    assert "def _log_sigmoid_(a):" in source and "def _log_sigmoid(*, x):" in source
    assert load(source, "_log_sigmoid")(x=-1000.0) == (-1000.0, {"x": 1.0})
    s = sympy.Symbol("_sigmoid", real=True)
    from chainrule_cli.functions import sigmoid

    source = render_python(graph(sigmoid(s) * 2))
    assert "def _sigmoid_(a):" in source and "def f(*, _sigmoid):" in source
    assert load(source)(_sigmoid=0.0) == (1.0, {"_sigmoid": 0.5})


def test_the_article_sigmoid_written_out_keeps_its_stages():
    # 1/(1 + e^(−x)) typed out is the article's four stages, each a line (test_graph_python)
    source = emitted("1/(1+exp(-x))")
    assert "_sigmoid" not in source and "    v = math.exp(u)\n" in source
