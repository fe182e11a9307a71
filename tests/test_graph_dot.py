"""The computational graph as Graphviz DOT: the structure read back from a real `dot -Tjson`,
the words and numbers on nodes and edges, escaping, and SVG/PNG through Graphviz."""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
import time

import pytest
import sympy

from chainrule_cli.api import graph
from chainrule_cli.calculus.graph import build_graph
from chainrule_cli.errors import ParseError, UnsupportedError
from chainrule_cli.graphviz import draw as convert
from chainrule_cli.render.dot import _number, render_dot

NEURON = "1/(1+exp(-(w0*x0 + w1*x1 + w2)))"
NEURON_AT = ["w0=2", "x0=-1", "w1=-3", "x1=-2", "w2=-3"]
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"

# Expressions whose formulas are unfriendly to quoting: unknown functions, |x|, max, roots,
# Greek names, shared sub-expressions, powers, constants and a lone variable.
VARIED = [
    "1/(1+exp(-x))",
    "f(g(x))",
    "f(x, y)",
    "abs(x)",
    "max(x, y)",
    "max(x, 0)",
    "min(x, y, z)",
    "sqrt(x**2 + y**2)",
    "alpha*theta",
    "sin(x)*cos(x)",
    "x**x",
    "log(x)/x",
    "tanh(w*x + b)",
    "x*y + x*z",
    "atan2(y, x)",
    "x",
    "3",
]


def dot_or_fail() -> str:
    found = shutil.which("dot")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("dot is missing in CI: .ci/run must install graphviz")
        pytest.skip("Graphviz's dot is not installed here")
    return found


def layout(source: str) -> dict:
    """Graphviz's own reading of the DOT text (dot -Tjson)."""
    result = subprocess.run(
        [dot_or_fail(), "-Tjson"], input=source.encode("utf-8"), capture_output=True, timeout=120
    )
    assert result.returncode == 0, result.stderr.decode("utf-8", "replace")
    assert not result.stderr, result.stderr.decode("utf-8", "replace")  # not even a warning
    return json.loads(result.stdout)


