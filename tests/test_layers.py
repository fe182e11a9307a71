"""Layers (issue 24): vectors and matrices with --shape, the chain rule in matrix form — the
backward pass of a scalar (δ_z, ∂L/∂W = δ_z xᵀ) and the Jacobian of a vector as a product of
local Jacobians — every step verified entry by entry; shapes refused with their column; values
at a point as nested lists; the layer's graph; every format; the JSON schemas."""

from __future__ import annotations

import json
import random
from importlib import resources

import jsonschema
import pytest
import sympy
from conftest import runner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_render import compile_latex, pdflatex_or_fail

from chainrule_cli import api
from chainrule_cli import arrays as A
from chainrule_cli.calculus import vjps
from chainrule_cli.calculus.expand import expand, symbols_for
from chainrule_cli.errors import ParseError, UnsupportedError


def _schema(name: str) -> jsonschema.Draft202012Validator:
    text = resources.files("chainrule_cli").joinpath(f"schemas/{name}").read_text()
    return jsonschema.Draft202012Validator(json.loads(text))


LAYERS = _schema("layers.json")
LAYER_GRAPH = _schema("layer_graph.json")
LAYER = ["--shape", "W=3x2", "--shape", "x=2", "--shape", "b=3", "--shape", "t=3"]
LAYER_SHAPES = ["W=3x2", "x=2", "b=3", "t=3"]
CS231N = "-dot(y, log(softmax(W2*relu(W1*x + b1) + b2)))"
CS231N_SHAPES = ["W1=hxn", "x=n", "b1=h", "W2=kxh", "b2=k", "y=k"]


def run(*args: str):
    return runner.invoke(list(args), env={"NO_COLOR": "1"})


def diff(expr: str, var: str | None, shapes: list[str]):
    return api.differentiate(expr, var, shapes=shapes)


def steps(result) -> list[tuple[str, str, str]]:
    """(name, rule, text through the names) of every backward step."""
    return [(b.name, b.rule, A.text(b.expr)) for b in result.layers.backward]


# ---- the article's layer, as a course writes it --------------------------------------------


def test_sigmoid_layer_reads_as_a_course_writes_backprop():
    r = diff("norm(sigmoid(W*x + b) - t)^2", "W", LAYER_SHAPES)
    d = r.layers
    assert [(f.name, A.text(f.expr), f.rule) for f in d.forward] == [
        ("z", "Wx + b", "affine"),
        ("a", "σ(z)", "elementwise"),
        ("L", "‖a − t‖²", "squared_norm"),
    ]
    assert steps(r) == [
        ("δ_a", "squared_norm", "2(a − t)"),
        ("δ_z", "elementwise", "δ_a ⊙ a ⊙ (1 − a)"),
        ("W", "linear_map", "δ_z xᵀ"),
    ]
    assert d.result("W").shape == A.Shape(3, 2)
    assert d.verified is True


def test_sigmoid_layer_text_exactly():
    result = run("diff", "norm(sigmoid(W*x + b) - t)^2", "W", *LAYER)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        "Read: ‖σ(Wx + b) − t‖²   with W: 3×2, b: 3, t: 3, x: 2\n"
        "\n"
        "Forward pass (one name per layer):\n"
        "  z = Wx + b      (3)\n"
        "  a = σ(z)        (3)\n"
        "  L = ‖a − t‖²    (scalar)\n"
        "\n"
        "Backward pass (δ_n = ∂L/∂n, of n's shape), in the order backpropagation computes it:\n"
        "  1. δ_a = 2(a − t)    (3)\n"
        "       squared norm: s = ‖a‖²: δ_a = 2δ a\n"
        "  2. δ_z = δ_a ⊙ a ⊙ (1 − a)    (3)\n"
        "       elementwise function: a = σ(z): δ_z = δ_a ⊙ σ′(z), σ′(z) = a ⊙ (1 − a)\n"
        "  3. ∂L/∂W = δ_z xᵀ    (3×2)\n"
        "       linear map: Y = AB: δ_A = δ Bᵀ\n"
        "\n"
        "Results:\n"
        "  ∂L/∂W = δ_z xᵀ\n"
        "        = (2(σ(Wx + b) − t) ⊙ σ(Wx + b) ⊙ (1 − σ(Wx + b)))xᵀ\n"
        "  3×2, the shape of W (as PyTorch's W.grad)\n"
        "\n"
        "✓ every step verified entry by entry against scalar SymPy at small sizes "
        "(W 3×2, b 3, t 3, x 2)\n"
    )


