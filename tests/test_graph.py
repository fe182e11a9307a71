"""`chainrule graph`: primitive nodes, local derivatives, the backward pass, values and
gradients at a point (CS231n's neuron), gate patterns, every format, exit codes."""

from __future__ import annotations

import json
import math
import random
import subprocess
import sys
import unicodedata
from importlib import resources

import jsonschema
import pytest
import sympy
from conftest import runner
from hypothesis import HealthCheck, given, settings
from strategies import expressions
from test_render import compile_latex, pdflatex_or_fail

from chainrule_cli import gradient, graph
from chainrule_cli.calculus import graph as graph_module
from chainrule_cli.calculus.graph import build_graph, values_at
from chainrule_cli.errors import ParseError, UndefinedError
from chainrule_cli.parse import parse

SCHEMA = json.loads(resources.files("chainrule_cli").joinpath("schemas/graph.json").read_text())
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)
NEURON = "1/(1+exp(-(w0*x0 + w1*x1 + w2)))"
NEURON_AT = "w0=2,x0=-1,w1=-3,x1=-2,w2=-3"
x, y, z, w0, w1, w2, x0, x1 = sympy.symbols("x y z w0 w1 w2 x0 x1", real=True)
S = sympy.Symbol


def run(*args: str, stdin: str | None = None):
    return runner.invoke(["graph", *args], input=stdin, env={"NO_COLOR": "1"})


def nfc(text: str) -> str:
    """x̄ is x + a combining macron, ȳ one character: compare text in one normal form."""
    return unicodedata.normalize("NFC", text)


def named(g, name: str):
    return g.node(S(name, real=True))


# ---- the article's sigmoid ---------------------------------------------------------------------


def test_sigmoid_is_the_articles_decomposition():
    g = graph("1/(1+exp(-x))")
    ops = [(str(n.name), n.op, str(n.expr)) for n in g.nodes]
    # the article: f = −x; g = exp(f); w = 1 + g; v = 1/w
    assert ops == [
        ("x", "input", "x"),
        ("u", "neg", "-x"),
        ("v", "exp", "exp(u)"),
        ("w", "add", "v + 1"),
        ("y", "reciprocal", "1/w"),
    ]
    u, v, w, out = (S(n, real=True) for n in "uvwy")
    assert [dict(n.local) for n in g.operations] == [
        {x: -1},
        {u: sympy.exp(u)},
        {v: 1},
        {w: -1 / w**2},
    ]
    assert [str(a.node) for a in g.backward] == ["y", "w", "v", "u", "x"]
    assert g.adjoint(x).written == sympy.exp(u) / w**2
    assert g.derivatives == (sympy.exp(-x) / (1 + sympy.exp(-x)) ** 2,)
    # S' = S(1 − S)
    assert sympy.expand(g.in_terms_of[0] - out * (1 - out)) == 0
    assert g.verified


def test_sigmoid_text_shows_forward_local_backward_and_result():
    result = run("1/(1+exp(-x))", "--format", "text")
    assert result.exit_code == 0, result.output
    text = result.output
    for line in [
        "  u = −x      neg",
        "  v = e^u     exp",
        "  ∂y/∂w = −1/w^2",
        "  w̄ = ȳ·∂y/∂w = ȳ·(−1/w^2) = −1/w^2",
        "  ū = v̄·∂v/∂u = v̄·e^u = −e^u/w^2",
        "  x̄ = ū·∂u/∂x = −ū = e^u/w^2",
        "  dy/dx = x̄ = e^u/w^2 = e^(−x)/(1 + e^(−x))^2 = y·(1 − y)",
        "✓ Every gradient verified against SymPy.",
    ]:
        assert nfc(line) in text.splitlines(), (line, text)


# ---- CS231n's neuron ---------------------------------------------------------------------------

NEURON_GRADIENTS = {"w0": -0.196612, "x0": 0.393224, "w1": -0.393224, "x1": -0.589836,
                    "w2": 0.196612}  # fmt: skip


