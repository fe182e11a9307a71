"""Honest values at a point: a value that is not real, for real variables, is undefined."""

from __future__ import annotations

import json
from importlib import resources

import jsonschema
import sympy
from conftest import runner

from chainrule_cli import api

VALIDATOR = jsonschema.Draft202012Validator(
    json.loads(resources.files("chainrule_cli").joinpath("schemas/derivation.json").read_text())
)


def test_a_value_that_is_not_real_is_undefined_with_the_reason():
    at = api.differentiate("sqrt(1-x^2)").value_at(["x=2"])
    assert at["exact"] is sympy.nan and at["decimal"] is None and at["reason"] == "not_real"
    text = runner.invoke(["diff", "sqrt(1-x^2)", "--at", "x=2", "-f", "text"]).stdout
    assert "Value at x = 2: undefined (not real at x = 2)" in text
    data = json.loads(runner.invoke(["diff", "sqrt(1-x^2)", "--at", "x=2", "-f", "json"]).stdout)
    VALIDATOR.validate(data)
    assert data["value"] == {"exact": "nan", "decimal": None, "reason": "not_real"}
    zh = runner.invoke(["diff", "ln x", "--at", "x=-1", "--lang", "zh", "-f", "text"]).stdout
    assert "无定义（在 x = −1 处不是实数）" in zh


def test_where_the_function_is_real_the_value_stands():
    at = api.differentiate("sqrt(1-x^2)").value_at(["x=1/2"])
    assert at["exact"] == -sympy.sqrt(3) / 3 and "reason" not in at
    # |x| at 0: real, but no derivative there
    at = api.differentiate("|x|").value_at(["x=0"])
    assert at["exact"] is sympy.nan and "reason" not in at


def test_a_gradient_that_is_not_real_says_so():
    text = runner.invoke(["grad", "sqrt(x y)", "--at", "x=-1,y=1", "-f", "text"]).stdout
    assert "undefined (not real at x = −1, y = 1)" in text
    latex = runner.invoke(["grad", "sqrt(x y)", "--at", "x=-1,y=1", "-f", "latex"]).stdout
    assert r"\text{undefined (not real at x = -1, y = 1)}" in latex
