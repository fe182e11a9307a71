"""A student's working, checked line by line, in every format: each line with its verdict (✓
follows, ✗ wrong, ? undecided), the first wrong line's counterexample and mistake, the lines
after it judged against it; then the verdict on the whole. Text and terminal, Markdown, JSON
(chainrule.check_steps/1)."""

from __future__ import annotations

import json

import sympy

from chainrule_cli.calculus.working import Line, Working
from chainrule_cli.render import messages
from chainrule_cli.render.check import _point, _values, mistake_words
from chainrule_cli.render.printing import SympyTextPrinter, UnicodePrinter, built_text

SCHEMA = "chainrule.check_steps/1"
MARKS = {"follows": "✓", "wrong": "✗", "undecided": "?", "given": "·"}


def _show(e) -> str:
    """A form as the student's notation writes it: (sin x)' for a derivative still to take."""
    if any(isinstance(d, sympy.Derivative) for d in sympy.preorder_traversal(e)):
        return built_text(e, UnicodePrinter())
    return UnicodePrinter().doprint(e)


def line_sentences(w: Working, line: Line, lang: str, show=_show) -> list[str]:
    """What is said of one line: whether it follows (and from what), and for a wrong line where
    it fails and the likely mistake."""
    word = lambda key, **f: messages.word(key, lang, **f)  # noqa: E731
    against = word("working.the_derivative") if line.against == 0 else word(
        "working.line", n=line.against)  # fmt: skip
    if line.function:  # y = …: the function restated
        if line.verdict == "given":
            return [word("working.given")]
        return [word("working.not_the_function", expr=show(w.expr))]
    if line.verdict == "follows":
        key = "working.follows_wrong" if line.after_wrong else "working.follows"
        if line.against == 0:
            key = "working.equals_derivative"
        return [word(key, against=against)]
    if line.verdict == "undecided":
        return [word("working.undecided", against=against)]
    m = line.mistake
    if m is not None and m.kind in ("constant_of_integration", "wrong_variable"):
        return [word("ui.mistake", what=mistake_said(w, m, lang, show))]  # wrong whatever its value
    out = [word("working.wrong", against=against)]
    example = line.comparison.counterexample
    if example is not None:
        mine, theirs = _values(example.answer, example.expected, show)
        out.append(word("working.counterexample", point=_point(example.point, show), value=mine,
                        against=against, other=theirs))  # fmt: skip
    if line.right:
        out.append(word("working.right_again"))
    if m is not None:
        out.append(word("ui.likely_mistake", what=mistake_said(w, m, lang, show)))
        if m.kind in _AT_A_PLACE:
            out.append(word("ui.mistake_line", var=show(w.var), where=f"({show(m.where)})",
                            correct=show(m.correct), wrong=show(m.wrong)))  # fmt: skip
    return out


def mistake_said(w: Working, m, lang: str, show=_show) -> str:
    """The mistake's sentence (a constant of integration named by its letter)."""
    constant = m.where if m.kind == "constant_of_integration" else None
    return mistake_words(m, lang, show, w.expr, w.order, constant)


# the families made at one place of the expression: the place's right and wrong derivative
_AT_A_PLACE = frozenset({
    "chain_rule_missing_inner", "log_missing_inner", "exp_missing_inner",
    "exponential_missing_log", "chain_rule_twice", "sign", "power_rule", "constant_factor",
    "quotient_rule_order", "quotient_rule_sign", "product_rule_missing_term",
    "product_of_derivatives",
})  # fmt: skip


def _d(w: Working) -> str:
    """d/dx, d²/dx²: the derivative asked for."""
    if w.order == 1:
        return f"d/d{_show(w.var)}"
    n = "".join("⁰¹²³⁴⁵⁶⁷⁸⁹"[int(c)] for c in str(w.order))
    return f"d{n}/d{_show(w.var)}{n}"


def summary(w: Working, lang: str, show=_show) -> str:
    word = lambda key, **f: messages.word(key, lang, **f)  # noqa: E731
    if w.correct:
        return word("working.correct", d=f"{_d(w)} ({show(w.expr)})", result=show(w.derivative))
    if w.first_wrong is not None:
        key = "working.first_wrong_answer_right" if w.answer_correct else "working.first_wrong"
        return word(key, n=w.first_wrong, result=show(w.derivative))
    if any(line.verdict == "undecided" for line in w.lines):
        return word("working.some_undecided")
    return word("working.unfinished", left=", ".join(show(d) for d in w.left))


