"""`chainrule plot`: f and f′ on one figure (with the tangent line at a point), or an implicit
curve F(x, y) = 0 itself, drawn by matplotlib and written as SVG, PNG or PDF.

matplotlib is the optional `plot` extra: it is imported here only, and this module only from
the plot command, so `chainrule diff` and `--help` never load it. No pyplot: a Figure of its
own, so nothing global is kept between plots.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path

import sympy

from chainrule_cli.calculus import sampling
from chainrule_cli.errors import ParseError, UndefinedError, UnsupportedError
from chainrule_cli.render.printing import latex, unicode

FORMATS = {".svg": "svg", ".png": "png", ".pdf": "pdf"}
MISSING = 'error: plotting needs matplotlib: pip install "chainrule[plot]"'

FIGURE_SIZE = (8.0, 5.0)  # inches
SQUARE_SIZE = (6.5, 6.5)  # an implicit curve: equal scales on both axes
DPI = 150  # PNG pixels per inch
LONGEST_LABEL = 70  # characters of a formula in the legend; longer ones are cut with …

COLORS = {
    "f": "#1f77b4",
    "derivative": "#d62728",
    "tangent": "#2ca02c",
    "point": "#000000",
    "curve": "#1f77b4",
}

# The few words on a plot, in each language of --lang (messages.py is not this module's).
WORDS = {
    "en": {
        "title": "{f} and its derivative",
        "title_curve": "The curve {curve}",
        "tangent": "tangent at {point}",
        "no_tangent": "{name} has no derivative at {var} = {value}: no tangent line drawn.",
        "no_derivative": "the derivative cannot be evaluated numerically; only {name} is drawn.",
    },
    "zh": {
        "title": "{f} 及其导数",
        "title_curve": "曲线 {curve}",
        "tangent": "{point} 处的切线",
        "no_tangent": "{name} 在 {var} = {value} 处没有导数：不画切线。",
        "no_derivative": "导数无法数值计算；只画 {name}。",
    },
}

# Fonts with Chinese characters, the first one installed is used for --lang zh.
CJK_FONTS = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "AR PL UMing CN",
    "AR PL SungtiL GB",
    "AR PL KaitiM GB",
    "SimHei",
    "Microsoft YaHei",
    "PingFang SC",
)


def word(key: str, lang: str, **fields) -> str:
    return WORDS.get(lang, WORDS["en"])[key].format(**fields)


def parse_range(text: str) -> tuple[float, float]:
    """--range A:B as two floats, each value read like --at's (-pi, 2pi, 1/2), A below B."""
    from chainrule_cli.parse.inputs import parse_point

    low, sep, high = text.partition(":")
    if not sep or not low.strip() or not high.strip():
        raise ParseError(f"--range takes A:B (e.g. -2:3 or -pi:pi), not '{text}'")
    (lo,) = parse_point({"a": low.strip()}).values()
    (hi,) = parse_point({"a": high.strip()}).values()
    lo, hi = float(lo), float(hi)
    if not lo < hi:
        raise ParseError(f"--range A:B needs A below B, not {low.strip()} and {high.strip()}")
    return lo, hi


def format_of(path: Path) -> str | None:
    """svg, png or pdf from the file name's extension (any case); None for anything else."""
    return FORMATS.get(path.suffix.lower())


@dataclass
class Drawing:
    """A drawn figure and what is on it, by role (f, derivative, tangent, point, curve)."""

    figure: object
    axes: object
    lines: dict = field(default_factory=dict)
    labels: list[str] = field(default_factory=list)  # the legend, in Unicode
    notes: list[str] = field(default_factory=list)


def draw(derivation, point: dict | None = None, x_range=None, lang: str = "en") -> Drawing:
    """The figure for a Derivation (chainrule_cli.api.differentiate): f and f′ (and the tangent
    at point[var]), or for an equation the curve (and its tangent at the point).

    `point` is parsed ({x: 2, w: 1}, chainrule_cli.parse.inputs.parse_point): the values of the
    other variables, and of VAR (and the dependent variable) where the tangent touches."""
    point = dict(point or {})
    if derivation.equation is not None:
        return _draw_curve(derivation, point, x_range, lang)
    return _draw_function(derivation, point, x_range, lang)


def render_plot(drawing: Drawing, fmt: str) -> bytes | str:
    """The figure as an SVG text, or PNG or PDF bytes; the same bytes for the same plot."""
    metadata = {
        "svg": {"Date": None, "Title": "; ".join(drawing.labels)},
        "pdf": {"CreationDate": None, "Title": "; ".join(drawing.labels)},
        "png": {"Software": None, "Title": "; ".join(drawing.labels)},
    }[fmt]
    buffer = io.BytesIO()
    with _style():
        drawing.figure.savefig(buffer, format=fmt, dpi=DPI, metadata=metadata)
    data = buffer.getvalue()
    return data.decode("utf-8") if fmt == "svg" else data


