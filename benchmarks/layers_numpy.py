"""`--format numpy` against hand-written NumPy, in the same run (never a timed test).

    pip install ".[numpy]" && python benchmarks/layers_numpy.py

The CS231n two-layer net at MNIST's sizes, 784 → 512 (ReLU) → 10 (softmax cross-entropy),
L = −yᵀ log softmax(W₂ ReLU(W₁x + b₁) + b₂), one example x (a batch of one vector, as the
derivation is written) with a one-hot y. It prints:

- the emitted value-and-gradient function (the gradients of W1, b1, W2, b2, as training needs
  them) against a hand-written forward and backward pass computing the same, best of many
  interleaved rounds each, and their ratio (the goal is at most 1.5×); the same with every
  gradient (x and y too);
- the time to derive the net (api.graph, letter sizes h×n, …) and to render its module, next
  to `python -c "import sympy"`;
- the derivation at 3×2-style sizes and at 3000×2000-style sizes: the same, as the
  derivation never builds an array.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
import types
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run from a checkout as well as after pip install
    sys.path.insert(0, str(ROOT))

from chainrule_cli import api  # noqa: E402

NET = "-dot(y, log(softmax(W2*relu(W1*x + b1) + b2)))"
LETTERS = ["W1=hxn", "x=n", "b1=h", "W2=kxh", "b2=k", "y=k"]
PARAMETERS = ["W1", "b1", "W2", "b2"]


def shapes(h, n, k) -> list[str]:
    return [f"W1={h}x{n}", f"x={n}", f"b1={h}", f"W2={k}x{h}", f"b2={k}", f"y={k}"]


def load(source: str, name: str):
    module = types.ModuleType("emitted")
    exec(compile(source, "<chainrule>", "exec"), module.__dict__)  # our own output
    return getattr(module, name)


def hand_written(*, W1, x, b1, W2, b2, y):
    """The forward and backward pass as one writes them by hand (CS231n's two-layer net)."""
    z1 = W1 @ x + b1
    a1 = np.maximum(z1, 0.0)
    z2 = W2 @ a1 + b2
    shifted = z2 - np.max(z2)
    e = np.exp(shifted)
    total = np.sum(e)
    loss = -np.dot(y, shifted - np.log(total))
    dz2 = np.sum(y) * (e / total) - y
    da1 = W2.T @ dz2
    dz1 = da1 * (z1 > 0)
    grads = {"W1": np.outer(dz1, x), "b1": dz1, "W2": np.outer(dz2, a1), "b2": dz2}
    return float(loss), grads


def hand_written_all(*, W1, x, b1, W2, b2, y):
    z1 = W1 @ x + b1
    a1 = np.maximum(z1, 0.0)
    z2 = W2 @ a1 + b2
    shifted = z2 - np.max(z2)
    e = np.exp(shifted)
    total = np.sum(e)
    logp = shifted - np.log(total)
    loss = -np.dot(y, logp)
    dz2 = np.sum(y) * (e / total) - y
    da1 = W2.T @ dz2
    dz1 = da1 * (z1 > 0)
    grads = {"W1": np.outer(dz1, x), "x": W1.T @ dz1, "b1": dz1, "W2": np.outer(dz2, a1),
             "b2": dz2, "y": -logp}  # fmt: skip
    return float(loss), grads


def best_of(functions: dict, point: dict, rounds: int = 30, calls: int = 50) -> dict:
    """Each function's best time per call over interleaved rounds (one after the other in
    every round, so a slow moment of the machine hits both)."""
    times: dict = {k: [] for k in functions}
    for _ in range(rounds):
        for key, function in functions.items():
            start = time.perf_counter()
            for _ in range(calls):
                function(**point)
            times[key].append((time.perf_counter() - start) / calls)
    return {k: min(v) for k, v in times.items()}


def seconds(action, runs: int = 5) -> float:
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        out.append(time.perf_counter() - start)
    return statistics.median(out)


def agree(one, other) -> bool:
    return np.isclose(one[0], other[0], rtol=1e-12) and all(
        np.allclose(one[1][k], other[1][k], rtol=1e-10, atol=1e-14) for k in other[1]
    )


def main() -> None:
    h, n, k = 512, 784, 10
    rng = np.random.default_rng(0)
    point = {
        "W1": rng.normal(scale=1 / np.sqrt(n), size=(h, n)),
        "x": rng.uniform(0, 1, size=n),
        "b1": rng.normal(scale=0.1, size=h),
        "W2": rng.normal(scale=1 / np.sqrt(h), size=(k, h)),
        "b2": rng.normal(scale=0.1, size=k),
        "y": np.eye(k)[3],
    }
    print(f"two-layer net {n} → {h} (ReLU) → {k} (softmax cross-entropy), one example x")
    print(f"  {NET}")

    for label, wrt, reference in (
        ("gradients of W1, b1, W2, b2", PARAMETERS, hand_written),
        ("every gradient (x and y too)", None, hand_written_all),
    ):
        source = api.graph(NET, wrt, shapes=LETTERS).render("numpy", name="net")
        emitted = load(source, "net")
        assert agree(emitted(**point), reference(**point)), "the two disagree"
        best = best_of({"emitted": emitted, "hand": reference}, point)
        ratio = best["emitted"] / best["hand"]
        print(
            f"value and {label}: emitted {best['emitted'] * 1e6:.0f} µs, "
            f"hand-written {best['hand'] * 1e6:.0f} µs: {ratio:.2f}× (goal ≤ 1.5×)"
        )

    def derive(spec):
        return lambda: api.graph(NET, shapes=spec)

    t_import = seconds(
        lambda: subprocess.run([sys.executable, "-c", "import sympy"], check=True), runs=5
    )
    derived = api.graph(NET, shapes=LETTERS)
    t_letters = seconds(derive(LETTERS))
    t_render = seconds(lambda: derived.render("numpy", name="net"))
    print(
        f"derivation (api.graph, letter sizes h×n, …): {t_letters * 1000:.0f} ms, its NumPy "
        f'module {t_render * 1000:.0f} ms; `python -c "import sympy"`: {t_import * 1000:.0f} ms'
    )
    t_small = seconds(derive(shapes(3, 2, 3)))
    t_large = seconds(derive(shapes(3000, 2000, 3000)))
    print(
        f"derivation at W1 3×2, W2 3×3: {t_small * 1000:.0f} ms; at W1 3000×2000, W2 3000×3000: "
        f"{t_large * 1000:.0f} ms ({t_large / t_small:.2f}×)"
    )


if __name__ == "__main__":
    main()