def test_the_three_results_backprop_is_made_of():
    r = api.gradient("norm(sigmoid(W*x + b) - t)^2", ["W", "b", "x"], shapes=LAYER_SHAPES)
    d = r.layers
    assert {b.of: A.text(b.expr) for b in d.backward if b.gradient} == {
        "W": "δ_z xᵀ",
        "b": "δ_z",
        "x": "Wᵀδ_z",
    }
    assert d.verified


def test_softmax_cross_entropy_gives_p_minus_t():
    r = diff("-dot(t, log(softmax(W*x + b)))", "W", ["W=mxn", "x=n", "b=m", "t=m"])
    d = r.layers
    delta = next(b for b in d.backward if b.name == "δ_z")
    assert A.text(delta.expr) == "sum(t)·softmax(z) − t"
    assert A.text(d.result("W").expr) == "δ_z xᵀ"
    assert d.verified
    # the note says when it is p − t
    assert any("p − t" in n for n in r.render("text").splitlines())


@pytest.mark.parametrize(
    ("expr", "var", "shapes", "result"),
    [
        ("x^T*A*x", "x", ["x=n", "A=nxn"], "(A + Aᵀ)x"),
        ("x^T*A*x", "A", ["x=n", "A=nxn"], "xxᵀ"),
        ("trace(X*A)", "X", ["X=nxn", "A=nxn"], "Aᵀ"),
        ("log(det(X))", "X", ["X=nxn"], "X⁻ᵀ"),
        ("det(X)", "X", ["X=nxn"], "det(X)·X⁻ᵀ"),
        ("logsumexp(z)", "z", ["z=n"], "softmax(z)"),
        ("dot(a, x)", "x", ["a=n", "x=n"], "a"),
        ("sum(x)", "x", ["x=n"], "𝟏"),
        ("norm(x)", "x", ["x=n"], "x/‖x‖"),
    ],
)
def test_textbook_results(expr, var, shapes, result):
    r = diff(expr, var, shapes)
    assert A.text(r.layers.result(var).full) == result
    assert r.layers.verified


# ---- reading: operations and notation -------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "shapes", "shown"),
    [
        ("W*x + b", ["W=3x2", "x=2", "b=3"], "Wx + b"),
        ("W@x + b", ["W=3x2", "x=2", "b=3"], "Wx + b"),
        ("W x + b", ["W=3x2", "x=2", "b=3"], "Wx + b"),
        ("x^T*A*x", ["x=n", "A=nxn"], "xᵀAx"),
        ("x'*A*x", ["x=n", "A=nxn"], "xᵀAx"),
        ("transpose(x)*A*x", ["x=n", "A=nxn"], "xᵀAx"),
        ("x^\\top A x", ["x=n", "A=nxn"], "xᵀAx"),
        ("\\mathbf{x}^T A \\mathbf{x}", ["x=n", "A=nxn"], "xᵀAx"),
        ("hadamard(a, b)", ["a=n", "b=n"], "a ⊙ b"),
        ("a ⊙ b", ["a=n", "b=n"], "a ⊙ b"),
        ("inv(A)*b", ["A=nxn", "b=n"], "A⁻¹b"),
        ("A^-1*b", ["A=nxn", "b=n"], "A⁻¹b"),
        ("tr(A)", ["A=nxn"], "tr(A)"),
        ("‖x − t‖^2", ["x=n", "t=n"], "‖x − t‖²"),
        ("c*x", ["x=n"], "c·x"),
        ("diag(v)*x", ["v=n", "x=n"], "diag(v)x"),
        # norms with their subscript, as a course writes them
        ("‖w‖_2^2", ["w=n"], "‖w‖²"),
        ("\\|w\\|_{2}^2", ["w=n"], "‖w‖²"),
        ("‖X‖_F^2", ["X=mxn"], "‖X‖²"),
        ("‖w‖_F", ["w=n"], "‖w‖"),
        # I sized by what it meets, eye(n) and ones(…) written out
        ("A + lambda*I", ["A=nxn"], "A + λ·I"),
        ("W^T*(I - P)", ["W=nxm", "P=nxn"], "Wᵀ(I − P)"),
        ("x^T*eye(n)*x", ["x=n"], "xᵀx"),
        ("ones(n)^T*x", ["x=n"], "𝟏ᵀx"),
        ("ones(1xn)*x", ["x=n"], "𝟏ᵀx"),
        # what was typed is kept: x + x is not 2x before it is differentiated
        ("x + x", ["x=n"], "x + x"),
        ("lambda_1*x", ["x=n"], "λ₁·x"),
        ("\\operatorname{trace}(X)", ["X=nxn"], "tr(X)"),
        ("\\mathrm{diag}(v) x", ["v=n", "x=n"], "diag(v)x"),
    ],
)
def test_notation_is_read_as_meant(text, shapes, shown):
    from chainrule_cli.parse.question import ask_array

    q = ask_array(text, shapes=shapes, variables=None, command="grad")
    assert A.text(q.expr) == shown


