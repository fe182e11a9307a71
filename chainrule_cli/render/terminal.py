"""The derivation for people at a terminal (Rich), and as plain text. The only module importing
rich: `text` is this same layout without colour or control codes."""

from __future__ import annotations

import io

import sympy
from rich.console import Console, Group, RenderableType
from rich.padding import Padding
from rich.text import Text

from chainrule_cli.calculus import steps as S
from chainrule_cli.render import messages
from chainrule_cli.render.formulas import FORMULAS
from chainrule_cli.render.printing import UnicodePrinter, unicode
from chainrule_cli.render.view import Outline, StepView, outline

WIDTH = 80
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


def leibniz(value: str | None, var, order: int = 1) -> str:
    """dy/dx, d²y/dx², or d/dx when the value has no name."""
    x = unicode(var)
    if order == 1:
        return f"d{value}/d{x}" if value and value.isidentifier() else f"d/d{x}"
    n = str(order).translate(_SUPERSCRIPTS)
    return f"d{n}{value}/d{x}{n}"


def lhs(view: StepView) -> str:
    """What a step's line starts with: dy/du, or d/dx (x²) when the value is not named."""
    step = view.step
    if view.value and view.value.isidentifier():
        return leibniz(view.value, step.var, step.order)
    if view.value:  # y', y'', … in a higher derivative
        return f"d/d{unicode(step.var)} {view.value}"
    return f"d/d{unicode(step.var)} ({unicode(view.expr)})"


class TerminalRenderer:
    """An outline: the task, numbered steps (rule, formula, intermediate, result), the result."""

    def __init__(self, lang: str = "en", at: dict | None = None) -> None:
        self.lang = lang
        self.at = at
        self.u = UnicodePrinter().doprint

    def word(self, key: str, **fields) -> str:
        return messages.word(key, self.lang, **fields)

    def render(self, outline: Outline) -> RenderableType:
        parts: list[RenderableType] = [self.task(outline), Text()]
        parts.extend(self.step(view) for view in outline.steps)
        parts.append(Text())
        parts.append(self.result(outline))
        return Group(*parts)

    def task(self, outline: Outline) -> Text:
        d = outline.derivation
        expr = f"{outline.value} = {self.u(d.expr)}"
        key = "ui.task" if d.order == 1 else "ui.task_order"
        return Text(self.word(key, expr=expr, var=self.u(d.var), order=d.order), STYLE["task"])

    def step(self, view: StepView) -> RenderableType:
        header = Text()
        header.append(f"{view.number}. ", STYLE["number"])
        header.append(view.name, STYLE["rule"])
        formula = FORMULAS[view.formula][0]
        if view.see is not None:
            formula = self.word("ui.see_step", number=view.see)
        if formula:
            header.append("   " + formula, STYLE["formula"])
        body: list[Text] = []
        if view.note:
            body.append(Text(view.sentence, STYLE["note"]))
        for name, value in view.lets:
            line = Text(self.word("ui.let") + " ", STYLE["let"])
            line.append(f"{self.u(name)} = {self.u(value)}")
            body.append(line)
        if view.outer is not None:
            named = view.value if view.value else self.u(view.expr)
            body.append(Text(f"{named} = {self.u(view.outer)}"))
        line = Text(lhs(view), STYLE["lhs"])
        if isinstance(view.step, S.ChainStep) and view.via is not None:
            u, x = self.u(view.step.intermediate), self.u(view.step.var)
            line.append(f" = d{view.value}/d{u} · d{u}/d{x}")
        if view.via is not None:
            line.append(" = " + self.u(view.via))
        line.append(" = " + self.u(view.result))
        if view.times is not None:
            line.append(" · " + leibniz(self.u(view.times), view.step.var))
        body.append(line)
        inner = Group(header, Padding(Group(*body), (0, 0, 0, 3)))
        return Padding(inner, (0, 0, 0, 2 * view.depth))

    def result(self, outline: Outline) -> RenderableType:
        d = outline.derivation
        lines = [Text(self.word("ui.result"), STYLE["heading"])]
        first = Text("  ")
        first.append(leibniz(outline.value, d.var, d.order), STYLE["lhs"])
        start = d.root.result if d.simplify else outline.result
        first.append(" = " + self.u(start), STYLE["result"] if not d.simplify else "")
        lines.append(first)
        for rewrite in d.simplify:
            line = Text("    = ")
            line.append(self.u(rewrite.after), STYLE["result"])
            line.append("   " + self.word(f"why.{rewrite.why}"), STYLE["formula"])
            lines.append(line)
        if outline.named:
            lines.append(Text("  (" + self.word("ui.named") + ")", STYLE["note"]))
        if d.in_terms_of is not None:
            name = self.u(d.in_terms_of.name)
            line = Text("  " + self.word("ui.in_terms_of", name=name, expr=self.u(d.expr)) + " ")
            line.append(leibniz(outline.value, d.var), STYLE["lhs"])
            line.append(" = " + self.u(d.in_terms_of.result), STYLE["result"])
            lines.append(line)
        if self.at is not None:
            lines.append(self.value_line(self.at))
        lines.append(self.verdict(outline))
        return Group(*lines)

    def value_line(self, at: dict) -> Text:
        point = ", ".join(f"{self.u(k)} = {self.u(v)}" for k, v in at["point"].items())
        line = Text("  " + self.word("ui.value", point=point) + ": ")
        exact = at["exact"]
        undefined = exact.has(sympy.zoo, sympy.nan)
        line.append(self.word("ui.undefined") if undefined else self.u(exact), STYLE["result"])
        if at["decimal"] is not None and not exact.is_Integer:
            line.append(f" ≈ {at['decimal']:.12g}")
        return line

    def verdict(self, outline: Outline) -> Text:
        if outline.derivation.verified:
            return Text("✓ " + self.word("ui.verified"), STYLE["ok"])
        numbers = ", ".join(str(n) for n in outline.failures)
        return Text("✗ " + self.word("ui.not_verified", numbers=numbers), STYLE["bad"])


def render_text(
    derivation: S.Derivation,
    lang: str = "en",
    width: int = WIDTH,
    at: dict | None = None,
    color: bool = False,
) -> str:
    """The layout as a string: plain (no colour, no control codes) unless `color`."""
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        width=width,
        force_terminal=color,
        color_system="auto" if color else None,
        highlight=False,
        emoji=False,
    )
    console.print(renderable(derivation, lang, at))
    if color:
        return buffer.getvalue()
    return "".join(line.rstrip() + "\n" for line in buffer.getvalue().splitlines())


def renderable(derivation: S.Derivation, lang: str = "en", at: dict | None = None):
    """What `console.print` shows for a derivation (Derivation.__rich__)."""
    renderer = TerminalRenderer(lang, at)
    return renderer.render(outline(derivation, lang, show=renderer.u))
