"""The derivation for people at a terminal, and as plain text: one layout of styled lines.

The layout is a list of `Line`s (indentation and styled pieces). Plain text wraps them with
textwrap; the terminal gives them to Rich for colour. This is the only module importing rich,
and only when colour is wanted, so piped output does not pay for it.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field

import sympy

from chainrule_cli.calculus import steps as S
from chainrule_cli.render import messages
from chainrule_cli.render.printing import UnicodePrinter, approx, built_text, unicode
from chainrule_cli.render.view import Applied, Equation, Outline, StepView, outline, top_down
from chainrule_cli.render.view import formula as rule_formula

WIDTH = 80
NBSP = "\u00a0"
_SUPERSCRIPTS = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")

STYLE = {
    "task": "bold",
    "number": "dim",
    "rule": "bold cyan",
    "formula": "italic bright_black",
    "note": "bright_black",
    "let": "magenta",
    "lhs": "yellow",
    "heading": "bold underline",
    "result": "bold green",
    "ok": "green",
    "bad": "bold red reverse",
}


@dataclass
class Line:
    """One line of the layout: its indentation and its pieces, each with a style (or none);
    `hang` indents the continuation of a wrapped line a little further."""

    indent: int = 0
    pieces: list[tuple[str, str | None]] = field(default_factory=list)
    hang: int = 0
    # In a Rich terminal, a block of lines (a tree, a matrix) may be drawn by a Rich object
    # instead: its first line carries the builder, the others are skipped there.
    rich: Callable[[], object] | None = None
    rich_skip: bool = False
    wrap: bool = True  # False: a row of a table, never broken

    def add(self, text: str, style: str | None = None) -> Line:
        self.pieces.append((text, style))
        return self

    @property
    def text(self) -> str:
        return "".join(text for text, _ in self.pieces)


def undefined_key(at: dict) -> str:
    """Why a value at a point is undefined: not real there (√(1 − x²) at 2), or no derivative."""
    return "ui.undefined_not_real" if at.get("reason") == "not_real" else "ui.undefined"


def leibniz(value: str | None, var, order: int = 1, d: str = "d") -> str:
    """dy/dx, d²y/dx², ∂y/∂x (d="∂"), or d/dx when the value has no name."""
    x = unicode(var)
    if order == 1:
        return f"{d}{value}/{d}{x}" if value and value.isidentifier() else f"{d}/{d}{x}"
    n = str(order).translate(_SUPERSCRIPTS)
    return f"{d}{n}{value}/{d}{x}{n}"


def lhs(view: StepView, d: str = "d") -> str:
    """What a step's line starts with: dy/du, or d/dx (x²) when the value is not named."""
    step = view.step
    if view.value and view.value.isidentifier():
        return leibniz(view.value, step.var, step.order, d)
    if view.value:  # y', y'', … in a higher derivative
        return f"{d}/{d}{unicode(step.var)} {view.value}"
    return f"{d}/{d}{unicode(step.var)} ({unicode(view.expr)})"


