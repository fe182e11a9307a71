"""The Python API the command line is a thin shell over."""

from __future__ import annotations

import shutil
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import sympy

from chainrule_cli.calculus import steps as S
from chainrule_cli.calculus.check import Check as _CheckRecord
from chainrule_cli.calculus.deep import TimeoutError_, run_deep  # noqa: F401 - for the cli
from chainrule_cli.calculus.graph import Graph as _GraphRecord
from chainrule_cli.calculus.graph import through_output
from chainrule_cli.calculus.hint import Hint as _HintRecord
from chainrule_cli.calculus.practice import Sheet as _SheetRecord
from chainrule_cli.calculus.tangent import Tangent as _TangentRecord
from chainrule_cli.calculus.working import Working as _WorkingRecord
from chainrule_cli.errors import ChainruleError, LimitError, ParseError  # noqa: F401 - for the cli
from chainrule_cli.parse import MAX_DEPTH, MAX_DIGITS, MAX_LENGTH
from chainrule_cli.parse.inputs import (
    ReadOptions,
    parse_point,
)
from chainrule_cli.parse.question import (  # what a line means is decided there, once
    ask_check,
    ask_derivative,
    ask_gradient,
    ask_jacobian,
    read_input,
    refuse_numbers_too_large,
    refuse_unknown_names,
    through_the_value,
)


@dataclass(frozen=True, slots=True)
class Parsed:
    """An expression read from user text, with what a person or a script needs to know of it."""

    input: str
    expr: sympy.Expr
    reading: object = None  # the parse.Reading: d/dx …, y = …, an equation, or None

    # Printed where the work runs (run_deep): a number of 4,400 digits prints there
    @property
    def text(self) -> str:
        """What was read, in SymPy's syntax: the expression, Derivative(x**3, x) for d/dx x^3,
        y = … and f(x) = … for definitions, the equation, or dy/dx = … for an answer."""
        return run_deep(self._text)

    def _text(self) -> str:
        r = self.reading
        if r is None or r.kind == "expression":
            return str(self.expr)
        if r.kind == "operator":
            return str(sympy.Derivative(self.expr, (r.var, r.order)))
        if r.kind == "equation":
            return f"{r.lhs} = {r.rhs}"
        if r.kind == "definition":
            label = sympy.Function(r.value)(*r.arguments) if r.arguments else r.value
            return f"{label} = {self.expr}"
        power = "" if r.order == 1 else f"^{r.order}"
        var = r.var if r.var is not None else "x"
        return f"d{power}{r.value}/d{var}{power} = {self.expr}"

    @property
    def free_symbols(self) -> list[str]:
        return sorted(s.name for s in self.expr.free_symbols)

    @property
    def functions(self) -> list[str]:
        return sorted({str(f.func) for f in self.expr.atoms(sympy.core.function.AppliedUndef)})

    @property
    def latex(self) -> str:
        return run_deep(lambda: sympy.latex(self.expr))

    @property
    def srepr(self) -> str:
        return run_deep(lambda: sympy.srepr(self.expr))

    def to_json(self) -> dict:
        return run_deep(self._json)

    def _json(self) -> dict:
        return {
            "schema": "chainrule.parse/1",
            "ok": True,
            "input": self.input,
            "expr": str(self.expr),
            "latex": self.latex,
            "srepr": self.srepr,
            "free_symbols": self.free_symbols,
            "unknown_functions": self.functions,
            "reading": self.reading_json(),
        }

    def reading_json(self) -> dict:
        """How the line was read: its kind and what it says beside the expression."""
        r = self.reading
        if r is None:
            return {"kind": "expression"}
        out: dict = {"kind": r.kind, "text": self.text}
        if r.var is not None:
            out["var"] = str(r.var)
        if r.order is not None:
            out["order"] = r.order
        if r.value is not None:
            out["value"] = r.value
            out["variables"] = [str(a) for a in r.arguments]
        if r.kind == "equation":
            out["lhs"], out["rhs"] = str(r.lhs), str(r.rhs)
        return out


def parse_expression(
    text: str,
    *,
    input: str = "auto",  # noqa: A002 - mirrors the --input option
    functions: Iterable[str] = (),
    max_length: int = MAX_LENGTH,
    max_depth: int = MAX_DEPTH,
    max_digits: int = MAX_DIGITS,
) -> Parsed:
    """Read user text (plain or LaTeX) as a student means it: the SymPy expression, and what
    was read around it (d/dx, y =, an equation); raises ParseError/LimitError."""
    how = ReadOptions(input, tuple(functions), max_length, max_depth, max_digits)
    reading = run_deep(lambda: read_input(text, how))
    return Parsed(text, reading.expr, reading)


