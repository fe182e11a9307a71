"""A checked answer in every format: the verdict, how it was decided (a counterexample, the
likely mistake, the domain), and for a wrong answer the correct derivation. Computes nothing.
"""

from __future__ import annotations

import json

import mpmath
import sympy

from chainrule_cli.calculus.check import DEFINITE, FARTHEST, NEEDED, Check
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


def _value(value: sympy.Expr, show, approx: str = "≈", digits: int = 6) -> str:
    """cos(1) ≈ 0.540302, or 1/4 alone when it is a plain number."""
    shown = show(value)
    if value.is_Rational or not value.is_number:
        return shown
    decimal = _digits(value, digits)
    if decimal is None:
        return shown  # no number here (an unevaluated derivative, say)
    if value.is_Float:
        return decimal
    return f"{shown} {approx} {decimal}"


def _digits(value: sympy.Expr, digits: int = 6) -> str | None:
    """The value as a decimal of `digits` significant digits (−0.204124), None if it has
    none."""
    try:
        number = complex(value.evalf(15))
    except (TypeError, ValueError):
        return None
    if digits <= 6:
        decimal = f"{number.real:.{digits}g}"
        if abs(number.imag) > 1e-12 * abs(number):
            sign = "−" if number.imag < 0 else "+"
            decimal = f"{number.real:.{digits}g} {sign} {abs(number.imag):.{digits}g}i"
        return decimal.replace("-", "−")
    with mpmath.workdps(digits + 10):
        real = mpmath.mpf(sympy.Float(sympy.re(value.evalf(digits + 10)), digits + 10)._mpf_)
        return mpmath.nstr(real, digits).replace("-", "−")


# digits tried until two values that differ print differently (e + 10⁻²⁵ and e)
_PRECISIONS = (6, 10, 15, 20, 30, 45, 60, 100)


def _values(a: sympy.Expr, b: sympy.Expr, show, approx: str = "≈") -> tuple[str, str]:
    """Two values that differ, each as _value shows it, with enough digits that their
    decimals differ: the same value is never printed on both sides of "but"."""
    for digits in _PRECISIONS:
        da, db = (_digits(v, digits) if v.is_number else None for v in (a, b))
        if da is None or db is None or da != db:
            break
    return _value(a, show, approx, digits), _value(b, show, approx, digits)


def _point(point: dict, show) -> str:
    return ", ".join(f"{show(k)} = {show(v)}" for k, v in point.items())


def _side(term, show, d) -> str:
    """A side of a chained answer: the derivative's name (dy/dx, d²y/dx²) or the expression."""
    return d(term.order) if term.order is not None else show(term.expr)


def answer_shown(check: Check, show, d, equals: str = " = ") -> str:
    """The answer as handed in: the expression, or the whole chain f' = A = B."""
    if not check.terms:
        return show(check.answer)
    return equals.join(_side(t, show, d) for t in check.terms)


def mistake_text(check: Check, lang: str, show) -> str:
    """The mistake's sentence, its fields filled in (the order, the constant, the names)."""
    return mistake_words(check.mistake, lang, show, check.expr, check.order, check.constant)


def mistake_words(mistake, lang: str, show, function, order: int = 1, constant=None) -> str:
    """The sentence of a mistake made in differentiating `function` `order` times."""
    key = f"mistake.{mistake.kind}"
    fields: dict = {}
    if mistake.kind == "wrong_order":
        key = "mistake.function_itself" if mistake.order == 0 else key
        fields = {
            "order": mistake.order,
            "nth": messages.ordinal(mistake.order, lang),
            "asked": order,
            "asked_nth": messages.ordinal(order, lang),
        }
    elif mistake.kind == "integrated":
        fields = {"function": show(function)}
    elif mistake.kind == "constant_of_integration":
        fields = {"name": show(constant)}
    elif mistake.kind == "restated":
        fields = {"where": show(mistake.where)}
    elif mistake.kind in ("wrong_variable", "other_variable"):
        if mistake.kind == "wrong_variable" and all(
            a.name.lower() == b.name.lower() for a, b in mistake.names
        ):
            key = "mistake.wrong_case"
        fields = {"used": ", ".join(show(a) for a, _ in mistake.names),
                  "var": ", ".join(show(b) for _, b in mistake.names)}  # fmt: skip
    return messages.word(key, lang, **fields)