def test_a_product_of_shaped_names_typed_together_is_split_with_a_note():
    r = diff("norm(Wx - t)^2", "W", ["W=3x2", "x=2", "t=3"])
    assert A.text(r.layers.root) == "‖Wx − t‖²"
    assert r.layers.notes and "W·x" in r.layers.notes[0]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["diff", "W*x", "x", "--shape", "W=3x2", "--shape", "x=3"],
         "error: column 2: W is 3×2, so W·x needs x of size 2; x is 3; W^T*x fits"),
        (["diff", "det(W)", "W", "--shape", "W=3x2"],
         "error: column 1: det needs a square matrix; W is 3×2"),
        (["diff", "x^2", "x", "--shape", "x=n"],
         "error: column 2: x^2 of a vector: write norm(x)^2 or dot(x, x) for the squared length,"
         " or hadamard(x, x) entry by entry"),
        (["diff", "dot(x, W*x)", "W", "--shape", "W=3x2", "--shape", "x=2"],
         "error: column "),
        (["jacobian", "W*x", "W", "--shape", "W=3x2", "--shape", "x=2"],
         "error: W is a 3×2 matrix: the Jacobian of a vector by a matrix is a 3-index array;"
         " differentiate a scalar of W instead (e.g. dot(v, …)), whose gradient has W's shape"),
        (["jacobian", "A*X", "X", "--shape", "A=2x2", "--shape", "X=2x2"],
         "error: the expression is a 2×2 matrix: its derivative would be a 3- or 4-index array"),
        (["grad", "sigmoid(W*x)", "--shape", "W=3x2", "--shape", "x=2"],
         "error: the expression is a vector of size 3, not a scalar: backpropagation needs a "
         "scalar (a loss)"),
        (["diff", "A \\ b", "b", "--shape", "A=nxn", "--shape", "b=n"],
         "error: column 3: A \\ b (MATLAB's left division) is not read; write inv(A)*b"),
        (["diff", "‖X‖_2", "X", "--shape", "X=mxn"],
         "error: column 4: ‖X‖_2 of a matrix (its largest singular value) is not read; ‖X‖_F or"
         " norm(X) is the Frobenius norm"),
        (["diff", "‖w‖_1", "w", "--shape", "w=n"],
         "error: column 4: the 1-norm ‖…‖_1 is not read as a norm; write sum(abs(…))"),
        (["diff", "‖w‖_oo", "w", "--shape", "w=n"],
         "error: column 4: the norm ‖…‖_∞ is not read; chainrule's norm is the 2-norm (‖w‖_2,"
         " norm(w)) and, of a matrix, the Frobenius norm (‖X‖_F)"),
        (["diff", "x + I", "x", "--shape", "x=n"],
         "error: column 3: I is a square matrix, so it cannot be added to x (x is n)"),
        (["diff", "x^T*x + trace(I)", "x", "--shape", "x=n"],
         "error: column "),
        (["diff", "eye(2x3)*x", "x", "--shape", "x=3"],
         "error: column 1: eye takes one size (eye(3), eye(n)), not '2x3'"),
        (["diff", "ones(2x3x4)^T*x", "x", "--shape", "x=3"],
         "error: column 1: ones takes a shape (ones(3), ones(n), ones(1xn), ones(mxn)), not"
         " '2x3x4'"),
        (["diff", "ones(x)^T*x", "x", "--shape", "x=3"],
         "error: column 1: ones(…) takes a size, and x is an array here (its --shape); write the"
         " size itself (ones(3), ones(n))"),
    ],
)  # fmt: skip
def test_shape_errors_are_one_clear_line_with_exit_2(args, message):
    result = run(*args)
    assert result.exit_code == 2
    assert result.stderr.startswith(message), result.stderr
    assert "Traceback" not in result.stderr


def test_a_bad_shape_spec_and_an_unused_shape_are_refused():
    with pytest.raises(ParseError):
        diff("sum(x)", "x", ["x=3by2"])
    with pytest.raises(ParseError, match="does not occur"):
        diff("sum(x)", "x", ["x=3", "W=3x2"])


# ---- verified entry by entry ----------------------------------------------------------------