class TerminalRenderer:
    """An outline: the task, numbered steps (rule, formula, intermediate, result), the result."""

    def __init__(self, lang: str = "en", at: dict | None = None, partial: bool = False) -> None:
        self.lang = lang
        self.at = at
        self.d = "∂" if partial else "d"  # ∂ for the partial derivatives of a gradient
        printer = self.printer = UnicodePrinter()
        # a formula's own spaces do not break; plain text wraps between "=" and words, and a
        # long formula between its terms
        self.u = lambda expr: breakable(printer.doprint(expr).replace(" ", NBSP))

    def word(self, key: str, **fields) -> str:
        return messages.word(key, self.lang, **fields)

    def render(self, outline: Outline, verdict: bool = True) -> list[Line]:
        self.printer.typed = outline.derivation.typed or self.printer.typed
        self.root_d = "∂" if outline.steps[0].partial else self.d
        lines = [self.task(outline), Line()]
        for piece in top_down(outline.steps, self.step):
            lines.extend(piece)
        lines.append(Line())
        lines.extend(self.result(outline, verdict))
        return lines

    def task(self, outline: Outline) -> Line:
        d = outline.derivation
        if outline.equation is not None:
            left, right = outline.equation
            key = "ui.implicit_task" if d.order == 1 else "ui.implicit_task_order"
            y, x = self.u(d.dependent), self.u(d.var)
            text = self.word(key, equation=f"{self.u(left)} = {self.u(right)}", var=x,
                             order=d.order, function=f"{y} = {y}({x})")  # fmt: skip
            return Line().add(text, STYLE["task"])
        expr = f"{self.u(outline.label)} = {self.u(outline.expr)}"
        key = "ui.task" if d.order == 1 else "ui.task_order"
        text = self.word(key, expr=expr, var=self.u(d.var), order=d.order)
        return Line().add(text, STYLE["task"])

    def side(self, side) -> str:
        """One side of an equation line: an expression, or d/dx (expression)."""
        if isinstance(side, Applied):
            return f"d/d{self.u(side.var)} ({self.u(side.expr)})"
        return self.u(side)

    def equation_line(self, equation: Equation, lead: str | None = None) -> Line:
        """left = right, with its reason in the formula style; `lead` replaces the left side
        ('=' continuing the line before)."""
        left = self.side(equation.left) if lead is None else lead
        line = Line().add(f"{left} = {self.side(equation.right)}")
        if equation.why is not None:
            line.add("   " + self.word(f"why.{equation.why}").replace(" ", NBSP), STYLE["formula"])
        return line

    def step(self, view: StepView) -> tuple[list[Line], list[Line]]:
        """A step's lines before its sub-steps (the rule, the names and parts), and the lines
        after them (the chain that combines their results)."""
        indent = 2 * view.depth
        header = Line(indent).add(f"{view.number}. ", STYLE["number"])
        header.add(view.name, STYLE["rule"])
        formula = rule_formula(view)[0]
        if view.see is not None:
            formula = self.word("ui.see_step", number=view.see)
        if formula:
            header.add("   " + formula, STYLE["formula"])
        body: list[Line] = []
        if view.note:
            body.append(Line().add(view.sentence, STYLE["note"]))
        for name, value in view.lets:
            line = Line().add(self.word("ui.let") + " ", STYLE["let"])
            body.append(line.add(f"{self.u(name)} = {self.u(value)}"))
        paths = getattr(view.step, "paths", ())
        if view.outer is not None and not paths:  # with paths the tree's top says it
            named = view.value if view.value else self.u(view.expr)
            body.append(Line().add(f"{named} = {self.u(view.outer)}"))
        if paths:
            body.extend(self.dependency_tree(view))
        # d/dx (F) = d/dx (G) before the sides are worked, what they give after
        body.extend(self.equation_line(e) for e in view.equations[:1])
        if view.parts:
            named = ", ".join(f"{name} = {self.u(part)}" for name, part in view.parts)
            body.append(Line().add(self.word("ui.with") + " ", STYLE["let"]).add(named))
        for line in body:
            line.indent = indent + 3
        opening = [header, *body]
        body = [self.equation_line(e) for e in view.equations[1:]]
        d = "∂" if view.partial else self.d
        line = Line().add(lhs(view, d), STYLE["lhs"])
        if paths:
            products = signed_sum([self.u(p.product) for p in paths])  # a 0 path shows as 0
            line.add(" = " + self.path_sum(view) + " = " + products)
        chain = isinstance(view.step, S.ChainStep) and view.lets
        if chain and view.value and view.value.isidentifier():
            u, x = self.u(view.step.intermediate), self.u(view.step.var)
            line.add(f" = {d}{view.value}/{d}{u} · {d}{u}/{d}{x}")
        if view.via is not None:
            line.add(" = " + self.u(view.via))
        operator = "∂" if view.partial or self.d == "∂" else None  # x' would not say by what
        for form in view.worked:
            line.add(
                " = " + breakable(built_text(form.expr, self.printer, operator).replace(" ", NBSP))
            )
        if not view.settled:
            line.add(" = " + self.u(view.result))
        if view.times is not None:
            line.add(" · " + leibniz(self.u(view.times), view.step.var, d=d))
        if view.why is not None:
            line.add("   " + self.word(f"why.{view.why}").replace(" ", NBSP), STYLE["formula"])
        body.append(line)
        body.extend(self.equation_line(e, lead=" " * len(line.text.split(" = ")[0]))
                    for e in view.after)  # fmt: skip
        for line in body:
            line.indent = indent + 3
        return opening, body

    def path_sum(self, view: StepView) -> str:
        """∂y/∂u·∂u/∂x + ∂y/∂v·∂v/∂x: one product of partials per path."""
        terms = []
        for path in view.step.paths:
            names = [view.value or "y", *(str(n) for n in path.via), str(view.step.var)]
            edges = zip(names, names[1:], strict=False)
            terms.append(
                "·".join(leibniz(a, sympy.Symbol(b), d=edge_d(view, a, self.d)) for a, b in edges)
            )
        return " + ".join(terms)

    def dependency_tree(self, view: StepView) -> list[Line]:
        """What depends on what: the value at the top, the variables at the leaves."""
        step = view.step
        definition = dict(step.lets)
        lines = []
        stack = [(sympy.Symbol(view.value or "y"), step.written, "", "", True)]
        while stack:
            name, value, lead, branch, top = stack.pop()
            label = f"{self.u(name)} = {self.u(value)}" if value is not None else self.u(name)
            lines.append(Line().add(("" if top else lead + branch) + label, STYLE["formula"]))
            if value is None:
                continue
            kids = sorted(value.free_symbols, key=str)
            inner = "" if top else lead + ("   " if branch == "└─ " else "│  ")
            for i, kid in reversed(list(enumerate(kids))):
                last = i == len(kids) - 1
                stack.append((kid, definition.get(kid), inner, "└─ " if last else "├─ ", False))
        root_label = lines[0].text

        def tree():
            from rich.tree import Tree

            top = Tree(root_label, style=STYLE["formula"], guide_style="dim")
            grow = [(top, step.written)]
            while grow:
                node, value = grow.pop()
                for kid in sorted(value.free_symbols, key=str):
                    kid_value = definition.get(kid)
                    text = self.u(kid) + (
                        f" = {self.u(kid_value)}" if kid_value is not None else ""
                    )
                    branch = node.add(text.replace(NBSP, " "))
                    if kid_value is not None:
                        grow.append((branch, kid_value))
            return top

        lines[0].rich = tree
        for line in lines[1:]:
            line.rich_skip = True
        return lines

    def result(self, outline: Outline, verdict: bool = True) -> list[Line]:
        d = outline.derivation
        lines = [Line().add(self.word("ui.result"), STYLE["heading"])]
        first = Line(2, hang=4).add(
            leibniz(outline.value, d.var, d.order, self.root_d), STYLE["lhs"]
        )
        start = d.root.result if d.simplify else outline.result
        first.add(" = " + self.u(start), None if d.simplify else STYLE["result"])
        lines.append(first)
        for rewrite in d.simplify:
            line = Line(4, hang=4).add("= ").add(self.u(rewrite.after), STYLE["result"])
            lines.append(
                line.add(
                    "   " + self.word(f"why.{rewrite.why}").replace(" ", NBSP), STYLE["formula"]
                )
            )
        if outline.named:
            lines.append(Line(2).add("(" + self.word("ui.named") + ")", STYLE["note"]))
        if d.in_terms_of is not None:
            name = self.u(d.in_terms_of.name)
            intro = self.word("ui.in_terms_of", named=f"{name} = {self.u(d.expr)}")
            dydx = leibniz(outline.value, d.var, d=self.root_d)
            line = Line(2, hang=4).add(intro + " ").add(dydx, STYLE["lhs"])
            lines.append(line.add(" = " + self.u(d.in_terms_of.result), STYLE["result"]))
        if self.at is not None:
            lines.append(self.value_line(self.at))
        if verdict:
            lines.append(self.verdict(outline))
        return lines

    def value_line(self, at: dict) -> Line:
        point = ", ".join(f"{self.u(k)} = {self.u(v)}" for k, v in at["point"].items())
        line = Line(2, hang=4).add(self.word("ui.value", point=point) + ": ")
        exact = at["exact"]
        undefined = exact.has(sympy.zoo, sympy.nan)
        said = self.word(undefined_key(at), point=point)
        line.add(said if undefined else self.u(exact), STYLE["result"])
        if at["decimal"] is not None and not exact.is_Integer:
            line.add(" ≈ " + approx(at["decimal"]))
        return line

    def verdict(self, outline: Outline) -> Line:
        if outline.derivation.verified:
            return Line().add("✓ " + self.word("ui.verified"), STYLE["ok"])
        numbers = ", ".join(str(n) for n in outline.failures)
        return Line().add("✗ " + self.word("ui.not_verified", numbers=numbers), STYLE["bad"])


