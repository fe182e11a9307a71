"""--let: the many-variable chain rule as a sum over the paths of the dependency graph."""

from __future__ import annotations

import json
from importlib import resources

import jsonschema
import pytest
import sympy
from conftest import runner

from chainrule_cli import differentiate
from chainrule_cli.errors import ParseError, UnsupportedError
from chainrule_cli.parse import parse, symbol

VALIDATOR = jsonschema.Draft202012Validator(
    json.loads(resources.files("chainrule_cli").joinpath("schemas/derivation.json").read_text())
)
x, y, t, u, v = (symbol(n) for n in "xytuv")


def every_step_valid(d) -> None:
    for step in d.steps:
        assert sympy.simplify(sympy.diff(step.expr, step.var, step.order) - step.result) == 0


def test_tree_diagram_textbook_problem():
    # z = x²y + 3xy⁴, x = sin 2t, y = cos t: dz/dt at t = 0 is 6
    d = differentiate("x^2*y + 3x*y^4", "t", lets=["x=sin(2t)", "y=cos t"])
    assert d.verified
    assert d.value_at(["t=0"])["exact"] == 6
    root = d.root
    assert root.rule == "multivariable_chain"
    assert [p.via for p in root.paths] == [(x,), (y,)]
    assert root.written == x**2 * y + 3 * x * y**4
    direct = (x**2 * y + 3 * x * y**4).subs({x: sympy.sin(2 * t), y: sympy.cos(t)})
    assert sympy.simplify(d.result - sympy.diff(direct, t)) == 0
    every_step_valid(d)


def test_article_example_u_times_v_in_every_format():
    lets = ["u=x^2*y", "v=sin(x*y)"]
    d = differentiate("u*v", "x", lets=lets)
    text = d.to_text()
    assert (
        "   ∂z/∂x = ∂z/∂u·∂u/∂x + ∂z/∂v·∂v/∂x = 2v·x·y + u·y·cos(x·y) = x^2·y^2·cos(x·y)\n"
        "   + 2x·y·sin(x·y)\n" in text
    )  # broken between terms
    assert "   z = u·v\n   ├─ u = x^2·y\n   │  ├─ x\n   │  └─ y\n   └─ v = sin(x·y)\n" in text
    assert "     ∂z/∂u = v\n" in text
    assert "     ∂u/∂x = y·∂/∂x (x^2) = y·2x = 2x·y\n" in text
    tex = d.to_latex()
    assert r"\frac{\partial z}{\partial u} \frac{\partial u}{\partial x}" in tex
    result = runner.invoke(["diff", "u*v", "x", "--let", lets[0], "--let", lets[1], "-f", "json"])
    assert result.exit_code == 0, result.stderr
    obj = json.loads(result.stdout)
    VALIDATOR.validate(obj)
    assert obj["steps"]["let"] == {"u": "x**2*y", "v": "sin(x*y)"}
    assert obj["steps"]["written"] == "u*v"
    assert obj["steps"]["paths"] == [
        {"via": ["u"], "factors": ["v", "2*x*y"], "product": "2*v*x*y"},
        {"via": ["v"], "factors": ["u", "y*cos(x*y)"], "product": "u*y*cos(x*y)"},
    ]
    expected = sympy.diff(x**2 * y * sympy.sin(x * y), x)
    assert sympy.simplify(parse(obj["result"]) - expected) == 0


def test_two_levels_are_three_factors_and_a_dead_end_contributes_zero():
    d = differentiate("u", "x", lets={"u": "v^2", "v": "x + 1"})
    (path,) = d.root.paths
    assert path.via == (u, v)
    assert [f.result for f in path.factors] == [1, 2 * v, 1]
    assert sympy.expand(d.result) == 2 * x + 2
    dead = differentiate("u*v", "x", lets=["u=x^2", "v=y^2"])
    assert [p.product for p in dead.root.paths] == [2 * v * x, 0]
    assert "= 2v·x + 0 = 2x·y^2" in dead.to_text()
    every_step_valid(dead)


def test_let_errors_exit_2():
    cases = [
        (
            ["--let", "u=v", "--let", "v=u*x"],
            "error: the intermediates depend on each other in a cycle",
        ),
        (["--let", "x=2"], "error: x is the variable; it cannot also be an intermediate"),
        (["--let", "u=x", "--let", "u=y"], "error: the intermediate u is named twice"),
        (["--let", "u"], "error: 'u' is not NAME=EXPR"),
        (["--let", "u=x", "--order", "2"], "error: --let works with first derivatives only"),
    ]
    for options, message in cases:
        result = runner.invoke(["diff", "u*x", "x", *options])
        assert result.exit_code == 2, options
        assert result.stderr.startswith(message), (options, result.stderr)
    with pytest.raises(ParseError):
        differentiate("u", "x", lets={"u": "u + x"})
    with pytest.raises(UnsupportedError):
        differentiate("u", "x", order=2, lets={"u": "x^2"})


def test_the_text_reads_as_a_teacher_writes_it():
    d = differentiate("x^2*y + 3x*y^4", "t", lets=["x=sin(2t)", "y=cos t"])
    text = d.to_text()
    assert text.startswith("Differentiate z = ")  # z: never a name the intermediates use
    assert "   dz/dt = ∂z/∂x·dx/dt + ∂z/∂y·dy/dt = 2(2x·y + 3y^4)·cos(2t) −\n" in text
    one = differentiate("u*x", "x", lets=["u=x^2"]).to_text()
    assert "   dz/dx = ∂z/∂u·du/dx + ∂z/∂x = 2x^2 + u = 3x^2\n" in one


def test_unknown_functions_of_intermediates_and_equal_definitions():
    d = differentiate("f(u)", "x", lets=["u=x^2"])
    assert d.verified
    assert "dz/dx = 2x·f'(x^2)" in d.to_text()
    same = differentiate("u*v", "x", lets=["u=x^2", "v=x^2"])
    text = same.to_text()
    assert "∂z/∂u = v" in text and "du/dx = 2·x^(2 − 1) = 2x" in text
    assert "∂z/∂v = u" in text and "dv/dx = 2x" in text