VERIFIED = [
    ("norm(sigmoid(W*x + b) - t)^2", None, LAYER_SHAPES),
    ("-dot(t, log(softmax(W*x + b)))", None, ["W=mxn", "x=n", "b=m", "t=m"]),
    (CS231N, None, CS231N_SHAPES),
    ("norm(W2*tanh(W1*x + b1) + b2 - y)^2", None,
     ["W1=3x2", "x=2", "b1=3", "W2=1x3", "b2=1", "y=1"]),
    ("x^T*A*x + dot(b, x) + c", None, ["x=n", "A=nxn", "b=n"]),
    ("log(det(X)) - trace(S*X)", None, ["X=nxn", "S=nxn"]),
    ("mean(exp(X*w) / (1 + exp(X*w)))", None, ["X=mxn", "w=n"]),
    ("sum(softplus(-hadamard(y, X*w)))", None, ["X=mxn", "w=n", "y=m"]),
    ("dot(a, inv(X)*b)", None, ["a=n", "X=nxn", "b=n"]),
    ("norm(x - mu)", None, ["x=n", "mu=n"]),
    ("logsumexp(W*x) - dot(y, W*x)", None, ["W=kxn", "x=n", "y=k"]),
    ("sum(diag(X)) + dot(v, diag(X))", None, ["X=nxn", "v=n"]),
    ("c^2 * norm(x)^2 + sin(c)", None, ["x=n"]),
    ("sum(hadamard(x, x) / (1 + hadamard(x, x)))", None, ["x=n"]),
]  # fmt: skip


@pytest.mark.parametrize(("expr", "var", "shapes"), VERIFIED)
def test_every_step_is_verified_entry_by_entry(expr, var, shapes):
    r = api.gradient(expr, [var] if var else None, shapes=shapes)
    assert r.layers.verified is True
    assert r.layers.checked_at  # at small concrete sizes
    for step in r.layers.backward:
        assert step.rule in _RULES, step.rule


_RULES = (
    set(vjps.UNARY_RULES.values()) | {r.name for r in vjps.VJPS.values()} | {"multivariable_chain"}
)


JACOBIANS = [
    ("sigmoid(W*x + b)", "x", ["W=3x2", "x=2", "b=3"], "diag(σ(Wx + b) ⊙ (1 − σ(Wx + b)))W"),
    ("softmax(z)", "z", ["z=n"], "diag(softmax(z)) − softmax(z)softmax(z)ᵀ"),
    ("log(softmax(z))", "z", ["z=n"], "I − 𝟏softmax(z)ᵀ"),
    ("A*x + b", "x", ["A=mxn", "x=n", "b=m"], "A"),
    ("tanh(W2*tanh(W1*x + b1) + b2)", "x", ["W1=hxn", "x=n", "b1=h", "W2=kxh", "b2=k"],
     "diag(1 − tanh(W₂tanh(W₁x + b₁) + b₂) ⊙ tanh(W₂tanh(W₁x + b₁) + b₂))W₂"
     "diag(1 − tanh(W₁x + b₁) ⊙ tanh(W₁x + b₁))W₁"),
    ("c*x + exp(x)", "c", ["x=n"], "x"),
    ("x / norm(x)", "x", ["x=n"], "(1/‖x‖)·I − (x/‖x‖²)(x/‖x‖)ᵀ"),
]  # fmt: skip


@pytest.mark.parametrize(("expr", "var", "shapes", "full"), JACOBIANS)
def test_jacobians_are_products_of_local_jacobians(expr, var, shapes, full):
    r = api.jacobian(expr, [var], shapes=shapes)
    d = r.layers
    assert d.kind == "jacobian"
    assert A.text(d.result(var).full) == full
    assert d.verified is True


def test_the_jacobian_is_outputs_by_inputs_and_chains_as_a_matrix_product():
    r = api.jacobian("tanh(W2*tanh(W1*x + b1) + b2)", ["x"],
                     shapes=["W1=hxn", "x=n", "b1=h", "W2=kxh", "b2=k"])  # fmt: skip
    d = r.layers
    assert [(b.name, A.text(b.expr), b.shape.text()) for b in d.backward] == [
        ("∂z1/∂x", "W₁", "h×n"),
        ("∂a1/∂x", "diag(1 − a₁ ⊙ a₁) ∂z₁/∂x", "h×n"),
        ("∂z2/∂x", "W₂ ∂a₁/∂x", "k×n"),
        ("∂y/∂x", "diag(1 − y ⊙ y) ∂z₂/∂x", "k×n"),
    ]
    text = r.render("text")
    assert "k×n: rows the k entries of y, columns the n of x (the Jacobian's (m, n))" in text


def test_diff_of_a_vector_is_its_jacobian():
    r = diff("sigmoid(W*x + b)", "x", ["W=3x2", "x=2", "b=3"])
    assert r.layers.kind == "jacobian"
    assert r.layers.result("x").shape == A.Shape(3, 2)