def test_cs231n_neuron_values_and_gradients():
    g = graph(NEURON)
    at = g.value_at([NEURON_AT])
    assert round(float(at.values[g.output]), 6) == 0.731059
    for name, expected in NEURON_GRADIENTS.items():
        assert round(float(at.grads[S(name, real=True)]), 6) == expected
    # the circuit of the notes: two products, their sum, −, exp, +1, 1/x
    assert [n.op for n in g.operations] == ["mul", "mul", "add", "neg", "exp", "add", "reciprocal"]
    assert at.agrees and g.verified


def test_cs231n_neuron_json():
    result = run(NEURON, "--at", NEURON_AT, "--format", "json")
    assert result.exit_code == 0, result.output
    obj = json.loads(result.stdout)
    VALIDATOR.validate(obj)
    assert round(obj["value"], 6) == 0.731059
    assert {k: round(v, 6) for k, v in obj["gradients"].items()} == NEURON_GRADIENTS
    nodes = {n["id"]: n for n in obj["nodes"]}
    assert nodes["u"]["expr"] == "w0*x0" and nodes["u"]["local"] == {"w0": "x0", "x0": "w0"}
    assert obj["backward"][:3] == ["y", "s", "r"]
    assert [n["id"] for n in obj["nodes"]][:5] == ["w0", "w1", "w2", "x0", "x1"]
    assert obj["verified"] is True and obj["conventions"] == []


def test_neuron_table_is_in_the_order_of_the_backward_pass():
    result = run(NEURON, "--at", NEURON_AT, "--format", "text")
    assert result.exit_code == 0, result.output
    rows = [line.split()[0] for line in result.output.splitlines() if line.startswith("  ")]
    table = rows[rows.index("node") + 1 :][:12]
    assert table == ["y", "s", "r", "q", "p", "v", "u", "w₀", "w₁", "w₂", "x₀", "x₁"]
    row = "  w₀    input              2         −0.196612       ū·x₀ = 0.196612·(−1)"
    assert nfc(row) in result.output.splitlines()


# ---- gate patterns -----------------------------------------------------------------------------


def grads(text: str, point: str) -> dict[str, float]:
    g = graph(text)
    at = g.value_at([point])
    return {str(k): float(v) for k, v in at.grads.items() if v is not None}


def test_add_gate_distributes_the_gradient():
    # (a + b)·c: the sum node's gradient c flows unchanged to a and to b
    out = grads("(a + b)*c", "a=1,b=2,c=5")
    assert out["a"] == out["b"] == out["u"] == 5.0


def test_multiply_gate_swaps_its_inputs():
    out = grads("a*b", "a=3,b=-4")
    assert out["a"] == -4.0 and out["b"] == 3.0


def test_max_gate_routes_the_gradient_to_the_larger_input():
    out = grads("max(a, b)*c", "a=3,b=1,c=2")
    assert out["a"] == 2.0 and out["b"] == 0.0
    out = grads("min(a, b)*c", "a=3,b=1,c=2")
    assert out["a"] == 0.0 and out["b"] == 2.0


def test_tie_convention_splits_the_gradient_equally_and_says_so():
    g = graph("max(a, b)*c")
    at = g.value_at(["a=1,b=1,c=2"])
    assert float(at.grads[S("a", real=True)]) == float(at.grads[S("b", real=True)]) == 1.0
    assert at.conventions == (S("u", real=True),)
    text = g.to_text(at=at)
    assert "a tie of two inputs of max or min splits it equally" in " ".join(text.split())
    # relu is its own gate: relu'(0) = 0, as PyTorch and JAX give (relu(w·x + b) at w·x + b = 0)
    assert grads("relu(x)", "x=0") == {"x": 0.0, "y": 1.0}
    assert grads("relu(w*x+b)", "w=1,x=2,b=-2")["b"] == 0.0
    assert grads("abs(x)", "x=0") == {"x": 0.0, "y": 1.0}


def test_max_of_three_is_a_chain_of_two_input_gates():
    g = graph("max(x, y, z)")
    assert [(n.op, len(n.inputs)) for n in g.operations] == [("max", 2), ("max", 2)]
    assert grads("max(x, y, z)", "x=1,y=5,z=2")["y"] == 1.0