def edge_d(view: StepView, parent: str, default: str = "d", partial: str = "∂") -> str:
    """∂ for a function of several variables (z(u, x)), d for a function of one (u(x))."""
    step = view.step
    definition = {str(n): v for n, v in step.lets}
    expr = definition.get(parent, step.written)
    return partial if len(expr.free_symbols) > 1 else default


# A bracket holding more than this many characters may be broken between its terms.
LONG_GROUP = 30


def breakable(text: str) -> str:
    """A formula (its spaces non-breaking) that may be wrapped before a + or − between terms:
    at the top level, or inside a bracket too long for a line's end (never inside (x² + 1))."""
    if "\u00a0+\u00a0" not in text and "\u00a0−\u00a0" not in text:
        return text
    close: dict[int, int] = {}
    opened: list[int] = []
    for i, c in enumerate(text):
        if c in "([{":
            opened.append(i)
        elif c in ")]}" and opened:
            close[opened.pop()] = i
    spans = sorted(close.items())
    out = list(text)
    for i in range(len(text) - 2):
        if text[i] != NBSP or text[i + 1] not in "+−" or text[i + 2] != NBSP:
            continue
        inner = None  # the innermost bracket around the operator
        for start, end in spans:
            if start < i < end and (inner is None or start > inner[0]):
                inner = (start, end)
        if inner is None or inner[1] - inner[0] > LONG_GROUP:
            out[i] = " "
    return "".join(out)


