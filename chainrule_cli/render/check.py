"""A checked answer in every format: the verdict, how it was decided (a counterexample, the
likely mistake, the domain), and for a wrong answer the correct derivation. Computes nothing.
"""

from __future__ import annotations

import json

import sympy

from chainrule_cli.calculus.check import FARTHEST, NEEDED, Check
from chainrule_cli.render import messages
from chainrule_cli.render.jsonout import render_json
from chainrule_cli.render.latex import LatexRenderer, escape, escape_words, wrap_document
from chainrule_cli.render.latex import leibniz as latex_leibniz
from chainrule_cli.render.markdown import MarkdownRenderer
from chainrule_cli.render.printing import SympyTextPrinter, TextbookLatexPrinter
from chainrule_cli.render.terminal import STYLE, Line, TerminalRenderer, leibniz, to_string
from chainrule_cli.render.view import outline

SCHEMA = "chainrule.check/1"
MARK = {"correct": "✓", "incorrect": "✗", "undecided": "?"}
VERDICT_STYLE = {"correct": "ok", "incorrect": "bad", "undecided": "bad"}


def _value(value: sympy.Expr, show, approx: str = "≈") -> str:
    """cos(1) ≈ 0.540302, or 1/4 alone when it is a plain number."""
    shown = show(value)
    if value.is_Rational or not value.is_number:
        return shown
    try:
        number = complex(value.evalf(15))
    except (TypeError, ValueError):
        return shown  # no number here (an unevaluated derivative, say)
    decimal = f"{number.real:.6g}"
    if abs(number.imag) > 1e-12 * abs(number):
        decimal = f"{number.real:.6g} {'−' if number.imag < 0 else '+'} {abs(number.imag):.6g}i"
    decimal = decimal.replace("-", "−")
    if value.is_Float:
        return decimal
    return f"{shown} {approx} {decimal}"


def _point(point: dict, show) -> str:
    return ", ".join(f"{show(k)} = {show(v)}" for k, v in point.items())


def sentences(
    check: Check, lang: str, show, d: str, approx: str = "≈"
) -> list[tuple[str, str | None]]:
    """(sentence, style) lines under the verdict, in the order a teacher says them."""
    word = lambda key, **f: messages.word(key, lang, **f)  # noqa: E731
    comparison = check.comparison
    expected = show(check.expected.result)
    out: list[tuple[str, str | None]] = []
    if check.verdict == "correct":
        key = {
            "symbolic": "ui.how_symbolic",
            "curve": "ui.how_curve",
            "curve_points": "ui.how_curve_points",
        }.get(comparison.method, "ui.how_numeric")
        out.append((word(key, d=d, expected=expected, count=comparison.agreeing), None))
        if comparison.only_expected:
            out.append((word("ui.domain_expected", point=_point(comparison.only_expected, show)),
                        STYLE["note"]))  # fmt: skip
        if comparison.only_answer:
            out.append((word("ui.domain_answer", point=_point(comparison.only_answer, show)),
                        STYLE["note"]))  # fmt: skip
    elif check.verdict == "incorrect":
        example = comparison.counterexample
        out.append((word("ui.counterexample", point=_point(example.point, show),
                         answer=_value(example.answer, show, approx),
                         expected=_value(example.expected, show, approx)), None))  # fmt: skip
        mistake = check.mistake
        if mistake is not None:
            what = word(f"mistake.{mistake.kind}")
            out.append((word("ui.likely_mistake", what=what), STYLE["rule"]))
            line = word("ui.mistake_line", var=show(check.var), where=show(mistake.where),
                        correct=show(mistake.correct), wrong=show(mistake.wrong))  # fmt: skip
            out.append(("  " + line, STYLE["lhs"]))
    else:
        out.append((word("ui.undecided_why", d=d, expected=expected, count=comparison.agreeing,
                         needed=NEEDED, farthest=f"{FARTHEST:,}"), None))  # fmt: skip
    return out


def _typed(check: Check) -> dict:
    """The function and the answer as the student typed them ((sin x − x cos x)/x²)."""
    return getattr(check.expected, "typed", None) or {}


def _printer(printer, check: Check):
    printer.typed = _typed(check)
    return printer


def _names(check: Check):
    view = outline(check.expected, "en")
    return view.value or "y"


def _given(check: Check, show) -> str:
    """What was differentiated, as the task says it: y = …, f(x) = …, or the equation."""
    view = outline(check.expected, "en")
    if view.equation is not None:
        return f"{show(view.equation[0])} = {show(view.equation[1])}"
    return f"{show(view.label)} = {show(check.expr)}"


def layout(check: Check, lang: str = "en") -> list[Line]:
    """The question, the verdict and why; for a wrong answer, the correct derivation."""
    renderer = TerminalRenderer(lang)
    renderer.printer.typed = _typed(check)
    u = renderer.u
    word = lambda key, **f: messages.word(key, lang, **f)  # noqa: E731
    y = _names(check)
    key = "ui.check_task" if check.order == 1 else "ui.check_task_order"
    task = word(key, answer=u(check.answer), expr=_given(check, u), var=u(check.var),
                order=check.order)  # fmt: skip
    lines = [Line().add(task, STYLE["task"]), Line()]
    verdict = f"{MARK[check.verdict]} {word('ui.' + check.verdict)}"
    lines.append(Line().add(verdict, STYLE[VERDICT_STYLE[check.verdict]]))
    d = leibniz(y, check.var, check.order)
    for text, style in sentences(check, lang, u, d):
        lines.append(Line(2, hang=2).add(text, style))
    if check.verdict != "correct":
        lines += [Line(), Line().add(word("ui.correct_derivation"), STYLE["heading"])]
        lines.extend(renderer.render(outline(check.expected, lang, show=u)))
    return lines


