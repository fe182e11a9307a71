"""Reading what students write around an expression: d/dx, y = …, f(x) = …, dy/dx = …,
equations (implicit differentiation), and never a silent zero."""

from __future__ import annotations

import json
from importlib import resources

import jsonschema
import pytest
import sympy as sp
from conftest import R, runner
from test_stepper import assert_every_step_valid

from chainrule_cli import api
from chainrule_cli.calculus import steps as S
from chainrule_cli.calculus.implicit import derive_implicit
from chainrule_cli.calculus.verify import verify
from chainrule_cli.errors import ParseError, UndefinedError

x, y, t, w, b, theta = (R(n) for n in ("x", "y", "t", "w", "b", "theta"))
f = sp.Function("f")
VALIDATOR = jsonschema.Draft202012Validator(
    json.loads(resources.files("chainrule_cli").joinpath("schemas/derivation.json").read_text())
)


def run(*args: str, stdin: str | None = None):
    return runner.invoke(list(args), input=stdin)


# ---- how each line is read: (text, kind, expression, var, order, value, declared variables)
READINGS = [
    ("d/dx x^3", "operator", x**3, x, 1, None, ()),
    ("d/dx (x^2 sin x)", "operator", x**2 * sp.sin(x), x, 1, None, ()),
    ("d/dx [x^2 + 1]", "operator", x**2 + 1, x, 1, None, ()),
    ("d / dx x^3", "operator", x**3, x, 1, None, ()),
    ("d/d x x^3", "operator", x**3, x, 1, None, ()),
    ("d^2/dx^2 x^4", "operator", x**4, x, 2, None, ()),
    ("d²/dx² sin x", "operator", sp.sin(x), x, 2, None, ()),
    ("d^3/dt^3 e^(2t)", "operator", sp.exp(2 * t), t, 3, None, ()),
    ("d/dtheta sin theta", "operator", sp.sin(theta), theta, 1, None, ()),
    ("d/dw (w x + b)", "operator", w * x + b, w, 1, None, ()),
    (r"\frac{d}{dx}\left(x^2 \sin x\right)", "operator", x**2 * sp.sin(x), x, 1, None, ()),
    (r"\frac{d}{dx} x^{3}", "operator", x**3, x, 1, None, ()),
    (r"\dfrac{d}{dx}\left[x^2+1\right]", "operator", x**2 + 1, x, 1, None, ()),
    (r"\frac{d^2}{dx^2} x^3", "operator", x**3, x, 2, None, ()),
    (r"\frac{d^{2}}{dx^{2}} \sin x", "operator", sp.sin(x), x, 2, None, ()),
    (r"\frac{\mathrm{d}}{\mathrm{d}x} e^{x}", "operator", sp.exp(x), x, 1, None, ()),
    ("y = x^2 + 3x", "definition", x**2 + 3 * x, None, None, "y", ()),
    ("y = 1/(1+e^(-x))", "definition", 1 / (1 + sp.exp(-x)), None, None, "y", ()),
    ("f(x) = x^2 sin x", "definition", x**2 * sp.sin(x), None, None, "f", (x,)),
    ("f(w, x) = w x + 1", "definition", w * x + 1, None, None, "f", (w, x)),
    ("g(t) = e^t", "definition", sp.exp(t), None, None, "g", (t,)),
    ("p(x) = x^3", "definition", x**3, None, None, "p", (x,)),
    (r"y = \frac{1}{x}", "definition", 1 / x, None, None, "y", ()),
    ("x^2 + y^2 = 25", "equation", x**2 + y**2 - 25, None, None, None, ()),
    ("x^3 + y^3 = 6xy", "equation", None, None, None, None, ()),  # xy is one name: see below
    ("x^3 + y^3 = 6x y", "equation", x**3 + y**3 - 6 * x * y, None, None, None, ()),
    ("sin(x y) = x", "equation", sp.sin(x * y) - x, None, None, None, ()),
    ("e^y = x", "equation", sp.exp(y) - x, None, None, None, ()),
    ("y = x y + 1", "equation", y - x * y - 1, None, None, None, ()),
    ("x^2 + y^2 == 25", "equation", x**2 + y**2 - 25, None, None, None, ()),
    (r"x^{2} + y^{2} = 25", "equation", x**2 + y**2 - 25, None, None, None, ()),
    ("dy/dx = 2x", "derivative", 2 * x, x, 1, "y", ()),
    ("d^2y/dx^2 = 6x", "derivative", 6 * x, x, 2, "y", ()),
    (r"\frac{dy}{dx} = 2x", "derivative", 2 * x, x, 1, "y", ()),
    ("y' = 2x", "derivative", 2 * x, None, 1, "y", ()),
    ("y'' = 6x", "derivative", 6 * x, None, 2, "y", ()),
    ("f'(x) = 2x", "derivative", 2 * x, x, 1, "f", (x,)),
    ("sin x^2", "expression", sp.sin(x**2), None, None, None, ()),
    ("∂/∂x x^2 y", "operator", x**2 * y, x, 1, None, ()),
    ("f’(x) = 2x", "derivative", 2 * x, x, 1, "f", (x,)),
    ("sin x e^x", "expression", sp.sin(x) * sp.exp(x), None, None, None, ()),
    ("ln x e^x", "expression", sp.log(x) * sp.exp(x), None, None, None, ()),
    ("e^2 x", "expression", sp.exp(2) * x, None, None, None, ()),
    ("x**-1/2", "expression", 1 / (2 * x), None, None, None, ()),
    ("∛x", "expression", sp.cbrt(x), None, None, None, ()),
    ("½x^2", "expression", x**2 / 2, None, None, None, ()),
    ("lg x", "expression", sp.log(x, 10), None, None, None, ()),
    ("arctg x", "expression", sp.atan(x), None, None, None, ()),
    ("x — 1", "expression", x - 1, None, None, None, ()),
]