def test_verification_catches_a_wrong_local_jacobian(monkeypatch):
    wrong = vjps.Local(
        vjps.JACOBIANS[A.MatMul].formula,
        lambda node, i, args, out: A.transpose(args[0]) if i == 1 else None,
    )  # Aᵀ for A
    monkeypatch.setitem(vjps.JACOBIANS, A.MatMul, wrong)
    r = api.jacobian("W*x", ["x"], shapes=["W=3x3", "x=3"])
    assert r.layers.verified is False
    assert "NOT VERIFIED" in r.render("text")


def test_verification_catches_a_wrong_vjp(monkeypatch):
    rule = vjps.VJPS[A.MatMul]
    wrong = vjps.Rule(rule.name, rule.formula, lambda g, node, args, out: (
        A.product(g, A.transpose(args[1])), A.product(args[0], g) if args[0].shape.square
        else A.product(A.transpose(args[0]), g)))  # fmt: skip
    monkeypatch.setitem(vjps.VJPS, A.MatMul, wrong)
    r = diff("dot(t, W*x)", "x", ["W=nxn", "x=n", "t=n"])
    assert r.layers.verified is False
    result = run("diff", "dot(t, W*x)", "x", "--shape", "W=nxn", "--shape", "x=n",
                 "--shape", "t=n")  # fmt: skip
    assert result.exit_code == 1
    assert "✗ NOT VERIFIED" in result.stdout


# ---- size: the derivation never meets the arrays --------------------------------------------


def test_the_derivation_is_the_same_at_3x2_and_3000x2000():
    small = diff("norm(sigmoid(W*x + b) - t)^2", "W", LAYER_SHAPES)
    large = diff("norm(sigmoid(W*x + b) - t)^2", "W", ["W=3000x2000", "x=2000", "b=3000",
                                                       "t=3000"])  # fmt: skip
    assert steps(small) == steps(large)
    assert large.layers.result("W").shape == A.Shape(3000, 2000)
    assert large.layers.verified


# ---- values at a point ------------------------------------------------------------------------


def test_at_gives_nested_lists_of_the_variables_shape():
    result = run("diff", "norm(W*x - t)^2", "W", "--shape", "W=3x2", "--shape", "x=2",
                 "--shape", "t=3", "--at", "W=[[1,2],[3,4],[5,6]],x=[1/2,-1],t=[0,0,0]",
                 "--format", "json")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    LAYERS.validate(data)
    # r = Wx − t = (−3/2, −5/2, −7/2); ∂L/∂W = 2 r xᵀ
    assert data["value"]["exact"] == [["-3/2", "3"], ["-5/2", "5"], ["-7/2", "7"]]
    assert data["value"]["decimal"] == [[-1.5, 3.0], [-2.5, 5.0], [-3.5, 7.0]]
    assert data["output_value"] == {"exact": "83/4", "decimal": 20.75}


def test_at_a_decimal_and_pi_and_a_scalar_and_letter_sizes():
    r = diff("c*dot(x, x)", "x", ["x=n"])
    at = r.value_at(["x=[0.25,pi],c=2"])
    data = json.loads(r.render("json", at=at))
    assert data["value"]["exact"] == ["1", "4*pi"]
    assert data["value"]["decimal"] == pytest.approx([1.0, 4 * 3.141592653589793])


@pytest.mark.parametrize(
    ("at", "message"),
    [
        ("W=[[1,2],[3,4]],x=[1,2],t=[0,0,0]", "--at W: W is 3×2, the value given is 2×2"),
        ("W=[[1,2],[3,4],[5,6]],x=[1,2]", "--at needs a value for t too"),
        ("W=[[1,2],[3,4],[5,6]],x=[1,2],t=[0,0,0],q=1", "q is not a variable"),
    ],
)
def test_at_with_wrong_values_is_refused(at, message):
    result = run("diff", "norm(W*x - t)^2", "W", "--shape", "W=3x2", "--shape", "x=2",
                 "--shape", "t=3", "--at", at)  # fmt: skip
    assert result.exit_code == 2
    assert message in result.stderr


def test_values_agree_with_a_hand_computation_of_the_sigmoid_layer():
    r = diff("norm(sigmoid(W*x + b) - t)^2", "W", LAYER_SHAPES)
    at = r.value_at(["W=[[1,2],[3,4],[5,6]],x=[1,-1],b=[0,1,0],t=[1,0,1]"])
    sig = lambda v: 1 / (1 + sympy.exp(-v))  # noqa: E731
    z = [1 - 2 + 0, 3 - 4 + 1, 5 - 6 + 0]
    t = [1, 0, 1]
    delta = [2 * (sig(zi) - ti) * sig(zi) * (1 - sig(zi)) for zi, ti in zip(z, t, strict=True)]
    want = sympy.Matrix([[d * 1, d * -1] for d in delta])
    got = at["backward"]["W"]
    assert all(abs(complex(sympy.N(g - w))) < 1e-12 for g, w in zip(got, want, strict=True))