def _style():
    import matplotlib

    return matplotlib.rc_context(
        {
            "svg.hashsalt": "chainrule",  # the same ids in every run
            "svg.fonttype": "path",  # the same look without the fonts installed
            "mathtext.fontset": "dejavusans",
            "axes.unicode_minus": True,
        }
    )


def _new_figure(size, lang: str):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    with _style():
        figure = Figure(figsize=size, dpi=DPI, layout="constrained")
        FigureCanvasAgg(figure)
        axes = figure.add_subplot()
    if lang == "zh":
        family = _cjk_font()
        if family:
            figure._chainrule_family = ["DejaVu Sans", family]  # noqa: SLF001
    return figure, axes


def _cjk_font() -> str | None:
    from matplotlib import font_manager

    installed = {f.name for f in font_manager.fontManager.ttflist}
    return next((name for name in CJK_FONTS if name in installed), None)


def _text_font(figure) -> dict:
    family = getattr(figure, "_chainrule_family", None)
    return {"fontfamily": family} if family else {}


def _math(expr: sympy.Basic) -> str:
    """The formula for the legend: chainrule's LaTeX in mathtext when matplotlib can typeset
    it, else the one-line Unicode form; a formula too long for a legend is cut."""
    text = unicode(expr)
    if len(text) > LONGEST_LABEL:
        return text[: LONGEST_LABEL - 1] + "…"
    return _typeset(latex(expr), text)


def _typeset(tex: str, fallback: str) -> str:
    from matplotlib.mathtext import MathTextParser

    candidate = f"${tex}$"
    try:
        with _style():
            MathTextParser("path").parse(candidate, dpi=72)
    except Exception:  # noqa: BLE001 - mathtext cannot typeset it: Unicode instead
        return fallback
    return candidate


def _number(value: sympy.Expr) -> str:
    """A coordinate for a label, a number: exact when a short fraction (1/2, −3), else 4
    significant digits (sin(1) is 0.8415, √2 is 1.414)."""
    text = unicode(value)
    if value.is_Rational and len(text) <= 8:
        return text
    return f"{float(value):.4g}".replace("-", "−")


def _line(x: sympy.Symbol, a, height, slope) -> sympy.Expr:
    """The tangent y = f(a) + f′(a)·(x − a): exact when short (9x − 16), else in decimals."""
    exact = sympy.expand(height + slope * (x - a))
    if len(unicode(exact)) <= 24:
        return exact
    m, c = float(slope), float(height - slope * a)
    return sympy.Float(m, 4) * x + sympy.Float(c, 4)


def _substituted(expr: sympy.Expr, values: dict) -> sympy.Expr:
    return expr.xreplace(values) if values else expr


def _needs_values(expr: sympy.Expr, drawn: set) -> None:
    """Every variable but the drawn ones needs its value from --at (w=2 in w·x + b)."""
    missing = ", ".join(sorted(str(s) for s in expr.free_symbols - drawn))
    if missing:
        raise ParseError(f"--at needs a value for {missing} too")


def _names(derivation) -> tuple[str, str, str, str]:
    """How f and f′ are called in the legend, in LaTeX: f(x), f'(x) or y, y'; and in Unicode."""
    x_tex, x_text = latex(derivation.var), unicode(derivation.var)
    name = derivation.value or "f"
    if derivation.value and not derivation.arguments:
        return name, f"{name}'", name, f"{name}′"
    args_tex = ", ".join(latex(a) for a in derivation.arguments) or x_tex
    args_text = ", ".join(unicode(a) for a in derivation.arguments) or x_text
    return (
        f"{name}({args_tex})",
        f"{name}'({args_tex})",
        f"{name}({args_text})",
        f"{name}′({args_text})",
    )


def _label(name_tex: str, name_text: str, expr: sympy.Expr) -> tuple[str, str]:
    """'$f(x) = x^{2}$' for the legend and 'f(x) = x^2' for the text form."""
    text = unicode(expr)
    shown = _math(expr)
    if shown.startswith("$"):
        return f"${name_tex} = {shown[1:-1]}$", f"{name_text} = {text}"
    return f"{name_text} = {shown}", f"{name_text} = {text}"