def differentiate(
    expr: str | sympy.Expr,
    var: str | sympy.Symbol | None = None,
    order: int | None = None,
    detail: str = "normal",
    *,
    input: str = "auto",  # noqa: A002
    functions: Iterable[str] = (),
    timeout: float | None = None,
    max_length: int = MAX_LENGTH,
    max_depth: int = MAX_DEPTH,
    max_digits: int = MAX_DIGITS,
    lets: Mapping[str, object] | Iterable[str] = (),
    dependent: str | sympy.Symbol | None = None,
    form: str = "auto",
    shapes: Iterable[str] = (),
):
    """Differentiate `expr` (text or SymPy) by `var`, `order` times, with every step verified.

    `shapes` (["W=3x2", "x=2", "b=3"]) makes the named inputs vectors and matrices: the result
    is then the chain rule in matrix form, a `LayerDerivation` (see layers()).

    Text is read as a student writes it: `d/dx …` gives the variable and the order, `y = …`
    and `f(x) = …` name the value (and declare the variables), and an equation in two
    variables (`x^2 + y^2 = 25`) is differentiated implicitly, `dependent` (default: the
    variable that is not `var`) a function of `var`.

    `lets` names intermediates ({"u": "x^2*y"} or ["u=x^2*y"]): the derivative is then the
    many-variable chain rule, a sum over the paths from expr through them to `var`.

    `form` is the final answer's form: "auto" (what a textbook prints), "factored",
    "expanded" or "as-derived" (calculus/forms.py).

    Returns a `Derivation`; raises ParseError, LimitError, UnsupportedError or a timeout error.
    """
    from chainrule_cli.calculus.derive import derive, typed_order

    if order is not None and (not isinstance(order, int) or order < 1):
        raise ValueError("order must be a positive integer")
    if not isinstance(expr, str | sympy.Expr):
        raise TypeError("expr must be text or a SymPy expression")
    from chainrule_cli.calculus.forms import FORMS

    if form not in FORMS:
        raise ValueError(f"form must be one of {', '.join(FORMS)}")

    how = ReadOptions(input, tuple(functions), max_length, max_depth, max_digits)
    if shapes:
        if order not in (None, 1) or lets or dependent is not None:
            from chainrule_cli.errors import UnsupportedError

            raise UnsupportedError("with --shape, --order, --let and --dependent are not taken")
        return layers(expr, [var] if var else None, shapes, how=how, timeout=timeout)

    def work():
        q = ask_derivative(expr, how, var=var, order=order, dependent=dependent, lets=lets)
        if q.kind == "equation":
            from chainrule_cli.calculus.implicit import derive_implicit

            implicit = derive_implicit(q.lhs, q.rhs, q.var, q.dependent, q.order, detail)
            return Derivation.of(implicit).replace(typed=q.typed)
        if q.lets:
            from chainrule_cli.calculus.paths import derive_paths
            from chainrule_cli.errors import UnsupportedError

            if q.order != 1:  # the chain rule over paths is worked for first derivatives
                raise UnsupportedError("--let works with first derivatives only (no --order)")
            paths = derive_paths(q.expr, q.var, q.named, detail)
            return Derivation.of(paths).replace(typed=q.typed, value=q.value, arguments=q.arguments)
        derivation = derive(q.expr, q.var, q.order, detail, value=q.value, form=form)
        return Derivation.of(derivation).replace(
            value=q.value, arguments=q.arguments, notes=q.notes,
            typed=typed_order(derivation.root, q.typed),
        )  # fmt: skip

    return run_deep(work, timeout=timeout)


def layers(
    expr: str,
    variables: Iterable[str] | None,
    shapes: Iterable[str],
    *,
    how: ReadOptions | None = None,
    command: str = "diff",
    timeout: float | None = None,
) -> LayerDerivation:
    """The chain rule in matrix form: `expr` with the inputs `shapes` gives ("W=3x2", "x=n"),
    differentiated by `variables` (diff: the one array when None; grad, graph: every input).
    A scalar gives gradients of the inputs' shapes, a vector a Jacobian; every step is verified
    entry by entry at small sizes (calculus/expand.py)."""
    from chainrule_cli.calculus.expand import verify
    from chainrule_cli.calculus.layer_jacobian import derive_jacobian
    from chainrule_cli.calculus.layers import derive
    from chainrule_cli.parse.question import ask_array

    def work():
        q = ask_array(expr, how, shapes=list(shapes), variables=variables, command=command)
        vector = not q.expr.shape.scalar and command == "diff"
        how_derived = derive_jacobian if command == "jacobian" or vector else derive
        derived = how_derived(q.expr, tuple(q.variables), text=q.text, notes=q.notes,
                              shapes={n: s for n, s in q.shapes})  # fmt: skip
        ok, sizes, _bad = verify(derived)
        return LayerDerivation.of(derived.with_(verified=ok, checked_at=sizes), q.value)

    return run_deep(work, timeout=timeout)


def gradient(
    expr: str | sympy.Expr,
    vars: Iterable[str | sympy.Symbol] | None = None,  # noqa: A002 - the gradient's variables
    detail: str = "normal",
    *,
    input: str = "auto",  # noqa: A002
    functions: Iterable[str] = (),
    timeout: float | None = None,
    max_length: int = MAX_LENGTH,
    max_depth: int = MAX_DEPTH,
    max_digits: int = MAX_DIGITS,
    lets: Mapping[str, object] | Iterable[str] = (),
    shapes: Iterable[str] = (),
):
    """∇expr: the partial derivative by each variable (all free symbols, by name, if none are
    given), each with its verified steps; with `lets`, each by the chain rule over paths.
    Returns a `Gradient`; with `shapes`, the matrix-form `LayerDerivation` (see layers())."""
    from chainrule_cli.calculus.derive import derive
    from chainrule_cli.calculus.paths import derive_paths

    if not isinstance(expr, str | sympy.Expr):
        raise TypeError("expr must be text or a SymPy expression")

    how = ReadOptions(input, tuple(functions), max_length, max_depth, max_digits)
    if shapes:
        if lets:
            raise ParseError("with --shape, --let is not taken")
        names = [str(v) for v in vars] if vars else None
        return layers(expr, names, shapes, how=how, command="grad", timeout=timeout)

    def work():
        q = ask_gradient(expr, how, command="grad", variables=vars, lets=lets)
        partials = []
        for variable in q.variables:
            if q.lets:
                paths = derive_paths(q.expr, variable, q.named, detail)
                partials.append(
                    Derivation.of(paths).replace(
                        typed=q.typed, value=q.value, arguments=q.arguments
                    )
                )
            else:
                derived = derive(q.expr, variable, 1, detail, value=q.value)
                partials.append(
                    Derivation.of(derived).replace(
                        value=q.value, arguments=q.arguments, typed=q.typed
                    )
                )
        return Gradient(expr=q.whole, vars=q.variables, partials=tuple(partials))

    return run_deep(work, timeout=timeout)