@pytest.mark.parametrize("text, kind, expr, var, order, value, arguments", READINGS)
def test_each_notation_is_read_as_meant(text, kind, expr, var, order, value, arguments):
    reading = api.parse_expression(text).reading
    assert reading.kind == kind
    if expr is not None:
        assert reading.expr == expr, reading.expr
    assert (reading.var, reading.order, reading.value) == (var, order, value)
    assert reading.arguments == arguments


REFUSED = [
    ("d/dx", "d/dx needs an expression after it", 1),
    ("d/dx (x^2) + 1", "d/dx applies to everything after it", 12),
    ("x + d/dx x^2", "a derivative operator such as d/dx goes at the start", 5),
    ("d^2/dx^3 x", "the orders differ", 1),
    ("d/dx = 3", "d/dx needs the expression after it, not '='", 6),
    ("a = b = c", "only one '=' is allowed", 7),
    ("1 = 2", "this equation has no variable", 3),
    ("= x", "expected an expression before '='", 1),
    ("y =", "expected an expression here", 4),
    ("dy/dx x^2", "dy/dx names a derivative", 1),
    ("f(x, x) = x", "a variable is named twice", 2),
    ("e^2x", "'e^2x' is ambiguous: write e^(2x) for the exponential, or e^2·x", 1),
    ("3e^-2t", "'e^-2t' is ambiguous: write e^(-2t) for the exponential", 2),
    ("x^1/2", "'^1/2' reads as the power 1, then divided by 2: write ^(1/2)", 2),
    ("1/2x^-1/2", "write ^(-1/2) for the root", 5),
    ("y(x)^2 + x^2 = 25", "'y(x)' could be y·x or a function y of x", 1),
    ("u(x)v(x)", "'u(x)' could be u·x or a function u of x", 1),
    ("f^-1(x)", "f^-1(…), the inverse function of f, is not known here", 1),
    ("f^{-1}(x)", "the inverse function of f", 1),
]


@pytest.mark.parametrize("text, message, column", REFUSED)
def test_what_cannot_be_read_is_refused_with_its_column(text, message, column):
    with pytest.raises(ParseError) as caught:
        api.parse_expression(text)
    assert message in caught.value.message
    assert caught.value.column == column


def test_parse_command_shows_the_reading():
    assert run("parse", "d/dx x^3").stdout == "Derivative(x**3, x)\n"
    assert run("parse", "d^2/dx^2 sin x").stdout == "Derivative(sin(x), (x, 2))\n"
    assert run("parse", "f(x) = x^2 sin x").stdout == "f(x) = x**2*sin(x)\n"
    assert run("parse", "x^2 + y^2 = 25").stdout == "x**2 + y**2 = 25\n"
    reading = json.loads(run("parse", "y = x^2", "-f", "json").stdout)["reading"]
    assert reading == {"kind": "definition", "text": "y = x**2", "value": "y", "variables": []}