def text(label: str) -> str:
    """What an HTML-like label shows: the tags dropped, the entities read, spaces collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]*>", " ", label)).split())


def nodes_of(drawn: dict) -> dict[str, dict]:
    return {o["name"]: o for o in drawn.get("objects", [])}


def edges_of(drawn: dict) -> dict[tuple[str, str], str]:
    names = {o["_gvid"]: o["name"] for o in drawn.get("objects", [])}
    return {(names[e["tail"]], names[e["head"]]): text(e["label"]) for e in drawn.get("edges", [])}


# ---- structure, read back through Graphviz ---------------------------------------------------


def test_sigmoid_nodes_edges_values_and_gradients():
    g = graph("1/(1+exp(-x))")
    drawn = layout(render_dot(g, g.value_at(["x=1"])))
    nodes = nodes_of(drawn)
    assert drawn["rankdir"] == "LR"
    assert len(nodes) == 5
    assert edges_of(drawn) == {
        ("x", "u"): "∂u/∂x = −1",
        ("u", "v"): "∂v/∂u = e^u = 0.367879",
        ("v", "w"): "∂w/∂v = 1",
        ("w", "y"): "∂y/∂w = −1/w^2 = −0.534447",
    }
    assert text(nodes["x"]["label"]) == "x value 1 grad 0.196612"
    assert text(nodes["u"]["label"]) == "u = −x neg value −1 grad −0.196612"
    assert text(nodes["v"]["label"]) == "v = e^u exp value 0.367879 grad −0.534447"
    assert text(nodes["y"]["label"]) == "y = 1/w reciprocal value 0.731059 grad 1"
    assert text(drawn["label"]) == "y = 1/(1 + e^(−x)) x = 1"


def test_cs231n_neuron():
    g = graph(NEURON)
    drawn = layout(render_dot(g, g.value_at(NEURON_AT)))
    nodes, edges = nodes_of(drawn), edges_of(drawn)
    assert len(nodes) == 12  # 5 inputs and 7 operations
    assert len(edges) == 11
    # the multiply gate swaps: ∂(w0·x0)/∂x0 is w0 and ∂(w0·x0)/∂w0 is x0
    assert edges[("x0", "u")] == "∂u/∂x₀ = w₀ = 2"
    assert edges[("w0", "u")] == "∂u/∂w₀ = x₀ = −1"
    assert edges[("w1", "v")] == "∂v/∂w₁ = x₁ = −2"
    assert edges[("x1", "v")] == "∂v/∂x₁ = w₁ = −3"
    # the add gate passes the gradient on: a constant local derivative shows no second value
    assert edges[("w2", "p")] == "∂p/∂w₂ = 1"
    assert edges[("u", "p")] == "∂p/∂u = 1"
    assert edges[("p", "q")] == "∂q/∂p = −1"
    assert edges[("s", "y")] == "∂y/∂s = −1/s^2 = −0.534447"
    assert text(nodes["y"]["label"]) == "y = 1/s reciprocal value 0.731059 grad 1"
    assert text(nodes["w0"]["label"]) == "w₀ value 2 grad −0.196612"
    assert text(nodes["x0"]["label"]) == "x₀ value −1 grad 0.393224"
    assert text(nodes["w1"]["label"]) == "w₁ value −3 grad −0.393224"
    assert text(nodes["x1"]["label"]) == "x₁ value −2 grad −0.589836"
    assert text(nodes["w2"]["label"]) == "w₂ value −3 grad 0.196612"
    assert text(nodes["u"]["label"]) == "u = w₀·x₀ mul value −2 grad 0.196612"
    assert text(nodes["p"]["label"]) == "p = u + v + w₂ add value 1 grad 0.196612"


def test_inputs_operations_and_output_look_different():
    g = graph(NEURON)
    nodes = nodes_of(layout(render_dot(g)))
    inputs = {"w0", "w1", "w2", "x0", "x1"}
    assert {n for n, o in nodes.items() if o["shape"] == "ellipse"} == inputs
    assert {n for n, o in nodes.items() if o["shape"] == "box"} == set(nodes) - inputs
    highlighted = {n for n, o in nodes.items() if "penwidth" in o}
    assert highlighted == {"y"}
    assert nodes["y"]["fillcolor"] != nodes["u"]["fillcolor"]


def test_without_a_point_only_formulas():
    g = graph(NEURON)
    source = render_dot(g)
    drawn = layout(source)
    assert text(nodes_of(drawn)["u"]["label"]) == "u = w₀·x₀ mul"
    assert text(nodes_of(drawn)["x0"]["label"]) == "x₀"
    assert edges_of(drawn)[("x0", "u")] == "∂u/∂x₀ = w₀"
    assert "value" not in source and "grad" not in source


def test_chinese_words():
    g = graph("1/(1+exp(-x))")
    drawn = layout(render_dot(g, g.value_at(["x=1"]), lang="zh"))
    assert text(nodes_of(drawn)["y"]["label"]) == "y = 1/w 倒数 值 0.731059 梯度 1"
    assert text(nodes_of(drawn)["x"]["label"]) == "x 值 1 梯度 0.196612"


def test_missing_gradient_and_undefined_local_are_dashes():
    g = graph("x*y", wrt=["x"])
    drawn = layout(render_dot(g, g.value_at(["x=1", "y=2"])))
    assert text(nodes_of(drawn)["y"]["label"]) == "y value 2 grad —"  # not on a path to x
    assert text(nodes_of(drawn)["x"]["label"]) == "x value 1 grad 2"
    g = graph("sqrt(x)")
    drawn = layout(render_dot(g, g.value_at(["x=0"])))
    assert edges_of(drawn)[("x", "y")] == "∂y/∂x = 1/(2·√x) = —"  # infinite at 0
    assert text(nodes_of(drawn)["x"]["label"]) == "x value 0 grad —"


def test_a_convention_is_marked():
    g = graph("max(x, y)")
    drawn = layout(render_dot(g, g.value_at(["x=1", "y=1"])))
    out = str(g.output)
    assert (
        text(nodes_of(drawn)[out]["label"])
        == f"{out} = max(x, y) max · by convention value 1 grad 1"
    )
    assert edges_of(drawn)[("x", out)] == f"∂{out}/∂x = H(x − y) = 0.5"


def test_deterministic():
    first = render_dot(graph(NEURON), graph(NEURON).value_at(NEURON_AT))
    again = render_dot(graph(NEURON), graph(NEURON).value_at(NEURON_AT))
    assert first == again


def test_number_format():
    assert _number(sympy.Float("0.7310585786300049", 30)) == "0.731059"
    assert _number(sympy.Float("-123456789", 30)) == "−1.23457e+08"
    assert _number(sympy.Float(-0.0)) == "0"
    assert _number(sympy.Float("1e400", 30)) == "1e+400"  # beyond a double
    assert _number(sympy.Float("-1.5e-500", 30)) == "−1.5e−500"
    assert _number(None) == "—"


# ---- escaping -------------------------------------------------------------------------------


def test_any_name_and_formula_text_survives_quoting():
    x = sympy.Symbol("x", real=True)
    names = ['a"b', "c\\", "d\\\\", "e<f>&g", "{h}", "i]j", "k\nl", 'm\\"n', '"', "p;q", "\\N"]
    symbols = [sympy.Symbol(n, real=True) for n in names]
    expr = sympy.Add(*(s * x for s in symbols))
    with pytest.raises(ParseError, match="is not one chainrule reads"):
        graph(expr)  # the API refuses such names (issue 27, F3) ...
    g = build_graph(expr)  # ... and the DOT renderer still quotes them, behind it
    drawn = layout(render_dot(g))
    nodes = nodes_of(drawn)
    assert len(nodes) == len(g.nodes) == 2 * len(names) + 2  # every name is its own node
    assert len(drawn["edges"]) == 2 * len(names) + len(names)
    shown = {text(o["label"]) for o in nodes.values()}
    for name in ['a"b', "c\\", "e<f>&g", "{h}", "i]j", 'm\\"n', "p;q", "\\N"]:
        assert name in shown
    assert "k l" in shown  # a control character becomes a space


def test_opaque_nodes_print_through():
    x = sympy.Symbol("x", real=True)
    f = sympy.Function("f")
    g = graph(sympy.Subs(sympy.Derivative(f(x), x), x, x**2) + sympy.Heaviside(x) * x)
    drawn = layout(render_dot(g))
    assert len(nodes_of(drawn)) == len(g.nodes)


# ---- Graphviz -------------------------------------------------------------------------------


@pytest.mark.parametrize("expr", VARIED)
def test_dot_accepts_varied_expressions(expr):
    g = graph(expr)
    drawn = layout(render_dot(g))
    assert len(nodes_of(drawn)) == len(g.nodes)
    assert len(drawn.get("edges", [])) == sum(len(n.inputs) for n in g.nodes)


def test_svg_and_png():
    dot_or_fail()
    g = graph(NEURON)
    source = render_dot(g, g.value_at(NEURON_AT))
    svg = convert(source, "svg")
    assert svg.lstrip().startswith((b"<?xml", b"<svg"))
    assert "∂u/∂x₀ = w₀".encode() in svg
    assert convert(source, "png").startswith(PNG_MAGIC)


@pytest.mark.parametrize("fmt", ["svg", "png"])
def test_without_dot_the_install_hint(monkeypatch, fmt):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(UnsupportedError) as caught:
        convert(render_dot(graph("x**2")), fmt)
    assert str(caught.value) == (
        f"--format {fmt} needs Graphviz's dot (Debian: apt-get install graphviz);"
        " --format dot writes the graph for it"
    )


def test_dot_failure_is_its_first_line():
    dot_or_fail()
    with pytest.raises(UnsupportedError) as caught:
        convert("digraph {\n  a -> \n", "svg")
    message = str(caught.value)
    assert message.startswith("Graphviz's dot failed: ")
    assert "syntax error" in message
    assert "\n" not in message


def test_dot_timeout(monkeypatch):
    from chainrule_cli.calculus.deep import TimeoutError_

    def slow(*args, **kwargs):
        raise subprocess.TimeoutExpired(args[0], kwargs["timeout"])

    monkeypatch.setattr(shutil, "which", lambda name: "/usr/bin/dot")
    monkeypatch.setattr(subprocess, "run", slow)
    with pytest.raises(TimeoutError_, match="gave up after 0.5 seconds"):
        convert("digraph {}", "svg", timeout=0.5)


def test_only_graphviz_formats():
    with pytest.raises(UnsupportedError):
        convert("digraph {}", "pdf")


# ---- large graphs -----------------------------------------------------------------------------


def test_deep_chain_renders_quickly_and_dot_accepts_it():
    depth = 200
    g = graph("sin(" * depth + "x" + ")" * depth)
    start = time.perf_counter()
    source = render_dot(g)
    assert time.perf_counter() - start < 2
    assert source.count(" -> ") == depth
    assert "\n  label=<" not in source  # no title: the expression is too long to show
    drawn = layout(source)
    assert len(nodes_of(drawn)) == depth + 1
    assert len(drawn["edges"]) == depth
    assert convert(source, "svg").lstrip().startswith((b"<?xml", b"<svg"))