def _draw_function(derivation, point: dict, x_range, lang: str) -> Drawing:
    import numpy as np

    x = derivation.var
    values = {k: v for k, v in point.items() if k != x}
    f_expr = _substituted(derivation.expr, values)
    d_expr = _substituted(derivation.result, values)
    _needs_values(f_expr, {x})
    _needs_values(d_expr, {x})
    f = sampling.real_function(f_expr, (x,))
    notes: list[str] = []
    try:
        df = sampling.real_function(d_expr, (x,))
    except UnsupportedError:
        df = None
    f_tex, d_tex, f_text, d_text = _names(derivation)
    if df is None:
        notes.append(word("no_derivative", lang, name=f_text))

    a = point.get(x)
    touch = None  # (a, f(a), f'(a)) exactly, when there is a tangent
    if a is not None:
        from chainrule_cli.calculus.derive import exactly_at, not_real_at, value_at

        height = exactly_at(f_expr, {x: a})
        bad = height.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo) or not height.is_number
        if bad or not_real_at(f_expr, {x: a}):
            raise UndefinedError(f"the function has no real value at {unicode(x)} = {unicode(a)}")
        slope, decimal = value_at(d_expr, {x: a})
        if decimal is None or not_real_at(d_expr, {x: a}):
            notes.append(word("no_tangent", lang, name=f_text, var=unicode(x), value=unicode(a)))
            touch = (a, height, None)
        else:
            touch = (a, height, slope)

    functions = [f] + ([df] if df is not None else [])
    if x_range is None:
        at = float(a) if a is not None else None
        x_range = sampling.default_range(f_expr, x, functions, at)
    lo, hi = x_range
    figure, axes = _new_figure(FIGURE_SIZE, lang)
    drawing = Drawing(figure, axes, notes=notes)
    xs, ys = sampling.sample(f, lo, hi)
    label, text = _label(f_tex, f_text, f_expr)
    (drawing.lines["f"],) = axes.plot(xs, ys, color=COLORS["f"], lw=2, label=label)
    drawing.labels.append(text)
    curves = [ys]
    if df is not None:
        dxs, dys = sampling.sample(df, lo, hi)
        label, text = _label(d_tex, d_text, d_expr)
        (drawing.lines["derivative"],) = axes.plot(
            dxs, dys, color=COLORS["derivative"], lw=1.8, ls="--", label=label
        )
        drawing.labels.append(text)
        curves.append(dys)
    heights: tuple[float, ...] = ()
    if touch is not None:
        a, height, slope = touch
        where = f"({_number(a)}, {_number(height)})"
        if slope is not None:
            line = _line(x, a, height, slope)
            tangent = sampling.real_function(line, (x,))
            txs = np.linspace(lo, hi, 2)
            label, text = _label("y", "y", line)
            said = word("tangent", lang, point=where)
            (drawing.lines["tangent"],) = axes.plot(
                txs,
                tangent(txs),
                color=COLORS["tangent"],
                lw=1.4,
                label=_with_words(said, label, text, lang),
            )
            drawing.labels.append(f"{said}: {text}")
        (drawing.lines["point"],) = axes.plot(
            [float(a)], [float(height)], "o", color=COLORS["point"], ms=6, zorder=5
        )
        axes.annotate(
            where, (float(a), float(height)), xytext=(8, -14), textcoords="offset points",
            **_text_font(figure),
        )  # fmt: skip
        heights = (float(height),)
    axes.set_xlim(lo, hi)
    axes.set_ylim(*sampling.y_limits(curves, heights))
    axes.axhline(0, color="#888888", lw=0.8, zorder=0)
    axes.axvline(0, color="#888888", lw=0.8, zorder=0) if lo < 0 < hi else None
    axes.grid(True, color="#dddddd", lw=0.6)
    axes.set_xlabel(_typeset(latex(x), unicode(x)))
    axes.set_ylabel("$y$")
    # the title names the function: f(x) = x² sin x and its derivative
    f_label, f_label_text = _label(f_tex, f_text, f_expr)
    shown = f_text  # mathtext would set the Chinese words in a font without them: plain there
    if len(f_label_text) <= LONGEST_LABEL:
        shown = f_label if lang == "en" else f_label_text
    title = word("title", lang, f=shown)
    axes.set_title(title, **_text_font(figure))
    _legend(drawing)
    return drawing


