"""The derivation as Markdown for notes and notebooks: headings, the steps as a list, each with
its sentence and its equation chain (the LaTeX renderer's), math in $…$ and $$…$$ (GitHub,
Obsidian, Jupyter)."""

from __future__ import annotations

import sympy

from chainrule_cli.calculus import steps as S
from chainrule_cli.render import messages
from chainrule_cli.render.latex import LatexRenderer, leibniz, mixed_row
from chainrule_cli.render.printing import UnicodePrinter, latex
from chainrule_cli.render.view import Outline, StepView, outline, top_down


class MarkdownRenderer:
    """A heading, one list item per step (nested by depth), each with the rule, its parts or
    names, its sentence and its chain; the result in a display block."""

    def __init__(self, lang: str = "en", at: dict | None = None, partial: bool = False) -> None:
        self.lang = lang
        self.at = at
        self.latex = LatexRenderer(lang, partial=partial)
        self.tex = self.latex.tex
        self.printer = UnicodePrinter()
        self.u = self.printer.doprint

    def word(self, key: str, **fields) -> str:
        return messages.word(key, self.lang, **fields)

    def item(self, outline: Outline, view: StepView) -> tuple[list[str], list[str]]:
        """The list item of a step: its heading line, then (indented) a chain too long for one
        line as a $$ block; a composite step's chain comes after its sub-steps (the second
        list)."""
        head = f"**{view.number}. {view.name}**"
        formula = self.latex.formula(view)
        if view.see is not None:
            head += " (" + self.word("ui.see_step", number=view.see) + ")"
        elif formula:
            head += f" ${formula}$"
        parts = [head]
        named = self.latex.name_parts(view)
        if named:
            shown = r",\ ".join(f"{latex_name(n)} = {self.tex(v)}" for n, v in named)
            parts.append(f"{self.word('ui.with')} ${shown}$")
        if view.lets:
            names = ", ".join(f"${self.tex(n)} = {self.tex(v)}$" for n, v in view.lets)
            parts.append(f"{self.word('ui.let')} {names}")
        if view.outer is not None:
            lhs = self.tex(view.expr) if not view.value else latex_name(view.value)
            parts.append(f"${lhs} = {self.tex(view.outer)}$")
        if view.note:
            parts.append(self.sentence(outline, view))
        rows = self.latex.chain(view)
        if self.latex.is_root(view):  # the Result below boxes the answer
            last = rows[-1]
            if r"\boxed{" in last[1] and last[1].endswith("}"):
                last[1] = last[1].replace(r"\boxed{", "", 1)[:-1]
        if self.latex.composite(view) and view.equations:
            first = view.equations[0]
            opening = [self.latex.side(first.left), self.latex.side(first.right), ""]
            rows = [opening, *rows]
        indent = "  " * view.depth
        if self.latex.composite(view):
            # top-down: the rule and its parts, the sub-steps, then (a paragraph of this
            # item after them) the chain that combines their results
            block = self.latex.aligned(rows, 0, tags=False).removeprefix("&").replace("\n", " ")
            return [indent + "- " + " — ".join(parts)], ["", f"{indent}  $${block}$$", ""]
        if len(rows) == 1:
            left, right, why = rows[0]
            parts.append(f"${left} = {right}$")
            return [indent + "- " + " — ".join(parts)], []
        block = self.latex.aligned(rows, 0, tags=False).removeprefix("&")
        return [
            indent + "- " + " — ".join(parts),
            "",
            f"{indent}  $${block}$$".replace("\n", " "),
        ], []

    def sentence(self, outline: Outline, view: StepView) -> str:
        """The step's sentence, its mathematics in $…$."""
        out = []
        for kind, value in self.latex.sentence(outline, view):
            out.append(f"${value}$" if kind == "math" else value)
        return "".join(out).replace("$$", "")

    def render(self, outline: Outline) -> str:
        latex_renderer = self.latex
        latex_renderer.root_d = r"\partial" if outline.steps[0].partial else latex_renderer.d
        latex_renderer.outline = outline
        latex_renderer.boxed_apart = False
        latex_renderer.boxed_why = ""
        latex_renderer.part_names = {}
        d = outline.derivation
        task = latex_renderer.task(outline)
        lines = [f"### {task}", "", f"#### {self.word('ui.steps')}", ""]
        for piece in top_down(outline.steps, lambda view: self.item(outline, view)):
            lines.extend(piece)
        lines = [line for i, line in enumerate(lines) if line or lines[i - 1]]  # one blank
        while lines[-1] == "":
            lines.pop()
        lines += ["", f"#### {self.word('ui.result')}", ""]
        dydx = leibniz(outline.value, d.var, d.order, latex_renderer.root_d)
        lines.append(rf"$$\boxed{{{dydx} = {self.tex(outline.result)}}}$$")
        if outline.named:
            lines += ["", f"({self.word('ui.named')})"]
        if d.in_terms_of is not None:
            name, expr = self.tex(d.in_terms_of.name), self.tex(outline.expr)
            intro = self.word("ui.in_terms_of", named=f"${name} = {expr}$")
            lines += ["", f"{intro} ${dydx} = {self.tex(d.in_terms_of.result)}$"]
        if self.at is not None:
            lines += ["", "$" + latex_renderer.value_row(dydx, self.at).lstrip("&") + "$"]
        lines.append("")
        if d.verified:
            lines.append(self.word("ui.verified"))
        else:
            numbers = ", ".join(str(n) for n in outline.failures)
            lines.append(f"**{self.word('ui.not_verified', numbers=numbers)}**")
        return "\n".join(lines) + "\n"


def strip_text(why: str) -> str:
    """A reason's words without their \\text{…} (and its mathematics in $…$)."""
    out = []
    for piece in why.split(r"\text{"):
        if not piece:
            continue
        words, _, math = piece.partition("}")
        out.append(words + (f"${math.strip()}$" if math.strip() else ""))
    return "".join(out).replace(r"\ ", " ")


def latex_name(name: str) -> str:
    return latex(sympy.Symbol(name)) if name.isidentifier() else name


def render_markdown(derivation: S.Derivation, lang: str = "en", at: dict | None = None) -> str:
    renderer = MarkdownRenderer(lang, at)
    renderer.printer.typed = renderer.latex.printer.typed = derivation.typed or {}
    return renderer.render(outline(derivation, lang, show=renderer.u))


__all__ = ["MarkdownRenderer", "mixed_row", "render_markdown"]


def derivation_markdown(derivation: S.Derivation, o) -> str:
    """The Markdown format (render/__init__.py: RENDERERS)."""
    return render_markdown(derivation, o.lang, o.at)
