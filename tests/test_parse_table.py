"""Every input form people type, with the exact SymPy tree it must produce (structural equality)."""

from __future__ import annotations

import pytest
import sympy as sp
from conftest import R

from chainrule_cli.errors import ParseError
from chainrule_cli.functions import relu, sigmoid
from chainrule_cli.parse import parse

x, y, z, w, b, a, t, n = (R(c) for c in "xyzwbatn")
f, g, h = sp.Function("f"), sp.Function("g"), sp.Function("h")

TABLE = [
    # implicit multiplication
    ("2x", 2 * x),
    ("2(x+1)", 2 * (x + 1)),
    ("1/2 x", x / 2),  # 1/2x and x/2y (no space) are refused: tests/data/notation.tsv
    ("(a+b)(a-b)", (a + b) * (a - b)),
    ("x y", x * y),
    ("2x^2", 2 * x**2),
    ("2 x y", 2 * x * y),
    ("x(x+1)", x * (x + 1)),
    ("(x+1)x", x * (x + 1)),
    ("(x+1)(x+2)(x+3)", (x + 1) * (x + 2) * (x + 3)),
    ("2sin(x)", 2 * sp.sin(x)),
    ("3|x|", 3 * sp.Abs(x)),
    # signs and powers
    ("-x^2", -(x**2)),
    ("(-x)^2", x**2),
    ("x^-1", 1 / x),
    ("x^-2", x**-2),
    ("2^3^2", sp.Integer(512)),
    ("x^y^z", x ** (y**z)),
    ("x**2", x**2),
    ("x**-1/2", 1 / (2 * x)),
    ("x^(1/2)", sp.sqrt(x)),
    ("- - x", x),
    ("+x", x),
    ("2*-x", -2 * x),
    ("x - y - z", x - y - z),
    ("x/y/z", x / (y * z)),
    ("e^x", sp.exp(x)),
    ("e^-x", sp.exp(-x)),
    ("e", sp.E),
    ("2e^x", 2 * sp.exp(x)),
    ("e^(w*x+b)", sp.exp(w * x + b)),
    ("E^2", sp.exp(2)),
    # functions without parentheses
    ("sin x", sp.sin(x)),
    ("ln x", sp.log(x)),
    ("sin x^2", sp.sin(x**2)),
    ("sin 2x", sp.sin(2 * x)),
    ("sin x cos x", sp.sin(x) * sp.cos(x)),
    ("ln x/2", sp.log(x) / 2),
    ("sin x + 1", sp.sin(x) + 1),
    ("sin sin x", sp.sin(sp.sin(x))),
    ("sin -x", sp.sin(-x)),
    ("sin^2 x", sp.sin(x) ** 2),
    ("sin^2(x)", sp.sin(x) ** 2),
    ("sin^-1 x", sp.asin(x)),
    ("tanh^-1 x", sp.atanh(x)),
    ("ln |x|", sp.log(sp.Abs(x))),
    ("e^sin x", sp.exp(sp.sin(x))),
    ("sinx", sp.sin(x)),
    ("lnx", sp.log(x)),
    ("2 sin x cos x", 2 * sp.sin(x) * sp.cos(x)),
    # names and constants
    ("x", x),
    ("w0", R("w0")),
    ("x_1", R("x_1")),
    ("alpha", R("alpha")),
    ("theta", R("theta")),
    ("α", R("alpha")),
    ("gamma", R("gamma")),
    ("pi", sp.pi),
    ("π", sp.pi),
    ("E", sp.E),
    ("oo", sp.oo),
    ("∞", sp.oo),
    ("I", sp.I),
    ("rate", R("rate")),
    ("w0*(x+1)", R("w0") * (x + 1)),  # w0(x+1), alpha(x+1) are refused: notation.tsv
    ("alpha*(x+1)", R("alpha") * (x + 1)),
    # numbers
    ("0.5", sp.Float("0.5")),
    (".5x", sp.Float("0.5") * x),
    ("1.5e3", sp.Float("1500.0")),
    ("3/4", sp.Rational(3, 4)),
    ("12345678901234567890", sp.Integer(12345678901234567890)),
    ("5!", sp.Integer(120)),
    ("n!", sp.factorial(n)),
    # the function vocabulary
    ("exp(x)", sp.exp(x)),
    ("log(x)", sp.log(x)),
    ("ln(x)", sp.log(x)),
    ("log(x, 2)", sp.log(x, 2)),
    ("log2(x)", sp.log(x) / sp.log(2)),
    ("log10(x)", sp.log(x) / sp.log(10)),
    ("sqrt(x)", sp.sqrt(x)),
    ("cbrt(x)", sp.cbrt(x)),
    ("root(x, 5)", sp.root(x, 5)),
    ("abs(x)", sp.Abs(x)),
    ("Abs(x)", sp.Abs(x)),
    ("|x|", sp.Abs(x)),
    ("|x - |y||", sp.Abs(x - sp.Abs(y))),
    ("||x||", sp.Abs(x)),
    ("sin(x)", sp.sin(x)),
    ("cos(x)", sp.cos(x)),
    ("tan(x)", sp.tan(x)),
    ("cot(x)", sp.cot(x)),
    ("sec(x)", sp.sec(x)),
    ("csc(x)", sp.csc(x)),
    ("asin(x)", sp.asin(x)),
    ("arcsin(x)", sp.asin(x)),
    ("arccos(x)", sp.acos(x)),
    ("arctan(x)", sp.atan(x)),
    ("acot(x)", sp.acot(x)),
    ("asec(x)", sp.asec(x)),
    ("arccsc(x)", sp.acsc(x)),
    ("sinh(x)", sp.sinh(x)),
    ("cosh(x)", sp.cosh(x)),
    ("tanh(x)", sp.tanh(x)),
    ("coth(x)", sp.coth(x)),
    ("sech(x)", sp.sech(x)),
    ("csch(x)", sp.csch(x)),
    ("asinh(x)", sp.asinh(x)),
    ("arcosh(x)", sp.acosh(x)),
    ("artanh(x)", sp.atanh(x)),
    ("acoth(x)", sp.acoth(x)),
    ("asech(x)", sp.asech(x)),
    ("acsch(x)", sp.acsch(x)),
    ("sigmoid(x)", sigmoid(x)),
    ("sigmoid(w*x + b)", sigmoid(w * x + b)),
    ("relu(x)", relu(x)),
    ("softplus(x)", sp.log(1 + sp.exp(x))),
    ("max(x, y)", sp.Max(x, y)),
    ("max(x, y, 1)", sp.Max(x, y, 1)),
    ("min(x, 0)", sp.Min(x, 0)),
    ("Max(0, x)", sp.Max(0, x)),
    ("erf(x)", sp.erf(x)),
    ("erfc(x)", sp.erfc(x)),
    ("gamma(x)", sp.gamma(x)),
    ("sign(x)", sp.sign(x)),
    ("Heaviside(x)", sp.Heaviside(x)),
    ("atan2(y, x)", sp.atan2(y, x)),
    ("besselj(2, x)", sp.besselj(2, x)),
    # unknown functions
    ("f(x)", f(x)),
    ("f(g(x))", f(g(x))),
    ("h(x, y)", h(x, y)),
    ("f(x)^2", f(x) ** 2),
    ("f", R("f")),
    ("f x", R("f") * x),
    # the article's example, written several ways
    ("1/(1+exp(-(w*x+b)))", 1 / (1 + sp.exp(-(w * x + b)))),
    ("1/(1+e^(-(wx+b)))", 1 / (1 + sp.exp(-R("wx") - b))),
    ("1/(1+e^-(w x+b))", 1 / (1 + sp.exp(-(w * x + b)))),
    # Unicode
    ("√x", sp.sqrt(x)),
    ("√(x+1)", sp.sqrt(x + 1)),
    ("√2x", sp.sqrt(2) * x),
    ("2·x", 2 * x),
    ("2×x", 2 * x),
    ("x − 1", x - 1),
    ("x²", x**2),
    ("x³ + 2x²", x**3 + 2 * x**2),
    ("x⁻¹", 1 / x),
    ("2πx", 2 * sp.pi * x),
    ("x ÷ 2", x / 2),
    # LaTeX
    (r"\frac{1}{1+e^{-(wx+b)}}", 1 / (1 + sp.exp(-(w * x + b)))),
    (r"\sin(x^2)", sp.sin(x**2)),
    (r"\sqrt{1+x^2}", sp.sqrt(1 + x**2)),
    (r"\sqrt[3]{x}", sp.cbrt(x)),
    (r"\ln x", sp.log(x)),
    (r"\ln\left|x\right|", sp.log(sp.Abs(x))),
    (r"x^{x}", x**x),
    (r"\frac{d}{1}", R("d")),
    (r"2\cdot x", 2 * x),
    (r"\sin^2 x", sp.sin(x) ** 2),
    (r"\log_{2} x", sp.log(x, 2)),
    (r"\log_2(x)", sp.log(x, 2)),
    (r"\alpha x_1 + \beta x_{2}", R("alpha") * R("x_1") + R("beta") * R("x_2")),
    (r"e^{\pi}", sp.exp(sp.pi)),
    (r"\operatorname{sigmoid}(x)", sigmoid(x)),
    (r"\frac12 x", x / 2),
    (r"\left(x+1\right)^{2}", (x + 1) ** 2),
    (r"\tanh(x) \cdot \cosh x", sp.tanh(x) * sp.cosh(x)),
    (r"\exp(-x^2)", sp.exp(-(x**2))),
    # what SymPy prints parses back
    ("Derivative(f(x), x)", sp.Derivative(f(x), x)),
    ("Derivative(f(x), (x, 2))", sp.Derivative(f(x), (x, 2))),
    ("Derivative(f(g(x)), g(x))*Derivative(g(x), x)", f(g(x)).diff(x)),
    ("Subs(Derivative(f(y), y), y, x**2)", sp.Subs(sp.Derivative(f(y), y), y, x**2)),
    ("Piecewise((x, x > 0), (0, True))", sp.Piecewise((x, x > 0), (0, True))),
    (
        "Piecewise((x, (x > 0) & (x < 1)), (0, True))",
        sp.Piecewise((x, sp.And(x > 0, x < 1)), (0, True)),
    ),
    ("DiracDelta(x)", sp.DiracDelta(x)),
    ("exp(-b - w*x)", sp.exp(-b - w * x)),
    ("x**(1/3)", sp.cbrt(x)),
    ("1/sqrt(x)", 1 / sp.sqrt(x)),
    ("log(x)/log(2)", sp.log(x, 2)),
    ("-x/2", -x / 2),
    ("(1 - sigmoid(x))*sigmoid(x)", (1 - sigmoid(x)) * sigmoid(x)),
    # found by fuzzing: SymPy makes |2|x|| 2·Abs(Abs(x)), whose text reads back as 2·|x|
    ("||x + x||", 2 * sp.Abs(x)),
    ("abs(-3*abs(x))", 3 * sp.Abs(x)),
    ("|-|x||", sp.Abs(x)),
    # what JSON prints for a value that does not exist reads back; using it is an error
    ("zoo", sp.zoo),
    ("nan", sp.nan),
]


