"""`--format numpy` and `--format jax`: a layer's derivation as code. The emitted modules are run
and compared with central finite differences and with the derivation's own exact values (SymPy),
at random points and where the plain formulas overflow (±1000, ±10⁴)."""

from __future__ import annotations

import inspect
import math
import os
import subprocess
import sys
import types

import mpmath
import numpy as np
import pytest
import sympy
from conftest import CommandLine

from chainrule_cli import arrays as A
from chainrule_cli.api import graph
from chainrule_cli.errors import ChainruleError, UnsupportedError

runner = CommandLine()

SIGMOID_LAYER = "norm(sigmoid(W*x + b) - t)^2"
SIGMOID_SHAPES = ["W=3x2", "x=2", "b=3", "t=3"]
CS231N = "-dot(y, log(softmax(W2*relu(W1*x + b1) + b2)))"
CS231N_SHAPES = ["W1=hxn", "x=n", "b1=h", "W2=kxh", "b2=k", "y=k"]
BCE = "-(dot(t, log(sigmoid(W*x + b))) + dot(1 - t, log(1 - sigmoid(W*x + b))))"

# (id, expression, shapes): each emitted, run at random points, checked entry by entry
CASES = [
    ("sigmoid_layer", SIGMOID_LAYER, SIGMOID_SHAPES),
    ("softmax_cross_entropy", "-dot(t, log(softmax(W*x + b)))", ["W=mxn", "x=n", "b=m", "t=m"]),
    ("quadratic_form", "x^T*A*x", ["x=n", "A=nxn"]),
    ("tanh_net", "norm(tanh(W2*tanh(W1*x + b1) + b2) - y)^2",
     ["W1=hxn", "x=n", "b1=h", "W2=kxh", "b2=k", "y=k"]),
    ("cs231n", CS231N, CS231N_SHAPES),
    ("logdet_trace", "log(det(X)) + trace(X)", ["X=nxn"]),
    ("det", "det(X)", ["X=3x3"]),
    ("inverse", "sum(inv(X)*y)", ["X=nxn", "y=n"]),
    ("scalar_input", "sum(c*x)", ["x=n"]),
    ("scalar_squared", "c*sum(x) + c^2", ["x=n"]),
    ("logsumexp", "logsumexp(W*x)", ["W=mxn", "x=n"]),
    ("binary_cross_entropy", BCE, ["W=mxn", "x=n", "b=m", "t=m"]),
    ("softplus", "sum(softplus(W*x))", ["W=mxn", "x=n"]),
    ("log_one_plus_exp", "sum(log(1 + exp(x)))", ["x=n"]),
    ("log_sum_exp_typed", "log(sum(exp(x)))", ["x=n"]),
    ("log_sigmoid", "sum(log(sigmoid(x)))", ["x=n"]),
    ("log_sigmoid_of_minus", "sum(log(sigmoid(-x)))", ["x=n"]),
    ("log_one_minus_sigmoid", "sum(log(1 - sigmoid(x)))", ["x=n"]),
    ("sum_log_softmax", "sum(log(softmax(x)))", ["x=n"]),
    ("dot_softmax", "dot(t, softmax(x))", ["x=n", "t=n"]),
    ("norm", "norm(W*x - y)", ["W=mxn", "x=n", "y=m"]),
    ("mean_exp", "mean(exp(x))", ["x=n"]),
    ("row_times_column", "W*x", ["W=1xn", "x=n"]),
    ("outer", "sum(x*x^T)", ["x=n"]),
    ("frobenius", "trace(X^T*X)", ["X=mxn"]),
    ("matrix_product", "sum(X*Y)", ["X=mxn", "Y=nxk"]),
    ("quotient", "sum(x/y)", ["x=n", "y=n"]),
    ("hadamard", "sum(hadamard(x, y))", ["x=n", "y=n"]),
    ("diag_of_vector", "sum(diag(x)*y)", ["x=n", "y=n"]),
    ("diag_of_matrix", "sum(diag(X))", ["X=nxn"]),
    ("sqrt", "sum(sqrt(x))", ["x=n"]),
    ("sigmoid_of_scalar", "sum(sigmoid(c)*x)", ["x=n"]),
    ("dot_plus_scalar", "dot(w, x) + c", ["x=n", "w=n"]),
]  # fmt: skip
SIZES = {"m": 3, "n": 2, "h": 4, "k": 3}
POSITIVE = {"sqrt", "quotient"}  # cases drawn positive (their domain)