def jacobian(
    outputs: str | Iterable[str | sympy.Expr],
    wrt: Iterable[str | sympy.Symbol] | None = None,
    detail: str = "normal",
    *,
    input: str = "auto",  # noqa: A002
    functions: Iterable[str] = (),
    timeout: float | None = None,
    max_length: int = MAX_LENGTH,
    max_depth: int = MAX_DEPTH,
    max_digits: int = MAX_DIGITS,
    lets: Mapping[str, object] | Iterable[str] = (),
    shapes: Iterable[str] = (),
):
    """J_f(x) for f = [f1, f2, …] ("[f1, f2]" text, a list, or one expression), every entry
    with its verified steps; with `lets`, also J_f(u) · J_u(x). Returns a `Jacobian`; with
    `shapes`, one vector expression of vectors in matrix form (a `LayerDerivation`: the chain
    rule as a product of local Jacobians, see layers())."""
    from chainrule_cli.calculus.jacobian import jacobian as work_out_jacobian

    how = ReadOptions(input, tuple(functions), max_length, max_depth, max_digits)
    if shapes:
        if lets:
            raise ParseError("with --shape, --let is not taken")
        if not isinstance(outputs, str):
            raise TypeError("with shapes, outputs must be one expression's text")
        names = [str(v) for v in wrt] if wrt else None
        return layers(outputs, names, shapes, how=how, command="jacobian", timeout=timeout)

    def work():
        q = ask_jacobian(outputs, how, wrt=wrt, lets=lets)
        result = work_out_jacobian(list(q.outputs), list(q.variables), q.named, detail)
        return Jacobian(**{name: getattr(result, name) for name in result.fields})

    return run_deep(work, timeout=timeout)


class Derivation(S.Derivation):
    """A worked derivative that renders itself: in a terminal (Rich), a notebook (LaTeX,
    Markdown), as JSON or LaTeX text."""

    @classmethod
    def of(cls, derivation: S.Derivation) -> Derivation:
        return cls(**{name: getattr(derivation, name) for name in derivation.fields})

    def value_at(self, point: Mapping[str, object] | Iterable[str]) -> dict:
        """{'point': {x: 1}, 'exact': 1/4, 'decimal': 0.25}: the result at a point."""
        from chainrule_cli.calculus.derive import value_at

        values = parse_point(point)
        free = self.expr.free_symbols | {self.var}
        for variable in values:
            if variable not in free:
                names = ", ".join(sorted(str(s) for s in free))
                raise ParseError(f"{variable} is not a variable of {self.expr} (it has {names})")
        missing = sorted(str(s) for s in free - set(values))
        if missing:
            raise ParseError(f"--at needs a value for {', '.join(missing)} too")
        if self.equation is not None:
            run_deep(lambda: on_the_curve(self.equation, values))
        from chainrule_cli.calculus.derive import not_real_at

        function = self.expr if self.equation is None else None  # an equation is F = 0 there
        if run_deep(lambda: any(not_real_at(e, values) for e in (function, self.result) if e)):
            # real variables: √(1 − x²) has no value at x = 2, and no derivative (2√3·i/3)
            return {"point": values, "exact": sympy.nan, "decimal": None, "reason": "not_real"}
        exact, decimal = run_deep(lambda: value_at(self.result, values))
        return {"point": values, "exact": exact, "decimal": decimal}

    def note_lines(self, lang: str = "en") -> list[str]:
        """What the reader is told beside the derivation ("t does not appear in x^2, so the
        derivative is 0."), one sentence each, in the language."""
        from chainrule_cli.render.messages import note
        from chainrule_cli.render.printing import unicode

        return [note(key, self, lang, unicode) for key in self.notes]

    def render(self, fmt: str, lang: str = "en", at=None, **options) -> str:
        """The derivation in a format of render.RENDERERS, as the text to print (JSON: one
        line); options as render.Options has them."""
        from chainrule_cli.render import render

        return run_deep(lambda: render(self, fmt, lang=lang, at=at, **options))

    def to_json(self, text: str | None = None, lang: str = "en", at=None) -> dict:
        from chainrule_cli.render.jsonout import render_json

        return run_deep(lambda: render_json(self, text, lang, at))

    def to_latex(self, standalone: bool = False, lang: str = "en", at=None) -> str:
        from chainrule_cli.render.latex import render_latex

        return run_deep(lambda: render_latex(self, lang, standalone, at))

    def to_markdown(self, lang: str = "en", at=None) -> str:
        from chainrule_cli.render.markdown import render_markdown

        return run_deep(lambda: render_markdown(self, lang, at))

    def to_text(self, lang: str = "en", width: int = 80, at=None) -> str:
        from chainrule_cli.render.terminal import render_text

        return run_deep(lambda: render_text(self, lang, width, at))

    def __rich__(self):
        from chainrule_cli.render.terminal import renderable

        return run_deep(lambda: renderable(self))

    def _repr_latex_(self) -> str:
        return self.to_latex()

    def _repr_markdown_(self) -> str:
        return self.to_markdown()