def sentences(check: Check, lang: str, show, d, approx: str = "≈") -> list[tuple[str, str | None]]:
    """(sentence, style) lines under the verdict, in the order a teacher says them. `d(n)` is
    the n-th derivative's name as this format prints it (dy/dx); a text is d of every order."""
    d = d if callable(d) else (lambda _n, _d=d: _d)
    word = lambda key, **f: messages.word(key, lang, **f)  # noqa: E731
    comparison = check.comparison
    expected = show(check.expected.result)
    dy = d(check.order)
    mistake = check.mistake
    out: list[tuple[str, str | None]] = []
    if check.verdict == "correct":
        key = {
            "symbolic": "ui.how_symbolic",
            "curve": "ui.how_curve",
            "curve_points": "ui.how_curve_points",
        }.get(comparison.method, "ui.how_numeric")
        out.append((word(key, d=dy, expected=expected, count=comparison.agreeing), None))
        if comparison.only_expected:
            out.append((word("ui.domain_expected", point=_point(comparison.only_expected, show)),
                        STYLE["note"]))  # fmt: skip
        if comparison.only_answer:
            out.append((word("ui.domain_answer", point=_point(comparison.only_answer, show)),
                        STYLE["note"]))  # fmt: skip
        if check.links:
            out.append((word("ui.chain_holds", count=len(check.links)), None))
        return out
    definite = mistake is not None and mistake.kind in DEFINITE
    # what makes the answer wrong whatever its value: the question restated, another
    # variable, a constant of integration
    if definite:
        out.append((word("ui.mistake", what=mistake_text(check, lang, show)), STYLE["rule"]))
        if mistake.kind != "restated":
            out.append(("  " + _mistake_line(check, show, lang), STYLE["lhs"]))
    if check.constant is not None and not (definite and mistake.kind == "constant_of_integration"):
        what = word("mistake.constant_of_integration", name=show(check.constant))
        out.append((word("ui.mistake", what=what), STYLE["rule"]))
    renamed = definite and mistake.kind == "wrong_variable"
    var = ", ".join(show(b) for _, b in mistake.names) if renamed else ""
    if comparison.verdict == "correct":
        if renamed:
            out.append((word("ui.renamed_right", var=var, d=dy, expected=expected), None))
        elif check.constant is not None:
            out.append((word("ui.without_constant", name=show(check.constant), d=dy,
                             expected=expected), None))  # fmt: skip
        elif check.links and not definite:
            out.append((word("ui.chain_starts_right", answer=show(check.answer), d=dy,
                             expected=expected), None))  # fmt: skip
    elif comparison.verdict == "incorrect":
        if renamed:
            out.append((word("ui.renamed_wrong", var=var), None))
        example = comparison.counterexample
        answer, value = _values(example.answer, example.expected, show, approx)
        out.append((word("ui.counterexample", point=_point(example.point, show), answer=answer,
                         expected=value), None))  # fmt: skip
        if mistake is not None and not definite:
            out.append((word("ui.likely_mistake", what=mistake_text(check, lang, show)),
                        STYLE["rule"]))  # fmt: skip
            out.append(("  " + _mistake_line(check, show, lang), STYLE["lhs"]))
        if check.branches is not None:
            b = check.branches
            holds, fails = (
                f"{show(b.var)} {'>' if sign > 0 else '<'} 0" for sign in (b.sign, -b.sign)
            )
            out.append((word("ui.branch", holds=holds, fails=fails,
                             holds_at=_point(b.holds_at, show)), None))  # fmt: skip
    elif not definite:
        out.append((word("ui.undecided_why", d=dy, expected=expected, count=comparison.agreeing,
                         needed=NEEDED, farthest=f"{FARTHEST:,}"), None))  # fmt: skip
    for link in check.links:
        if link.index == check.graded_link or link.comparison.verdict == "correct":
            continue
        nth = {"nth": messages.ordinal(link.index, lang), "n": link.index}
        if link.comparison.verdict == "undecided":
            out.append((word("ui.link_undecided", **nth), None))
            continue
        example = link.comparison.counterexample
        left_value, right_value = _values(example.expected, example.answer, show, approx)
        out.append((word("ui.link_fails", **nth, point=_point(example.point, show),
                         left=_side(link.left, show, d), right=_side(link.right, show, d),
                         left_value=left_value, right_value=right_value), None))  # fmt: skip
    return out