def emit(text: str, shapes, fmt: str = "numpy", name: str = "layer", wrt=None) -> str:
    return graph(text, wrt, shapes=shapes).render(fmt, name=name, text=text)


def load(source: str, name: str = "layer"):
    """The function the emitted module defines, run in a fresh module."""
    module = types.ModuleType("emitted")
    exec(compile(source, "<chainrule>", "exec"), module.__dict__)  # our own output
    return getattr(module, name)


def shapes_of(function, shapes) -> dict[str, tuple]:
    """Each parameter's NumPy shape (a scalar ()), the letters at SIZES."""
    given = {s.split("=")[0]: A.parse_shape(s.split("=")[1]) for s in shapes}
    out = {}
    for name in inspect.signature(function).parameters:
        shape = given.get(name, A.SCALAR)
        sizes = () if shape.scalar else (shape.length,) if shape.vector else shape.sizes()
        out[name] = tuple(SIZES.get(s, s) for s in sizes)
    return out


def random_point(function, shapes, rng, positive=False) -> dict:
    point = {}
    for name, shape in shapes_of(function, shapes).items():
        if positive:
            value = rng.uniform(0.5, 2.0, size=shape)
        elif len(shape) == 2 and shape[0] == shape[1]:  # well away from singular
            value = np.eye(shape[0]) + 0.3 * rng.normal(size=shape)
        else:
            value = rng.normal(size=shape)
        point[name] = float(value) if shape == () else value
    return point


def finite_differences(function, point: dict, name: str, h: float = 1e-3) -> np.ndarray:
    """∂value/∂name by the fourth-order central difference, entry by entry."""
    base = point[name]
    scalar = not isinstance(base, np.ndarray)
    flat = np.array(base, dtype=float).reshape(-1)
    out = np.empty_like(flat)
    for i in range(flat.size):

        def at(step, i=i):
            moved = flat.copy()
            moved[i] += step
            value = float(moved[0]) if scalar else moved.reshape(np.shape(base))
            return function(**{**point, name: value})[0]

        out[i] = (8 * (at(h) - at(-h)) - (at(2 * h) - at(-2 * h))) / (12 * h)
    return float(out[0]) if scalar else out.reshape(np.shape(base))


def exact(text: str, shapes, point: dict, dps: int = 60) -> tuple[float, dict]:
    """The derivation's own value and gradients at the point (its formulas expanded entry by
    entry in SymPy, the doubles read as exact fractions), each evaluated in `dps`-digit mpmath
    and rounded to a double: σ written out, so no floating-point formula of ours enters."""
    from chainrule_cli.calculus.expand import bind_sizes, expand, resize

    layers = graph(text, shapes=shapes).layers

    given = {s.split("=")[0]: A.parse_shape(s.split("=")[1]) for s in shapes}

    def matrix(name: str, v) -> sympy.Matrix:
        rows = np.atleast_2d(np.asarray(v, dtype=float))
        if np.ndim(v) == 1 and not given[name].row:
            rows = rows.T  # a column
        return sympy.Matrix([[sympy.Rational(float(e)) for e in row] for row in rows])

    env = {k: matrix(k, v) for k, v in point.items()}
    sizes = bind_sizes(layers, env)

    def number(e: sympy.Expr) -> float:
        f = sympy.lambdify([], e.rewrite(sympy.exp), "mpmath")
        with mpmath.workdps(dps):
            return float(mpmath.re(f()))

    def value(node: A.Node, like):
        m = expand(resize(node, sizes), env)
        if not isinstance(like, np.ndarray):
            return number(m[0, 0])
        return np.array([number(e) for e in m], dtype=float).reshape(like.shape)

    grads = {b.name: value(b.full, point[b.name]) for b in layers.backward if b.gradient}
    return value(layers.root, 0.0), grads


