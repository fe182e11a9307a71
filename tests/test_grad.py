"""`chainrule grad`: every partial derivative with its steps, the gradient, its value, its JSON."""

from __future__ import annotations

import json
from importlib import resources

import jsonschema
import pytest
import sympy
from conftest import runner
from referencing import Registry, Resource

from chainrule_cli import gradient
from chainrule_cli.errors import ParseError


def load(name: str) -> dict:
    return json.loads(resources.files("chainrule_cli").joinpath(f"schemas/{name}").read_text())


DERIVATION, GRADIENT = load("derivation.json"), load("gradient.json")
REGISTRY = Registry().with_resources(
    [(s["$id"], Resource.from_contents(s)) for s in (DERIVATION, GRADIENT)]
)
VALIDATOR = jsonschema.Draft202012Validator(GRADIENT, registry=REGISTRY)
x, y, w, b = sympy.symbols("x y w b", real=True)


def test_gradient_of_a_polynomial_and_its_value():
    g = gradient("x^2*y + 3x*y^4")
    assert g.vars == (x, y)
    assert [sympy.expand(e) for e in g.vector] == [2 * x * y + 3 * y**4, x**2 + 12 * x * y**3]
    assert g.verified
    at = g.value_at(["x=1,y=2"])
    assert at["exact"] == (52, 97)
    text = g.to_text(at=at)
    assert text.startswith("Gradient of Y = x^2·y + 3x·y^4 with respect to x, y\n")
    assert "  ∇Y = (∂Y/∂x, ∂Y/∂y) = (2x·y + 3y^4, x·(x + 12y^3))\n" in text
    assert "  Value at x = 1, y = 2: (52, 97)\n" in text
    assert text.count("✓ Every step verified against SymPy.") == 1
    assert "∂/∂x (x^2·y) = y·∂/∂x (x^2) = y·2x = 2x·y" in text


def test_gradient_of_a_neuron_by_its_parameters():
    g = gradient("sigmoid(w*x + b)", ["w", "b"])
    s = sympy.Function("sigmoid")
    assert g.vars == (w, b)
    for partial, by in zip(g.partials, (w, b), strict=True):
        direct = sympy.diff(1 / (1 + sympy.exp(-(w * x + b))), by)
        value = {x: sympy.Rational(1, 3), w: 2, b: sympy.Rational(-1, 2)}
        got = partial.result.replace(s, lambda a: 1 / (1 + sympy.exp(-a))).subs(value)
        assert abs(sympy.N(got - direct.subs(value))) < 1e-12
    tex = g.to_latex()
    assert r"\frac{\partial y}{\partial w}" in tex
    nabla = r"\boxed{\nabla y = \left(\frac{\partial y}{\partial w}, "
    assert nabla + r"\frac{\partial y}{\partial b}\right)" in tex


def test_gradient_json_is_valid_and_each_partial_is_a_derivation():
    result = runner.invoke(["grad", "x^2*y + 3x*y^4", "--at", "x=1,y=2", "-f", "json"])
    assert result.exit_code == 0, result.stderr
    obj = json.loads(result.stdout)
    VALIDATOR.validate(obj)
    assert obj["vars"] == ["x", "y"]
    assert obj["gradient"] == ["2*x*y + 3*y**4", "x*(x + 12*y**3)"]
    assert obj["partials"]["x"]["var"] == "x"
    assert obj["partials"]["y"]["steps"]["rule"] == "sum"
    assert obj["value"] == {"exact": ["52", "97"], "decimal": [52.0, 97.0]}


def test_gradient_errors():
    missing = runner.invoke(["grad", "x^2*y", "--at", "x=1"])
    assert missing.exit_code == 2
    assert missing.stderr == "error: --at needs a value for y too\n"
    bad = runner.invoke(["grad", "x^2*y", "-f", "json", "--at", "x=1"])
    VALIDATOR.validate(json.loads(bad.stdout))
    with pytest.raises(ParseError, match="no variables"):
        gradient("3")
    with pytest.raises(ParseError, match="named twice"):
        gradient("x*y", ["x", "x"])


def test_gradient_in_every_format_and_batch():
    for fmt, marker in [
        ("text", "∇y = "),
        ("latex", r"\nabla y"),
        ("markdown", "#### Gradient"),
        ("json", '"chainrule.gradient/1"'),
    ]:
        result = runner.invoke(["grad", "x*sin(x)", "-f", fmt])
        assert result.exit_code == 0, (fmt, result.stderr)
        assert marker in result.stdout, fmt
    batch = runner.invoke(["grad", "-", "-f", "json"], input="x*y\nsin(\n")
    assert batch.exit_code == 1
    objs = [json.loads(line) for line in batch.stdout.splitlines()]
    assert [o["ok"] for o in objs] == [True, False]
    for obj in objs:
        VALIDATOR.validate(obj)


def test_gradient_document_compiles(tmp_path):
    from test_render import compile_latex, pdflatex_or_fail

    program = pdflatex_or_fail()
    g = gradient("x^2*y + 3x*y^4")
    compile_latex(tmp_path, g.to_latex(standalone=True, at=g.value_at(["x=1,y=2"])), program)


def test_gradient_through_named_intermediates():
    g = gradient("u*v", ["x", "y"], lets=["u=x^2*y", "v=sin(x*y)"])
    direct = x**2 * y * sympy.sin(x * y)
    for partial, by in zip(g.partials, (x, y), strict=True):
        assert partial.root.rule == "multivariable_chain"
        assert sympy.simplify(partial.result - sympy.diff(direct, by)) == 0
    result = runner.invoke(
        ["grad", "u*v", "x", "y", "--let", "u=x^2*y", "--let", "v=sin(x*y)", "-f", "json"]
    )
    assert result.exit_code == 0, result.stderr
    obj = json.loads(result.stdout)
    VALIDATOR.validate(obj)
    assert obj["partials"]["y"]["steps"]["paths"][0]["via"] == ["u"]