# ---- shared nodes, several uses ----------------------------------------------------------------


def test_a_repeated_sub_expression_is_one_node_used_twice():
    g = graph("sin(x)^2 + sin(x)")
    sine = named(g, "u")
    assert sine.expr == sympy.sin(x) and len(sine.uses) == 2
    adjoint = g.adjoint(sine.name)
    assert len(adjoint.terms) == 2  # the sum over its two uses
    assert g.derivatives[0] == (2 * sympy.sin(x) + 1) * sympy.cos(x)
    text = g.to_text()
    assert nfc("ū = v̄·∂v/∂u + ȳ·∂y/∂u = v̄·2u + ȳ = 2u + 1   (2 uses: a sum)") in text
    obj = g.to_json()
    node = next(n for n in obj["nodes"] if n["id"] == "u")
    assert node["grad_terms"] == [{"use": "v", "local": "2*u"}, {"use": "y", "local": "1"}]


def test_a_variable_feeding_several_nodes_sums_its_gradients():
    # x feeds the product, the exponential and the sine
    g = graph("x*exp(x) + sin(x)")
    assert len(g.node(x).uses) == 3
    at = g.value_at(["x=0.5"])
    expected = math.exp(0.5) + 0.5 * math.exp(0.5) + math.cos(0.5)
    assert float(at.grads[x]) == pytest.approx(expected, rel=1e-14)


@pytest.mark.slow
def test_deep_chain_of_a_thousand_sines():
    g = graph("sin(" * 1000 + "x" + ")" * 1000)
    assert len(g.nodes) == 1001 and g.verified
    at = g.value_at(["x=0.5"])
    value, slope = 0.5, 1.0
    for _ in range(1000):
        slope *= math.cos(value)
        value = math.sin(value)
    assert float(at.values[g.output]) == pytest.approx(value, rel=1e-12)
    assert float(at.grads[x]) == pytest.approx(slope, rel=1e-12)


# ---- against `grad` ----------------------------------------------------------------------------

PROBLEMS = [
    "x^2*y + 3x*y^4", "sin(x*y) + cos(x)/y", "exp(-(x^2 + y^2))", "ln(x^2 + y^2 + 1)",
    "sqrt(x^2 + y^2 + 1)", "tanh(w0*x + w1)", "atan(y/x)", "x^y", "sigmoid(w*x + b)",
    "softplus(x - y)", "(x + y)^3 * (x - y)", "asin(x/2) + acos(y/3)", "max(x, y) + min(x, y)^2",
    "|x - y| + x", "cosh(x)*sinh(y)", "erf(x*y)", "x/(1 + y^2)", "log(x, 2) * y",
]  # fmt: skip


@pytest.mark.parametrize("text", PROBLEMS)
def test_gradients_agree_with_grad_at_random_points(text):
    g = graph(text)
    assert g.verified
    symbolic = gradient(text)
    assert tuple(g.wrt) == tuple(symbolic.vars)
    rng = random.Random(text)
    checked = 0
    for _ in range(20):
        point = {v: sympy.Rational(rng.randint(30, 190), 100) for v in g.expr.free_symbols}
        try:
            at = g.value_at({str(k): v for k, v in point.items()})
        except UndefinedError:
            continue
        for var, expected in zip(symbolic.vars, symbolic.vector, strict=True):
            want = complex(expected.evalf(30, subs=point))
            got = at.grads[var]
            if got is None or abs(want.imag) > 1e-12:
                continue
            assert float(got) == pytest.approx(want.real, rel=1e-10, abs=1e-12), (var, point)
            checked += 1
    assert checked >= 10


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(expressions(max_leaves=8))
def test_every_local_derivative_and_gradient_holds_for_random_expressions(expr):
    if not expr.free_symbols or expr.has(sympy.Function("f"), sympy.Function("g")):
        return
    g = build_graph(expr)
    for node in g.nodes:
        for inp, local in node.local:
            assert sympy.diff(node.expr, inp) == local
        if node.op != "input":
            assert node.expr.xreplace({n.name: n.full for n in g.nodes}) == node.full or (
                sympy.simplify(node.expr.xreplace({n.name: n.full for n in g.nodes}) - node.full)
                == 0
            )
    assert g.verified, g.failures