def assert_close(got, want, rel=1e-9, abs_=1e-12, what=""):
    got, want = np.asarray(got, dtype=float), np.asarray(want, dtype=float)
    assert got.shape == want.shape, (what, got.shape, want.shape)
    assert np.all(np.isfinite(got)), (what, got)
    assert np.allclose(got, want, rtol=rel, atol=abs_), (what, got, want)


# ---- the whole module, for one case -----------------------------------------------------------

SIGMOID_MODULE = '''\
# Generated by chainrule from the expression norm(sigmoid(W*x + b) - t)^2.
# NumPy: the forward pass, then the backward pass, one line per step of the derivation.

import numpy as np


def _sigmoid(z):
    """1/(1 + exp(-z)) entry by entry, through exp(-|z|): it never overflows."""
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


def _array(value, name, shape, sizes):
    """value as a float64 array of the shape; a letter size is given by the first array that
    has it (sizes keeps them)."""
    a = np.asarray(value, dtype=np.float64)
    known = [f"{s} = {sizes[s]}" for s in dict.fromkeys(shape) if s in sizes]
    if a.ndim == len(shape):
        for s, k in zip(shape, a.shape):
            if isinstance(s, str):
                sizes.setdefault(s, k)
        if all(sizes.get(s, s) == k for s, k in zip(shape, a.shape)):
            return a
    wanted = "(" + ", ".join(map(str, shape)) + ("," if len(shape) == 1 else "") + ")"
    where = f" with {', '.join(known)}" if known else ""
    raise ValueError(f"{name} must have shape {wanted}{where}; it has shape {a.shape}")


def layer(*, W, x, b, t):
    """Value and gradient of L = ‖σ(Wx + b) − t‖².

    Inputs: W (3, 2), x (2,), b (3,), t (3,) (NumPy arrays; a vector is 1-D).

    Returns (L, {"W": ∂L/∂W, "x": ∂L/∂x, "b": ∂L/∂b, "t": ∂L/∂t}): a float and arrays of the
    inputs' shapes.
    """
    W = _array(W, "W", (3, 2), {})
    x = _array(x, "x", (2,), {})
    b = _array(b, "b", (3,), {})
    t = _array(t, "t", (3,), {})
    # forward pass
    z = W @ x + b            # z = Wx + b
    a = _sigmoid(z)          # a = σ(z)
    L = np.sum((a - t)**2)   # L = ‖a − t‖²
    # backward pass: d_n = ∂L/∂n (δ_n), of n's shape
    d_t = -2 * (a - t)       # ∂L/∂t = −2(a − t)
    d_a = 2 * (a - t)        # δ_a = 2(a − t)
    d_z = d_a * a * (1 - a)  # δ_z = δ_a ⊙ a ⊙ (1 − a)
    d_b = d_z                # ∂L/∂b = δ_z
    d_x = W.T @ d_z          # ∂L/∂x = Wᵀδ_z
    d_W = np.outer(d_z, x)   # ∂L/∂W = δ_z xᵀ
    return float(L), {"W": d_W, "x": d_x, "b": d_b, "t": d_t}
'''


def test_the_sigmoid_layer_is_this_module():
    assert emit(SIGMOID_LAYER, SIGMOID_SHAPES) == SIGMOID_MODULE


def test_the_output_is_deterministic_and_named():
    one = emit(CS231N, CS231N_SHAPES, name="net")
    assert one == emit(CS231N, CS231N_SHAPES, name="net")
    assert "\ndef net(*, W1, x, b1, W2, b2, y):\n" in one
    assert "def layer" not in one


# ---- values and gradients at random points ----------------------------------------------------


@pytest.mark.parametrize("case, text, shapes", CASES, ids=[c[0] for c in CASES])
def test_value_and_every_gradient_match_finite_differences_and_the_derivation(case, text, shapes):
    function = load(emit(text, shapes))
    rng = np.random.default_rng(sum(map(ord, case)))
    point = random_point(function, shapes, rng, positive=case in POSITIVE)
    value, grads = function(**point)
    assert isinstance(value, float)
    wanted, derived = exact(text, shapes, point)
    assert_close(value, wanted, rel=1e-12, what="value")
    assert set(grads) == set(graph(text, shapes=shapes).layers.wrt)
    for name, g in grads.items():
        like = point[name]
        if isinstance(like, float):
            assert isinstance(g, float), name
        else:
            assert isinstance(g, np.ndarray) and g.shape == like.shape, name
        assert_close(g, finite_differences(function, point, name), rel=1e-7, abs_=1e-8, what=name)
        assert_close(g, derived[name], rel=1e-10, abs_=1e-12, what=name)


