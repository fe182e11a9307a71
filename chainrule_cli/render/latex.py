"""The derivation as LaTeX: `align*` rows a teacher would accept, for homework and for KaTeX.

Each step is a row `dy/du = … && \\text{n. rule: formula}`; a step with sub-steps opens with the
names it introduces (u = wx + b) and closes, after its sub-steps, with the combination
(dy/dx = dy/du · du/dx = …). Only amsmath is needed; no macro KaTeX or MathJax lacks.
"""

from __future__ import annotations

import re

import sympy

from chainrule_cli.calculus import steps as S
from chainrule_cli.render import messages
from chainrule_cli.render.formulas import FORMULAS
from chainrule_cli.render.printing import TextbookLatexPrinter, latex
from chainrule_cli.render.terminal import edge_d, signed_sum
from chainrule_cli.render.view import Applied, Outline, StepView, outline

# A row's mathematics is broken into several rows beyond this many characters of LaTeX.
ROW_CHARS = 80
# Rows per align* environment: TeX keeps a whole environment in memory.
ROWS_PER_BLOCK = 80

_ESCAPES = {
    "\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
    "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
}  # fmt: skip


def escape(text: str) -> str:
    """Text for \\text{…} and paragraphs: LaTeX's special characters escaped."""
    return "".join(_ESCAPES.get(c, c) for c in text)


def _symbol(name: str) -> str:
    return latex(sympy.Symbol(name))


def leibniz(value: str | None, var: sympy.Symbol, order: int = 1, d: str = "d") -> str:
    """\\frac{dy}{dx}, or with d = \\partial the partial derivative."""
    x = latex(var)
    sep = "" if d == "d" else " "
    if not value or not value.isidentifier():
        return rf"\frac{{{d}}}{{{d}{sep}{x}}}"
    y = _symbol(value)
    if order == 1:
        return rf"\frac{{{d}{sep}{y}}}{{{d}{sep}{x}}}"
    return rf"\frac{{{d}^{{{order}}}{sep}{y}}}{{{d}{sep}{x}^{{{order}}}}}"


def annotate(rows: list[str], note: str) -> list[str]:
    """The note (rule and formula) on a row of its own above the mathematics. A note column
    beside the rows would add the widest note to the widest formula and run off the page."""
    if not note:
        return rows
    return [f"&\\qquad {note}", *rows]