def on_the_curve(equation: tuple[sympy.Expr, sympy.Expr], point: dict) -> None:
    """An implicit derivative has a value only at a point of the curve: exactly on it, or
    within rounding for decimals (an UndefinedError says where the point is instead)."""
    from chainrule_cli.calculus.derive import exactly_at
    from chainrule_cli.errors import UndefinedError
    from chainrule_cli.parse.inputs import TypedDecimal

    lhs, rhs = (exactly_at(side, point) for side in equation)
    gap = exactly_at(lhs - rhs, {})
    if gap == 0:
        return
    # decimals typed by hand (y = 0.693147 on e^y = x) are on the curve to their precision
    typed = any(v.has(sympy.Float) or isinstance(v, TypedDecimal) for v in point.values())
    try:
        scale = max(1.0, abs(complex(lhs)), abs(complex(rhs)))
        if abs(complex(gap)) <= (1e-5 if typed else 1e-12) * scale:
            return
    except (TypeError, ValueError):
        pass
    from chainrule_cli.render.printing import unicode

    names = ", ".join(unicode(k) for k in point)
    values = ", ".join(unicode(v) for v in point.values())
    left, right = (unicode(side) for side in equation)
    if not equation[1].free_symbols:  # x^2 + y^2 = 25: there x^2 + y^2 = 2, not 25
        there = f"{left} = {unicode(lhs)}, not {unicode(rhs)}"
    else:
        there = f"{left} − ({right}) = {unicode(gap)}, not 0"
    raise UndefinedError(
        f"({names}) = ({values}) is not on the curve {left} = {right}: there {there}"
    )


def tangent(
    expr: str | sympy.Expr,
    var: str | sympy.Symbol | None = None,
    at: Mapping[str, object] | Iterable[str] = (),
    detail: str = "normal",
    *,
    input: str = "auto",  # noqa: A002
    functions: Iterable[str] = (),
    timeout: float | None = None,
    max_length: int = MAX_LENGTH,
    max_depth: int = MAX_DEPTH,
    max_digits: int = MAX_DIGITS,
    dependent: str | sympy.Symbol | None = None,
):
    """The tangent and the normal line to y = expr (or to an equation's curve) at the point
    `at` ({"x": 2} or ["x=3,y=4"]: every variable), with the derivation of the slope. Returns a
    `TangentLines`; a point off the curve, or where the function has no real value, is an
    UndefinedError."""
    from chainrule_cli.calculus.derive import exactly_at
    from chainrule_cli.calculus.tangent import tangent_at
    from chainrule_cli.errors import UndefinedError

    if not at:
        raise ParseError("a tangent needs its point: --at x=VALUE (and y=VALUE on a curve)")
    derivation = differentiate(
        expr, var, 1, detail, input=input, functions=functions, timeout=timeout,
        max_length=max_length, max_depth=max_depth, max_digits=max_digits, dependent=dependent,
    )  # fmt: skip
    values = derivation.value_at(at)
    point = values["point"]

    def work():
        if values.get("reason") == "not_real":
            shown = ", ".join(f"{k} = {v}" for k, v in point.items())
            raise UndefinedError(f"the function has no real value at {shown}")
        if derivation.equation is None:
            height = exactly_at(derivation.expr, point)
            if not height.is_number or height.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo):
                shown = ", ".join(f"{k} = {v}" for k, v in point.items())
                raise UndefinedError(f"the function has no value at {shown}")
        found = tangent_at(derivation, point, values["exact"])
        return TangentLines(**{name: getattr(found, name) for name in found.fields}).replace(
            at=values
        )

    return run_deep(work, timeout=timeout)


class RendersItself:
    """Every result renders itself through the one registry of renderings
    (chainrule_cli/render/__init__.py): `render(fmt, lang, at, **options)` and the to_… below."""

    def render(self, fmt: str, lang: str = "en", at=None, **options) -> str:
        """The result in a format of render.RENDERERS, as the text to print (JSON: one line);
        options as render.Options has them."""
        from chainrule_cli.render import render

        return run_deep(lambda: render(self, fmt, lang=lang, at=at, **options))

    def to_json(self, text: str | None = None, lang: str = "en", at=None) -> dict:
        import json

        return json.loads(self.render("json", lang, at, text=text))

    def to_latex(self, standalone: bool = False, lang: str = "en", at=None) -> str:
        return self.render("latex", lang, at, standalone=standalone)

    def to_markdown(self, lang: str = "en", at=None) -> str:
        return self.render("markdown", lang, at)

    def to_text(self, lang: str = "en", width: int = 80, at=None) -> str:
        return self.render("text", lang, at, width=width)

    def _repr_latex_(self) -> str:
        return self.to_latex()

    def _repr_markdown_(self) -> str:
        return self.to_markdown()


class LayerDerivation(RendersItself):
    """A matrix-form derivation that renders itself: `layers` (calculus/layers.py's Layers),
    the value's name (`L = …`), and `value_at`."""

    def __init__(self, derived, value_name: str | None = None):
        self.layers = derived
        self.value_name = value_name

    @classmethod
    def of(cls, derived, value_name=None) -> LayerDerivation:
        return cls(derived, value_name)

    @property
    def verified(self) -> bool:
        return bool(self.layers.verified)

    def value_at(self, point: Iterable[str]) -> dict:
        """{'point': {name: M}, 'value': M, 'forward': {…}, 'backward': {…}}, SymPy matrices."""
        from chainrule_cli.calculus.expand import evaluate
        from chainrule_cli.parse.inputs import parse_array_point

        values = parse_array_point(point, self.layers.shapes)
        return {"point": values, **run_deep(lambda: evaluate(self.layers, values))}

    def note_lines(self, lang: str = "en") -> list[str]:
        from chainrule_cli.render.messages import word
        from chainrule_cli.render.translate import translate

        return [word("read_as_note", lang, note=translate(n, lang)) for n in self.layers.notes]