def test_letter_sizes_are_read_from_the_inputs():
    function = load(emit("-dot(t, log(softmax(W*x + b)))", ["W=mxn", "x=n", "b=m", "t=m"]))
    rng = np.random.default_rng(1)
    for m, n in ((3, 2), (7, 5), (1, 4)):
        t = np.eye(m)[0]
        point = {"W": rng.normal(size=(m, n)), "x": rng.normal(size=n),
                 "b": rng.normal(size=m), "t": t}  # fmt: skip
        value, grads = function(**point)
        z = point["W"] @ point["x"] + point["b"]
        p = np.exp(z - z.max()) / np.exp(z - z.max()).sum()
        assert math.isclose(value, -np.log(p[0]), rel_tol=1e-12)
        assert_close(grads["W"], np.outer(p - t, point["x"]))
        assert_close(grads["x"], point["W"].T @ (p - t))


def test_wrong_shapes_are_refused_by_name():
    function = load(emit("logsumexp(W*x)", ["W=mxn", "x=n"]))
    with pytest.raises(
        ValueError, match=r"x must have shape \(n,\) with n = 2; it has shape \(3,\)"
    ):
        function(W=np.ones((3, 2)), x=np.ones(3))
    with pytest.raises(ValueError, match=r"W must have shape \(m, n\); it has shape \(3,\)"):
        function(W=np.ones(3), x=np.ones(3))
    fixed = load(emit(SIGMOID_LAYER, SIGMOID_SHAPES))
    with pytest.raises(ValueError, match=r"W must have shape \(3, 2\)"):
        fixed(W=np.ones((2, 3)), x=np.ones(2), b=np.ones(3), t=np.ones(3))


def test_one_line_per_backward_step_written_through_the_forward_values():
    result = graph(CS231N, shapes=CS231N_SHAPES)
    source = result.render("numpy", name="layer")
    backward = source.split("# backward pass")[1]
    steps = [line for line in backward.splitlines() if "  # δ_" in line or "  # ∂L/∂" in line]
    assert len(steps) == len(result.layers.backward)
    assert "d_z1 = d_a1 * np.heaviside(z1, 0.0)" in backward
    assert "d_W1 = np.outer(d_z1, x)" in backward and "d_x = W1.T @ d_z1" in backward
    # the forward pass's log softmax is named once and read by the backward pass
    assert "q = _log_softmax(z2)" in source and "np.exp(q)" in backward
    sigmoid = emit(SIGMOID_LAYER, SIGMOID_SHAPES).split("# backward pass")[1]
    assert "exp" not in sigmoid and "_sigmoid" not in sigmoid  # σ′ = a(1 − a)


def test_only_the_gradients_asked_for():
    source = emit(SIGMOID_LAYER, SIGMOID_SHAPES, wrt=["W"])
    function = load(source)
    assert list(inspect.signature(function).parameters) == ["W", "x", "b", "t"]
    rng = np.random.default_rng(2)
    point = random_point(function, SIGMOID_SHAPES, rng)
    _, grads = function(**point)
    assert list(grads) == ["W"]
    assert "d_t" not in source and "d_x" not in source


def test_a_gradient_that_is_an_input_is_a_copy():
    function = load(emit("x^T*y", ["x=n", "y=n"]))
    x, y = np.array([1.0, 2.0]), np.array([3.0, 4.0])
    _, grads = function(x=x, y=y)
    assert_close(grads["y"], x)
    assert grads["y"] is not x and not np.shares_memory(grads["y"], x)