# ---- the operator gives VAR and the order, which may repeat it but not contradict it
def test_operator_gives_the_variable_and_the_order():
    d = api.differentiate("d^2/dx^2 x^4")
    assert (d.var, d.order, d.result) == (x, 2, 12 * x**2)
    assert api.differentiate("d/dx x^3", "x", 1).result == 3 * x**2
    assert api.differentiate(r"\frac{d}{dx}\left(x^2 \sin x\right)").result == (
        x * (x * sp.cos(x) + 2 * sp.sin(x))
    )


def test_a_contradicting_variable_or_order_is_exit_2():
    result = run("diff", "d/dx x^2 t", "t")
    assert result.exit_code == 2
    assert "the expression says d/dx but the variable given is t" in result.stderr
    result = run("diff", "d/dx x^3", "--order", "2")
    assert result.exit_code == 2
    assert "asks for derivative 1" in result.stderr and "--order is 2" in result.stderr
    assert run("diff", "d^2/dx^2 x^3", "x", "-n", "2", "-f", "text").exit_code == 0


def test_diff_of_an_operator_shows_what_was_read():
    out = run("diff", "d/dx x^3", "--format", "text").stdout
    assert out.splitlines()[0] == "Differentiate y = x^3 with respect to x"
    assert "dy/dx = 3x^2" in out


# ---- definitions name the value and declare the variables
def test_a_definition_names_the_value_and_the_variable():
    d = api.differentiate("f(x) = x^2 sin x")
    assert (d.var, d.value, d.arguments) == (x, "f", (x,))
    out = run("diff", "f(x) = x^2 sin x", "--format", "text").stdout
    assert out.splitlines()[0] == "Differentiate f(x) = x^2·sin(x) with respect to x"
    assert "df/dx = 2x·sin(x) + x^2·cos(x)" in out
    data = json.loads(run("diff", "f(x) = a x^2", "--format", "json").stdout)
    VALIDATOR.validate(data)
    assert (data["value_name"], data["variables"], data["result"]) == ("f", ["x"], "2*a*x")


def test_a_definition_through_its_value_uses_its_name():
    d = api.differentiate("s = 1/(1+e^(-x))")
    assert d.in_terms_of is not None and str(d.in_terms_of.name) == "s"


def test_a_declared_function_of_several_variables_needs_the_variable():
    with pytest.raises(ParseError, match=r"f\(w, x\) has several variables; say which one"):
        api.differentiate("f(w, x) = w x + 1")
    assert api.differentiate("f(w, x) = w x + 1", "w").result == x
    with pytest.raises(ParseError, match=r"is a function of x, not of a"):
        api.differentiate("f(x) = a x^2", "a")


def test_an_answer_is_not_differentiated():
    result = run("diff", "dy/dx = 2x")
    assert result.exit_code == 2
    assert "chainrule check" in result.stderr


# ---- implicit differentiation
def independent_implicit(lhs, rhs, order):
    """y⁽ⁿ⁾ from −F_x/F_y, computed here without the library."""
    first = -sp.diff(lhs - rhs, x) / sp.diff(lhs - rhs, y)
    current = first
    for _ in range(order - 1):
        current = sp.diff(current, x) + sp.diff(current, y) * first
    return current


def assert_implicit_valid(d: S.Derivation, curve) -> None:
    """Every ordinary step keeps diff(expr) == result; the solved derivative is −F_x/F_y
    (and equal to it on the curve when simplified with the equation)."""
    assert d.verified
    ordinary = [s for s in d.steps if not isinstance(s, S.ImplicitStep)]
    wrapper = S.SumStep(expr=x, var=x, result=sp.S.One, substeps=tuple(ordinary))
    assert_every_step_valid(d.replace(root=wrapper))
    lhs, rhs = d.equation
    expected = independent_implicit(lhs, rhs, d.order)
    # on the curve: at points (x0, y0) with F = 0
    checked = 0
    for x0 in (sp.Rational(1, 3), sp.Rational(1, 2), sp.Rational(6, 5), 1, 2):
        for y0 in sp.Poly(curve.subs(x, x0), y).nroots() if curve.is_polynomial(y) else []:
            if not y0.is_real:
                continue
            point = {x: x0, y: y0}
            want, got = sp.N(expected.subs(point), 30), sp.N(d.result.subs(point), 30)
            if want.is_finite:
                assert abs(want - got) < 1e-12 * max(1, abs(want)), (point, want, got)
                checked += 1
    if curve.is_polynomial(y):
        assert checked >= 3