class LayerGraph(LayerDerivation):
    """A layer's computational graph: nodes hold arrays; forward values and backward gradients
    in the order backpropagation computes them; code for NumPy and JAX (render/arrays_code.py).
    `agrees` is for the graph command, as ComputationalGraph's values have it."""

    def value_at(self, point: Iterable[str]) -> dict:
        values = super().value_at(point)
        return _Point(values)

    def render(self, fmt: str, lang: str = "en", at=None, **options) -> str | bytes:
        """As every result; svg or png (bytes), the DOT drawn by Graphviz's dot within
        `timeout` seconds; numpy and jax need a `name` Python can call."""
        from chainrule_cli import graphviz

        timeout = options.pop("timeout", 60)
        if fmt in ("numpy", "jax"):
            from chainrule_cli.render.python import check_name

            check_name(options.get("name", "f"))
        if fmt in graphviz.FORMATS:
            dot = super().render("dot", lang, at, **options)
            return graphviz.draw(dot, fmt, timeout=timeout)
        if fmt == "html" and shutil.which("dot"):
            dot = super().render("dot", lang, at)
            try:
                picture = graphviz.draw(dot, "svg", timeout=timeout).decode("utf-8", "replace")
            except (ChainruleError, OSError):
                picture = None
            options.setdefault("picture", picture)
        return super().render(fmt, lang, at, **options)


class _Point(dict):
    agrees = True


class Jacobian(RendersItself, S.Jacobian):
    """A Jacobian that renders itself, like a Derivation."""

    def value_at(self, point: Mapping[str, object] | Iterable[str]) -> dict:
        """Every matrix at a point: {'point', 'matrix', 'factors'} (SymPy matrices of numbers)."""
        from chainrule_cli.calculus.paths import substitute

        values = parse_point(point)
        free = set(self.wrt).union(*(f.free_symbols for f in self.outputs))
        missing = sorted(str(s) for s in free - set(values))
        if missing:
            raise ParseError(f"--at needs a value for {', '.join(missing)} too")
        for variable in values:
            if variable not in free:
                raise ParseError(f"{variable} is not a variable of the functions")
        from chainrule_cli.calculus.derive import value_at

        lets = dict(self.lets)
        order = [n for n, _ in self.lets]

        from chainrule_cli.calculus.derive import not_real_at

        def entry(e):
            if not_real_at(e, values):  # real variables: a complex value is no value
                return sympy.nan, None
            return value_at(e, values)

        def at(matrix):
            """Each entry exactly (nan where no derivative exists, or no real value) and as a
            float or None."""
            whole = matrix.applyfunc(lambda e: substitute(e, lets, order))
            cells = [
                [run_deep(lambda e=whole[i, j]: entry(e)) for j in range(whole.cols)]
                for i in range(whole.rows)
            ]
            exact = sympy.Matrix([[c[0] for c in row] for row in cells])
            return exact, [[c[1] for c in row] for row in cells]

        matrix, decimal = at(self.matrix)
        factors = [at(f.matrix) for f in self.factors]
        return {
            "point": values,
            "matrix": matrix,
            "decimal": decimal,
            "factors": [f[0] for f in factors],
            "factor_decimals": [f[1] for f in factors],
        }

    @property
    def detail(self) -> str:
        """full: every entry's steps are shown; brief: the matrices only."""
        return self.entries[0][0].detail

    def render(self, fmt: str, lang: str = "en", at=None, **options) -> str:
        options.setdefault("detail", self.detail)
        return super().render(fmt, lang, at, **options)

    def __rich__(self):
        from chainrule_cli.render.jacobian import layout
        from chainrule_cli.render.terminal import rich_renderable

        return run_deep(lambda: rich_renderable(layout(self, detail=self.detail)))


class Gradient(RendersItself, S.Gradient):
    """A gradient that renders itself, like a Derivation."""

    def value_at(self, point: Mapping[str, object] | Iterable[str]) -> dict:
        """{'point': …, 'exact': (…), 'decimal': (…)}: the gradient at a point."""
        values = [d.value_at(point) for d in self.partials]
        found = {
            "point": values[0]["point"],
            "exact": tuple(v["exact"] for v in values),
            "decimal": tuple(v["decimal"] for v in values),
        }
        if any(v.get("reason") for v in values):
            found["reason"] = "not_real"  # the function has no real value there
        return found

    def __rich__(self):
        from chainrule_cli.render.gradient import gradient_renderable

        return run_deep(lambda: gradient_renderable(self))