# ---- the layer's graph ------------------------------------------------------------------------


def test_the_cs231n_two_layer_net_is_one_graph_with_values_in_backprop_order():
    args = ["graph", CS231N, *[a for s in CS231N_SHAPES for a in ("--shape", s)],
            "--at", "W1=[[1,2],[3,-4],[0.5,1]],x=[1,-1],b1=[0,0,1],W2=[[1,-1,1],[0,2,1]],"
            "b2=[0,1],y=[1,0]", "--format", "json"]  # fmt: skip
    result = run(*args)
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    LAYER_GRAPH.validate(data)
    assert data["backward_order"][:5] == ["L", "z2", "b2", "a1", "z1"]
    nodes = {n["id"]: n for n in data["nodes"]}
    assert nodes["z1"]["value_exact"] == ["-1", "7", "1/2"]
    assert nodes["a1"]["value_exact"] == ["0", "7", "1/2"]
    assert nodes["W1"]["shape"] == "hxn" and nodes["z2"]["shape"] == "k"
    # ∂L/∂W2 = δ_z2 a1ᵀ with δ_z2 = p − y, p = softmax(z2) = softmax(−13/2, 31/2)
    p = [1 / (1 + sympy.exp(22)), 1 / (1 + sympy.exp(-22))]
    dz2 = [float(p[0] - 1), float(p[1])]
    a1 = [0, 7, 0.5]
    flat = [g for row in data["gradients"]["W2"] for g in row]
    assert flat == pytest.approx([d * a for d in dz2 for a in a1])
    assert data["gradients"]["b2"] == pytest.approx(dz2)
    assert data["verified"] is True


def test_the_graph_text_and_dot_show_each_nodes_shape():
    r = api.graph("norm(sigmoid(W*x + b) - t)^2", shapes=LAYER_SHAPES)
    text = r.render("text")
    assert "  z = Wx + b    affine map            3\n" in text
    assert "δ_z = δ_a ⊙ a ⊙ (1 − a)" in text
    dot = r.render("dot")
    assert "affine map · 3" in dot and "input · 3×2" in dot
    assert '"W" -> "z";' in dot and '"z" -> "a";' in dot


def test_the_graph_draws_as_svg(tmp_path):
    import shutil

    if shutil.which("dot") is None:
        pytest.skip("Graphviz is not installed here")
    svg = api.graph("norm(sigmoid(W*x + b) - t)^2", shapes=LAYER_SHAPES).render("svg")
    assert svg.startswith(b"<?xml") and b"affine map" in svg