IMPLICIT = [
    ("x^2 + y^2 = 25", 1, -x / y),
    ("x^2 + y^2 = 25", 2, -25 / y**3),
    ("x^3 + y^3 = 6x y", 1, (x**2 - 2 * y) / (2 * x - y**2)),
    ("x^3 + y^3 = 6x y", 2, 16 * x * y / (2 * x - y**2) ** 3),
    ("sin(x y) = x", 1, (-y * sp.cos(x * y) + 1) / (x * sp.cos(x * y))),
    ("e^y = x", 1, sp.exp(-y)),
    ("e^y = x", 2, -sp.exp(-2 * y)),
]


@pytest.mark.parametrize("text, order, result", IMPLICIT)
def test_implicit_differentiation(text, order, result):
    d = api.differentiate(text, "x", order)
    assert d.dependent == y and d.result == result
    reading = api.parse_expression(text).reading
    assert_implicit_valid(d, reading.lhs - reading.rhs)


def test_implicit_steps_as_a_teacher_writes_them():
    out = run("diff", "x^2 + y^2 = 25", "x", "--format", "text").stdout
    lines = [line.strip() for line in out.splitlines()]
    assert lines[0] == "Differentiate x^2 + y^2 = 25 implicitly with respect to x, y = y(x)"
    at = lines.index("d/dx (x^2 + y^2) = d/dx (25)")
    assert lines[at + 1] == "2. Sum rule   (f + g)' = f' + g'"  # the sides worked, then
    at = lines.index("2x + 2y·y' = 0")  # what they give
    assert lines[at - 3] == "d/dx (x^2 + y^2) = (x^2)' + (y^2)' = 2x + 2y·y'"
    assert lines[at - 2 : at] == ["5. Constant   c' = 0", "d/dx (25) = 0"]  # a side: worked
    assert lines[at + 1] == "dy/dx = −x/y   solve for the derivative"
    # the chain rule stated once for y², without a u = y
    at = lines.index("d/dx (y^2) = 2y·y'")
    assert lines[at - 1] == "4. Chain rule   (f(y))' = f'(y)·y'"
    assert "let u = y" not in lines and "du/dx = y'" not in lines
    assert lines[-2:] == ["dy/dx = −x/y", "✓ Every step verified against SymPy."]


def test_implicit_second_derivative_puts_in_the_first_and_uses_the_curve():
    out = run("diff", "x^2 + y^2 = 25", "x", "-n", "2", "--format", "text").stdout
    lines = [line.strip() for line in out.splitlines()]
    assert "y'' = d/dx (−x/y)" in lines
    assert "y'' = −(x^2/y + y)/y^2   put in the first derivative" in lines
    assert "= −25/y^3   simplify with the equation itself" in lines
    assert "d²y/dx² = −25/y^3" in lines


def test_the_dependent_variable_can_be_chosen():
    d = api.differentiate("x^2 + y^2 = 25", "y", dependent="x")
    assert (d.var, d.dependent, d.result) == (y, x, -y / x)
    d = api.differentiate("t^2 + s^3 = 1", "t")
    assert d.dependent == R("s")
    with pytest.raises(ParseError, match="say which of a, b depends on x"):
        api.differentiate("x + a b = 1", "x")
    with pytest.raises(ParseError, match="--dependent is for an equation"):
        api.differentiate("x^2", "x", dependent="y")


def test_implicit_value_at_a_point_of_the_curve():
    result = run("diff", "x^2 + y^2 = 25", "x", "--at", "x=3,y=4", "--format", "text")
    assert result.exit_code == 0
    assert "Value at x = 3, y = 4: −3/4 ≈ −0.75" in result.stdout
    result = run("diff", "x^2 + y^2 = 25", "x", "--at", "x=1,y=1")
    assert result.exit_code == 2
    assert "(x, y) = (1, 1) is not on the curve x^2 + y^2 = 25" in result.stderr
    at_five = api.differentiate("x^2 + y^2 = 25", "x").value_at(["x=5", "y=0"])
    assert at_five["decimal"] is None  # a vertical tangent: no derivative


def test_implicit_json_says_which_variable_is_dependent():
    data = json.loads(run("diff", "x^2 + y^2 = 25", "x", "--format", "json").stdout)
    VALIDATOR.validate(data)
    assert data["dependent"] == "y" and data["result"] == "-x/y"
    assert data["equation"] == {"lhs": "x**2 + y**2", "rhs": "25", "latex": "x^{2} + y^{2} = 25"}
    root = data["steps"]
    assert root["rule"] == "implicit"
    assert [s["expr"] for s in root["substeps"]] == ["x**2 + y(x)**2", "25"]
    assert json.loads(run("diff", "x^2", "x", "--format", "json").stdout)["dependent"] is None


