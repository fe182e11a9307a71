"""A student's working, checked line by line (`chainrule check EXPR VAR --steps FILE`).

Each line is one step. A line's value is the line with its derivatives still to take worked
out ((sin x)' is cos x); the first line must equal the derivative asked for, each next line the
one before it. The first line that does not is wrong: it comes with a point where the two
differ and, where one explains it, the classic mistake made between them (calculus/check.py's
families, looked for in the derivatives the line before left to take). The lines after it are
judged against it, as a teacher reads on: "follows from your line 2".
"""

from __future__ import annotations

import sympy
from sympy.core.function import AppliedUndef

from chainrule_cli.calculus.check import (
    PRIORITY,
    Comparison,
    Mistake,
    _same,
    compare,
    derivative_with,
    likely_mistake,
    mistakes,
)
from chainrule_cli.calculus.steps import Record

VERDICTS = ("follows", "wrong", "undecided", "given")


class Line(Record):
    """One line's verdict: `follows` (it equals the line before it, or for the first line the
    derivative), `wrong` (with the comparison's counterexample and perhaps the mistake),
    `undecided`, or `given` (the line restates the function, y = …: no step); `against` is the
    line it was compared with (0: the derivative asked for)."""

    number: int  # the line's number in the file
    text: str
    forms: tuple[sympy.Expr, ...]
    verdict: str
    against: int
    comparison: Comparison | None
    mistake: Mistake | None = None
    after_wrong: bool = False  # judged against a wrong line (it may follow from it)
    right: bool = False  # a wrong line that is the derivative itself (a correction)
    function: bool = False  # the line restates the function (verdict given, or wrong if not it)


class Working(Record):
    """The whole working: each line's verdict, the first wrong line (None when none), whether
    every line follows and the last has no derivative left to take (`correct`)."""

    expr: sympy.Expr
    var: sympy.Symbol
    derivative: sympy.Expr  # the verified derivative
    lines: tuple[Line, ...]
    first_wrong: int | None
    correct: bool
    finished: bool  # the last line has no derivative left to take
    left: tuple[sympy.Expr, ...] = ()  # the last line's derivatives still to take
    order: int = 1
    answer_correct: bool = False  # the last line is the derivative, whatever came before


def pending(expr: sympy.Expr) -> list[sympy.Derivative]:
    """The derivatives still to take in a form (not an unknown function's f'(x))."""
    return [d for d in expr.atoms(sympy.Derivative) if not isinstance(d.expr, AppliedUndef)]


def taken(expr: sympy.Expr) -> sympy.Expr:
    """The form with its derivatives worked out."""
    return expr.doit() if pending(expr) else expr