@pytest.mark.parametrize(("text", "expected"), TABLE, ids=[t for t, _ in TABLE])
def test_parses_to_exact_tree(text, expected):
    result = parse(text)
    assert result == expected, f"{text!r} -> {sp.srepr(result)}, expected {sp.srepr(expected)}"
    assert sp.srepr(result) == sp.srepr(expected)


def test_table_is_big_enough():
    assert len(TABLE) >= 80


def test_variables_are_real():
    assert parse("x").is_real
    assert parse("|x|").diff(x) == sp.sign(x)


def test_declared_functions():
    phi = sp.Function("phi")
    assert parse("phi(x)", functions={"phi"}) == phi(x)
    # undeclared, a name of more than one letter before "(" is neither a product nor a function
    with pytest.raises(ParseError, match="'phi' is not a known function: declare it"):
        parse("phi(x)")
    assert parse("phi*(x)") == R("phi") * x


def test_latex_forced_by_option():
    # without a backslash, plain input reads "wx" as one name; LaTeX reads w·x
    assert parse("wx", input="latex") == w * x
    assert parse("wx", input="text") == R("wx")


def test_tower_of_powers_stays_unevaluated():
    value = parse("10^10^10")
    assert isinstance(value, sp.Pow)
    assert value.base == 10
    assert str(value) == "10**(10**10)"
    assert str(parse("2*10^10^10 + x")) == "x + 2*10**(10**10)"
