"""What a calculus student types, read exactly once: each notation with the SymPy tree it must
give (built with SymPy directly), and each ambiguous one refused with its message and column."""

from __future__ import annotations

import pytest
import sympy as sp

from chainrule_cli.errors import ParseError
from chainrule_cli.functions import sigmoid
from chainrule_cli.parse import parse, symbol
from chainrule_cli.render.printing import unicode

x, y, t, b, a, theta = (symbol(n) for n in ("x", "y", "t", "b", "a", "theta"))
f, g, h, u, phi = (sp.Function(n) for n in ("f", "g", "h", "u", "phi"))


def at(fn, point, order=1):
    """fn's order-th derivative at a point that is not a variable, as SymPy's diff makes it:
    Subs(Derivative(fn(ξ), (ξ, order)), ξ, point) with the dummy ξ of Function.fdiff."""
    xi = sp.Dummy("xi_1", dummy_index=hash(point))
    return sp.Subs(sp.Derivative(fn(xi), (xi, order)), xi, point)


NOTATIONS = [
    # powers and inverses of functions, as written
    ("sin²x", sp.sin(x) ** 2),
    ("sin^2 x", sp.sin(x) ** 2),
    ("sin^2(x)", sp.sin(x) ** 2),
    ("sin^2x", sp.sin(x) ** 2),
    ("cos³(x)", sp.cos(x) ** 3),
    ("sin²(2x)", sp.sin(2 * x) ** 2),
    ("sin²x + cos²x", sp.sin(x) ** 2 + sp.cos(x) ** 2),
    ("tan²(x) + 1", sp.tan(x) ** 2 + 1),
    ("sin⁻¹ x", sp.asin(x)),
    ("sin⁻¹(x)", sp.asin(x)),
    ("tan⁻¹x", sp.atan(x)),
    ("cos⁻¹(2x)", sp.acos(2 * x)),
    ("sin^-1 x", sp.asin(x)),
    ("sin^(-1) x", sp.asin(x)),
    ("cos^{-1}x", sp.acos(x)),
    ("sinh⁻¹x", sp.asinh(x)),
    ("sin⁻²x", sp.sin(x) ** -2),
    (r"\sin^2 x", sp.sin(x) ** 2),
    (r"\sin^{2}(x)", sp.sin(x) ** 2),
    (r"\sin^{-1} x", sp.asin(x)),
    (r"\tan^{-1}(x)", sp.atan(x)),
    # a coefficient glued between a function's name and its variable
    ("sin2x", sp.sin(2 * x)),
    ("sin3x", sp.sin(3 * x)),
    ("cos2x", sp.cos(2 * x)),
    ("tan2x", sp.tan(2 * x)),
    ("sinh2x", sp.sinh(2 * x)),
    ("arctan3x", sp.atan(3 * x)),
    ("exp2x", sp.exp(2 * x)),
    ("cos10t", sp.cos(10 * t)),
    ("ln2x", sp.log(2 * x)),
    ("ln3x", sp.log(3 * x)),
    ("sin2theta", sp.sin(2 * theta)),
    ("cos2pi", sp.Integer(1)),
    ("sin 3x", sp.sin(3 * x)),
    ("2sin3x", 2 * sp.sin(3 * x)),
    ("sin2x cos2x", sp.sin(2 * x) * sp.cos(2 * x)),
    ("sin x sin2x", sp.sin(x) * sp.sin(2 * x)),
    ("sin2x^2", sp.sin(2 * x**2)),  # as sin 2x^2: the glued form reads as the spaced one
    ("sin2x + cos2x", sp.sin(2 * x) + sp.cos(2 * x)),
    ("e^sin2x", sp.exp(sp.sin(2 * x))),
    ("e^sinx", sp.exp(sp.sin(x))),
    ("ln2", sp.log(2)),
    ("sinx", sp.sin(x)),
    ("log2x", sp.log(x, 2)),  # log₂ x, as log2(x) (unchanged)
    ("log10x", sp.log(x, 10)),
    # logarithms to a base
    ("log_2(x)", sp.log(x, 2)),
    ("log_2 x", sp.log(x, 2)),
    ("log_2x", sp.log(x, 2)),
    ("log_{2}(x)", sp.log(x, 2)),
    ("log_{2} x", sp.log(x, 2)),
    ("log_10(x)", sp.log(x, 10)),
    ("log_b(x)", sp.log(x, b)),
    ("log_e x", sp.log(x)),
    ("log_2(x)^2", sp.log(x, 2) ** 2),
    ("x log_2 x", x * sp.log(x, 2)),
    (r"\log_2 x", sp.log(x, 2)),
    (r"\log_{10}(x)", sp.log(x, 10)),
    (r"\log_{2}{x}", sp.log(x, 2)),
    ("log_loss", symbol("log_loss")),  # a name (unchanged)
    ("ln|x|", sp.log(sp.Abs(x))),
    ("ln |x + 1|", sp.log(sp.Abs(x + 1))),
    # brackets group
    ("[x+1]^2", (x + 1) ** 2),
    ("2[x+1]", 2 * x + 2),
    ("[x+1][x-1]", (x + 1) * (x - 1)),
    ("[(x+1)^2 + 1]^3", ((x + 1) ** 2 + 1) ** 3),
    ("sin[2x]", sp.sin(2 * x)),
    (r"\left[ x + 1 \right]^{2}", (x + 1) ** 2),
    (r"\{x+1\}", x + 1),
    (r"\left\{ x+1 \right\}^2", (x + 1) ** 2),
    (r"\sqrt[3]{x} + [x]^2", sp.cbrt(x) + x**2),
    # unknown functions' derivatives: what SymPy's diff makes
    ("f'(x)", sp.Derivative(f(x), x)),
    ("f''(x)", sp.Derivative(f(x), (x, 2))),
    ("f'''(x)", sp.Derivative(f(x), (x, 3))),
    ("f′(x)", sp.Derivative(f(x), x)),
    ("f″(x)", sp.Derivative(f(x), (x, 2))),
    ("f′′′(x)", sp.Derivative(f(x), (x, 3))),
    ("f^(4)(x)", sp.Derivative(f(x), (x, 4))),
    (r"f^{(4)}\left(x\right)", sp.Derivative(f(x), (x, 4))),
    ("g'(x)", sp.Derivative(g(x), x)),
    ("h'(t)", sp.Derivative(h(t), t)),
    ("f'(g(x))", sp.Derivative(f(g(x)), g(x))),
    ("f'(g(x))·g'(x)", sp.diff(f(g(x)), x)),
    ("2f'(2x)", sp.diff(f(2 * x), x)),
    ("f'(2x)", at(f, 2 * x)),
    ("4f''(2x)", sp.diff(f(2 * x), x, 2)),
    ("cos(x)·f'(sin(x))", sp.diff(f(sp.sin(x)), x)),
    ("f''(g(x))·g'(x)^2 + f'(g(x))·g''(x)", sp.diff(f(g(x)), x, 2)),
    ("f'(x)^2", sp.Derivative(f(x), x) ** 2),
    ("u'(x)", sp.Derivative(u(x), x)),  # any name with a prime and an argument
    ("φ'(x)", sp.Derivative(phi(x), x)),
    (r"f'\left(x\right)", sp.Derivative(f(x), x)),
    # the text format's own spellings
    ("σ(x)·(1 − σ(x))", sigmoid(x) * (1 - sigmoid(x))),
    ("Γ(x)", sp.gamma(x)),
    ("δ(x, 1)", sp.DiracDelta(x, 1)),
    ("σ x", symbol("sigma") * x),  # without "(" σ is a Greek letter
    ("x₁ + w₀", symbol("x_1") + symbol("w_0")),
    ("1.5e−7", sp.Float("1.5e-7")),
]