def _draw_curve(derivation, point: dict, x_range, lang: str) -> Drawing:
    import numpy as np

    x, y = derivation.var, derivation.dependent
    values = {k: v for k, v in point.items() if k not in (x, y)}
    lhs, rhs = (_substituted(side, values) for side in derivation.equation)
    F = lhs - rhs  # noqa: N806 - the curve is F = 0
    _needs_values(F, {x, y})
    function = sampling.real_function(F, (x, y))
    touch = None
    if x in point or y in point:
        if x not in point or y not in point:
            raise ParseError("a tangent needs its point: --at x=VALUE (and y=VALUE on a curve)")
        # checks that the point is on the curve
        exact = derivation.value_at({str(k): v for k, v in point.items()})
        touch = (point[x], point[y], exact["exact"] if exact["decimal"] is not None else None)
    center = (float(touch[0]), float(touch[1])) if touch else None
    x_window, y_window = sampling.curve_box(function, center)
    if x_range is not None:
        middle, half = sum(y_window) / 2, (x_range[1] - x_range[0]) / 2
        x_window, y_window = tuple(x_range), (middle - half, middle + half)
    lines = sampling.contour_lines(function, x_window, y_window, n=601)
    if not lines:
        (x0, x1), (y0, y1) = x_window, y_window
        raise UndefinedError(
            f"the curve {unicode(lhs)} = {unicode(rhs)} has no real point where"
            f" {x0:.4g} ≤ {unicode(x)} ≤ {x1:.4g} and {y0:.4g} ≤ {unicode(y)} ≤ {y1:.4g}"
        )
    figure, axes = _new_figure(SQUARE_SIZE, lang)
    drawing = Drawing(figure, axes)
    equation = _typeset(f"{latex(lhs)} = {latex(rhs)}", "")
    curve_text = f"{unicode(lhs)} = {unicode(rhs)}"
    curve_label = equation if equation and len(curve_text) <= LONGEST_LABEL else curve_text
    xs = np.concatenate([np.append(lx, np.nan) for lx, _ in lines])
    ys = np.concatenate([np.append(ly, np.nan) for _, ly in lines])
    (drawing.lines["curve"],) = axes.plot(xs, ys, color=COLORS["curve"], lw=2, label=curve_label)
    drawing.labels.append(curve_text)
    slope_label, slope_text = _label(f"{latex(y)}'", f"{unicode(y)}′", derivation.result)
    axes.plot([], [], " ", label=slope_label)  # y′ = −x/y, a legend line without a curve
    drawing.labels.append(slope_text)
    if touch is not None:
        a, b, slope = touch
        where = f"({_number(a)}, {_number(b)})"
        said = word("tangent", lang, point=where)
        if slope is not None:
            line = _line(x, a, b, slope)
            txs = np.array(x_window, dtype=float)
            tys = float(b) + float(slope) * (txs - float(a))
            label, text = _label(latex(y), unicode(y), line)
        else:  # a vertical tangent: x = a
            txs = np.array([float(a), float(a)])
            tys = np.array(y_window, dtype=float)
            label, text = _label(latex(x), unicode(x), a)
        (drawing.lines["tangent"],) = axes.plot(
            txs, tys, color=COLORS["tangent"], lw=1.4, label=_with_words(said, label, text, lang)
        )
        drawing.labels.append(f"{said}: {text}")
        (drawing.lines["point"],) = axes.plot(
            [float(a)], [float(b)], "o", color=COLORS["point"], ms=6, zorder=5
        )
        axes.annotate(
            where, (float(a), float(b)), xytext=(8, -14), textcoords="offset points",
            **_text_font(figure),
        )  # fmt: skip
    axes.set_xlim(*x_window)
    axes.set_ylim(*y_window)
    axes.set_aspect("equal", adjustable="box")
    axes.axhline(0, color="#888888", lw=0.8, zorder=0)
    axes.axvline(0, color="#888888", lw=0.8, zorder=0)
    axes.grid(True, color="#dddddd", lw=0.6)
    axes.set_xlabel(_typeset(latex(x), unicode(x)))
    axes.set_ylabel(_typeset(latex(y), unicode(y)))
    shown = curve_label if lang == "en" else curve_text
    axes.set_title(word("title_curve", lang, curve=shown), **_text_font(figure))
    _legend(drawing)
    return drawing


def _with_words(words: str, label: str, text: str, lang: str) -> str:
    """'tangent at (2, 2): $y = 9x - 16$'; in a language whose letters mathtext has no glyphs
    for (Chinese), the formula in Unicode, so the words are set in a font that has them."""
    return f"{words}: {label}" if lang == "en" else f"{words}：{text}"


def _legend(drawing: Drawing) -> None:
    """The legend inside the axes when the formulas are short, else under the plot."""
    font = _text_font(drawing.figure)
    props = {"family": font["fontfamily"]} if font else None
    longest = max((len(t) for t in drawing.labels), default=0)
    if longest <= 40:
        drawing.axes.legend(loc="best", framealpha=0.9, prop=props)
    else:
        drawing.figure.legend(loc="outside lower center", framealpha=0.9, prop=props)
