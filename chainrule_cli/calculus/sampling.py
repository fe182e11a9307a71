"""The numbers behind `chainrule plot`: an expression sampled on real numbers, NaN where it has
no real value, lines cut at poles and jumps, and the part of the axis worth looking at.

NumPy only (it comes with matplotlib, the `plot` extra); nothing here reads user text: the
expressions are SymPy objects chainrule built, so `lambdify` sees no text from outside.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import sympy
from sympy.core.function import AppliedUndef

from chainrule_cli.errors import UnsupportedError

Real = Callable[[np.ndarray], np.ndarray]

SAMPLES = 1201  # points across the range (a few more where a line is cut)
BISECTIONS = 48  # halvings of an interval to tell a pole or a jump from a steep curve
FEATURE_SCALES = (10.0, 100.0, 1000.0)  # where to look for roots and poles, widest last


def plottable(expr: sympy.Expr) -> sympy.Expr:
    """expr with what has no numeric value of its own replaced: σ(u) by 1/(1 + e^(−u)) and the
    Dirac delta, zero wherever it is a number, by 0. An unknown function (f(x)) cannot be
    drawn: UnsupportedError."""
    from chainrule_cli.functions import sigmoid

    expr = expr.replace(sigmoid, lambda arg: 1 / (1 + sympy.exp(-arg)))
    expr = expr.replace(sympy.DiracDelta, lambda *args: sympy.S.Zero)
    unknown = expr.atoms(AppliedUndef)
    if unknown:
        name = sorted(str(u) for u in unknown)[0]
        raise UnsupportedError(f"{name} has no value: it is an unknown function")
    if expr.has(sympy.Derivative, sympy.Subs):
        raise UnsupportedError(f"cannot evaluate {expr} numerically")
    return expr


def real_function(expr: sympy.Expr, variables: tuple[sympy.Symbol, ...]) -> Callable:
    """expr as a function of float arrays (one per variable): real values, NaN where the value
    is not real or not finite. NumPy when it can evaluate every function, else mpmath point by
    point (gamma, Bessel functions)."""
    expr = plottable(expr)
    try:
        fast = sympy.lambdify(variables, expr, modules="numpy")
    except Exception:  # noqa: BLE001 - a printer that cannot write it: mpmath below
        fast = None
    probe = [np.array([0.5, 1.5, -0.5])] * len(variables)
    if fast is not None:
        try:
            with np.errstate(all="ignore"):
                _real(fast(*probe), probe[0].shape)
        except Exception:  # noqa: BLE001 - NameError, TypeError…: not a NumPy function
            fast = None
    if fast is not None:

        def vectorized(*arrays: np.ndarray) -> np.ndarray:
            with np.errstate(all="ignore"):
                try:
                    return _real(fast(*arrays), np.broadcast(*arrays).shape)
                except (ArithmeticError, ValueError):
                    return _pointwise(fast, arrays)

        return vectorized
    try:
        slow = sympy.lambdify(variables, expr, modules="mpmath")
    except Exception as exc:  # noqa: BLE001
        raise UnsupportedError(f"cannot evaluate {expr} numerically") from exc
    return lambda *arrays: _pointwise(slow, arrays)


def _pointwise(function: Callable, arrays) -> np.ndarray:
    """function at each point separately: a pole or an error there is NaN, not a failure."""
    shape = np.broadcast(*arrays).shape
    flat = [np.broadcast_to(a, shape).ravel() for a in arrays]
    out = np.full(flat[0].shape if flat else (), np.nan)
    with np.errstate(all="ignore"):
        for i in range(out.size):
            try:
                value = complex(function(*(float(a[i]) for a in flat)))
            except Exception:  # noqa: BLE001, S112 - no value here: NaN
                continue
            if abs(value.imag) <= 1e-12 * max(1.0, abs(value.real)):
                out[i] = value.real
    return _real(out.reshape(shape), shape)


def _real(values, shape) -> np.ndarray:
    """Float array of the shape: complex values with an imaginary part, inf and nan as NaN."""
    values = np.asarray(values)
    if values.dtype == object:
        values = np.array([complex(v) for v in values.ravel()]).reshape(values.shape)
    if np.iscomplexobj(values):
        real = values.real.astype(float)
        real[np.abs(values.imag) > 1e-12 * np.maximum(1.0, np.abs(real))] = np.nan
        values = real
    values = np.broadcast_to(values.astype(float), shape).copy()
    values[~np.isfinite(values)] = np.nan
    return values


def sample(function: Real, lo: float, hi: float, n: int = SAMPLES) -> tuple[np.ndarray, ...]:
    """x and y across [lo, hi], with a NaN between two samples that a pole or a jump
    separates (tan x at π/2, 1/x at 0, sign x at 0) and the ends of the real domain found
    (√x starts at 0, not at the first sample after it)."""
    xs = np.linspace(lo, hi, n)
    ys = function(xs)
    xs, ys = _domain_edges(function, xs, ys)
    return cut(function, xs, ys)


def _domain_edges(function: Real, xs: np.ndarray, ys: np.ndarray):
    """Where the function begins or stops having a value between two samples, the last point
    that has one, by bisection: √x is drawn from 0, √(1 − x²) to ±1."""
    finite = np.isfinite(ys)
    edges = np.flatnonzero(finite[:-1] != finite[1:])
    if edges.size == 0:
        return xs, ys
    inside = np.where(finite[edges], xs[edges], xs[edges + 1])
    outside = np.where(finite[edges], xs[edges + 1], xs[edges])
    for _ in range(BISECTIONS):
        middle = (inside + outside) / 2
        ok = np.isfinite(function(middle))
        inside = np.where(ok, middle, inside)
        outside = np.where(ok, outside, middle)
    values = function(inside)
    keep = np.isfinite(values)
    xs = np.concatenate([xs, inside[keep]])
    ys = np.concatenate([ys, values[keep]])
    order = np.argsort(xs, kind="stable")
    return xs[order], ys[order]


def cut(function: Real, xs: np.ndarray, ys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """NaN inserted between neighbours that a pole or a jump separates.

    A big step between two samples is halved again and again, keeping the half with the bigger
    step: on a curve, however steep, the step shrinks with the interval; across a pole it
    grows, across a jump it stays. Whatever is still big after BISECTIONS halvings is cut."""
    finite = np.isfinite(ys)
    if finite.sum() < 3:
        return xs, ys
    low, high = np.percentile(ys[finite], [5, 95])
    threshold = max(high - low, 1e-9 * max(1.0, abs(high), abs(low))) * 0.05
    step = np.abs(np.diff(ys))
    suspects = np.flatnonzero(np.isfinite(step) & (step > threshold))
    if suspects.size == 0:
        return xs, ys
    a, b = xs[suspects].copy(), xs[suspects + 1].copy()
    fa, fb = ys[suspects].copy(), ys[suspects + 1].copy()
    broken = np.zeros(suspects.size, dtype=bool)
    for _ in range(BISECTIONS):
        middle = (a + b) / 2
        fm = function(middle)
        broken |= ~np.isfinite(fm)  # no value between them: a pole or a gap in the domain
        left = np.abs(fm - fa) >= np.abs(fb - fm)
        b, fb = np.where(left, middle, b), np.where(left, fm, fb)
        a, fa = np.where(left, a, middle), np.where(left, fa, fm)
    broken |= ~(np.abs(fb - fa) <= threshold)
    where = suspects[broken] + 1
    return np.insert(xs, where, np.nan), np.insert(ys, where, np.nan)


def features(functions: list[Real], scale: float) -> list[float]:
    """Where the curves do something on [−scale, scale]: roots (a change of sign), poles and
    jumps, and the ends of the real domain."""
    xs = np.linspace(-scale, scale, 4001)
    found: list[float] = []
    for function in functions:
        ys = function(xs)
        finite = np.isfinite(ys)
        edges = np.flatnonzero(finite[:-1] != finite[1:])
        for i in edges:
            last = ys[i] if finite[i] else ys[i + 1]
            if 1e-100 < abs(last) < 1e100 or last == 0:  # not where e^x overflows
                found.append(float(xs[i] if finite[i] else xs[i + 1]))
        found += [float(x) for x, y in zip(xs, ys, strict=True) if y == 0]
        signs = np.sign(ys)
        change = np.flatnonzero(finite[:-1] & finite[1:] & (signs[:-1] * signs[1:] < 0))
        found += [float((xs[i] + xs[i + 1]) / 2) for i in change]
        # turning points (of f′: where f bends the other way, the middle of σ(2x + 1))
        if finite.sum() > 2:
            step = np.diff(ys)
            size = np.nanmax(ys[finite]) - np.nanmin(ys[finite])
            big = np.isfinite(step) & (np.abs(step) > 1e-9 * size)
            turns = np.sign(step[:-1]) * np.sign(step[1:]) < 0
            found += [float(xs[i + 1]) for i in np.flatnonzero(turns & big[:-1] & big[1:])]
    return found


def period(expr: sympy.Expr, var: sympy.Symbol) -> float | None:
    """The period of a trigonometric expression (2π for sin x, π for tan x), else None."""
    trig = (sympy.sin, sympy.cos, sympy.tan, sympy.cot, sympy.sec, sympy.csc)
    if not expr.has(*trig):
        return None
    try:
        found = sympy.periodicity(expr, var)
    except Exception:  # noqa: BLE001 - SymPy could not tell: not periodic for us
        return None
    if found is None or not found.is_number:
        return None
    value = float(found)
    return value if math.isfinite(value) and value > 0 else None


def default_range(
    expr: sympy.Expr, var: sympy.Symbol, functions: list[Real], at: float | None = None
) -> tuple[float, float]:
    """The part of the axis worth looking at: two periods either side for a periodic
    function (−2π…2π for sin x and tan x), else the roots, poles and domain ends found with a
    margin; always with the point of --at well inside."""
    repeat = period(expr, var)
    if repeat is not None:
        half = repeat if repeat >= 2 * math.pi else 2 * math.pi if repeat >= 0.6 else 2 * repeat
        lo, hi = -half, half
    else:
        found: list[float] = []
        for scale in FEATURE_SCALES:
            found = features(functions, scale)
            if found:
                break
        if found and at is not None:
            # the point of tangency and what happens near it, not every wiggle of x² sin x
            reach = max(3.0, 2 * abs(at))
            found = [f for f in found if abs(f - at) <= reach] + [at]
        if found:
            lo, hi = min(found), max(found)
            margin = max(1.5 if hi - lo > 1 else 3.0, 0.3 * (hi - lo), 0.1 * max(abs(lo), abs(hi)))
            lo, hi = lo - margin, hi + margin
        else:
            lo, hi = -4.0, 4.0
        lo, hi = _within_domain(functions[0], lo, hi)
    if at is not None:
        margin = max(1.0, 0.15 * (hi - lo))
        if at - margin < lo or at + margin > hi:
            if repeat is not None:
                lo, hi = at - (hi - lo) / 2, at + (hi - lo) / 2
            else:
                lo, hi = min(lo, at - margin), max(hi, at + margin)
    return lo, hi


def _within_domain(function: Real, lo: float, hi: float) -> tuple[float, float]:
    """[lo, hi] narrowed to where the function has real values (√x: from 0), with a margin."""
    xs = np.linspace(lo, hi, 2001)
    inside = xs[np.isfinite(function(xs))]
    if inside.size < 2:
        return lo, hi
    pad = 0.04 * (inside[-1] - inside[0])
    return max(lo, float(inside[0]) - pad), min(hi, float(inside[-1]) + pad)


def y_limits(curves: list[np.ndarray], points: tuple[float, ...] = ()) -> tuple[float, float]:
    """The y-axis: every value when none stands far out, else robust percentiles, so a pole
    does not flatten the rest; `points` (the point of tangency) always inside."""
    values = np.concatenate([c[np.isfinite(c)] for c in curves] or [np.array([])])
    if values.size == 0:
        lo, hi = -1.0, 1.0
    else:
        lo, hi = float(values.min()), float(values.max())
        p_lo, p_hi = (float(v) for v in np.percentile(values, [5, 95]))
        core = max(p_hi - p_lo, 1e-12)
        if hi - lo > 4 * core:  # a pole or a steep tail: look at the bulk
            lo, hi = max(lo, p_lo - 0.6 * core), min(hi, p_hi + 0.6 * core)
    for p in points:
        if math.isfinite(p):
            lo, hi = min(lo, p), max(hi, p)
    if hi - lo < 1e-9 * max(1.0, abs(lo), abs(hi)):
        middle = (lo + hi) / 2
        half = max(1.0, abs(middle) * 0.5)
        return middle - half, middle + half
    pad = 0.06 * (hi - lo)
    return lo - pad, hi + pad


def contour_lines(
    function: Callable, x_range: tuple[float, float], y_range: tuple[float, float], n: int = 401
) -> list[tuple[np.ndarray, np.ndarray]]:
    """The curve F(x, y) = 0 as lines, from F on an n×n grid; a crossing of F's sign through a
    pole (y − tan x across x = π/2) is not a point of the curve and is left out."""
    import contourpy

    xs = np.linspace(*x_range, n)
    ys = np.linspace(*y_range, n)
    grid_x, grid_y = np.meshgrid(xs, ys)
    values = function(grid_x, grid_y)
    finite = np.isfinite(values)
    if finite.sum() < 4:
        return []
    masked = np.ma.masked_invalid(values)
    generator = contourpy.contour_generator(xs, ys, masked, line_type="Separate")
    scale = float(np.percentile(np.abs(values[finite]), 50)) or 1.0
    cell = max((x_range[1] - x_range[0]) / (n - 1), (y_range[1] - y_range[0]) / (n - 1))
    lines = []
    for line in generator.lines(0.0):
        if len(line) < 2:
            continue
        on = np.abs(function(line[:, 0], line[:, 1]))
        # a true crossing is on the curve within the grid's rounding; a pole's is far off it
        good = np.isfinite(on) & (on <= max(1e-6, 0.05 * scale, 50 * cell * cell * scale))
        x, y = line[:, 0].copy(), line[:, 1].copy()
        x[~good], y[~good] = np.nan, np.nan
        if good.sum() >= 2:
            lines.append((x, y))
    return lines


def curve_box(
    function: Callable, center: tuple[float, float] | None = None
) -> tuple[tuple[float, float], tuple[float, float]]:
    """The window that shows the whole curve F(x, y) = 0, when it fits in a box of side 2000
    (else the part near the center): the lines' bounding box with a margin, equal scales."""
    cx, cy = center or (0.0, 0.0)
    first = None
    for half in (10.0, 100.0, 1000.0):
        lines = contour_lines(function, (cx - half, cx + half), (cy - half, cy + half), n=301)
        if not lines:
            continue
        xs = np.concatenate([x for x, _ in lines])
        ys = np.concatenate([y for _, y in lines])
        xs, ys = xs[np.isfinite(xs)], ys[np.isfinite(ys)]
        box = (float(xs.min()), float(xs.max()), float(ys.min()), float(ys.max()))
        reach = max(abs(box[0] - cx), abs(box[1] - cx), abs(box[2] - cy), abs(box[3] - cy))
        if reach < 0.98 * half:  # the whole curve inside: fit it
            return _window(box, center, None)
        if first is not None:  # runs off a larger box too: unbounded, keep the first view
            break
        first = (box, half)
    if first is not None:
        return _window(first[0], center, 2 * first[1])
    return (cx - 5.0, cx + 5.0), (cy - 5.0, cy + 5.0)


def _window(box, center, largest):
    """A square window around box (and the center), with a margin."""
    x_lo, x_hi, y_lo, y_hi = box
    if center is not None:
        x_lo, x_hi = min(x_lo, center[0]), max(x_hi, center[0])
        y_lo, y_hi = min(y_lo, center[1]), max(y_hi, center[1])
    side = max(x_hi - x_lo, y_hi - y_lo, 1.0)
    if largest is not None:
        side = min(side, largest)
    side *= 1.25
    mx, my = (x_lo + x_hi) / 2, (y_lo + y_hi) / 2
    return (mx - side / 2, mx + side / 2), (my - side / 2, my + side / 2)