@pytest.mark.parametrize(("text", "expected"), NOTATIONS, ids=[n for n, _ in NOTATIONS])
def test_notation_reads_as_written(text, expected):
    result = parse(text)
    assert result == expected, f"{text!r} -> {sp.srepr(result)}, expected {sp.srepr(expected)}"
    assert sp.srepr(result) == sp.srepr(expected)


def test_table_is_big_enough():
    assert len(NOTATIONS) >= 50


REFUSALS = [
    ("sin2(x)", 1, "'sin2' is ambiguous here: write sin(2·…) or sin^2(…)"),
    ("sin2 x", 1, "'sin2' is ambiguous here: write sin(2·…) or sin^2(…)"),
    ("1 + cos3(x)", 5, "'cos3' is ambiguous here: write cos(3·…) or cos^3(…)"),
    ("sin2xy", 1, "'sin2xy' is ambiguous: put the argument of sin in parentheses, as in sin(…)"),
    (
        "sin2x(x+1)",
        1,
        "'sin2x' is ambiguous: put the argument of sin in parentheses, as in sin(…)",
    ),
    ("log3x", 1, "'log3x' is ambiguous: write log(3x) or log_3(x)"),
    ("log3", 1, "'log3' is ambiguous: write log(3) or log_3(…)"),
    ("log_2x(x+1)", 1, "'log_2x' is ambiguous: write log_2(x·…) or log_2(x)·(…)"),
    ("log_2", 1, "log_2 needs an argument"),
    ("[x]", 1, "unexpected '['"),
    ("[x+1]", 1, "unexpected '['"),
    ("[f1, f2]", 1, "unexpected '['"),
    ("2[x, y]", 1, "a list cannot be used in arithmetic"),
    ("[x+1)", 5, "expected ']' but found ')'"),
    ("y'", 1, "y' needs its variable: write dy/dx or y'(x)"),
    ("y''", 1, "y'' needs its variable: write d^2y/dx^2 or y''(x)"),
    ("1 + x'", 5, "x' needs its variable: write dx/dt or x'(t)"),
    ("f'", 1, "f' needs its variable: write df/dx or f'(x)"),
    ("y'(x) + y", 9, "y is a function here (y'): write y(x)"),
    ("(x+1)'", 6, "a prime (') goes after a function's name, as in f'(x)"),
    ("2'", 2, "a prime (') goes after a function's name, as in f'(x)"),
    ("f(x)'", 5, "a prime (') goes after a function's name, as in f'(x)"),
    (
        "sin'(x)",
        4,
        "sin' is not read as a derivative: a prime (') goes after an unknown function's name,"
        " as in f'(x)",
    ),
    (
        "e'",
        2,
        "e' is not read as a derivative: a prime (') goes after an unknown function's name,"
        " as in f'(x)",
    ),
    ("f' '(x)", 4, "write the primes together, as in f''(x)"),
    (
        "h'(x, y)",
        1,
        "h'(…) needs one argument: for a function of several variables, write"
        " Derivative(h(…), variable)",
    ),
    (
        "f^2(x)",
        1,
        "'f^2(…)' is ambiguous: write f(…)^2 for a power, or f^(2)(…) for a derivative",
    ),
    ("f²(x)", 1, "'f^2(…)' is ambiguous: write f(…)^2 for a power, or f^(2)(…) for a derivative"),
    ("f^(0)(x)", 4, "the order of a derivative is 1, 2, 3, …"),
    ("1e−3", 1, "'1e−3' would read as a product with e; write 1.0e−3"),
]