# ---- --wrt, edges of the input -----------------------------------------------------------------


def test_wrt_restricts_the_backward_pass():
    g = graph("x*y + sin(y)", ["x"])
    assert g.wrt == (x,) and g.derivatives == (y,)
    assert g.adjoint(y) is None  # y is on no path to x: no backward step
    at = g.value_at(["x=2,y=3"])
    assert float(at.grads[x]) == 3.0 and at.grads[y] is None
    obj = json.loads(run("x*y + sin(y)", "--wrt", "x", "--at", "x=2,y=3", "-f", "json").stdout)
    assert obj["gradients"] == {"x": 3.0}
    assert next(n for n in obj["nodes"] if n["id"] == "y")["grad"] is None


def test_a_variable_the_expression_does_not_use_has_gradient_zero():
    g = graph("x^2", ["x", "z"])
    assert g.derivatives == (2 * x, 0)
    at = g.value_at(["x=3"])
    assert float(at.grads[z]) == 0.0


def test_constant_and_single_variable():
    g = graph("5")
    assert [n.op for n in g.nodes] == ["const"] and g.derivatives == ()
    g = graph("x")
    assert g.output == x and g.derivatives == (1,)
    assert run("x", "--at", "x=2", "-f", "json").exit_code == 0


def test_unknown_functions_get_symbolic_local_derivatives():
    g = graph("f(g(x))")
    assert g.verified
    text = g.to_text()
    assert "∂y/∂u = f'(u)" in text
    assert nfc("x̄ = ū·∂u/∂x = ū·g'(x) = f'(u)·g'(x)") in text


def test_undefined_value_at_the_point_is_a_clear_error():
    result = run("ln(x) + 1", "--at", "x=-1")
    assert result.exit_code == 2
    message = "error: u = log(x) is not a real number that can be computed at this point (x = -1)"
    assert message in result.output
    obj = json.loads(run("ln(x)", "--at", "x=0", "-f", "json").stdout)
    VALIDATOR.validate(obj)
    assert obj["ok"] is False and obj["error"]["kind"] == "domain"
    # found by fuzzing: an input that is not a number (−sin 1) broke this message
    result = run("sin(x)**pi", "--at", "x=-1")
    assert result.exit_code == 2
    message = "error: y = u**pi is not a real number that can be computed at this point"
    assert f"{message} (u = -0.841471)" in result.output


def test_an_infinite_local_derivative_leaves_the_gradient_undefined():
    g = graph("sqrt(x)")
    at = g.value_at(["x=0"])
    assert float(at.values[g.output]) == 0.0 and at.grads[x] is None
    assert "dy/dx = undefined (no derivative there)" in g.to_text(at=at)


@pytest.mark.parametrize(
    "args, message",
    [
        (("x +",), "column"),
        (("x*y", "--at", "x=1"), "--at needs a value for y too"),
        (("x*y", "--at", "x=1,y=2,q=3"), "q is not a variable"),
        (("x*y", "--wrt", "x,x"), "a variable is named twice"),
        (("x*y", "--wrt", "2"), "'2' is not a variable name"),
        (("x", "--format", "text", "--standalone"), "--standalone makes a LaTeX document"),
    ],
)
def test_bad_input_exits_2_with_one_line(args, message):
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output


def test_verification_failure_is_loud_and_exits_1(monkeypatch):
    monkeypatch.setattr(graph_module, "_check", lambda g: (g.output,))
    result = run("sin(x)^2", "--format", "text")
    assert result.exit_code == 1
    assert "✗ NOT VERIFIED: the gradient of y disagrees with SymPy." in result.output
    obj = json.loads(run("sin(x)^2", "-f", "json").stdout)
    assert obj["verified"] is False