def signed_sum(terms: list[str], minus: str = "−") -> str:
    """a + b − c rather than a + b + −c."""
    out = terms[0] if terms else "0"
    for term in terms[1:]:
        out += f" {minus} {term[1:]}" if term.startswith(minus) else f" + {term}"
    return out


def plain(lines: list[Line], width: int = WIDTH) -> str:
    """The layout as plain text, wrapped at `width` columns, no colour, no control codes."""
    out = []
    for line in lines:
        text = line.text
        if not text:
            out.append("")
            continue
        if not line.wrap:
            out.append(" " * line.indent + text.rstrip())
            continue
        out.extend(
            textwrap.wrap(
                text,
                width=max(width, line.indent + line.hang + 20),
                initial_indent=" " * line.indent,
                subsequent_indent=" " * (line.indent + line.hang),
                break_on_hyphens=False,
            )
        )
    return "".join(row.replace(NBSP, " ") + "\n" for row in out)


def rich_renderable(lines: list[Line]):
    """The layout for Rich: each line a Text with its styles, indented with Padding."""
    from rich.console import Group
    from rich.padding import Padding
    from rich.text import Text

    rows = []
    for line in lines:
        if line.rich_skip:
            continue
        if line.rich is not None:
            drawn = line.rich()
            rows.append(Padding(drawn, (0, 0, 0, line.indent)) if line.indent else drawn)
            continue
        text = Text(no_wrap=not line.wrap)
        for piece, style in line.pieces:
            text.append(piece.replace(NBSP, " "), style or "")
        rows.append(Padding(text, (0, 0, 0, line.indent)) if line.indent else text)
    return Group(*rows)


def render_text(
    derivation: S.Derivation,
    lang: str = "en",
    width: int = WIDTH,
    at: dict | None = None,
    color: bool = False,
) -> str:
    """The layout as a string: plain text unless `color` (then Rich's ANSI codes)."""
    return to_string(layout(derivation, lang, at), width, color)


def to_string(lines: list[Line], width: int = WIDTH, color: bool = False) -> str:
    """Lines of a layout as plain text, or with colour through Rich."""
    if not color:
        return plain(lines, width)
    import io

    from rich.console import Console

    buffer = io.StringIO()
    console = Console(
        file=buffer, width=width, force_terminal=True, color_system="auto", highlight=False,
        emoji=False,
    )  # fmt: skip
    console.print(rich_renderable(lines))
    return buffer.getvalue()


def layout(derivation: S.Derivation, lang: str = "en", at: dict | None = None) -> list[Line]:
    renderer = TerminalRenderer(lang, at)
    renderer.printer.typed = derivation.typed or {}  # w·x + b as typed
    return renderer.render(outline(derivation, lang, show=renderer.u))


def renderable(derivation: S.Derivation, lang: str = "en", at: dict | None = None):
    """What `console.print` shows for a derivation (Derivation.__rich__)."""
    return rich_renderable(layout(derivation, lang, at))


def derivation_text(derivation: S.Derivation, o) -> str:
    """The terminal and text formats (render/__init__.py: RENDERERS)."""
    return render_text(derivation, o.lang, o.width, o.at, color=o.color)