def graph(
    expr: str | sympy.Expr,
    wrt: Iterable[str | sympy.Symbol] | None = None,
    *,
    input: str = "auto",  # noqa: A002
    functions: Iterable[str] = (),
    timeout: float | None = None,
    max_length: int = MAX_LENGTH,
    max_depth: int = MAX_DEPTH,
    max_digits: int = MAX_DIGITS,
    shapes: Iterable[str] = (),
):
    """The computational graph of expr: its primitive operations (forward pass), each edge's
    local derivative, and the backward pass to the gradient by each variable of `wrt` (every
    variable, by name, if none are given), every gradient checked against SymPy. Returns a
    `ComputationalGraph`; `.value_at(point)` gives every node's value and gradient there."""
    from chainrule_cli.calculus.graph import build_graph

    if not isinstance(expr, str | sympy.Expr):
        raise TypeError("expr must be text or a SymPy expression")

    how = ReadOptions(input, tuple(functions), max_length, max_depth, max_digits)
    if shapes:  # a layer: nodes hold arrays (a LayerGraph)
        names = [str(v) for v in wrt] if wrt else None
        derived = layers(expr, names, shapes, how=how, command="graph", timeout=timeout)
        return LayerGraph(derived.layers, derived.value_name)

    def work():
        q = ask_gradient(expr, how, command="graph", variables=wrt)
        typed = q.variables if q.decided == "typed" else None  # else every variable, by name
        built = build_graph(q.expr, typed)
        return ComputationalGraph(**{name: getattr(built, name) for name in built.fields}).replace(
            in_terms_of=through_output(built)
        )

    return run_deep(work, timeout=timeout)


class ComputationalGraph(RendersItself, _GraphRecord):
    """A computational graph that renders itself (terminal, text, LaTeX, Markdown, JSON, DOT,
    Python), like a Derivation."""

    def value_at(self, point: Mapping[str, object] | Iterable[str]):
        """Every node's value and gradient at a point (a `GraphValues`)."""
        return run_deep(lambda: self._value_at(point))

    def _value_at(self, point):
        from chainrule_cli.calculus.graph import values_at

        values = parse_point(point)
        free = {n.name for n in self.inputs}
        for variable in values:
            if variable not in free:
                names = ", ".join(sorted(str(s) for s in free)) or "none"
                raise ParseError(f"{variable} is not a variable of {self.expr} (it has {names})")
        missing = sorted(str(s) for s in free - set(values))
        if missing:
            raise ParseError(f"--at needs a value for {', '.join(missing)} too")
        return values_at(self, values)

    def render(self, fmt: str, lang: str = "en", at=None, **options) -> str | bytes:
        """As every result; and svg or png (bytes), the DOT drawn by Graphviz's dot, within
        `timeout` seconds. The html page holds that drawing when dot is there. --format python
        needs a `name` Python can call."""
        from chainrule_cli import graphviz

        timeout = options.pop("timeout", 60)
        if fmt == "python":
            from chainrule_cli.render.python import check_name

            check_name(options.get("name", "f"))
        if fmt in graphviz.FORMATS:
            dot = super().render("dot", lang, at, **options)
            return graphviz.draw(dot, fmt, timeout=timeout)
        if fmt == "html":
            options.setdefault("picture", graphviz.picture(self, at, lang))
        return super().render(fmt, lang, at, **options)

    def __rich__(self):
        from chainrule_cli.render.graph import layout
        from chainrule_cli.render.terminal import rich_renderable

        return run_deep(lambda: rich_renderable(layout(self)))


def check(
    expr: str | sympy.Expr,
    var: str | sympy.Symbol | None,
    answer: str | sympy.Expr,
    order: int | None = None,
    *,
    lets: Mapping[str, object] | Iterable[str] = (),
    input: str = "auto",  # noqa: A002
    functions: Iterable[str] = (),
    timeout: float | None = None,
    max_length: int = MAX_LENGTH,
    max_depth: int = MAX_DEPTH,
    max_digits: int = MAX_DIGITS,
    dependent: str | sympy.Symbol | None = None,
):
    """Is `answer` the order-th derivative of `expr` by `var`? Returns a `CheckResult`:
    .verdict is "correct", "incorrect" (with .comparison.counterexample and perhaps .mistake,
    the likely classic mistake) or "undecided"; .expected is the verified derivation.
    `lets` name sub-expressions the answer may use (y = 1/(1 + e^(−x)): y·(1 − y)).

    Both are read as a student writes them: EXPR may be `d/dx …`, `y = …`, `f(x) = …` or an
    equation (implicit: the answer need only hold on the curve); the answer may name its
    derivative, `dy/dx = …`, `y' = …`, `f'(x) = …`, which also gives the order."""
    from chainrule_cli.calculus.check import Term, check_answer, restated_part
    from chainrule_cli.calculus.derive import derive
    from chainrule_cli.parse import Reading

    if order is not None and (not isinstance(order, int) or order < 1):
        raise ValueError("order must be a positive integer")

    how = ReadOptions(input, tuple(functions), max_length, max_depth, max_digits)

    def work():
        q = ask_check(expr, answer, how, var=var, order=order, dependent=dependent, lets=lets)
        variable, y, times, whole, named, said = (q.var, q.dependent, q.order, q.whole,
                                                  q.named, q.answer)  # fmt: skip
        first = through_the_value(said.reading, q)
        if q.kind == "equation":
            from chainrule_cli.calculus.implicit import derive_implicit

            def derivation(k: int):
                return Derivation.of(derive_implicit(q.lhs, q.rhs, variable, y, k, "full"))
        else:

            def derivation(k: int):
                derived = derive(whole, variable, k, "full", value=q.value)
                return Derivation.of(derived).replace(value=q.value, arguments=q.arguments)

        expected = derivation(times)
        # a chain's names of other orders (f'(x) = f''(x) = 0): each order's derivative
        orders = {t.order for t in said.terms if t.is_name} - {times}
        derivatives = {k: derivation(k).result for k in sorted(orders)}
        allowed = whole.free_symbols | {variable} | set(named)
        found = {"constant": None, "renames": {}, "restated": None}

        def given(e: sympy.Expr) -> sympy.Expr:
            """A side of the answer as compared: through the value's name, y' the slope."""
            e = through_the_value(Reading(said.text, "expression", e), q).expr
            # the question restated, in the answer or a chain's last form (d/dx … = 3x² is work)
            found["restated"] = restated_part(e, y, times)
            if y is not None:
                e = through_first_derivative(e, expected.root, variable, y)
            refuse_numbers_too_large(e)
            constant, renames = refuse_unknown_names(e, allowed, said.text, variable, q.value)
            found["constant"] = found["constant"] or constant
            found["renames"].update(renames)
            return e

        answer_given = given(first.expr)
        terms = [Term(expr=None if t.is_name else given(t.expr), order=t.order, text=t.text)
                 for t in said.terms]  # fmt: skip
        # the function and the answer printed as typed: (sin x − x cos x)/x², not −x·cos x + …
        expected = expected.replace(typed={**(said.reading.typed or {}), **(q.typed or {})})
        result = check_answer(
            whole, variable, times, answer_given, named, expected, terms=terms,
            derivatives=derivatives, constant=found["constant"],
            renames=tuple(found["renames"].items()), restated=found["restated"],
        )  # fmt: skip
        return CheckResult(**{name: getattr(result, name) for name in result.fields})

    return run_deep(work, timeout=timeout)