@pytest.mark.parametrize(("text", "column", "message"), REFUSALS, ids=[r[0] for r in REFUSALS])
def test_ambiguous_notation_is_refused(text, column, message):
    with pytest.raises(ParseError) as info:
        parse(text)
    assert info.value.message == message
    assert info.value.column == column


def test_primes_of_a_name_with_the_callers_variable():
    y_ = sp.Function("y")
    assert parse("y'", prime_variable=x) == sp.Derivative(y_(x), x)
    assert parse("y''", prime_variable=t) == sp.Derivative(y_(t), (t, 2))
    assert parse("y'(x)", prime_variable=t) == sp.Derivative(y_(x), x)  # its own argument
    # with y' = dy/dx, a bare y is y(x): y'' + y is y''(x) + y(x), not y''(x) plus a constant
    assert parse("y'' + y", prime_variable=x) == sp.Derivative(y_(x), (x, 2)) + y_(x)
    assert parse("f' + 2f", prime_variable=x) == sp.Derivative(f(x), x) + 2 * f(x)
    assert parse("y'(x) + y(x)") == sp.Derivative(y_(x), x) + y_(x)
    # a name without a prime is as before
    assert parse("y + x", prime_variable=x) == y + x


def test_declared_functions_take_primes():
    assert parse("phi'(x)", functions={"phi"}) == sp.Derivative(phi(x), x)
    assert parse("F''(t)") == sp.Derivative(sp.Function("F")(t), (t, 2))


def rebuilt(expr):
    """expr as SymPy builds it from its parts: diff leaves 2·(a + b) unevaluated, which the
    text 2(a + b) cannot say (SymPy's Mul makes 2a + 2b of it)."""
    return expr.func(*map(rebuilt, expr.args)) if expr.args else expr


def test_derivatives_read_back_what_diff_makes():
    for expr in (f(2 * x), f(x**2), f(sp.sin(x)), f(g(x)), f(f(x)), f(x) * g(x), f(3)):
        for order in (1, 2, 3):
            derivative = sp.diff(expr, x, order)
            text = unicode(derivative)
            assert parse(text) == rebuilt(derivative), text
    # f'(2) is the derivative at the point 2, as SymPy substitutes it
    assert parse("f'(2)") == sp.Derivative(f(x), x).subs(x, 2)


def test_prime_never_enters_sympy_names():
    assert "'" not in str(parse("f'(x) + f''(g(x)) + f'(2x)"))
    assert "'" not in str(parse("y''", prime_variable=x))
