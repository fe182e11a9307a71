"""The derivation as Markdown for notes and notebooks: headings, the steps as a list, math in
$…$ and $$…$$ (GitHub, Obsidian, Jupyter)."""

from __future__ import annotations

from chainrule_cli.calculus import steps as S
from chainrule_cli.render import messages
from chainrule_cli.render.formulas import FORMULAS
from chainrule_cli.render.latex import LatexRenderer, leibniz
from chainrule_cli.render.printing import UnicodePrinter, latex
from chainrule_cli.render.terminal import signed_sum
from chainrule_cli.render.view import Outline, StepView, outline


class MarkdownRenderer:
    """A heading, one list item per step (nested by depth), the result in a display block."""

    def __init__(self, lang: str = "en", at: dict | None = None, partial: bool = False) -> None:
        self.lang = lang
        self.at = at
        self.latex = LatexRenderer(lang, partial=partial)
        self.tex = self.latex.tex
        self.u = UnicodePrinter().doprint

    def word(self, key: str, **fields) -> str:
        return messages.word(key, self.lang, **fields)

    def item(self, view: StepView) -> str:
        parts = [f"**{view.number}. {view.name}**"]
        formula = FORMULAS[view.formula][1]
        if view.see is not None:
            parts[0] += " (" + self.word("ui.see_step", number=view.see) + ")"
        elif formula:
            parts[0] += f" ${formula}$"
        if view.note:
            parts.append(view.sentence)
        if view.lets:
            names = ", ".join(f"${self.tex(n)} = {self.tex(v)}$" for n, v in view.lets)
            parts.append(f"{self.word('ui.let')} {names}")
        if view.outer is not None:
            named = self.tex(view.expr) if not view.value else latex_name(view.value)
            parts.append(f"${named} = {self.tex(view.outer)}$")
        for equation in view.equations:
            why = f" ({self.word(f'why.{equation.why}')})" if equation.why else ""
            sides = f"{self.latex.side(equation.left)} = {self.latex.side(equation.right)}"
            parts.append(f"${sides}${why}")
        via = f" = {self.tex(view.via)}" if view.via is not None else ""
        if getattr(view.step, "paths", ()):
            via = " = " + signed_sum([self.tex(p.product) for p in view.step.paths], "-")
        result = f"{self.latex.lhs(view)}{via} = {self.tex(view.result)}"
        if view.times is not None:
            result += rf" \cdot {leibniz(str(view.times), view.step.var, d=self.latex.d)}"
        for equation in view.after:
            result += f" = {self.latex.side(equation.right)}"
        why = f" ({self.word(f'why.{view.why}')})" if view.why else ""
        parts.append(f"${result}${why}")
        return "  " * view.depth + "- " + " — ".join(parts)

    def render(self, outline: Outline) -> str:
        self.latex.root_d = r"\partial" if outline.steps[0].partial else self.latex.d
        d = outline.derivation
        task = self.latex.task(outline)
        lines = [f"### {task}", "", f"#### {self.word('ui.steps')}", ""]
        lines.extend(self.item(view) for view in outline.steps)
        lines += ["", f"#### {self.word('ui.result')}", ""]
        dydx = leibniz(outline.value, d.var, d.order, self.latex.root_d)
        lines.append(f"$${dydx} = {self.tex(outline.result)}$$")
        for rewrite in d.simplify:
            why = self.word(f"why.{rewrite.why}")
            lines += ["", f"{why}: ${self.tex(rewrite.before)} = {self.tex(rewrite.after)}$"]
        if outline.named:
            lines += ["", f"({self.word('ui.named')})"]
        if d.in_terms_of is not None:
            name, expr = self.tex(d.in_terms_of.name), self.tex(outline.expr)
            intro = self.word("ui.in_terms_of", name="@N@", expr="@E@")
            intro = intro.replace("@N@ = @E@", f"${name} = {expr}$")
            lines += ["", f"{intro} ${dydx} = {self.tex(d.in_terms_of.result)}$"]
        if self.at is not None:
            lines += ["", "$" + self.latex.value_row(dydx, self.at).lstrip("&") + "$"]
        lines.append("")
        if d.verified:
            lines.append(self.word("ui.verified"))
        else:
            numbers = ", ".join(str(n) for n in outline.failures)
            lines.append(f"**{self.word('ui.not_verified', numbers=numbers)}**")
        return "\n".join(lines) + "\n"


def latex_name(name: str) -> str:
    import sympy

    return latex(sympy.Symbol(name)) if name.isidentifier() else name


def render_markdown(derivation: S.Derivation, lang: str = "en", at: dict | None = None) -> str:
    renderer = MarkdownRenderer(lang, at)
    return renderer.render(outline(derivation, lang, show=renderer.u))