# ---- formats ----------------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["diff", "jacobian"])
def test_json_validates_against_the_schema(command):
    expr = "norm(sigmoid(W*x + b) - t)^2" if command == "diff" else "sigmoid(W*x + b)"
    shapes = LAYER if command == "diff" else LAYER[:6]
    var = "W" if command == "diff" else "x"
    result = run(command, expr, var, *shapes, "--format", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    LAYERS.validate(data)
    key = "gradients" if command == "diff" else "jacobians"
    assert data[key][var]["shape"] == "3x2"
    assert data["kind"] == ("gradient" if command == "diff" else "jacobian")


def test_latex_has_bold_arrays_transposes_and_hadamard_and_compiles(tmp_path):
    r = diff("norm(sigmoid(W*x + b) - t)^2", "W", LAYER_SHAPES)
    latex = r.render("latex", standalone=True)
    for piece in (r"\mathbf{W} \mathbf{x} + \mathbf{b}", r"\odot", r"\mathbf{x}^\top",
                  r"\delta_{\mathbf{z}}", r"\frac{\partial L}{\partial \mathbf{W}}"):  # fmt: skip
        assert piece in latex
    program = pdflatex_or_fail()
    compile_latex(tmp_path, latex, program)


def test_jacobian_latex_compiles(tmp_path):
    r = api.jacobian("softmax(W*x + b)", ["x"], shapes=["W=mxn", "x=n", "b=m"])
    latex = r.render("latex", standalone=True)
    assert r"\operatorname{diag}" in latex
    assert r"\frac{\partial \mathbf{z}}{\partial \mathbf{x}}" in latex
    compile_latex(tmp_path, latex, pdflatex_or_fail())


def test_markdown_has_each_step():
    md = diff("x^T*A*x", "x", ["x=n", "A=nxn"]).render("markdown")
    assert "quadratic form" in md
    assert r"\left(\mathbf{A} + \mathbf{A}^\top\right) \mathbf{x}" in md


def test_chinese_text():
    text = diff("norm(sigmoid(W*x + b) - t)^2", "W", LAYER_SHAPES).render("text", "zh")
    assert "前向传播" in text and "反向传播" in text
    assert "逐元素函数" in text and "线性映射" in text


# ---- property: generated layers verify --------------------------------------------------------

_FUNCTIONS = ["sigmoid", "tanh", "exp", "softplus", "sin", "log(1 + exp({}))", "atan"]
_LOSSES = ["norm({} - t)^2", "sum({})", "dot(t, {})", "logsumexp({})", "mean({})",
           "norm({})"]  # fmt: skip


@st.composite
def networks(draw):
    """A stack of 1–3 layers of random widths and activations, then a loss."""
    depth = draw(st.integers(1, 3))
    widths = [draw(st.sampled_from(["n", "2", "3", "h"])) for _ in range(depth + 1)]
    expr, shapes = "x", [f"x={widths[0]}"]
    for i in range(depth):
        f = draw(st.sampled_from(_FUNCTIONS))
        inner = f"W{i}*{expr} + b{i}"
        expr = f.format(inner) if "{}" in f else f"{f}({inner})"
        rows, cols = widths[i + 1], widths[i]
        shapes += [f"W{i}={rows}x{cols}", f"b{i}={rows}"]
    loss = draw(st.sampled_from(_LOSSES))
    if "t" in loss:
        shapes.append(f"t={widths[-1]}")
    return loss.format(expr), shapes


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(networks())
def test_generated_networks_verify(net):
    expr, shapes = net
    r = api.gradient(expr, None, shapes=shapes)
    assert r.layers.verified is True, (expr, shapes)


def test_expand_of_a_result_agrees_with_sympy_diff_at_a_random_point():
    """The invariant, once more by hand: ∂L/∂W from the steps equals the scalar derivative."""
    r = diff("norm(tanh(W*x) - t)^2", "W", ["W=2x3", "x=3", "t=2"])
    env = {n: symbols_for(n, A.parse_shape(s)) for n, s in (("W", "2x3"), ("x", "3"),
                                                            ("t", "2"))}  # fmt: skip
    loss = expand(r.layers.root, env)[0, 0]
    claimed = expand(r.layers.result("W").full, env)
    rng = random.Random(3)
    point = {s: sympy.Rational(rng.randint(-9, 9), 7) for m in env.values() for s in m}
    for c, w in zip(claimed, env["W"], strict=True):
        truth = sympy.diff(loss, w)
        assert abs(complex(sympy.N((c - truth).xreplace(point), 30))) < 1e-20


def test_unsupported_is_an_error_not_a_crash():
    with pytest.raises(UnsupportedError):
        api.jacobian("W*x", ["W"], shapes=["W=3x2", "x=2"])


def test_verification_sizes_keep_small_numbers_and_keep_letters_apart_in_each_operation():
    from chainrule_cli.calculus.expand import small_sizes
    from chainrule_cli.parse.question import ask_array

    q = ask_array("norm(sigmoid(W*x + b) - t)^2", shapes=["W=3x2", "x=2", "b=3", "t=3"],
                  variables=["W"], command="grad")  # fmt: skip
    assert small_sizes(q.expr) == {3: 3, 2: 2}  # W 3×2 is checked at 3×2
    deep = "norm(tanh(W3*tanh(W2*tanh(W1*x + b1) + b2) + b3) - y)^2"
    shapes = ["W1=h1xn", "x=n", "b1=h1", "W2=h2xh1", "b2=h2", "W3=kxh2", "b3=k", "y=k"]
    q = ask_array(deep, shapes=shapes, variables=["W1"], command="grad")
    sizes = small_sizes(q.expr)
    assert set(sizes) == {"n", "h1", "h2", "k"}
    assert max(sizes.values()) <= 4  # a deep net does not grow its check sizes layer by layer
    for rows, cols in [("h1", "n"), ("h2", "h1"), ("k", "h2")]:
        assert sizes[rows] != sizes[cols]  # every W·a has its two sizes apart
    q = ask_array("trace(A*B*C)", shapes=["A=mxk", "B=kxn", "C=nxm"], variables=["B"],
                  command="grad")  # fmt: skip
    s = small_sizes(q.expr)
    assert len({s["m"], s["k"], s["n"]}) == 3  # m, k, n meet in one product: all apart


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["diff", "sum_i x_i", "x"],
         "error: column 1: sum_i: a sum over an index is not read; write its terms out"
         " (x_1 + x_2 + x_3), or with --shape, sum(x) for the sum of a vector's entries"),
        (["diff", "\\sum_i x_i", "x"],
         "error: column 1: \\sum over an index is not read; write its terms out (x_1 + x_2 + x_3),"
         " or with --shape, sum(x) for the sum of a vector's entries"),
        (["diff", "\\prod_i x_i", "x"],
         "error: column 1: \\prod over an index is not read; write its factors out (x_1 x_2 x_3)"),
        (["diff", "_2 x", "x"],
         "error: column 1: '_2' is a subscript with nothing to name: write it on a name (x_1),"
         " and a norm as norm(…) or ‖…‖ (with --shape)"),
        (["diff", "tr X", "X"],
         "error: column 1: tr works on vectors and matrices: give their shapes with --shape"),
        (["diff", "mean(x)", "x"],
         "error: column 1: mean works on vectors and matrices: give their shapes with --shape"),
    ],
)  # fmt: skip
def test_array_words_without_shapes_are_refused_not_misread(args, message):
    """Without --shape, sum_i x_i or tr X is not a product of scalars named sum_i and tr."""
    result = run(*args)
    assert result.exit_code == 2
    assert result.stderr.startswith(message), result.stderr
    assert "Traceback" not in result.stderr