def check_working(
    expr: sympy.Expr, var: sympy.Symbol, derivative: sympy.Expr, worked, order: int = 1
) -> Working:
    """Each line of `worked` (parse.question.WorkedLine) judged as the module says."""
    lines: list[Line] = []
    previous = sympy.Derivative(expr, (var, order))  # as written: what the first must equal
    previous_value, previous_line = derivative, 0
    first_wrong = None
    last_value = None
    for w in worked:
        if w.function:  # y = …: the function restated, compared with the function
            comparison = compare(expr, w.forms[-1])
            verdict = "given" if comparison.verdict == "correct" else "wrong"
            lines.append(Line(number=w.number, text=w.text, forms=w.forms, verdict=verdict,
                              against=0, comparison=comparison, function=True,
                              after_wrong=first_wrong is not None))  # fmt: skip
            if verdict == "wrong" and first_wrong is None:
                first_wrong = w.number
            continue
        verdicts = []
        comparison = mistake = None
        right = False
        constants = w.constants or (None,) * len(w.forms)
        renamings = w.renames or ((),) * len(w.forms)
        for form, constant, renames in zip(w.forms, constants, renamings, strict=True):
            value = taken(form)
            meant = value.xreplace(dict(renames)) if renames else value
            if constant is not None:
                meant = meant.xreplace({constant: 0})
            comparison = compare(previous_value, meant, expr)
            verdict = {"correct": "follows", "incorrect": "wrong"}.get(
                comparison.verdict, "undecided"
            )
            if constant is not None or renames:  # 3x^2 + C, 3t^2: wrong whatever its value
                verdict = "wrong"
                kind = "constant_of_integration" if constant is not None else "wrong_variable"
                # where: the constant itself (constant_of_integration), else the function
                mistake = Mistake(kind=kind, where=expr if constant is None else constant,
                                  wrong=value, correct=derivative,
                                  names=tuple(renames))  # fmt: skip
                comparison = comparison if comparison.verdict == "incorrect" else compare(
                    derivative, value, expr)  # fmt: skip
            elif verdict == "wrong":
                mistake = step_mistake(previous, previous_line, value, expr, var, order)
                if previous_line != 0:  # a correction: the derivative itself after all
                    right = compare(derivative, value, expr).verdict == "correct"
            verdicts.append(verdict)
            last_value = meant
            if verdict != "follows":
                break
            previous, previous_value = form, value
        verdict = next((v for v in verdicts if v != "follows"), "follows")
        lines.append(Line(number=w.number, text=w.text, forms=w.forms, verdict=verdict,
                          against=previous_line, comparison=comparison, mistake=mistake,
                          after_wrong=first_wrong is not None, right=right))  # fmt: skip
        if verdict == "wrong" and first_wrong is None:
            first_wrong = w.number
        # the next line is judged against this one as written, right or wrong
        last = w.forms[-1]
        previous, previous_value, previous_line = last, taken(last), w.number
    steps = [line for line in lines if not line.function]
    left = tuple(pending(steps[-1].forms[-1])) if steps else ()
    correct = (
        bool(steps) and all(line.verdict in ("follows", "given") for line in lines) and not left
    )
    answer_correct = (
        last_value is not None and not left
        and compare(derivative, last_value, expr).verdict == "correct"
        and not (steps[-1].mistake is not None and steps[-1].mistake.kind in (
            "constant_of_integration", "wrong_variable"))
    )  # fmt: skip
    return Working(expr=expr, var=var, derivative=derivative, lines=tuple(lines),
                   first_wrong=first_wrong, correct=correct, finished=not left, left=left,
                   order=order, answer_correct=answer_correct)  # fmt: skip


def step_mistake(
    previous: sympy.Expr, previous_line: int, value: sympy.Expr, expr: sympy.Expr,
    var: sympy.Symbol, order: int = 1,
) -> Mistake | None:  # fmt: skip
    """The classic mistake that turns the line before into this one: made in taking one of
    the derivatives it left to take (every place in it where a family's mistake can be made);
    against the derivative asked for, also the whole-answer mistakes (an antiderivative, the
    derivative of another order, another variable)."""
    if previous_line == 0:
        base = sympy.diff(expr, var, order - 1) if order > 1 else expr
        expected = sympy.diff(expr, var, order)
        return likely_mistake(base, var, expected, value, function=expr, order=order)
    found: list[Mistake] = []
    for d in pending(previous):
        if len(d.variable_count) != 1 or d.variable_count[0][1] != 1:
            continue
        inner, by = d.expr, d.variables[0]
        right = previous.xreplace({d: sympy.diff(inner, by)}).doit()
        if _same(-right, value) and d == previous:
            found.append(Mistake(kind="sign", where=inner, wrong=-right, correct=right))
        for candidate in mistakes(inner, by):
            if any(PRIORITY.index(f.kind) <= PRIORITY.index(candidate.kind) for f in found):
                continue
            wrong = previous.xreplace({d: derivative_with(inner, by, candidate)}).doit()
            if _same(wrong, value):
                found.append(candidate)
    if not found:
        return None
    return min(found, key=lambda m: PRIORITY.index(m.kind))