# ---- formats -----------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["1/(1+exp(-x))", NEURON, "sin(x)^2 + sin(x)", "f(g(x))", "5"])
@pytest.mark.parametrize("at", [None, "point"])
def test_json_matches_the_schema(text, at):
    args = [text, "-f", "json"]
    if at and text == NEURON:
        args += ["--at", NEURON_AT]
    elif at and text not in ("f(g(x))", "5"):
        args += ["--at", "x=0.5"]
    result = run(*args)
    assert result.exit_code == 0, result.output
    obj = json.loads(result.stdout)
    VALIDATOR.validate(obj)
    assert [n["id"] for n in obj["nodes"]][-1] == obj["output"]


def test_batch_gives_one_json_line_per_input_line_in_order():
    result = run("-", "-f", "json", "--at", "x=1", stdin="sin(x)\n\nx +\nexp(x)*x\nln(x-2)\n")
    assert result.exit_code == 1
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o["ok"] for o in lines] == [True, False, True, False]
    assert [o["input"] for o in lines] == ["sin(x)", "x +", "exp(x)*x", "ln(x-2)"]
    assert lines[3]["error"]["kind"] == "domain"
    for obj in lines:
        VALIDATOR.validate(obj)


def test_batch_refuses_one_expression_formats():
    for fmt in ("dot", "python", "svg", "png"):
        result = run("-", "-f", fmt, stdin="x\n")
        assert result.exit_code == 2
        assert "takes one expression" in result.output


def test_markdown_table():
    md = graph(NEURON).to_markdown(at=graph(NEURON).value_at([NEURON_AT]))
    header = (
        r"| node | computes | value | gradient $\frac{\partial y}{\partial n}$ | from its uses |"
    )
    assert header in md
    assert "|---|---|---|---|---|" in md
    assert "| $w_{0}$ | input | $2$ | $-0.196612$ | $\\bar{u} \\cdot x_{0}$ |" in md


def test_latex_symbolic_and_numeric_compile(tmp_path):
    program = pdflatex_or_fail()
    for i, (text, at) in enumerate([("1/(1+exp(-x))", None), (NEURON, NEURON_AT)]):
        args = [text, "-f", "latex", "--standalone"] + (["--at", at] if at else [])
        result = run(*args)
        assert result.exit_code == 0, result.output
        assert r"\begin{array}" in result.output
        folder = tmp_path / str(i)
        folder.mkdir()
        compile_latex(folder, result.output, program)


def test_latex_of_a_deep_graph_is_split_into_arrays_that_fit_a_page(tmp_path):
    program = pdflatex_or_fail()
    tex = graph("sin(" * 100 + "x" + ")" * 100).to_latex(standalone=True)
    assert tex.count(r"\begin{array}") == 3  # 101 rows, 40 per array
    compile_latex(tmp_path, tex, program)


def test_chinese_words():
    result = runner.invoke(["graph", "1/(1+exp(-x))", "--lang", "zh"], env={"NO_COLOR": "1"})
    assert "前向传播" in result.output and "反向传播" in result.output
    assert "每个梯度都已用 SymPy 验证。" in result.output


def test_graph_help_runs_without_sympy():
    code = "import sys; from chainrule_cli.cli import main\n"
    code += "sys.argv = ['chainrule', 'graph', '--help']\n"
    code += "try:\n    main()\nexcept SystemExit:\n    pass\nassert 'sympy' not in sys.modules"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "computational graph" in result.stdout


def test_parse_errors_name_the_column():
    with pytest.raises(ParseError) as caught:
        graph("sin(x))")
    assert caught.value.column == 7
    assert build_graph(parse("x")).output == x
    assert float(values_at(build_graph(parse("x")), {x: sympy.Integer(3)}).grads[x]) == 1.0


# ---- review findings: exact values, ties, overflow, undefined gradients, names ------------------