def _mistake_line(check: Check, show, lang: str) -> str:
    mistake = check.mistake
    return messages.word("ui.mistake_line", lang, var=show(check.var), where=show(mistake.where),
                         correct=show(mistake.correct), wrong=show(mistake.wrong))  # fmt: skip


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
    d = lambda n: leibniz(y, check.var, n)  # noqa: E731
    task = word(key, answer=answer_shown(check, u, d), expr=_given(check, u), var=u(check.var),
                order=check.order)  # fmt: skip
    lines = [Line().add(task, STYLE["task"]), Line()]
    verdict = f"{MARK[check.verdict]} {word('ui.' + check.verdict)}"
    lines.append(Line().add(verdict, STYLE[VERDICT_STYLE[check.verdict]]))
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
    d = lambda n: "$" + latex_leibniz(_names(check), check.var, n) + "$"  # noqa: E731
    shown = [text for text, _ in sentences(check, lang, math, d, approx=r"$\approx$")]
    verdict = escape(messages.word("ui." + check.verdict, lang))
    out = [rf"\noindent\textbf{{{verdict}}} " + " ".join(escape_words(t) for t in shown)]
    if check.verdict != "correct":
        out.append(LatexRenderer(lang).render(outline(check.expected, lang)))
    return "\n".join(out) + "\n"


def _latex_answer(check: Check, tex) -> str:
    """The answer (a whole chain) as LaTeX mathematics, without the dollars."""
    return answer_shown(check, tex, lambda n: latex_leibniz(_names(check), check.var, n))


def latex_section(check: Check, lang: str) -> str:
    tex = _printer(TextbookLatexPrinter(), check).doprint
    key = "ui.check_task" if check.order == 1 else "ui.check_task_order"
    words = escape(messages.word(key, lang, answer="@A@", expr="@E@", var="@V@", order=check.order))
    task = (
        words.replace("@A@", f"${_latex_answer(check, tex)}$")
        .replace("@E@", f"${_given(check, tex)}$")
        .replace("@V@", f"${tex(check.var)}$")
    )
    return "\\noindent " + task + "\n\n" + latex_body(check, lang)


def markdown(check: Check, lang: str) -> str:
    tex = _printer(TextbookLatexPrinter(), check).doprint
    y = _names(check)
    math = lambda e: f"${tex(e)}$"  # noqa: E731
    key = "ui.check_task" if check.order == 1 else "ui.check_task_order"
    task = messages.word(key, lang, answer=f"${_latex_answer(check, tex)}$", order=check.order,
                         expr=f"${_given(check, tex)}$",
                         var=math(check.var))  # fmt: skip
    d = lambda n: "$" + latex_leibniz(y, check.var, n) + "$"  # noqa: E731
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
            "text": mistake_text(check, lang, show),
            **_mistake_extra(mistake),
        },
        "constant": None if check.constant is None else show(check.constant),
        "links": [_link_json(check, link, show, tex) for link in check.links],
        "branches": _branches_json(check.branches, show),
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


def _mistake_extra(mistake) -> dict:
    """A whole-answer mistake's own fields: the order (wrong_order), the names (wrong_variable)."""
    extra: dict = {}
    if mistake.order is not None:
        extra["order"] = mistake.order
    if mistake.names:
        extra["names"] = {str(used): str(meant) for used, meant in mistake.names}
    return extra


def _link_json(check: Check, link, show, tex) -> dict:
    """One '=' of a chained answer: its sides (a derivative's name as typed, with its order),
    its verdict and, when it does not hold, a point where its sides differ."""
    y = _names(check)
    sides = {}
    for side, term in (("left", link.left), ("right", link.right)):
        named = term.order is not None
        sides[side] = term.text if named else show(term.expr)
        sides[f"{side}_order"] = term.order
        sides[f"{side}_latex"] = (
            latex_leibniz(y, check.var, term.order) if named else tex(term.expr)
        )
    example = link.comparison.counterexample
    return {
        "index": link.index,
        "left": sides["left"],
        "right": sides["right"],
        "left_order": sides["left_order"],
        "right_order": sides["right_order"],
        "latex": {"left": sides["left_latex"], "right": sides["right_latex"]},
        "verdict": link.comparison.verdict,
        "method": link.comparison.method,
        "counterexample": None
        if example is None
        else {
            "at": {str(k): show(v) for k, v in example.point.items()},
            "left": show(example.expected),
            "right": show(example.answer),
            "left_decimal": _decimal(example.expected),
            "right_decimal": _decimal(example.answer),
        },
    }


def _branches_json(branches, show) -> dict | None:
    if branches is None:
        return None
    var = show(branches.var)
    return {
        "holds_where": f"{var} {'>' if branches.sign > 0 else '<'} 0",
        "fails_where": f"{var} {'<' if branches.sign > 0 else '>'} 0",
        "holds_at": {str(k): show(v) for k, v in branches.holds_at.items()},
        "fails_at": {str(k): show(v) for k, v in branches.fails_at.items()},
    }


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
