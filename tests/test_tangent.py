"""`chainrule tangent`: the tangent and normal lines at a point, explicit and on a curve."""

from __future__ import annotations

import json
from importlib import resources

import jsonschema
import pytest
import sympy
from conftest import R, runner
from referencing import Registry, Resource

from chainrule_cli import api
from chainrule_cli.errors import ParseError, UndefinedError

x = R("x")


def load(name: str) -> dict:
    return json.loads(resources.files("chainrule_cli").joinpath(f"schemas/{name}").read_text())


DERIVATION, TANGENT = load("derivation.json"), load("tangent.json")
REGISTRY = Registry().with_resources(
    [(s["$id"], Resource.from_contents(s)) for s in (DERIVATION, TANGENT)]
)
VALIDATOR = jsonschema.Draft202012Validator(TANGENT, registry=REGISTRY)


def run(*args: str, stdin: str | None = None):
    return runner.invoke(["tangent", *args], input=stdin)


def test_tangent_and_normal_of_a_function():
    t = api.tangent("x^3 - 3x", "x", ["x=2"])
    assert (t.height, t.slope) == (2, 9)
    assert t.tangent == 9 * x - 16 and t.normal == -x / 9 + sympy.Rational(20, 9)
    text = run("x^3 - 3x", "--at", "x=2", "-f", "text").stdout
    assert text.splitlines()[0] == "Tangent and normal to y = x^3 − 3x at x = 2"
    assert "  tangent: y − 2 = 9·(x − 2), y = 9x − 16" in text
    assert "  normal: y − 2 = −1/9·(x − 2), y = −x/9 + 20/9" in text
    assert text.rstrip().endswith("✓ Every step verified against SymPy.")


def test_tangent_to_a_circle_and_its_vertical_tangent():
    t = api.tangent("x^2 + y^2 = 25", "x", ["x=3,y=4"])
    assert t.slope == sympy.Rational(-3, 4)
    assert t.tangent == -3 * x / 4 + sympy.Rational(25, 4) and t.normal == 4 * x / 3
    data = json.loads(run("x^2 + y^2 = 25", "--at", "x=5,y=0", "-f", "json").stdout)
    VALIDATOR.validate(data)
    assert (data["tangent"], data["vertical_tangent"], data["normal"]) == (None, "5", "0")
    assert data["slope"] is None and data["point"] == {"x": "5", "y": "0"}
    text = run("x^2 + y^2 = 25", "--at", "x=5,y=0", "-f", "text").stdout
    assert "  tangent: x = 5" in text and "  normal: y = 0" in text


def test_a_horizontal_tangent_has_a_vertical_normal():
    t = api.tangent("x^2", "x", ["x=0"])
    assert (t.slope, t.tangent, t.normal, t.normal_vertical) == (0, 0, None, 0)
    data = json.loads(run("x^2", "--at", "x=0", "-f", "json").stdout)
    VALIDATOR.validate(data)
    assert data["vertical_normal"] == "0"


def test_a_point_off_the_curve_or_the_domain_is_exit_2():
    result = run("x^2 + y^2 = 25", "--at", "x=1,y=1")
    assert result.exit_code == 2
    assert "(x, y) = (1, 1) is not on the curve x^2 + y^2 = 25" in result.stderr
    data = json.loads(run("x^2 + y^2 = 25", "--at", "x=1,y=1", "-f", "json").stdout)
    VALIDATOR.validate(data)
    assert data["error"]["kind"] == "domain"
    assert run("sqrt(x)", "--at", "x=-1").exit_code == 2
    assert run("x^2").exit_code == 2  # no point
    with pytest.raises(UndefinedError):
        api.tangent("1/x", "x", ["x=0"])
    with pytest.raises(ParseError):
        api.tangent("x^2", "x", [])


@pytest.mark.parametrize("fmt", ["latex", "markdown"])
def test_every_format(fmt):
    out = run("x^2 + y^2 = 25", "--at", "x=3,y=4", "-f", fmt).stdout
    assert r"y = - \frac{3 x}{4} + \frac{25}{4}" in out
    assert "Tangent and normal" in out


def test_batch_and_chinese():
    result = run("-", "x", "--at", "x=1", "-f", "json", stdin="x^2\nx^3\n")
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["tangent"] for r in rows] == ["2*x - 1", "3*x - 2"]
    zh = run("x^2", "--at", "x=1", "--lang", "zh", "-f", "text").stdout
    assert zh.splitlines()[0] == "y = x^2 在 x = 1 处的切线与法线"
    assert "  切线：y − 1 = 2·(x − 1), y = 2x − 1" in zh


def test_html_page():
    from html.parser import HTMLParser

    page = run("x^2 + y^2 = 25", "--at", "x=3,y=4", "-f", "html").stdout
    HTMLParser().feed(page)
    assert page.startswith("<!DOCTYPE html>") and "<math" in page
    assert "http" not in page.replace("http-equiv", "") and "src=" not in page
    assert "<h2>Tangent and normal</h2>" in page and "<li>tangent: " in page
