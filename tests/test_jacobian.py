"""`chainrule jacobian`: matrices of verified derivatives and their chain rule J_f(u) · J_u(x)."""

from __future__ import annotations

import json
from importlib import resources

import jsonschema
import pytest
import sympy
from conftest import runner

from chainrule_cli import jacobian
from chainrule_cli.errors import ParseError
from chainrule_cli.functions import sigmoid
from chainrule_cli.parse import symbol

VALIDATOR = jsonschema.Draft202012Validator(
    json.loads(resources.files("chainrule_cli").joinpath("schemas/jacobian.json").read_text())
)
r, theta, x, y, z = (symbol(n) for n in ("r", "theta", "x", "y", "z"))


def numerically_equal(a: sympy.Matrix, b: sympy.Matrix, point: dict) -> bool:
    difference = (a - b).subs(point).evalf()
    return all(abs(e) < 1e-12 for e in difference)


def test_polar_coordinates():
    jac = jacobian("[r*cos(theta), r*sin(theta)]", ["r", "theta"])
    assert jac.matrix == sympy.Matrix(
        [[sympy.cos(theta), -r * sympy.sin(theta)], [sympy.sin(theta), r * sympy.cos(theta)]]
    )
    assert sympy.simplify(jac.matrix.det()) == r
    assert jac.verified
    at = jac.value_at(["r=2,theta=pi/2"])
    assert at["matrix"] == sympy.Matrix([[0, -2], [1, 0]])
    text = jac.to_text(at=at)
    assert "  J = [ cos(θ)  −r·sin(θ) ]\n      [ sin(θ)  r·cos(θ)  ]\n" in text
    assert "Entry (2, 2)" in text  # --detail full: every entry's steps


def test_dense_layer_then_sigmoid_is_diag_times_w():
    lets = ["a1=w11*x1 + w12*x2 + b1", "a2=w21*x1 + w22*x2 + b2"]
    jac = jacobian("[sigmoid(a1), sigmoid(a2)]", ["x1", "x2"], lets=lets, detail="brief")
    assert jac.verified and jac.product_agrees
    outer, inner = jac.factors
    a1, a2 = symbol("a1"), symbol("a2")
    s = sigmoid
    assert outer.matrix == sympy.diag(s(a1) * (1 - s(a1)), s(a2) * (1 - s(a2)))
    w = sympy.Matrix(2, 2, [symbol(n) for n in ("w11", "w12", "w21", "w22")])
    assert inner.matrix == w


def test_three_to_two_to_three_and_the_product_check():
    lets = ["u1=x*y + z", "u2=sin(x) + z"]
    jac = jacobian("[u1 + u2, u1*u2, u1]", ["x", "y", "z"], lets=lets)
    outer, inner = jac.factors
    assert outer.matrix.shape == (3, 2) and inner.matrix.shape == (2, 3)
    assert jac.matrix.shape == (3, 3)
    u1, u2 = x * y + z, sympy.sin(x) + z
    direct = sympy.Matrix([u1 + u2, u1 * u2, u1]).jacobian([x, y, z])
    assert sympy.simplify(jac.matrix - direct) == sympy.zeros(3, 3)
    substituted = outer.matrix.subs({symbol("u1"): u1, symbol("u2"): u2})
    assert numerically_equal(substituted * inner.matrix, direct, {x: 0.3, y: -1.2, z: 2})
    assert jac.product_agrees and jac.verified
    text = jac.to_text()
    assert "✓ The product equals the Jacobian of the substituted functions." in text


def test_softmax():
    e = "exp(x) + exp(y) + exp(z)"
    outputs = f"[exp(x)/({e}), exp(y)/({e}), exp(z)/({e})]"
    jac = jacobian(outputs, detail="brief")
    soft = sympy.Matrix([sympy.exp(v) for v in (x, y, z)]) / sum(sympy.exp(v) for v in (x, y, z))
    expected = sympy.diag(*soft) - soft * soft.T  # J = diag(s) − s·sᵀ
    assert numerically_equal(jac.matrix, expected, {x: 0.1, y: -0.4, z: 1.3})
    assert jac.verified