def latex_body(check: Check, lang: str) -> str:
    """The verdict as a paragraph, then (unless correct) the derivation's align*."""
    tex = _printer(TextbookLatexPrinter(), check).doprint
    math = lambda e: f"${tex(e)}$"  # noqa: E731
    d = "$" + latex_leibniz(_names(check), check.var, check.order) + "$"
    shown = [text for text, _ in sentences(check, lang, math, d, approx=r"$\approx$")]
    verdict = escape(messages.word("ui." + check.verdict, lang))
    out = [rf"\noindent\textbf{{{verdict}}} " + " ".join(escape_words(t) for t in shown)]
    if check.verdict != "correct":
        out.append(LatexRenderer(lang).render(outline(check.expected, lang)))
    return "\n".join(out) + "\n"


def latex_section(check: Check, lang: str) -> str:
    tex = _printer(TextbookLatexPrinter(), check).doprint
    key = "ui.check_task" if check.order == 1 else "ui.check_task_order"
    words = escape(messages.word(key, lang, answer="@A@", expr="@E@", var="@V@", order=check.order))
    task = (
        words.replace("@A@", f"${tex(check.answer)}$")
        .replace("@E@", f"${_given(check, tex)}$")
        .replace("@V@", f"${tex(check.var)}$")
    )
    return "\\noindent " + task + "\n\n" + latex_body(check, lang)


def markdown(check: Check, lang: str) -> str:
    tex = _printer(TextbookLatexPrinter(), check).doprint
    y = _names(check)
    math = lambda e: f"${tex(e)}$"  # noqa: E731
    key = "ui.check_task" if check.order == 1 else "ui.check_task_order"
    task = messages.word(key, lang, answer=math(check.answer), order=check.order,
                         expr=f"${_given(check, tex)}$",
                         var=math(check.var))  # fmt: skip
    d = "$" + latex_leibniz(y, check.var, check.order) + "$"
    out = [
        f"### {task}",
        "",
        f"**{MARK[check.verdict]} {messages.word('ui.' + check.verdict, lang)}**",
        "",
    ]
    out += [text for text, _ in sentences(check, lang, math, d, approx=r"$\approx$")]
    if check.verdict != "correct":
        out += ["", f"#### {messages.word('ui.correct_derivation', lang)}", ""]
        renderer = MarkdownRenderer(lang)
        out.append(renderer.render(outline(check.expected, lang, show=renderer.u)))
    return "\n".join(out) + "\n"


def to_json(check: Check, text: str | None, lang: str) -> dict:
    """The contract chainrule.check/1 (schema chainrule_cli/schemas/check.json)."""
    show = _printer(SympyTextPrinter(), check).doprint
    tex = _printer(TextbookLatexPrinter(), check).doprint
    comparison = check.comparison
    example = comparison.counterexample
    counterexample = None
    if example is not None:
        counterexample = {
            "at": {str(k): show(v) for k, v in example.point.items()},
            "answer": show(example.answer),
            "expected": show(example.expected),
            "answer_decimal": _decimal(example.answer),
            "expected_decimal": _decimal(example.expected),
        }
    mistake = check.mistake
    obj = {
        "schema": SCHEMA,
        "ok": True,
        "input": text if text is not None else f"{check.expr}\t{check.var}\t{check.answer}",
        "expr": show(check.expr),
        "var": str(check.var),
        "order": check.order,
        "answer": show(check.answer),
        "answer_expr": show(check.answer_full),
        "let": {str(k): show(v) for k, v in check.lets},
        "verdict": check.verdict,
        "correct": check.correct,
        "method": comparison.method,
        "agreeing_points": comparison.agreeing,
        "expected": show(check.expected.result),
        "latex": {"answer": tex(check.answer), "expected": tex(check.expected.result)},
        "counterexample": counterexample,
        "likely_mistake": None if mistake is None else mistake.kind,
        "mistake": None
        if mistake is None
        else {
            "kind": mistake.kind,
            "where": show(mistake.where),
            "correct": show(mistake.correct),
            "wrong": show(mistake.wrong),
            "text": messages.word(f"mistake.{mistake.kind}", lang),
        },
        "domain": {
            "only_expected": _point_json(comparison.only_expected),
            "only_answer": _point_json(comparison.only_answer),
        },
        "derivation": render_json(check.expected, show(check.expr), lang),
    }
    if check.verdict == "undecided":
        obj["error"] = {
            "kind": "undecided",
            "message": "could not decide: too few points where both are real numbers",
            "column": None,
        }
    return obj


def _point_json(point: dict | None) -> dict | None:
    return None if point is None else {str(k): str(v) for k, v in point.items()}


def _decimal(value: sympy.Expr) -> float | None:
    try:
        number = complex(value.evalf(17))
    except (TypeError, ValueError):
        return None
    return number.real if abs(number.imag) < 1e-15 else None


# ---- the formats (render/__init__.py: RENDERERS) --------------------------------------------


def check_html(check: Check, o) -> str:
    from chainrule_cli.render.html import render_check_html

    return render_check_html(check, o.lang)


def check_text(check: Check, o) -> str:
    return to_string(layout(check, o.lang), o.width, o.color)


def check_latex(check: Check, o) -> str:
    if o.section:
        return latex_section(check, o.lang)
    if o.standalone:
        return wrap_document([latex_section(check, o.lang)], o.lang)
    return latex_body(check, o.lang)


def check_markdown(check: Check, o) -> str:
    return markdown(check, o.lang)


def check_json(check: Check, o) -> str:
    return json.dumps(to_json(check, o.text, o.lang), ensure_ascii=False) + "\n"