@pytest.mark.parametrize(
    "text, shapes, written",
    [
        # h is a size and a name of the derivation (the spare names u, v, h, …)
        ("norm(W1*x)^2 + sum(exp(W1*x)) + trace(W2*W1)", ["W1=hxn", "x=n", "W2=nxh"],
         'h_, n = sizes["h"], sizes["n"]'),
        # inputs named as the code would name the gradients of others
        ("sum(hadamard(d_x, x)) + dot(d_W, x)", ["x=n", "d_x=n", "d_W=n"],
         'return float(L), {"x": d_x_, "d_x": d_d_x, "d_W": d_d_W}'),
    ],
)  # fmt: skip
def test_names_that_clash_with_the_code_get_their_own_locals(text, shapes, written):
    source = emit(text, shapes)
    assert written in source
    function = load(source)
    point = random_point(function, shapes, np.random.default_rng(3))
    _, grads = function(**point)
    for name, g in grads.items():
        assert_close(g, finite_differences(function, point, name), rel=1e-7, abs_=1e-8, what=name)


def test_what_numpy_cannot_compute_is_refused_by_name():
    with pytest.raises(UnsupportedError, match="--format numpy cannot compute erf.x.: NumPy"):
        emit("sum(erf(x))", ["x=n"])
    with pytest.raises(UnsupportedError, match="an input named np would hide"):
        emit("sum(np*x)", ["x=n"])


def test_the_function_name_must_be_a_usable_identifier():
    with pytest.raises(ChainruleError):
        emit(SIGMOID_LAYER, SIGMOID_SHAPES, name="class")


# ---- stability: ±1000, ±10⁴ -------------------------------------------------------------------

HUGE = [-1e4, -1000.0, 1000.0, 1e4]
# (id, expression, shapes, point): the plain formulas overflow, or take log(0), at these points
EXTREME = [
    ("sigmoid_layer", SIGMOID_LAYER, SIGMOID_SHAPES,
     {"W": [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], "x": [0.5, -1.0], "b": [1e4, -1e4, 1000.0],
      "t": [0.25, 0.5, 1.0]}),
    ("softmax_cross_entropy", "-dot(t, log(softmax(W*x + b)))", ["W=mxn", "x=n", "b=m", "t=m"],
     {"W": [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], "x": [0.5, -1.0], "b": [1e4, -1e4, 1000.0],
      "t": [0.0, 1.0, 0.0]}),
    ("soft_labels", "-dot(t, log(softmax(z)))", ["z=n", "t=n"],
     {"z": HUGE, "t": [0.125, 0.25, 0.25, 0.375]}),
    ("binary_cross_entropy", BCE, ["W=mxn", "x=n", "b=m", "t=m"],
     {"W": [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0], [0.0, 1.0]], "x": [0.5, -1.0],
      "b": [1e4, -1e4, 1000.0, -1000.0], "t": [0.25, 0.5, 1.0, 0.0]}),
    ("cs231n", CS231N, CS231N_SHAPES,
     {"W1": [[1000.0, -2.0], [3.0, 4.0]], "x": [1.0, -1.0], "b1": [0.5, 9.0],
      "W2": [[20.0, -3.0], [-10.0, 1000.0], [1.0, 1.0]], "b2": [0.0, 0.0, 100.0],
      "y": [1.0, 0.0, 0.0]}),
    ("logsumexp", "logsumexp(W*x)", ["W=mxn", "x=n"],
     {"W": [[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]], "x": [1e4, -1000.0]}),
    ("log_sum_exp_typed", "log(sum(exp(x)))", ["x=n"], {"x": HUGE}),
    ("softplus", "sum(softplus(x))", ["x=n"], {"x": HUGE}),
    ("log_one_plus_exp", "sum(log(1 + exp(x)))", ["x=n"], {"x": HUGE}),
    ("log_sigmoid", "sum(log(sigmoid(x)))", ["x=n"], {"x": HUGE}),
    ("log_sigmoid_of_minus", "sum(log(sigmoid(-x)))", ["x=n"], {"x": HUGE}),
    ("log_one_minus_sigmoid", "sum(log(1 - sigmoid(x)))", ["x=n"], {"x": HUGE}),
    ("weighted_log_sigmoid", "dot(t, log(sigmoid(x)))", ["x=n", "t=n"],
     {"x": HUGE, "t": [1.0, -2.0, 0.5, 3.0]}),
    ("sigmoid", "sum(sigmoid(x))", ["x=n"], {"x": HUGE}),
    ("sum_log_softmax", "sum(log(softmax(x)))", ["x=n"], {"x": HUGE}),
    ("dot_softmax", "dot(t, softmax(x))", ["x=n", "t=n"], {"x": HUGE, "t": [1.0, 2.0, 3.0, 4.0]}),
    ("sigmoid_of_scalar", "sum(sigmoid(c)*x)", ["x=n"], {"c": -1e4, "x": [1.0, 2.0]}),
]  # fmt: skip