@pytest.mark.parametrize("fmt", ["latex", "markdown"])
def test_implicit_in_every_format(fmt):
    out = run("diff", "x^2 + y^2 = 25", "x", "--format", fmt).stdout
    assert r"\frac{d}{dx}\left(x^{2} + y^{2}\right) = \frac{d}{dx}\left(25\right)" in out.replace(
        " &=", " ="
    )
    assert r"- \frac{x}{y}" in out


def test_a_wrong_implicit_result_is_caught():
    d = derive_implicit(x**2 + y**2, sp.Integer(25), x, y)
    wrong = d.root.replace(result=x / y, solved=x / y)
    assert not verify(wrong).ok
    assert verify(d.root).ok


def test_implicit_zh():
    out = run("diff", "x^2 + y^2 = 25", "x", "--lang", "zh", "--format", "text").stdout
    assert out.splitlines()[0] == "对 x^2 + y^2 = 25 关于 x 隐函数求导，y = y(x)"
    assert "隐函数求导" in out and "解出导数" in out


# ---- no silent zero
@pytest.mark.parametrize(
    "expr, var, name, fix",
    [
        ("1/(1+e^(-(wx+b)))", "x", "wx", "w x or w*x"),
        ("xy + 1", "x", "xy", "x y or x*y"),
        ("xy + 1", "y", "xy", "x y or x*y"),
        ("3tx", "t", "tx", "t x or t*x"),
    ],
)
def test_a_variable_inside_a_longer_name_is_refused_with_the_fix(expr, var, name, fix):
    result = run("diff", expr, var)
    assert result.exit_code == 2
    assert f"'{name}' is one name, so it is not a product with {var}" in result.stderr
    assert fix in result.stderr


def test_an_absent_variable_gives_0_with_a_note():
    result = run("diff", "x^2", "t", "--format", "text")
    assert result.exit_code == 0
    assert "dt = 0" in result.stdout
    assert result.stderr == "note: t does not appear in x^2, so the derivative is 0.\n"
    data = json.loads(run("diff", "x^2", "t", "--format", "json").stdout)
    VALIDATOR.validate(data)
    assert data["notes"] == ["t does not appear in x**2, so the derivative is 0."]
    zh = run("diff", "x^2", "t", "--lang", "zh", "--format", "text")
    assert zh.stderr == "注意：x^2 中没有 t，所以导数为 0。\n"
    # x_1 and w0 are variables of their own, not hiding x or w
    assert run("diff", "x_1^2", "x", "--format", "text").exit_code == 0
    assert run("diff", "theta^2", "t", "--format", "text").exit_code == 0


@pytest.mark.parametrize(
    "expr, var, name, fix",
    [
        ("x + xlnx", "x", "xlnx", "write x ln x or x*ln(x)"),
        ("x^2 + xsinx", "x", "xsinx", "write x sin x or x*sin(x)"),
        ("2x + wx", "x", "wx", "write w x or w*x"),
        ("xe x", "x", "xe", "write x e or x*e"),
        ("x^3 + y^3 = 6xy", "x", "xy", "write x y or x*y"),
        ("sin(xy) = x", "x", "xy", "write x y or x*y"),
        ("xy = 1", "x", "xy", "write x y or x*y"),
    ],
)
def test_a_glued_name_is_refused_even_beside_the_variable(expr, var, name, fix):
    result = run("diff", expr, var)
    assert result.exit_code == 2, result.stdout
    assert f"'{name}' is one name, so it is not a product with" in result.stderr
    assert fix in result.stderr
    assert run("check", expr, var, "0").exit_code == 2


def test_a_variable_written_dx_or_the_value_itself_is_refused():
    result = run("diff", "x^2", "dx")
    assert result.exit_code == 2
    assert "the variable is x, not dx: give it without the d" in result.stderr
    # by the value's own name: the equation, implicitly (dx/dy for y = x², y' for x = y³)
    assert api.differentiate("y = x^2", "y").result == 1 / (2 * x)
    assert api.differentiate("x = y^3", "x").result == 1 / (3 * y**2)
    result = run("diff", "f(x) = x^2", "f")
    assert result.exit_code == 2
    assert "f(x) is a function of x, not of f" in result.stderr