def test_json_latex_and_errors(tmp_path):
    result = runner.invoke(
        ["jacobian", "[x^2*y, x + y]", "--at", "x=1,y=2", "--detail", "brief", "-f", "json"]
    )
    assert result.exit_code == 0, result.stderr
    obj = json.loads(result.stdout)
    VALIDATOR.validate(obj)
    assert obj["matrix"] == [["2*x*y", "x**2"], ["1", "1"]]
    assert obj["numeric"] == {"matrix": [[4.0, 1.0], [1.0, 1.0]], "factors": []}
    lets = ["--let", "u1=x*y + z", "--let", "u2=sin(x) + z"]
    chained = runner.invoke(["jacobian", "[u1 + u2, u1*u2, u1]", "x", "y", "z", *lets,
                                  "-f", "json", "--at", "x=0,y=1,z=2"])  # fmt: skip
    obj = json.loads(chained.stdout)
    VALIDATOR.validate(obj)
    assert [f["wrt"] for f in obj["factors"]] == [["u1", "u2"], ["x", "y", "z"]]
    assert obj["product_agrees"] is True
    assert len(obj["numeric"]["factors"]) == 2
    bad = runner.invoke(["jacobian", "[x, sin(]"])
    assert bad.exit_code == 2
    assert bad.stderr.startswith("error: column 9: unexpected end of input")
    with pytest.raises(ParseError, match="no variables"):
        jacobian("[1, 2]")
    from test_render import compile_latex, pdflatex_or_fail

    program = pdflatex_or_fail()
    jac = jacobian("[u1 + u2, u1*u2, u1]", ["x", "y", "z"], lets=["u1=x*y + z", "u2=sin(x) + z"])
    compile_latex(tmp_path, jac.to_latex(standalone=True), program)


def test_every_step_of_every_entry_and_factor_keeps_the_invariant():
    jac = jacobian("[u1 + u2, u1*u2, u1]", ["x", "y", "z"], lets=["u1=x*y + z", "u2=sin(x) + z"])
    derivations = [d for row in jac.entries for d in row]
    derivations += [d for f in jac.factors for row in f.entries for d in row if d is not None]
    for derivation in derivations:
        for step in derivation.steps:
            assert sympy.simplify(sympy.diff(step.expr, step.var) - step.result) == 0


def test_a_jacobian_renders_itself():
    from rich.console import Console

    jac = jacobian("[r*cos(theta), r*sin(theta)]", ["r", "theta"], detail="brief")
    console = Console(record=True, width=100, color_system=None)
    console.print(jac)
    assert "│ cos(θ) │ −r·sin(θ) │" in console.export_text()
    assert "  J = [ cos(θ)  −r·sin(θ) ]\n" in jac.to_text()
    assert jac._repr_latex_().startswith("\\begin{align*}")
    assert "$$J = \\begin{pmatrix}" in jac._repr_markdown_()


def test_in_a_rich_terminal_the_matrix_is_a_table_and_the_dependencies_a_tree():
    from rich.console import Console

    from chainrule_cli import differentiate

    console = Console(record=True, width=100, color_system=None)
    console.print(jacobian("[r*cos(theta), r*sin(theta)]", ["r", "theta"], detail="brief"))
    console.print(differentiate("u*v", "x", lets=["u=x^2*y", "v=sin(x*y)"], detail="brief"))
    shown = console.export_text()
    assert "│ cos(θ) │ −r·sin(θ) │" in shown  # a Rich Table
    assert "├── u = x^2·y" in shown and "└── v = sin(x·y)" in shown  # a Rich Tree


def test_review_cases_values_limits_and_unused_intermediates():
    corner = runner.invoke(
        ["jacobian", "[abs(x), max(x, y)]", "--at", "x=0,y=0", "--detail", "brief", "-f", "json"],
    )
    assert json.loads(corner.stdout)["numeric"]["matrix"] == [[None, 0.0], [None, None]]
    unknown = runner.invoke(
        ["jacobian", "[f(x), y]", "--at", "x=1,y=2", "--detail", "brief", "-f", "json"]
    )
    assert unknown.exit_code == 0
    assert json.loads(unknown.stdout)["numeric"]["matrix"] == [[None, 0.0], [0.0, 1.0]]
    long = "[" + ", ".join(f"x{i}*y" for i in range(40)) + "]"
    limited = runner.invoke(["jacobian", long, "--max-length", "100"])
    assert limited.exit_code == 1
    assert limited.stderr.startswith(f"error: column 101: input is {len(long)} characters long")
    empty = runner.invoke(["jacobian", "[]"])
    assert empty.exit_code == 2 and empty.stderr.startswith("error: column 2: the list is empty")
    unused = jacobian("[x, y]", lets=["u=x"], detail="brief")
    assert unused.factors == () and unused.matrix == sympy.eye(2)