def test_like_terms_add_up_in_the_result_not_in_the_reading():
    r = diff("trace(X)*trace(X)", "X", ["X=nxn"])
    assert A.text(r.layers.root) == "tr(X)·tr(X)"
    data = r.to_json()
    assert data["gradients"]["X"]["full"] == "2*trace(X)*eye(n)"
    assert A.text(A.add(A.Var("x", A.Shape(3, 1)), A.Var("x", A.Shape(3, 1)))) == "2x"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["diff", "1^T*x", "x", "--shape", "x=n"],
         "error: column 2: a number has no transpose: for the row of ones write ones(n)^T"
         " (ones(n)^T*x is sum(x))"),
        (["diff", "b^T*x", "x", "--shape", "x=n"],
         "error: column 2: b^T: b has no shape, so it is a scalar; give it one with --shape b=n"),
        (["diff", "b'*x", "x", "--shape", "x=n"],
         "error: column 2: b^T: b has no shape, so it is a scalar; give it one with --shape b=n"),
    ],
)  # fmt: skip
def test_a_transpose_of_a_scalar_is_refused_not_dropped(args, message):
    """1^T x read as x, b^T x (b forgotten in --shape) read as b·x: silent misreadings."""
    result = run(*args)
    assert result.exit_code == 2
    assert result.stderr.startswith(message), result.stderr


def test_ascii_double_bars_are_a_norm_and_bars_inside_bars_are_abs():
    from chainrule_cli.parse.question import ask_array

    def read(text, shapes):
        return A.text(ask_array(text, shapes=shapes, variables=None, command="grad").expr)

    assert read("||x - t||^2", ["x=n", "t=n"]) == "‖x − t‖²"
    assert read("||X||_F", ["X=mxn"]) == "‖X‖"
    assert read("|a| ||x||", ["x=n"]) == "abs(a)·‖x‖"
    assert read("|a||b|*sum(x)", ["x=n"]) == "(abs(a)·abs(b))·sum(x)"
    r = diff("||x - t||^2", "x", ["x=n", "t=n"])
    assert A.text(r.layers.result("x").full) == "2(x − t)"


def test_at_a_singular_matrix_the_inverse_is_undefined_not_a_crash():
    result = run("diff", "log(det(X))", "X", "--shape", "X=2x2", "--at", "X=[[1,2],[2,4]]")
    assert result.exit_code == 0, result.stderr
    assert "  L = undefined\n" in result.stdout
    assert "  ∂L/∂X = [[undefined, undefined], [undefined, undefined]]\n" in result.stdout
    result = run("diff", "log(det(X))", "X", "--shape", "X=2x2", "--at", "X=[[1,2],[2,4]]",
                 "--format", "json")  # fmt: skip
    data = json.loads(result.stdout)
    assert data["value"] == {"exact": [["nan", "nan"], ["nan", "nan"]],
                             "decimal": [[None, None], [None, None]]}  # fmt: skip


def test_greek_names_in_shape_and_at_are_the_names_in_the_expression():
    result = run("diff", "θ^T*x + lambda*norm(x)^2", "x", "--shape", "θ=2", "--shape", "x=2",
                 "--at", "θ=[1,2],x=[1,1],λ=1/2")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert "At θ = [1, 2], x = [1, 1], λ = 1/2:\n" in result.stdout
    assert "  ∂L/∂x = [2, 3]\n" in result.stdout  # 2λx + θ