class LatexRenderer:
    """One `align*` derivation (several for long ones), the result boxed."""

    def __init__(self, lang: str = "en", at: dict | None = None, partial: bool = False) -> None:
        self.lang = lang
        self.at = at
        self.d = r"\partial" if partial else "d"
        self.tex = TextbookLatexPrinter().doprint

    def chunks(self, expr: sympy.Expr) -> list[str]:
        """The LaTeX of expr, cut at its top-level terms or factors into pieces fit for a row."""
        whole = self.tex(expr)
        if len(whole) <= ROW_CHARS or not (expr.is_Add or expr.is_Mul):
            return [whole]
        if expr.is_Add:
            pieces = []
            for term in expr.as_ordered_terms():
                text = self.tex(term)
                pieces.append(text if text.startswith("-") else "+ " + text)
            pieces[0] = pieces[0].removeprefix("+ ")
            joiner = " "
        else:
            pieces = [
                rf"\left({self.tex(f)}\right)" if f.is_Add else self.tex(f)
                for f in expr.as_ordered_factors()
            ]
            joiner = r" \cdot "
        rows: list[str] = []
        current = ""
        for piece in pieces:
            if current and len(current) + len(piece) > ROW_CHARS:
                rows.append(current)
                current = ("" if joiner == " " else r"\cdot ") + piece
            else:
                current = piece if not current else current + joiner + piece
        rows.append(current)
        return rows

    def word(self, key: str, **fields) -> str:
        return messages.word(key, self.lang, **fields)

    # ---- rows ----------------------------------------------------------------------------
    def lhs(self, view: StepView) -> str:
        step = view.step
        d = r"\partial" if view.partial else self.d
        if view.value and view.value.isidentifier():
            return leibniz(view.value, step.var, step.order, d)
        if view.value:  # y', y'' in a higher derivative
            return rf"{leibniz(None, step.var, d=d)} {view.value}"
        return rf"{leibniz(None, step.var, d=d)}\left({self.tex(view.expr)}\right)"

    def note(self, view: StepView) -> str:
        name = rf"\text{{{view.number}. {escape(view.name)}}}"
        if view.see is not None:
            return name + rf"\ \text{{({escape(self.word('ui.see_step', number=view.see))})}}"
        formula = FORMULAS[view.formula][1]
        return f"{name}\\quad {formula}" if formula else name

    def equation(self, lhs: str, rhs: list[str], note: str = "") -> list[str]:
        """lhs = rhs over one or more rows; the note goes on the first."""
        rows = [f"{lhs} &= {rhs[0]}"]
        rows.extend(rf"&\quad {piece}" for piece in rhs[1:])
        return annotate(rows, note)

    def side(self, side) -> str:
        """One side of an equation row: an expression, or d/dx (expression)."""
        if isinstance(side, Applied):
            return rf"{leibniz(None, side.var, d=self.d)}\left({self.tex(side.expr)}\right)"
        return self.tex(side)

    def why(self, key: str | None) -> str:
        return rf"\text{{{escape(self.word(f'why.{key}'))}}}" if key else ""

    def equation_rows(self, equations, lead: bool = True) -> list[str]:
        """Rows left = right, each with its reason above it; lead=False continues a chain
        (= right)."""
        rows: list[str] = []
        for equation in equations:
            left = self.side(equation.left) if lead else ""
            rows.extend(self.equation(left, [self.side(equation.right)], self.why(equation.why)))
        return rows

    def opening(self, view: StepView) -> list[str]:
        """The row before a step's sub-steps: the names it introduces, or what it takes apart."""
        step = view.step
        if view.equations:  # d/dx (F) = d/dx (G), before each side is worked out
            return annotate(self.equation_rows(view.equations[:1]), self.note(view))
        parts = [f"{self.tex(name)} = {self.tex(value)}" for name, value in view.lets]
        named = view.value and view.value.isidentifier()
        if view.outer is not None:
            lhs = _symbol(view.value) if named else self.tex(view.expr)
            parts.append(f"{lhs} = {self.tex(view.outer)}")
        if view.lets:
            lead = rf"\text{{{escape(self.word('ui.let'))}}}\ "
            return annotate([f"&{lead}" + r",\quad ".join(parts)], self.note(view))
        if parts:
            return annotate([f"&{parts[0]}"], self.note(view))
        if named:
            d = leibniz(None, step.var, d=r"\partial" if view.partial else self.d)
            row = f"{self.lhs(view)} &= {d}\\left({self.tex(view.expr)}\\right)"
            return annotate([row], self.note(view))
        return annotate([f"&{self.lhs(view)}"], self.note(view))

    def mixed(self, key: str, **math: str) -> str:
        """A catalog phrase with mathematics in it: text parts in \\text{…}, the rest as math."""
        marks = {f"@{name}@": value for name, value in math.items()}
        words = self.word(key, **{name: f"@{name}@" for name in math})
        out = []
        for part in re.split("(" + "|".join(map(re.escape, marks)) + ")", words):
            if part in marks:
                out.append(marks[part])
            elif part:
                out.append(rf"\text{{{escape(part)}}}")
        return " ".join(out)

    def closing(self, view: StepView) -> list[str]:
        """The row after a step's sub-steps: what they combine to."""
        step = view.step
        rhs = self.chunks(view.result)
        if isinstance(step, S.ChainStep):
            u, x, d = str(step.intermediate), step.var, r"\partial" if view.partial else self.d
            du_dx = leibniz(u, x, d=d)
            outer = self.tex(step.outer)
            product = rf"{leibniz(None, step.intermediate, d=d)}\left({outer}\right) \cdot {du_dx}"
            if view.value and view.value.isidentifier():
                product = rf"{leibniz(view.value, step.intermediate, d=d)} \cdot {du_dx}"
            if view.times is not None:
                rhs[-1] += rf" \cdot {du_dx}"
            if view.via is not None:
                product += f" = {self.tex(view.via)}"
            rhs = [f"{product} = {rhs[0]}", *rhs[1:]]
        elif getattr(step, "paths", ()):
            terms = []
            for path in step.paths:
                names = [view.value or "y", *(str(n) for n in path.via), str(step.var)]
                edges = zip(names, names[1:], strict=False)
                terms.append(
                    " ".join(
                        leibniz(a, sympy.Symbol(b), d=edge_d(view, a, self.d, r"\partial"))
                        for a, b in edges
                    )
                )
            products = signed_sum([self.tex(p.product) for p in step.paths], "-")
            rhs = [" + ".join(terms) + f" = {products}", "= " + rhs[0], *rhs[1:]]
        elif view.via is not None:
            rhs[0] = f"{self.tex(view.via)} = {rhs[0]}"
        rows = self.equation_rows(view.equations[1:])
        rows.extend(self.equation(self.lhs(view), rhs, self.why(view.why)))
        return rows + self.equation_rows(view.after, lead=False)

    def rows(self, outline: Outline) -> list[list[str]]:
        """The rows of the steps, in blocks of at most ROWS_PER_BLOCK rows."""
        self.root_d = r"\partial" if outline.steps[0].partial else self.d
        rows: list[str] = []
        pending: list[StepView] = []  # composite steps waiting for their closing row
        for view in outline.steps:
            while pending and pending[-1].level >= view.level:
                rows.extend(self.closing(pending.pop()))
            if view.step.substeps and not isinstance(view.step, S.RepeatStep):
                rows.extend(self.opening(view))
                pending.append(view)
            else:
                rhs = self.chunks(view.result)
                if view.via is not None:
                    rhs[0] = f"{self.tex(view.via)} = {rhs[0]}"
                rows.extend(self.equation(self.lhs(view), rhs, self.note(view)))
        while pending:
            rows.extend(self.closing(pending.pop()))
        # every row stands alone, so a long derivation splits anywhere into several align*
        return [rows[i : i + ROWS_PER_BLOCK] for i in range(0, len(rows), ROWS_PER_BLOCK)]

    def result_rows(self, outline: Outline) -> list[str]:
        """The rewrites that follow the root's result, then the answer boxed."""
        d = outline.derivation
        dydx = leibniz(outline.value, d.var, d.order, getattr(self, "root_d", self.d))
        rows = []
        for rewrite in d.simplify:
            note = rf"\text{{{escape(self.word(f'why.{rewrite.why}'))}}}"
            rows.extend(self.equation("", self.chunks(rewrite.after), note))
        pieces = self.chunks(outline.result)
        if len(pieces) == 1:
            rows.append(rf"&\boxed{{{dydx} = {pieces[0]}}}")
        else:
            note = rf"\text{{{escape(self.word('ui.result'))}}}"
            rows.extend(self.equation(dydx, pieces, note))
        if d.in_terms_of is not None:
            intro = self.mixed(
                "ui.in_terms_of",
                name=self.tex(d.in_terms_of.name),
                expr=self.tex(outline.expr),
            )
            rows.append(f"&{intro}")
            rows.extend(self.equation(dydx, self.chunks(d.in_terms_of.result)))
        if self.at is not None:
            rows.append(self.value_row(dydx, self.at))
        return rows

    def value_row(self, dydx: str, at: dict) -> str:
        point = r",\ ".join(f"{self.tex(k)} = {self.tex(v)}" for k, v in at["point"].items())
        exact = at["exact"]
        if exact.has(sympy.zoo, sympy.nan):
            value = rf"\text{{{escape(self.word('ui.undefined'))}}}"
        else:
            value = self.tex(exact)
            if at["decimal"] is not None and not exact.is_Integer:
                value += rf" \approx {at['decimal']:.12g}"  # LaTeX makes - a minus
        return rf"&\left.{dydx}\right|_{{{point}}} = {value}"

    # ---- the whole ----------------------------------------------------------------------
    def given(self, outline: Outline) -> str:
        """The first row: what is differentiated, y = … or f(x) = …, or the equation."""
        if outline.equation is not None:
            left, right = outline.equation
            return f"{self.tex(left)} &= {self.tex(right)}"
        return f"{self.tex(outline.label)} &= {self.tex(outline.expr)}"

    def render(self, outline: Outline) -> str:
        d = outline.derivation
        blocks = self.rows(outline)
        blocks[0].insert(0, self.given(outline))
        blocks[-1].extend(self.result_rows(outline))
        out = []
        for rows in blocks:
            out.append("\\begin{align*}\n" + " \\\\\n".join(rows) + "\n\\end{align*}")
        if not d.verified:
            numbers = ", ".join(str(n) for n in outline.failures)
            out.append(r"\textbf{" + escape(self.word("ui.not_verified", numbers=numbers)) + "}")
        return "\n".join(out) + "\n"

    def section(self, outline: Outline) -> str:
        """The task as a sentence, then the derivation: one part of a document."""
        return "\\noindent " + self.task(outline) + "\n" + self.render(outline)

    def task(self, outline: Outline) -> str:
        """The task as a sentence of text with its mathematics in $…$."""
        d = outline.derivation
        if outline.equation is not None:
            key = "ui.implicit_task" if d.order == 1 else "ui.implicit_task_order"
            y, x = self.tex(d.dependent), self.tex(d.var)
            math = {"equation": self.given(outline).replace("&", ""),
                    "function": f"{y} = {y}({x})"}  # fmt: skip
        else:
            key = "ui.task" if d.order == 1 else "ui.task_order"
            math = {"expr": self.given(outline).replace("&", "")}
        math["var"] = self.tex(d.var)
        words = escape(self.word(key, order=d.order, **{k: f"@{k}@" for k in math}))
        for name, value in math.items():
            words = words.replace(f"@{name}@", f"${value}$")
        return words


def wrap_document(sections: list[str], lang: str = "en") -> str:
    """A whole document around derivations: amsmath only (and ctex for Chinese, for xelatex)."""
    preamble = [r"\documentclass{article}"]
    if lang == "zh":
        preamble.append(r"\usepackage{ctex}")
    preamble += [
        r"\usepackage{amsmath}",
        r"\usepackage[margin=2cm]{geometry}",
        r"\allowdisplaybreaks",
        r"\begin{document}",
    ]
    body = "\n\\bigskip\n".join(sections)
    return "\n".join(preamble) + "\n" + body + "\\end{document}\n"


def render_latex(
    derivation: S.Derivation, lang: str = "en", standalone: bool = False, at: dict | None = None
) -> str:
    """An align* block to paste into homework, or (standalone) a document that compiles."""
    renderer = LatexRenderer(lang, at)
    view = outline(derivation, lang)
    if standalone:
        return wrap_document([renderer.section(view)], lang)
    return renderer.render(view)


def render_section(derivation: S.Derivation, lang: str = "en", at: dict | None = None) -> str:
    """The task sentence and the derivation, for a document holding several (batch)."""
    return LatexRenderer(lang, at).section(outline(derivation, lang))