def through_first_derivative(given: sympy.Expr, root, x: sympy.Symbol, y: sympy.Symbol):
    """An implicit answer in y and y' (y'' = (x·y' − y)/y²): y' is the first derivative and
    y(x) is y, so it compares with the solved result."""
    from sympy.core.function import AppliedUndef

    first = root
    while first.order > 1:
        first = first.substeps[0]
    slope = first.plain_result
    primes = {}
    for derivative in given.atoms(sympy.Derivative):
        inner = derivative.expr
        if isinstance(inner, AppliedUndef) and inner.func.__name__ == y.name:
            if derivative.derivative_count == 1:
                primes[derivative] = slope
    given = given.xreplace(primes)
    functions = {f: y for f in given.atoms(AppliedUndef) if f.func.__name__ == y.name}
    return given.xreplace(functions)


class CheckResult(RendersItself, _CheckRecord):
    """A checked answer that renders itself (terminal, text, LaTeX, Markdown, JSON)."""

    def __rich__(self):
        from chainrule_cli.render.check import layout
        from chainrule_cli.render.terminal import rich_renderable

        return run_deep(lambda: rich_renderable(layout(self)))


class HintResult(RendersItself, _HintRecord):
    """A hint that renders itself (terminal, text, Markdown, JSON chainrule.hint/1)."""


def hint(
    expr: str | sympy.Expr,
    var: str | sympy.Symbol | None = None,
    level: int = 1,
    rule: str | None = None,
    *,
    input: str = "auto",  # noqa: A002
    functions: Iterable[str] = (),
    timeout: float | None = None,
    max_length: int = MAX_LENGTH,
    max_depth: int = MAX_DEPTH,
    max_digits: int = MAX_DIGITS,
    dependent: str | sympy.Symbol | None = None,
) -> HintResult:
    """The next rule to apply to d/dvar expr, without the answer: `level` 1 the rule and where
    it applies and why, 2 its parts and formula, 3 the rule applied with its derivatives still
    to take. `rule` (one of calculus.hint.PICKABLE) is the student's choice: applied where it
    applies, else the hint says why not. The expression is read as `differentiate` reads it."""
    from chainrule_cli.calculus.hint import PICKABLE
    from chainrule_cli.calculus.hint import hint as make_hint

    if level not in (1, 2, 3):
        raise ParseError("--level is 1 (the rule), 2 (its parts and formula) or 3 (applied)")
    if rule is not None and rule not in PICKABLE:
        raise ParseError(f"--rule is one of {', '.join(PICKABLE)}, not {rule}")
    how = ReadOptions(input, tuple(functions), max_length, max_depth, max_digits, unworked=True)
    working = ask_derivative(expr, how, var=var, dependent=dependent) if isinstance(
        expr, str) else None  # fmt: skip
    pending = working.pending[0] if working is not None and working.pending else None
    if pending is not None:  # a student part-way through: the first derivative still to take
        expr, var = pending.expr, pending.variables[0]
    derivation = differentiate(
        expr, var, 1, "normal", input=input, functions=functions, timeout=timeout,
        max_length=max_length, max_depth=max_depth, max_digits=max_digits, dependent=dependent,
    )  # fmt: skip

    def work():
        found = make_hint(derivation.expr, derivation.var, level, rule, derivation.root,
                          derivation.verified)  # fmt: skip
        if pending is not None:
            found = found.replace(within=working.whole, pending=pending)
        if derivation.equation is not None:  # where: the equation itself
            if rule is not None:
                from chainrule_cli.errors import UnsupportedError

                raise UnsupportedError("--rule is for an expression; an equation is"
                                       " differentiated implicitly, both sides")  # fmt: skip
            lhs, rhs = derivation.equation
            found = found.replace(expr=sympy.Eq(lhs, rhs, evaluate=False),
                                  where=sympy.Eq(lhs, rhs, evaluate=False))  # fmt: skip
        return HintResult(**{name: getattr(found, name) for name in found.fields})

    return run_deep(work, timeout=timeout)


class WorkingResult(RendersItself, _WorkingRecord):
    """A student's working checked line by line, that renders itself (terminal, text,
    Markdown, JSON chainrule.check_steps/1)."""