def _arrays(point: dict) -> dict:
    return {k: v if isinstance(v, float) else np.array(v, dtype=float) for k, v in point.items()}


@pytest.mark.parametrize("case, text, shapes, point", EXTREME, ids=[c[0] for c in EXTREME])
def test_finite_and_right_where_the_plain_formulas_overflow(case, text, shapes, point):
    point = _arrays(point)
    function = load(emit(text, shapes))
    with np.errstate(all="raise"):  # no overflow, no log(0), no 0·∞, not even inside
        try:
            value, grads = function(**point)
        except FloatingPointError as error:
            if "underflow" not in str(error):
                raise
            with np.errstate(all="raise", under="ignore"):
                value, grads = function(**point)
    wanted, derived = exact(text, shapes, point, dps=4600)
    assert math.isfinite(value)
    assert_close(value, wanted, rel=1e-12, abs_=0.0, what="value")
    for name, g in grads.items():
        assert_close(g, derived[name], rel=1e-9, abs_=1e-300, what=name)


def test_binary_cross_entropy_from_logits_is_sigmoid_minus_target():
    source = emit(BCE, ["W=mxn", "x=n", "b=m", "t=m"])
    assert "d_z = d_a2 * h - d_a3 * a1" in source  # δ_z = −t(1 − σ) + (1 − t)σ = σ − t
    assert "not computed" in source and "np.log(" not in source
    function = load(source)
    z = np.array([1e4, -1e4, 30.0, -745.0])
    t = np.array([0.0, 1.0, 0.5, 1.0])
    _, grads = function(W=np.eye(4)[:, :2] * 0, x=np.zeros(2), b=z, t=t)
    sigma = np.array([1.0, 0.0, 1 / (1 + math.exp(-30.0)), 0.0])
    assert_close(grads["b"], sigma - t, rel=1e-12, abs_=1e-300)


# ---- the command line -------------------------------------------------------------------------


def test_the_command_line_prints_the_module():
    args = ["graph", SIGMOID_LAYER, *(a for s in SIGMOID_SHAPES for a in ("--shape", s)),
            "--format", "numpy", "--name", "layer"]  # fmt: skip
    result = runner.invoke(args, env={"NO_COLOR": "1"})
    assert result.exit_code == 0, result.output
    assert result.stdout == SIGMOID_MODULE
    function = load(result.stdout)
    value, _ = function(W=np.zeros((3, 2)), x=np.zeros(2), b=np.zeros(3), t=np.zeros(3))
    assert math.isclose(value, 0.75)


def test_the_command_line_prints_the_jax_module():
    args = ["graph", CS231N, *(a for s in CS231N_SHAPES for a in ("--shape", s)),
            "--format", "jax", "--name", "net"]  # fmt: skip
    result = runner.invoke(args, env={"NO_COLOR": "1"})
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "import jax\nimport jax.numpy as jnp\n" in out
    assert "@jax.custom_vjp\ndef net(W1, x, b1, W2, b2, y):" in out
    assert "net.defvjp(_net_fwd, _net_bwd)" in out
    assert 'jax.config.update("jax_enable_x64", True)' in out
    assert 'check_grads(net, (W1, x, b1, W2, b2, y), order=1, modes=["rev"])' in out
    compile(out, "<chainrule>", "exec")


def test_numpy_needs_shapes():
    result = runner.invoke(["graph", "x^2", "--format", "numpy"], env={"NO_COLOR": "1"})
    assert result.exit_code == 2