@pytest.mark.parametrize(
    "text, point, value, gradient",
    [
        ("sin(x)", "x=pi", 0.0, -1.0),  # exactly 0, not 1.7e-31
        ("sin(x)", "x=sqrt(2)", math.sin(math.sqrt(2)), math.cos(math.sqrt(2))),
        ("1/(1+exp(-x))", "x=-710", math.exp(-710), None),  # saturated, still a number
    ],
)
def test_values_at_exact_and_irrational_points(text, point, value, gradient):
    at = graph(text).value_at([point])
    assert float(at.values[graph(text).output]) == pytest.approx(value, rel=1e-12, abs=1e-300)
    if gradient is not None:
        assert float(at.grads[x]) == pytest.approx(gradient, rel=1e-12)


def test_a_value_past_a_double_is_shown_not_refused():
    result = run("exp(x)", "--at", "x=1000", "-f", "text")
    assert result.exit_code == 0, result.output
    assert "  y = 1.97007e+434" in result.output.splitlines()
    assert "1.97007 \\cdot 10^{434}" in run("exp(x)", "--at", "x=1000", "-f", "latex").stdout
    obj = json.loads(run("exp(x)", "--at", "x=1000", "-f", "json").stdout)
    assert obj["value"] is None  # JSON numbers are doubles: null past their range


@pytest.mark.parametrize(
    "text, point", [("log(sin(x))", "x=pi"), ("1/sin(x)", "x=pi"), ("f(x)", "x=1")]
)
def test_no_value_at_the_point_is_an_error_not_a_huge_number(text, point):
    result = run(text, "--at", point)
    assert result.exit_code == 2
    assert "error:" in result.output and "internal" not in result.output


@pytest.mark.parametrize(
    "text, point, expected",
    [
        ("max(x + y, 1)", "x=0.1,y=0.9", {"x": 0.5, "y": 0.5}),  # 0.1 + 0.9 ties with 1
        ("max(x, pi)", "x=pi", {"x": 0.5}),
        ("|sin(x)|", "x=pi", {"x": 0.0}),
        ("sign(x)", "x=0", {}),
        ("Piecewise((x, x>0), (x^2, True))", "x=0", {"x": 0.0}),
    ],
)
def test_switches_at_the_point_follow_the_stated_convention(text, point, expected):
    g = graph(text)
    at = g.value_at([point])
    assert at.conventions, text
    for name, value in expected.items():
        assert float(at.grads[S(name, real=True)]) == value
    assert at.agrees  # a convention is not a failed verification
    assert "gradient shown follows a convention" in " ".join(g.to_text(at=at).split())
    assert "follows a convention" in " ".join(g.to_markdown(at=at).split())
    assert "follows a convention" in " ".join(g.to_latex(at=at).split())


def test_floor_and_an_infinite_local_derivative_leave_the_gradient_undefined():
    g = graph("floor(x)")
    assert g.value_at(["x=0.5"]).grads[x] is None
    text = run("sqrt(x)*y", "--at", "x=0,y=1", "-f", "text").output
    assert "∂Y/∂x = undefined (no derivative there)" in text
    assert "  x     input       0      undefined" in text


def test_intermediate_names_never_print_like_a_variable():
    g = graph("u1*sin(cos(tan(exp(log(sinh(cosh(tanh(atan(x)))))))))*asin(x) + sqrt(x)")
    names = [str(n.name) for n in g.operations]
    assert "u_1" not in names and len(set(names)) == len(names)
    g = graph("y*Y*F*phi + x")
    assert str(g.output) not in {"y", "Y", "F", "phi", "φ"}


def test_wide_inputs_stay_fast_enough_to_finish():
    neuron = "+".join(f"w{k}*x{k}" for k in range(1, 50))
    g = graph(f"1/(1+exp(-({neuron})))", timeout=30)
    assert g.verified and len(g.wrt) == 98
    product = "*".join(f"(x+{k})" for k in range(1, 120))
    assert graph(product, timeout=30).verified


@pytest.mark.parametrize("timeout", ["nan", "inf", "1e12", "0"])
def test_timeout_must_be_a_sensible_number_of_seconds(timeout):
    result = run("x", "--timeout", timeout)
    assert result.exit_code == 2 and "--timeout" in result.output