def check_steps(
    expr: str | sympy.Expr,
    var: str | sympy.Symbol | None,
    lines: str | Iterable[str],
    *,
    input: str = "auto",  # noqa: A002
    functions: Iterable[str] = (),
    timeout: float | None = None,
    max_length: int = MAX_LENGTH,
    max_depth: int = MAX_DEPTH,
    max_digits: int = MAX_DIGITS,
    order: int | None = None,
) -> WorkingResult:
    """A worked solution of d/dvar expr checked line by line (`lines`: the text, one step a
    line, or the lines): each must equal the one before it, the first the derivative;
    `(EXPR)'` and `d/dx (EXPR)` are derivatives not yet taken. The first line that does not
    follow is named, with a point where it differs and the likely mistake; the lines after it
    are judged against it. `.correct` when every line follows and the last is finished."""
    from chainrule_cli.calculus.derive import derive
    from chainrule_cli.calculus.working import check_working
    from chainrule_cli.parse.question import ask_working

    if isinstance(lines, str):
        lines = lines.splitlines()
    how = ReadOptions(input, tuple(functions), max_length, max_depth, max_digits)

    def work():
        q, worked = ask_working(expr, list(lines), how, var=var, order=order)
        derivation = derive(q.whole, q.var, q.order, "full")
        found = check_working(q.whole, q.var, derivation.result, worked, q.order)
        return WorkingResult(**{name: getattr(found, name) for name in found.fields})

    return run_deep(work, timeout=timeout)


class PracticeSheet(RendersItself, _SheetRecord):
    """Problems to practise on that render themselves (terminal, text, Markdown, JSON
    chainrule.practice/1, LaTeX worksheets and keys, HTML, TSV); `.problems` each with its
    verified derivation. `key`: None, "answers" or "full"."""


def practice(
    topic: str = "mixed", count: int = 5, seed: int = 1, level: str = "medium",
    key: str | None = None, *, timeout: float | None = None,
) -> PracticeSheet:  # fmt: skip
    """`count` problems of `topic` (calculus.practice.TOPICS) at `level` (easy, medium, hard),
    each using its topic's rule, with a verified derivation; the same seed gives the same set."""
    from chainrule_cli.calculus.practice import LEVELS, MAX_COUNT, TOPICS, generate

    if topic not in TOPICS:
        raise ParseError(f"--topic is one of {', '.join(TOPICS)}, not {topic}")
    if level not in LEVELS:
        raise ParseError(f"--level is one of {', '.join(LEVELS)}, not {level}")
    if not isinstance(count, int) or not 1 <= count <= MAX_COUNT:
        raise ParseError(f"--count is a whole number from 1 to {MAX_COUNT}")
    if key not in (None, "answers", "full"):
        raise ParseError("--key is answers or full")

    def work():
        sheet = generate(topic, count, seed, level)
        return PracticeSheet(**{**{n: getattr(sheet, n) for n in sheet.fields}, "key": key})

    return run_deep(work, timeout=timeout)


class TangentLines(RendersItself, _TangentRecord):
    """The tangent and normal lines that render themselves (terminal, text, LaTeX, Markdown,
    JSON), with the derivation of the slope."""

    at: dict | None = None  # the value of the derivation at the point (as value_at gives it)

    def render(self, fmt: str, lang: str = "en", at=None, **options) -> str:
        return super().render(fmt, lang, self.at, **options)  # the point is the tangent's own

    def __rich__(self):
        from chainrule_cli.render.tangent import layout
        from chainrule_cli.render.terminal import rich_renderable

        return run_deep(lambda: rich_renderable(layout(self, "en", self.at)))


# ---- for the command line (chainrule_cli/cli.py imports only this module and the package) ----


def one_document(parts: list[str], fmt: str, lang: str = "en") -> str:
    """A batch's renderings as one document: the LaTeX sections in one document that compiles,
    the HTML pages merged into one page."""
    if fmt == "latex":
        from chainrule_cli.render.latex import wrap_document

        return wrap_document(parts, lang)
    from chainrule_cli.render.html import merge

    return merge(parts, lang)


def summary(correct: int, incorrect: int, undecided: int, errors: int, lang: str = "en") -> str:
    """A grading sheet's summary: "12 correct of 30 (15 incorrect, 2 undecided, 1 not read)"."""
    from chainrule_cli.render.messages import word

    total = correct + incorrect + undecided + errors
    text = word("ui.summary", lang, correct=correct, total=total)
    rest = word("ui.summary_rest", lang, incorrect=incorrect, undecided=undecided, errors=errors)
    return f"{text} ({rest})"


def plot(
    text: str,
    var: str | None = None,
    at: Iterable[str] = (),
    x_range: str | None = None,
    fmt: str = "svg",
    lang: str = "en",
    *,
    input: str = "auto",  # noqa: A002
    functions: Iterable[str] = (),
    max_length: int = MAX_LENGTH,
    max_depth: int = MAX_DEPTH,
    max_digits: int = MAX_DIGITS,
    dependent: str | None = None,
) -> tuple[bytes | str, bool, list[str]]:
    """EXPR and its derivative on one figure (with a point, the tangent there), or an
    equation's curve: the picture in fmt (svg text, png or pdf bytes), whether the derivation
    was verified, and the notes for the reader. Needs matplotlib."""
    from chainrule_cli.render.plot import draw, parse_range, render_plot

    derivation = differentiate(
        text, var, input=input, functions=functions, max_length=max_length,
        max_depth=max_depth, max_digits=max_digits, dependent=dependent,
    )  # fmt: skip
    point = parse_point(at) if at else {}
    window = parse_range(x_range) if x_range is not None else None
    drawing = draw(derivation, point, window, lang)
    return render_plot(drawing, fmt), derivation.verified, drawing.notes