def test_an_answer_may_use_the_value_name_and_leave_out_the_variable():
    assert api.check("y = e^x", "x", "y").verdict == "correct"
    assert api.check("y = x^3", "x", "3y/x").verdict == "correct"
    assert api.check("f(x) = e^x", "x", "f'(x) = f(x)").verdict == "correct"
    result = run("check", "x^3", "3x^2", "--format", "text")
    assert result.exit_code == 0 and "✓ Correct." in result.stdout
    # a bare name as the second of two arguments is VAR: the answer is missing
    assert run("check", "sin(x)", "x").exit_code == 2


def test_decimals_typed_by_hand_are_on_the_curve():
    d = api.differentiate("e^y = x", "x")
    assert abs(d.value_at(["x=2", "y=0.693147"])["decimal"] - 0.5) < 1e-6
    with pytest.raises(UndefinedError):
        d.value_at(["x=2", "y=0.69"])


def test_grad_and_graph_refuse_a_hidden_variable_too():
    assert run("grad", "wx + b", "x").exit_code == 2
    assert run("graph", "wx + b", "--wrt", "x").exit_code == 2


# ---- check: answers in the student's own form
@pytest.mark.parametrize(
    "expr, answer, order",
    [
        ("sin(x)", "dy/dx = cos x", 1),
        ("sin(x)", "y' = cos(x)", 1),
        ("f(x) = x^3", "f'(x) = 3x^2", 1),
        ("x^4", "y'' = 12x^2", 2),
        ("x^4", "d^2y/dx^2 = 12x^2", 2),
        ("y = x^4", r"\frac{d^2y}{dx^2} = 12x^2", 2),
        ("x^2 + y^2 = 25", "y' = -x/y", 1),
        ("x^2 + y^2 = 25", "dy/dx = -x/y", 1),
        ("x^2 + y^2 = 25", "y'' = -(x^2 + y^2)/y^3", 2),
        ("x^2 + y^2 = 25", "y'' = -(y - x y')/y^2", 2),
        ("d/dx x^3", "3x^2", 1),
    ],
)
def test_check_accepts_the_answer_as_written(expr, answer, order):
    result = api.check(expr, None, answer)
    assert result.verdict == "correct"
    assert result.order == order


def test_check_on_a_curve_says_where_a_wrong_answer_fails():
    result = api.check("x^2 + y^2 = 25", "x", "x/y")
    assert result.verdict == "incorrect"
    point = result.comparison.counterexample.point
    assert abs(point[x] ** 2 + point[y] ** 2 - 25) < 1e-10
    text = run("check", "x^2 + y^2 = 25", "x", "y'' = -(x^2+y^2)/y^3", "-f", "text")
    assert text.exit_code == 0
    said = " ".join(text.stdout.split())
    assert "on the curve: their difference is a multiple of the equation" in said


@pytest.mark.parametrize(
    "expr, var, answer, message",
    [
        ("x^2", "x", "dy/dt = 2x", "the answer is a derivative by t, but the variable is x"),
        ("x^2", "x", "y'' = 2", "the answer names derivative 2, but derivative 1 is asked"),
        ("x^2 y", "x", "2xy", "'xy' is one name: for a product write x y or x*y"),
        ("g(x) = x^2", "x", "f'(x) = 2x", "the answer names the derivative of f, but the function"),
        # a constant of integration (2x + c) is graded, not refused (issue 23): a typo is
        ("x^2", "x", "2x + t", "the answer uses t, which the expression does not have"),
        ("x^2", "x", "y = 2x", "the answer is a definition"),
    ],
)
def test_check_refuses_an_answer_it_cannot_compare(expr, var, answer, message):
    args = ["check", expr, var, answer]
    if "y''" in answer:
        args += ["--order", "1"]
    result = run(*args)
    assert result.exit_code == 2
    assert message in result.stderr


@pytest.mark.parametrize(
    "expr, answer",
    [("x^3", "3x^4"), ("x^(2/3)", "(2/3)x^(5/3)"), ("x^-2", "-2x^-1"), ("(2x+1)^3", "6(2x+1)^4")],
)
def test_a_raised_power_is_a_power_rule_mistake(expr, answer):
    result = api.check(expr, "x", answer)
    assert result.verdict == "incorrect"
    assert result.mistake is not None and result.mistake.kind == "power_rule"


def test_undefined_point_error_kind():
    d = api.differentiate("x^2 + y^2 = 25", "x")
    with pytest.raises(UndefinedError):
        d.value_at(["x=0", "y=0"])