def text(w: Working, lang: str = "en", width: int = 80, color: bool = False) -> str:
    """Each line with its mark and what is said of it, wrapped to `width` between words and
    between a formula's terms, never inside a term."""
    import textwrap

    from chainrule_cli.render.terminal import NBSP, breakable

    word = lambda key, **f: messages.word(key, lang, **f)  # noqa: E731
    show = lambda e: breakable(_show(e).replace(" ", NBSP))  # noqa: E731
    task = f"{_d(w)} ({_show(w.expr)})"
    out = [word("working.heading", task=task)]
    label = max(len(word("working.line", n=line.number)) for line in w.lines)
    for line in w.lines:
        mark = MARKS[line.verdict]
        if color:
            style = {"follows": "32", "wrong": "1;31", "undecided": "33"}[line.verdict]
            mark = f"\x1b[{style}m{mark}\x1b[0m"
        name = word("working.line", n=line.number).ljust(label)
        out.append(f"  {mark} {name}  {line.text}")
        for said in line_sentences(w, line, lang, show):
            out += textwrap.wrap(messages.sentence_case(said), width=max(width, 40),
                                 initial_indent=" " * (label + 6),
                                 subsequent_indent=" " * (label + 8),
                                 break_long_words=False, break_on_hyphens=False)  # fmt: skip
    verdict = summary(w, lang, show)
    out += textwrap.wrap(messages.sentence_case(verdict), width=max(width, 40),
                         break_long_words=False, break_on_hyphens=False)  # fmt: skip
    return "\n".join(line.replace(NBSP, " ") for line in out) + "\n"


def markdown(w: Working, lang: str = "en") -> str:
    word = lambda key, **f: messages.word(key, lang, **f)  # noqa: E731
    task = f"{_d(w)} ({_show(w.expr)})"
    out = [f"**{word('working.heading', task=task)}**", "",
           f"| | {word('working.line_heading')} | {word('working.said_heading')} |",
           "|---|---|---|"]  # fmt: skip
    for line in w.lines:
        said = " ".join(messages.sentence_case(s) for s in line_sentences(w, line, lang))
        code = line.text.replace("|", "\\|")
        out.append(f"| {MARKS[line.verdict]} {line.number} | `{code}` | {said.replace('|', '/')} |")
    out += ["", messages.sentence_case(summary(w, lang))]
    return "\n".join(out) + "\n"


def to_json(w: Working, given: str | None, lang: str = "en") -> dict:
    show = SympyTextPrinter().doprint
    lines = []
    for line in w.lines:
        example = line.comparison.counterexample
        mistake = line.mistake
        lines.append({
            "line": line.number,
            "text": line.text,
            "forms": [show(f) for f in line.forms],
            "verdict": line.verdict,
            "against": line.against,
            "after_wrong": line.after_wrong,
            "right": line.right,
            "mistake": None if mistake is None else mistake.kind,
            "mistake_text": None if mistake is None else messages.sentence_case(
                mistake_said(w, mistake, lang)),
            "counterexample": None if example is None else {
                "at": {str(k): show(v) for k, v in example.point.items()},
                "line": show(example.answer),
                "against": show(example.expected),
            },
            "said": [messages.sentence_case(s) for s in line_sentences(w, line, lang)],
        })  # fmt: skip
    return {
        "schema": SCHEMA,
        "ok": True,
        "input": given if given is not None else show(w.expr),
        "expr": show(w.expr),
        "var": show(w.var),
        "derivative": show(w.derivative),
        "lines": lines,
        "first_wrong": w.first_wrong,
        "correct": w.correct,
        "answer_correct": w.answer_correct,
        "order": w.order,
        "finished": w.finished,
        "left": [show(d) for d in w.left],
        "summary": messages.sentence_case(summary(w, lang)),
    }


# ---- the formats (render/__init__.py: RENDERERS) --------------------------------------------


def working_text(w: Working, o) -> str:
    return text(w, o.lang, o.width, o.color)


def working_markdown(w: Working, o) -> str:
    return markdown(w, o.lang)


def working_json(w: Working, o) -> str:
    return json.dumps(to_json(w, o.text, o.lang), ensure_ascii=False) + "\n"