# ---- JAX --------------------------------------------------------------------------------------


def jax_or_skip():
    """jax, or a skip where it is not installed (a failure in CI: .ci/run installs it)."""
    try:
        import jax
    except ImportError:
        if os.environ.get("CI"):
            pytest.fail("jax is missing in CI: .ci/run must install .[jax]")
        return pytest.importorskip("jax")
    return jax


JAX_CASES = [c for c in CASES if c[0] in {
    "sigmoid_layer", "softmax_cross_entropy", "quadratic_form", "tanh_net", "cs231n",
    "logdet_trace", "inverse", "scalar_input", "logsumexp", "binary_cross_entropy",
    "log_sum_exp_typed", "log_one_minus_sigmoid", "dot_softmax", "frobenius", "mean_exp",
    "diag_of_vector",
}]  # fmt: skip


@pytest.mark.parametrize("case, text, shapes", JAX_CASES, ids=[c[0] for c in JAX_CASES])
def test_jax_grad_is_the_numpy_gradient(case, text, shapes):
    jax = jax_or_skip()
    numpy_function = load(emit(text, shapes))
    jax_function = load(emit(text, shapes, fmt="jax"))
    rng = np.random.default_rng(sum(map(ord, case)))
    point = random_point(numpy_function, shapes, rng)
    names = list(point)
    assert list(inspect.signature(jax_function).parameters) == names
    value, grads = numpy_function(**point)
    with jax.enable_x64(True):
        args = [point[n] for n in names]
        got = jax_function(*args)
        slopes = jax.grad(jax_function, argnums=tuple(range(len(names))))(*args)
    assert_close(float(got), value, rel=1e-12)
    for name, slope in zip(names, slopes, strict=True):
        assert_close(np.asarray(slope), grads[name], rel=1e-10, abs_=1e-12, what=name)


@pytest.mark.parametrize("case, text, shapes, point", EXTREME, ids=[c[0] for c in EXTREME])
def test_jax_is_stable_too(case, text, shapes, point):
    jax = jax_or_skip()
    point = _arrays(point)
    value, grads = load(emit(text, shapes))(**point)
    jax_function = load(emit(text, shapes, fmt="jax"))
    names = list(inspect.signature(jax_function).parameters)
    with jax.enable_x64(True):
        args = [point[n] for n in names]
        got, vjp = jax.vjp(jax_function, *args)
        slopes = vjp(1.0)
    assert_close(float(got), value, rel=1e-12, abs_=0.0)
    for name, slope in zip(names, slopes, strict=True):
        assert_close(np.asarray(slope), grads[name], rel=1e-9, abs_=1e-300, what=name)


def test_jax_cotangent_scales_the_gradient_and_constants_get_zero():
    jax = jax_or_skip()
    jax_function = load(emit(SIGMOID_LAYER, SIGMOID_SHAPES, fmt="jax", wrt=["W", "b"]))
    rng = np.random.default_rng(4)
    numpy_function = load(emit(SIGMOID_LAYER, SIGMOID_SHAPES, wrt=["W", "b"]))
    point = random_point(numpy_function, SIGMOID_SHAPES, rng)
    _, grads = numpy_function(**point)
    with jax.enable_x64(True):
        _, vjp = jax.vjp(jax_function, *point.values())
        dW, dx, db, dt = vjp(2.5)
    assert_close(np.asarray(dW), 2.5 * grads["W"])
    assert_close(np.asarray(db), 2.5 * grads["b"])
    assert not np.any(np.asarray(dx)) and not np.any(np.asarray(dt))


@pytest.mark.slow
@pytest.mark.parametrize("case, text, shapes", JAX_CASES, ids=[c[0] for c in JAX_CASES])
def test_the_jax_module_checks_its_own_gradients(case, text, shapes, tmp_path):
    jax_or_skip()
    path = tmp_path / f"{case}.py"
    path.write_text(emit(text, shapes, fmt="jax"), encoding="utf-8")
    done = subprocess.run([sys.executable, str(path)], capture_output=True, text=True,
                          timeout=300, cwd=tmp_path)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().endswith("OK")
